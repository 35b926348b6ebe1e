-- Messages to the applicant (站内消息) and their delivery. An application may carry a mobile
-- number and an e-mail address (sealed; erased with the rest) and, when the applicant asked
-- for it, the status link to send them (sealed). Each step that concerns the applicant makes
-- one message (`UNIQUE (application_id, kind, source)`, `source` the timeline entry or the
-- payment registration it tells of) and one outbox row per channel the applicant gave. The
-- outbox is claimed for a while by the instance sending (`claim`, `claimed_until`), retried
-- with backoff, and marked sent once: a message id is its idempotency key.
ALTER TABLE applications ADD COLUMN contact_mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN contact_link TEXT NOT NULL DEFAULT '';

CREATE TABLE messages (
    id             BIGSERIAL PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    kind           TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    UNIQUE (application_id, kind, source)
);
CREATE INDEX messages_application ON messages (application_id, id);

CREATE TABLE outbox (
    id            BIGSERIAL PRIMARY KEY,
    message_id    BIGINT  NOT NULL REFERENCES messages (id),
    channel       TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts      BIGINT  NOT NULL DEFAULT 0,
    next_at       TEXT    NOT NULL,
    claim         TEXT,
    claimed_until TEXT,
    last_error    TEXT    NOT NULL DEFAULT '',
    sent_at       TEXT,
    UNIQUE (message_id, channel)
);
CREATE INDEX outbox_due ON outbox (state, next_at);
