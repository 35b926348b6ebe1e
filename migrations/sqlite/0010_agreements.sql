-- Funding agreements (资助协议) of approved programs: the day signed and the payee's bank and
-- account (sealed; the last four digits kept apart to show it masked). Recorded once.
CREATE TABLE agreements (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    program        TEXT    NOT NULL,
    signed_on      TEXT    NOT NULL,
    bank_name      TEXT    NOT NULL,
    account        TEXT    NOT NULL,
    account_tail   TEXT    NOT NULL,
    recorded_by    TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    PRIMARY KEY (application_id, program)
);
