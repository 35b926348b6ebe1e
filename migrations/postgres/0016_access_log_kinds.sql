-- The access log records what it missed (the payment schedule and its CSV, searches, simulations
-- over saved applications, batch checks) with a count of what was read, and keeps its detail in
-- each language so a page shows one. Older lines' packed detail ("中文 / English") is split into
-- the two columns and older payment-schedule lines get their kind, with the append-only trigger
-- paused for this migration only.
ALTER TABLE access_log DROP CONSTRAINT access_log_action_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_action_check CHECK (action IN ('view',
    'view_api', 'full_id', 'export', 'export_full_ids', 'download', 'payments', 'payments_export',
    'search', 'simulation', 'batch'));
ALTER TABLE access_log ADD COLUMN detail_en TEXT NOT NULL DEFAULT '';
ALTER TABLE access_log ADD COLUMN items BIGINT;
ALTER TABLE access_log DISABLE TRIGGER access_log_append_only;
UPDATE access_log SET action = 'payments'
    WHERE action = 'view' AND application_id IS NULL AND detail LIKE '拨付计划 / %';
UPDATE access_log SET action = 'payments_export'
    WHERE action = 'export' AND application_id IS NULL AND detail LIKE '拨付计划 CSV / %';
UPDATE access_log SET detail_en = substr(detail, strpos(detail, ' / ') + 3),
                      detail = substr(detail, 1, strpos(detail, ' / ') - 1)
    WHERE strpos(detail, ' / ') > 0;
UPDATE access_log SET detail_en = detail WHERE strpos(detail, ' / ') = 0;
ALTER TABLE access_log ENABLE TRIGGER access_log_append_only;
