-- Personal information (PIPL): identifiers encrypted at rest and searched by keyed hashes,
-- the privacy notice each application was submitted under, withdrawal, erasure after the
-- retention period, who looked at what, and two officer roles (auditor, policy).
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check
    CHECK (status IN ('submitted', 'more_info', 'partial', 'closed', 'approved', 'rejected', 'withdrawn'));
ALTER TABLE officers DROP CONSTRAINT officers_role_check;
ALTER TABLE officers ADD CONSTRAINT officers_role_check
    CHECK (role IN ('reviewer', 'hr', 'auditor', 'policy'));

ALTER TABLE applications ADD COLUMN id_hmac TEXT;
ALTER TABLE applications ADD COLUMN name_hmac TEXT;
ALTER TABLE applications ADD COLUMN notice_version TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN consented_at TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN erased_at TEXT;
DROP INDEX applications_name;
DROP INDEX applications_id_number;
CREATE INDEX applications_id_hmac ON applications (id_hmac);
CREATE INDEX applications_name_hmac ON applications (name_hmac);

CREATE TABLE data_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    rotated_at  TEXT
);

CREATE TABLE access_log (
    id             BIGSERIAL PRIMARY KEY,
    at             TEXT    NOT NULL,
    officer        TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    action         TEXT    NOT NULL CHECK (action IN ('view', 'view_api', 'full_id', 'export', 'export_full_ids', 'download')),
    application_id BIGINT  REFERENCES applications (id),
    reference      TEXT    NOT NULL DEFAULT '',
    detail         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_application ON access_log (application_id, id);
CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();
