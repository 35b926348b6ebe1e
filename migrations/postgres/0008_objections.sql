-- Objections (异议) to a case on a public notice: in writing, under the objector's real name
-- and phone number (sealed, shown only to reviewers and leaders), and the reviewer's finding.
-- A case with an objection not yet found on does not pass its notice.
CREATE TABLE objections (
    id             BIGSERIAL PRIMARY KEY,
    notice_id      BIGINT NOT NULL REFERENCES notices (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    received_at    TEXT    NOT NULL,
    objector_name  TEXT    NOT NULL,
    objector_phone TEXT    NOT NULL,
    statement      TEXT    NOT NULL,
    finding        TEXT    CHECK (finding IN ('upheld', 'dismissed')),
    finding_note   TEXT    NOT NULL DEFAULT '',
    found_by       TEXT,
    found_at       TEXT
);
CREATE INDEX objections_application ON objections (application_id, id);
CREATE INDEX objections_open ON objections (notice_id, application_id) WHERE finding IS NULL;
