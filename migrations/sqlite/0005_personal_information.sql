-- Personal information (PIPL): identifiers encrypted at rest and searched by keyed hashes,
-- the privacy notice each application was submitted under, withdrawal, erasure after the
-- retention period, who looked at what, and two officer roles (auditor, policy).
-- The new status and roles change CHECK constraints: `Store::open` rebuilds `applications`
-- and `officers` right after the migrations (migrations/sqlite_rebuild/), once.

-- The keyed hashes (HMAC-SHA256) of the ID number and the name: what a search compares.
ALTER TABLE applications ADD COLUMN id_hmac TEXT;
ALTER TABLE applications ADD COLUMN name_hmac TEXT;
-- The privacy notice shown when the applicant consented, and when (empty before this round).
ALTER TABLE applications ADD COLUMN notice_version TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN consented_at TEXT NOT NULL DEFAULT '';
-- When the personal fields were erased (retention); the amounts and programs stay.
ALTER TABLE applications ADD COLUMN erased_at TEXT;
-- Indexes over the plain columns would keep copies of them: searches use the hashes.
DROP INDEX applications_name;
DROP INDEX applications_id_number;
CREATE INDEX applications_id_hmac ON applications (id_hmac);
CREATE INDEX applications_name_hmac ON applications (name_hmac);

-- The data key's fingerprint: which key the data is sealed with (never the key).
CREATE TABLE data_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    rotated_at  TEXT
);

-- Who saw what: every view of an application, of a full ID number, every full-ID export and
-- every material downloaded. Append-only: the triggers refuse any change.
CREATE TABLE access_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT    NOT NULL,
    officer        TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    action         TEXT    NOT NULL CHECK (action IN ('view', 'view_api', 'full_id', 'export', 'export_full_ids', 'download')),
    application_id INTEGER REFERENCES applications (id),
    reference      TEXT    NOT NULL DEFAULT '',
    detail         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_application ON access_log (application_id, id);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
