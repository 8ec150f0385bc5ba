-- Ward server schema, version 1.
--
-- Written once for SQLite and PostgreSQL. The few type names that differ are
-- template fields filled per dialect (see migrate.go):
--   {{.ID}}    auto-assigned 64-bit primary key, never reused
--   {{.Time}}  a point in time (SQLite: fixed-width UTC text; PostgreSQL: timestamptz)
--   {{.JSON}}  a JSON document (SQLite: text; PostgreSQL: json)

-- +goose Up

-- Hosts: one row per machine, keyed by a stable identity (hash of
-- machine-id / DMI UUID / cloud instance id) so a reinstalled agent finds
-- its host again.
CREATE TABLE hosts (
    id            {{.ID}},
    identity_key  TEXT NOT NULL,
    hostname      TEXT NOT NULL DEFAULT '',
    os_id         TEXT NOT NULL DEFAULT '',
    os_version    TEXT NOT NULL DEFAULT '',
    kernel        TEXT NOT NULL DEFAULT '',
    arch          TEXT NOT NULL DEFAULT '',
    agent_status  TEXT NOT NULL DEFAULT 'none',
    first_seen    {{.Time}} NOT NULL,
    last_seen     {{.Time}} NOT NULL,
    -- ScannedAt of the inventory held; deltas must name it as their base.
    inventory_at  {{.Time}},
    CONSTRAINT hosts_identity_key UNIQUE (identity_key),
    CONSTRAINT hosts_agent_status CHECK (agent_status IN ('none', 'enrolled', 'revoked'))
);
CREATE INDEX hosts_last_seen ON hosts (last_seen);
CREATE INDEX hosts_os ON hosts (os_id, os_version);
CREATE INDEX hosts_hostname ON hosts (hostname);

CREATE TABLE host_labels (
    host_id  BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (host_id, name)
);
CREATE INDEX host_labels_name_value ON host_labels (name, value);

-- Agents: the enrolled agent process of a host (a re-enrolment adds a row;
-- the old one is revoked).
CREATE TABLE agents (
    id               {{.ID}},
    host_id          BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    -- NATS nkey public key (or another credential id the agent authenticates with).
    credential_id    TEXT NOT NULL,
    cert_fingerprint TEXT NOT NULL DEFAULT '',
    cert_serial      TEXT NOT NULL DEFAULT '',
    version          TEXT NOT NULL DEFAULT '',
    enrolled_at      {{.Time}} NOT NULL,
    revoked_at       {{.Time}},
    last_heartbeat   {{.Time}},
    cpu_percent      DOUBLE PRECISION NOT NULL DEFAULT 0,
    rss_bytes        BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT agents_credential_id UNIQUE (credential_id)
);
CREATE INDEX agents_host ON agents (host_id);
CREATE UNIQUE INDEX agents_cert_fingerprint ON agents (cert_fingerprint) WHERE cert_fingerprint <> '';

-- Enrollment tokens: only the SHA-256 of the secret is kept.
CREATE TABLE enrollment_tokens (
    id           {{.ID}},
    token_hash   TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    labels       {{.JSON}},
    max_uses     BIGINT NOT NULL,
    uses         BIGINT NOT NULL DEFAULT 0,
    expires_at   {{.Time}} NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   {{.Time}} NOT NULL,
    revoked_at   {{.Time}},
    CONSTRAINT enrollment_tokens_hash UNIQUE (token_hash),
    CONSTRAINT enrollment_tokens_uses CHECK (uses >= 0 AND uses <= max_uses AND max_uses > 0)
);

-- Tasks and their per-host runs.
CREATE TABLE tasks (
    id          {{.ID}},
    type        TEXT NOT NULL,
    target      {{.JSON}} NOT NULL,
    params      {{.JSON}},
    schedule    TEXT,
    created_by  TEXT NOT NULL,
    created_at  {{.Time}} NOT NULL
);
CREATE INDEX tasks_type ON tasks (type);

CREATE TABLE task_runs (
    id           {{.ID}},
    task_id      BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    host_id      BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    queued_at    {{.Time}} NOT NULL,
    started_at   {{.Time}},
    finished_at  {{.Time}},
    error        TEXT NOT NULL DEFAULT '',
    CONSTRAINT task_runs_status CHECK (status IN ('queued', 'running', 'done', 'failed', 'timeout'))
);
CREATE INDEX task_runs_task ON task_runs (task_id, status);
CREATE INDEX task_runs_host ON task_runs (host_id, status);

-- Software: one row per distinct package (everything but where it was
-- found), shared by every host that has it. digest is a hash of data.
CREATE TABLE software (
    id              {{.ID}},
    digest          TEXT NOT NULL,
    type            TEXT NOT NULL,
    name            TEXT NOT NULL,
    version         TEXT NOT NULL,
    pkg_group       TEXT NOT NULL DEFAULT '',
    arch            TEXT NOT NULL DEFAULT '',
    source_name     TEXT NOT NULL DEFAULT '',
    source_version  TEXT NOT NULL DEFAULT '',
    purl            TEXT NOT NULL DEFAULT '',
    data            {{.JSON}} NOT NULL,
    CONSTRAINT software_digest UNIQUE (digest)
);
CREATE INDEX software_name ON software (name, version);
CREATE INDEX software_source_name ON software (source_name) WHERE source_name <> '';

-- Which host has which software where; n counts identical records.
CREATE TABLE host_software (
    host_id      BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    software_id  BIGINT NOT NULL REFERENCES software (id),
    location     TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT '',
    n            INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (host_id, software_id, location, state)
);
CREATE INDEX host_software_software ON host_software (software_id);

-- The latest value of every other inventory class of a host, as JSON,
-- keyed by the class's JSON name in model.Inventory.
CREATE TABLE host_inventory (
    host_id     BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    class       TEXT NOT NULL,
    digest      TEXT NOT NULL,
    data        {{.JSON}} NOT NULL,
    updated_at  {{.Time}} NOT NULL,
    PRIMARY KEY (host_id, class)
);

-- Normalised copies of the classes fleet queries filter on.
CREATE TABLE host_ports (
    host_id  BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    proto    TEXT NOT NULL,
    addr     TEXT NOT NULL,
    port     INTEGER NOT NULL,
    process  TEXT NOT NULL DEFAULT '',
    pid      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX host_ports_port ON host_ports (port, addr);
CREATE INDEX host_ports_host ON host_ports (host_id);

CREATE TABLE host_apps (
    host_id   BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    version   TEXT NOT NULL DEFAULT '',
    category  TEXT NOT NULL DEFAULT '',
    running   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX host_apps_name ON host_apps (name, version);
CREATE INDEX host_apps_host ON host_apps (host_id);

CREATE TABLE host_users (
    host_id    BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    uid        BIGINT NOT NULL,
    gid        BIGINT NOT NULL,
    shell      TEXT NOT NULL DEFAULT '',
    can_login  BOOLEAN NOT NULL DEFAULT FALSE,
    password   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX host_users_uid ON host_users (uid);
CREATE INDEX host_users_name ON host_users (name);
CREATE INDEX host_users_host ON host_users (host_id);

-- Findings, one row per (host, stable finding id).
CREATE TABLE findings (
    host_id      BIGINT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    finding_id   TEXT NOT NULL,
    -- The result stream that reported it last ("posture", "vuln"...): a
    -- finding absent from the next result of its scope is resolved.
    scope        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    rule         TEXT NOT NULL,
    severity     SMALLINT NOT NULL,
    title        TEXT NOT NULL,
    asset_type   TEXT NOT NULL DEFAULT '',
    asset_id     TEXT NOT NULL DEFAULT '',
    asset_path   TEXT NOT NULL DEFAULT '',
    -- description, evidence, remediation, references
    detail       {{.JSON}},
    status       TEXT NOT NULL,
    first_seen   {{.Time}} NOT NULL,
    last_seen    {{.Time}} NOT NULL,
    resolved_at  {{.Time}},
    -- Random per ingest group: rows of a (host, scope) still open with
    -- another token after the group's upsert were absent from it.
    seen_token   BIGINT NOT NULL,
    PRIMARY KEY (host_id, finding_id),
    CONSTRAINT findings_status CHECK (status IN ('open', 'resolved', 'suppressed'))
);
CREATE INDEX findings_host_scope ON findings (host_id, scope, status);
CREATE INDEX findings_status_severity ON findings (status, severity);
CREATE INDEX findings_rule ON findings (rule);

-- Users of the API/console and their API tokens (hash only).
CREATE TABLE users (
    id           {{.ID}},
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_at   {{.Time}} NOT NULL,
    disabled_at  {{.Time}},
    CONSTRAINT users_name UNIQUE (name),
    CONSTRAINT users_role CHECK (role IN ('admin', 'operator', 'viewer'))
);

CREATE TABLE api_tokens (
    id            {{.ID}},
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL DEFAULT '',
    token_hash    TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    {{.Time}} NOT NULL,
    expires_at    {{.Time}},
    last_used_at  {{.Time}},
    revoked_at    {{.Time}},
    CONSTRAINT api_tokens_hash UNIQUE (token_hash),
    CONSTRAINT api_tokens_role CHECK (role IN ('admin', 'operator', 'viewer'))
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id       {{.ID}},
    at       {{.Time}} NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL DEFAULT '',
    details  {{.JSON}}
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

-- Message ids already applied, so a redelivered message is applied once.
CREATE TABLE ingested_messages (
    msg_id       TEXT NOT NULL PRIMARY KEY,
    host_id      BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    ingested_at  {{.Time}} NOT NULL
);
CREATE INDEX ingested_messages_at ON ingested_messages (ingested_at);

-- +goose Down
DROP TABLE ingested_messages;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE findings;
DROP TABLE host_users;
DROP TABLE host_apps;
DROP TABLE host_ports;
DROP TABLE host_inventory;
DROP TABLE host_software;
DROP TABLE software;
DROP TABLE task_runs;
DROP TABLE tasks;
DROP TABLE enrollment_tokens;
DROP TABLE agents;
DROP TABLE host_labels;
DROP TABLE hosts;
