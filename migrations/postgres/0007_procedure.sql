-- The park's procedure (brief §11): each application is at a step (受理, 初审, 复审, 审批,
-- 待公示, 公示, decision in force, 不予受理, withdrawn) of a review round; rounds count up when a
-- case is sent back. Applications decided before the procedure are taken as in force.
-- (PostgreSQL.) Two officer roles: approver, finance.
ALTER TABLE officers DROP CONSTRAINT officers_role_check;
ALTER TABLE officers ADD CONSTRAINT officers_role_check
    CHECK (role IN ('reviewer', 'hr', 'auditor', 'policy', 'approver', 'finance'));
ALTER TABLE applications ADD COLUMN step TEXT NOT NULL DEFAULT 'accept'
    CHECK (step IN ('accept', 'first_review', 'second_review', 'sign_off', 'notice_ready', 'notice', 'in_force', 'not_accepted', 'withdrawn'));
ALTER TABLE applications ADD COLUMN review_round BIGINT NOT NULL DEFAULT 1;
ALTER TABLE applications ADD COLUMN accepted_on TEXT;
UPDATE applications SET
    step = CASE status
        WHEN 'submitted' THEN 'accept'
        WHEN 'more_info' THEN 'accept'
        WHEN 'partial' THEN 'first_review'
        WHEN 'withdrawn' THEN 'withdrawn'
        ELSE 'in_force' END,
    accepted_on = CASE WHEN status IN ('submitted', 'more_info', 'withdrawn') THEN NULL
        ELSE submitted_on END;

CREATE INDEX applications_step ON applications (step, id);

-- Who signed each review step of a round: one officer per step, and no officer twice in one
-- round (四眼原则). The constraints are the rule: two officers racing for one step, or one
-- officer taking two steps, cannot both commit.
CREATE TABLE case_signers (
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    review_round   BIGINT   NOT NULL,
    step           TEXT    NOT NULL CHECK (step IN ('first_review', 'second_review', 'sign_off')),
    actor          TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    PRIMARY KEY (application_id, review_round, step),
    UNIQUE (application_id, review_round, actor)
);

-- The case's timeline: every move between steps, who, when (and the working day at UTC+8),
-- and why (sealed). Append-only, like the audit log.
CREATE TABLE case_events (
    id             BIGSERIAL PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    review_round   BIGINT   NOT NULL,
    action         TEXT    NOT NULL,
    from_step      TEXT    NOT NULL,
    to_step        TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    note           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX case_events_application ON case_events (application_id, id);

-- Program decisions of a round sent back (复审 disagreed, an objection was upheld): kept.
CREATE TABLE voided_decisions (
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    review_round   BIGINT   NOT NULL,
    program        TEXT    NOT NULL,
    decision       TEXT    NOT NULL,
    amount         NUMERIC NOT NULL,
    assessed       NUMERIC NOT NULL,
    reason         TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    voided_by      TEXT    NOT NULL,
    voided_at      TEXT    NOT NULL
);
CREATE INDEX voided_decisions_application ON voided_decisions (application_id);

-- A public notice (公示): its period in working days, who opened it.
CREATE TABLE notices (
    id         BIGSERIAL PRIMARY KEY,
    first_day  TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A case on a notice: only what the public may read (masked name, employer), the round it
-- was approved in, and when it came off (an upheld objection) or passed.
CREATE TABLE notice_entries (
    notice_id      BIGINT  NOT NULL REFERENCES notices (id),
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    review_round   BIGINT   NOT NULL,
    masked_name    TEXT    NOT NULL,
    employer       TEXT    NOT NULL,
    withdrawn_at   TEXT,
    cleared_at     TEXT,
    PRIMARY KEY (notice_id, application_id)
);
CREATE INDEX notice_entries_application ON notice_entries (application_id);

CREATE TABLE notice_lines (
    notice_id      BIGINT  NOT NULL REFERENCES notices (id),
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    amount         NUMERIC NOT NULL,
    PRIMARY KEY (notice_id, application_id, program)
);
CREATE FUNCTION case_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the case timeline is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
