-- The office's letters (文书): each issued once for what it answers (a step of the case's
-- timeline `e<id>`, a registered payment `p<id>`), numbered without gaps per kind and year,
-- and kept as issued (its words in both languages, sealed: they name the applicant). Erasure
-- empties the words and keeps the number, so the register stays whole.
CREATE TABLE letter_counters (
    kind TEXT    NOT NULL,
    year BIGINT  NOT NULL,
    last BIGINT  NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE letters (
    id             BIGSERIAL PRIMARY KEY,
    application_id BIGINT  NOT NULL REFERENCES applications (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('accept', 'correction', 'not_accepted', 'grant', 'refusal', 'payment')),
    source         TEXT    NOT NULL,
    year           BIGINT  NOT NULL,
    seq            BIGINT  NOT NULL,
    number         TEXT    NOT NULL,
    issued_on      TEXT    NOT NULL,
    issued_at      TEXT    NOT NULL,
    issued_by      TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    UNIQUE (kind, source),
    UNIQUE (kind, year, seq)
);
CREATE INDEX letters_application ON letters (application_id, id);
