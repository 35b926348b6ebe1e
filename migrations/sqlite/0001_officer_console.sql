-- Applications, officers, sessions, the audit log and batch runs (SQLite).
-- Money is TEXT holding an exact decimal: a NUMERIC column in SQLite would turn it into a float.
-- Times are TEXT in RFC 3339 at UTC+8 with microseconds, so that they sort as they compare.

CREATE TABLE applications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    reference        TEXT    NOT NULL UNIQUE,
    status_token     TEXT    NOT NULL UNIQUE,
    idempotency_key  TEXT    UNIQUE,
    submitted_at     TEXT    NOT NULL,
    submitted_on     TEXT    NOT NULL,
    applicant_name   TEXT    NOT NULL,
    id_number        TEXT    NOT NULL,
    tier             TEXT    NOT NULL,
    total            TEXT    NOT NULL,
    policy_version   TEXT    NOT NULL,
    application_date TEXT    NOT NULL,
    profile          TEXT    NOT NULL,
    result           TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('submitted', 'more_info', 'approved', 'rejected')),
    note             TEXT    NOT NULL DEFAULT '',
    updated_at       TEXT    NOT NULL
);
CREATE INDEX applications_submitted ON applications (submitted_on, id);
CREATE INDEX applications_status ON applications (status, id);

CREATE TABLE application_programs (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    amount         TEXT    NOT NULL,
    PRIMARY KEY (application_id, program)
);
CREATE INDEX application_programs_program ON application_programs (program, status);

CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE officers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('reviewer', 'hr')),
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL
);

-- Who did what to an application. Append-only: the triggers refuse any change.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    at             TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    from_status    TEXT,
    to_status      TEXT    NOT NULL,
    note           TEXT    NOT NULL
);
CREATE INDEX audit_log_application ON audit_log (application_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Signed-in officers. The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers (id),
    csrf       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);

CREATE TABLE login_failures (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT    NOT NULL,
    address TEXT    NOT NULL,
    at      TEXT    NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

CREATE TABLE batch_runs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token      TEXT    NOT NULL UNIQUE,
    officer_id INTEGER NOT NULL REFERENCES officers (id),
    created_at TEXT    NOT NULL,
    file_name  TEXT    NOT NULL,
    summary    TEXT    NOT NULL,
    results    TEXT    NOT NULL
);
