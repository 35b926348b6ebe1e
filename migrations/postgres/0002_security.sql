-- Sign-in attempts are counted before a password is checked, one counter per account and per
-- address, each over a window that starts with its first attempt. The list of failures they
-- replace could be read and written by two requests at once without either seeing the other.
DROP TABLE login_failures;
CREATE TABLE login_attempts (
    subject      TEXT    PRIMARY KEY,
    window_start TEXT    NOT NULL,
    attempts     BIGINT  NOT NULL
);

-- Every decision increments the version; a decision names the version its officer saw.
ALTER TABLE applications ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
-- The SHA-256 of the request an idempotency key was first sent with.
ALTER TABLE applications ADD COLUMN request_hash TEXT;

-- /healthz writes here to learn whether the database can be written.
CREATE TABLE health_checks (
    id INTEGER PRIMARY KEY,
    at TEXT    NOT NULL
);

CREATE INDEX batch_runs_created ON batch_runs (created_at);
