-- Files an objector sends with an objection (PDF, JPEG, PNG; the same upload rules as an
-- application's): kept as uploads that no application claims — so never among the
-- applicant's files — and tied to their objection here. Reviewers and leaders read them;
-- erasure removes them with the objector's details.
CREATE TABLE objection_files (
    objection_id BIGINT NOT NULL REFERENCES objections (id),
    upload_id    TEXT   NOT NULL REFERENCES uploads (id),
    PRIMARY KEY (objection_id, upload_id)
);
