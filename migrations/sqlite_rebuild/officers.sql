-- Rebuilds `officers` with the roles of migrations 0005 (auditor, policy) and 0007 (approver,
-- finance) in its CHECK
-- constraint, as `applications.sql` does for statuses: by `Store::open`, once, with foreign
-- keys off, in one transaction.
BEGIN IMMEDIATE;
CREATE TABLE officers_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('reviewer', 'hr', 'auditor', 'policy', 'approver', 'finance')),
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL
);
INSERT INTO officers_new (id, name, role, password_hash, disabled, created_at)
SELECT id, name, role, password_hash, disabled, created_at FROM officers;
DROP TABLE officers;
ALTER TABLE officers_new RENAME TO officers;
COMMIT;
