-- What a partial search matches without names or ID numbers in plain: keyed hashes (HMAC
-- with the data key) of an ID number's last 4, 5 and 6 characters and of a name's first one
-- and two characters. Written at submission (and for older applications when the service
-- starts), recomputed when the key rotates, deleted on erasure.
CREATE TABLE search_terms (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    term           TEXT   NOT NULL,
    PRIMARY KEY (application_id, term)
);
CREATE INDEX search_terms_term ON search_terms (term);
