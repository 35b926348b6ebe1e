-- Rebuilds `applications` with the statuses of migrations 0003 (partial, closed) and 0005
-- (withdrawn) in its CHECK constraint, keeping the columns of later migrations (0007: step,
-- review_round, accepted_on; 0009: handler; 0013: the contact details): SQLite's documented way (a new table, copy, drop,
-- rename), run by `Store::open` after every migration on one connection with foreign keys
-- off, in one transaction, only while an older constraint is in place.
BEGIN IMMEDIATE;
CREATE TABLE applications_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    reference         TEXT    NOT NULL UNIQUE,
    status_token      TEXT    NOT NULL UNIQUE,
    idempotency_key   TEXT    UNIQUE,
    submitted_at      TEXT    NOT NULL,
    submitted_on      TEXT    NOT NULL,
    applicant_name    TEXT    NOT NULL,
    id_number         TEXT    NOT NULL,
    tier              TEXT    NOT NULL,
    total             TEXT    NOT NULL,
    policy_version    TEXT    NOT NULL,
    application_date  TEXT    NOT NULL,
    profile           TEXT    NOT NULL,
    result            TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('submitted', 'more_info', 'partial', 'closed', 'approved', 'rejected', 'withdrawn')),
    note              TEXT    NOT NULL DEFAULT '',
    updated_at        TEXT    NOT NULL,
    version           INTEGER NOT NULL DEFAULT 0,
    request_hash      TEXT,
    missing_materials TEXT    NOT NULL DEFAULT '',
    id_hmac           TEXT,
    name_hmac         TEXT,
    notice_version    TEXT    NOT NULL DEFAULT '',
    consented_at      TEXT    NOT NULL DEFAULT '',
    erased_at         TEXT,
    step              TEXT    NOT NULL DEFAULT 'accept' CHECK (step IN ('accept', 'first_review', 'second_review', 'sign_off', 'notice_ready', 'notice', 'in_force', 'not_accepted', 'withdrawn')),
    review_round      INTEGER NOT NULL DEFAULT 1,
    accepted_on       TEXT,
    handler           TEXT,
    contact_mobile    TEXT    NOT NULL DEFAULT '',
    contact_email     TEXT    NOT NULL DEFAULT '',
    contact_link      TEXT    NOT NULL DEFAULT ''
);
INSERT INTO applications_new (id, reference, status_token, idempotency_key, submitted_at,
    submitted_on, applicant_name, id_number, tier, total, policy_version, application_date,
    profile, result, status, note, updated_at, version, request_hash, missing_materials,
    id_hmac, name_hmac, notice_version, consented_at, erased_at, step, review_round,
    accepted_on, handler, contact_mobile, contact_email, contact_link)
SELECT id, reference, status_token, idempotency_key, submitted_at, submitted_on,
    applicant_name, id_number, tier, total, policy_version, application_date, profile, result,
    status, note, updated_at, version, request_hash, missing_materials, id_hmac, name_hmac,
    notice_version, consented_at, erased_at, step, review_round, accepted_on, handler,
    contact_mobile, contact_email, contact_link
FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_submitted ON applications (submitted_on, id);
CREATE INDEX applications_status ON applications (status, id);
CREATE INDEX applications_id_hmac ON applications (id_hmac);
CREATE INDEX applications_name_hmac ON applications (name_hmac);
CREATE INDEX applications_step ON applications (step, id);
CREATE INDEX applications_handler ON applications (handler, step);
COMMIT;
