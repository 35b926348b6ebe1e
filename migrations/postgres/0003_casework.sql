-- Casework: uploaded materials, program-by-program review, scheduled payments (PostgreSQL).
-- Applications gain two statuses (partial: some programs approved; closed: every program
-- decided) and the list of materials an officer asked for.
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check
    CHECK (status IN ('submitted', 'more_info', 'partial', 'closed', 'approved', 'rejected'));
ALTER TABLE applications ADD COLUMN missing_materials TEXT NOT NULL DEFAULT '';
CREATE INDEX applications_name ON applications (applicant_name);
CREATE INDEX applications_id_number ON applications (id_number);

-- An uploaded file: its metadata here, its bytes in upload_chunks (so every instance sharing
-- the database has them). It belongs to no application until the submission or supplement
-- that brought it commits.
CREATE TABLE uploads (
    id             TEXT    PRIMARY KEY,
    application_id BIGINT  REFERENCES applications (id),
    material       TEXT    NOT NULL,
    file_name      TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('pdf', 'jpeg', 'png')),
    size           BIGINT  NOT NULL,
    sha256         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    stage          TEXT    NOT NULL CHECK (stage IN ('application', 'supplement'))
);
CREATE INDEX uploads_application ON uploads (application_id, created_at);
CREATE INDEX uploads_unclaimed ON uploads (created_at) WHERE application_id IS NULL;

CREATE TABLE upload_chunks (
    upload_id TEXT    NOT NULL REFERENCES uploads (id),
    seq       BIGINT  NOT NULL,
    bytes     BYTEA   NOT NULL,
    PRIMARY KEY (upload_id, seq)
);

CREATE TABLE condition_checks (
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    condition_id   TEXT    NOT NULL,
    result         TEXT    NOT NULL CHECK (result IN ('verified', 'failed', 'pending')),
    actor          TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    PRIMARY KEY (application_id, program, condition_id)
);

CREATE TABLE program_decisions (
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    decision       TEXT    NOT NULL CHECK (decision IN ('approved', 'refused')),
    amount         NUMERIC NOT NULL,
    assessed       NUMERIC NOT NULL,
    reason         TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    PRIMARY KEY (application_id, program)
);

CREATE TABLE payments (
    id             BIGSERIAL PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    seq            BIGINT  NOT NULL,
    amount         NUMERIC NOT NULL,
    trigger_zh     TEXT    NOT NULL,
    trigger_en     TEXT    NOT NULL,
    due_on         TEXT,
    status         TEXT    NOT NULL CHECK (status IN ('scheduled', 'paid')),
    paid_on        TEXT,
    paid_by        TEXT,
    UNIQUE (application_id, program, seq)
);
CREATE INDEX payments_due ON payments (status, due_on);
