-- Casework: uploaded materials, program-by-program review, scheduled payments (SQLite).
-- Applications gain the list of materials an officer asked for, and two statuses (partial:
-- some programs approved; closed: every program decided). SQLite cannot change a CHECK
-- constraint in place and the table has to be rebuilt with foreign keys off, which cannot be
-- done inside the transaction a migration runs in: `Store::open` does it right after the
-- migrations (migrations/sqlite_rebuild/applications_0003.sql), once.
ALTER TABLE applications ADD COLUMN missing_materials TEXT NOT NULL DEFAULT '';
CREATE INDEX applications_name ON applications (applicant_name);
CREATE INDEX applications_id_number ON applications (id_number);

-- An uploaded file: its metadata here, its bytes in upload_chunks. It belongs to no
-- application until the submission or supplement that brought it commits.
CREATE TABLE uploads (
    id             TEXT    PRIMARY KEY,
    application_id INTEGER REFERENCES applications (id),
    material       TEXT    NOT NULL,
    file_name      TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('pdf', 'jpeg', 'png')),
    size           INTEGER NOT NULL,
    sha256         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    stage          TEXT    NOT NULL CHECK (stage IN ('application', 'supplement'))
);
CREATE INDEX uploads_application ON uploads (application_id, created_at);
CREATE INDEX uploads_unclaimed ON uploads (created_at) WHERE application_id IS NULL;

CREATE TABLE upload_chunks (
    upload_id TEXT    NOT NULL REFERENCES uploads (id),
    seq       INTEGER NOT NULL,
    bytes     BLOB    NOT NULL,
    PRIMARY KEY (upload_id, seq)
);

-- An officer's check of one condition of one program.
CREATE TABLE condition_checks (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    condition_id   TEXT    NOT NULL,
    result         TEXT    NOT NULL CHECK (result IN ('verified', 'failed', 'pending')),
    actor          TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    PRIMARY KEY (application_id, program, condition_id)
);

-- The decision on one program of an application; final once made.
CREATE TABLE program_decisions (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    decision       TEXT    NOT NULL CHECK (decision IN ('approved', 'refused')),
    amount         TEXT    NOT NULL,
    assessed       TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    PRIMARY KEY (application_id, program)
);

-- An approved program's installments as payments to make.
CREATE TABLE payments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    seq            INTEGER NOT NULL,
    amount         TEXT    NOT NULL,
    trigger_zh     TEXT    NOT NULL,
    trigger_en     TEXT    NOT NULL,
    due_on         TEXT,
    status         TEXT    NOT NULL CHECK (status IN ('scheduled', 'paid')),
    paid_on        TEXT,
    paid_by        TEXT,
    UNIQUE (application_id, program, seq)
);
CREATE INDEX payments_due ON payments (status, due_on);
