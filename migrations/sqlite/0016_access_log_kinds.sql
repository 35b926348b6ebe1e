-- The access log records what it missed (the payment schedule and its CSV, searches, simulations
-- over saved applications, batch checks) with a count of what was read, and keeps its detail in
-- each language so a page shows one. SQLite changes a CHECK only by rebuilding the table; nothing
-- references access_log, so the rebuild needs no foreign-key pause. Older lines' packed detail
-- ("中文 / English") is split into the two columns; older payment-schedule lines get their kind.
DROP TRIGGER access_log_no_update;
DROP TRIGGER access_log_no_delete;
CREATE TABLE access_log_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT    NOT NULL,
    officer        TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    action         TEXT    NOT NULL CHECK (action IN ('view', 'view_api', 'full_id', 'export',
        'export_full_ids', 'download', 'payments', 'payments_export', 'search', 'simulation',
        'batch')),
    application_id INTEGER REFERENCES applications (id),
    reference      TEXT    NOT NULL DEFAULT '',
    detail         TEXT    NOT NULL DEFAULT '',
    detail_en      TEXT    NOT NULL DEFAULT '',
    items          INTEGER
);
INSERT INTO access_log_new (id, at, officer, role, action, application_id, reference, detail, detail_en)
SELECT id, at, officer, role,
       CASE WHEN action = 'view' AND application_id IS NULL AND detail LIKE '拨付计划 / %' THEN 'payments'
            WHEN action = 'export' AND application_id IS NULL AND detail LIKE '拨付计划 CSV / %' THEN 'payments_export'
            ELSE action END,
       application_id, reference,
       CASE WHEN instr(detail, ' / ') > 0 THEN substr(detail, 1, instr(detail, ' / ') - 1) ELSE detail END,
       CASE WHEN instr(detail, ' / ') > 0 THEN substr(detail, instr(detail, ' / ') + 3) ELSE detail END
FROM access_log;
DROP TABLE access_log;
ALTER TABLE access_log_new RENAME TO access_log;
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
