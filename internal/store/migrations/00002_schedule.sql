-- Ward server schema, version 2: scheduled task bookkeeping.
--
-- Portable for SQLite and PostgreSQL ({{.Time}}: see 00001_init.sql).

-- +goose Up

-- The last minute the scheduler queued the task's runs for (the start of
-- the minute, UTC). Replicas claim a minute by moving it forward with a
-- conditional UPDATE, so each minute is queued once however many servers
-- evaluate the schedule; NULL: never scheduled.
ALTER TABLE tasks ADD COLUMN last_scheduled {{.Time}};

-- +goose Down
ALTER TABLE tasks DROP COLUMN last_scheduled;
