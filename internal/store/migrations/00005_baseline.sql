-- Ward server schema, version 5: compliance baselines (the "baseline"
-- result kind of agents; see internal/store/baseline.go).
--
-- Portable for SQLite and PostgreSQL ({{.Time}}, {{.JSON}}: see 00001_init.sql).

-- +goose Up

-- The checks the fleet has reported, one row per (policy, check): what the
-- item and host views show beside the per-host statuses, kept once rather
-- than on every host's row.
CREATE TABLE baseline_checks (
    policy       TEXT NOT NULL,
    check_id     TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    title_zh     TEXT NOT NULL DEFAULT '',
    severity     SMALLINT NOT NULL DEFAULT 0,
    remediation  TEXT NOT NULL DEFAULT '',
    refs         {{.JSON}},
    updated_at   {{.Time}} NOT NULL,
    PRIMARY KEY (policy, check_id)
);

-- The latest status of every check that does not pass on every host (the
-- passing ones are a list in baseline_hosts: most checks pass, and a row
-- per check and host is most of the cost of storing a fleet's results).
-- A host's rows of a policy are replaced as a whole by each result of it.
CREATE TABLE baseline_results (
    host_id   BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    policy    TEXT NOT NULL,
    check_id  TEXT NOT NULL,
    status    TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    evidence  {{.JSON}},
    PRIMARY KEY (host_id, policy, check_id),
    CONSTRAINT baseline_results_status CHECK (status IN ('fail', 'not-applicable', 'error', 'manual'))
);
-- One item's hosts (the drill-down of the item view).
CREATE INDEX baseline_results_item ON baseline_results (policy, check_id, status, host_id);

-- The item view: hosts per check and status, kept up to date as results
-- are replaced (and hosts deleted) rather than counted over every row.
CREATE TABLE baseline_item_counts (
    policy    TEXT NOT NULL,
    check_id  TEXT NOT NULL,
    status    TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (policy, check_id, status)
);

-- The latest score and counts of every policy on every host (host view).
CREATE TABLE baseline_hosts (
    host_id     BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    policy      TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    version     TEXT NOT NULL DEFAULT '',
    score       DOUBLE PRECISION NOT NULL,
    n_pass      INTEGER NOT NULL,
    n_fail      INTEGER NOT NULL,
    n_na        INTEGER NOT NULL,
    n_error     INTEGER NOT NULL,
    n_manual    INTEGER NOT NULL,
    scanned_at  {{.Time}} NOT NULL,
    -- The ids of the checks that pass, a JSON array.
    passed      {{.JSON}},
    PRIMARY KEY (host_id, policy)
);
CREATE INDEX baseline_hosts_policy ON baseline_hosts (policy, host_id);

-- One row per policy run on a host: the score over time.
CREATE TABLE baseline_history (
    host_id     BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    policy      TEXT NOT NULL,
    scanned_at  {{.Time}} NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    n_pass      INTEGER NOT NULL,
    n_fail      INTEGER NOT NULL,
    n_na        INTEGER NOT NULL,
    n_error     INTEGER NOT NULL,
    n_manual    INTEGER NOT NULL
);
CREATE INDEX baseline_history_host ON baseline_history (host_id, scanned_at);

-- +goose Down
DROP TABLE baseline_item_counts;
DROP TABLE baseline_history;
DROP TABLE baseline_hosts;
DROP TABLE baseline_results;
DROP TABLE baseline_checks;
