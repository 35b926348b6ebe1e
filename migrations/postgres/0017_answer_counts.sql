-- How often each answer was seen in submitted applications and batch checks, by the buckets of
-- policy/prior.toml: what the interview weighs its questions with. Only a path, a bucket's key
-- and a count: nothing that identifies anyone, no time, no link to an application.
CREATE TABLE answer_counts (
    path   TEXT    NOT NULL,
    bucket TEXT    NOT NULL,
    count  BIGINT  NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (path, bucket)
);
