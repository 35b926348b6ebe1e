-- The policy office: drafts of parameter changes, simulations of a draft against the policy in
-- force, and the history of policy reloads (refused ones with their errors).

CREATE TABLE policy_drafts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    -- JSON: [{"slot": "jinying.toml:startup_amount[C][2026]", "value": "2_800_000"}, …]
    edits       TEXT    NOT NULL DEFAULT '[]',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_by  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE simulation_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id    INTEGER REFERENCES policy_drafts (id),
    title       TEXT    NOT NULL,
    population  TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    -- JSON of the whole comparison: figures, program names, reference numbers; no answers.
    result      TEXT    NOT NULL
);
CREATE INDEX simulation_runs_draft ON simulation_runs (draft_id, id);

CREATE TABLE policy_reloads (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('started', 'reloaded', 'refused')),
    source      TEXT    NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '',
    -- One diagnostic a line, as `check` prints it.
    diagnostics TEXT    NOT NULL DEFAULT ''
);
