// Package store is the Ward server's persistence layer: hosts, agents,
// enrollment and API tokens, tasks and their runs, inventories, findings
// and the audit log, in SQLite (one server, a file in its data directory)
// or PostgreSQL (any number of stateless server replicas on one database).
//
// # Backends
//
// Open picks the backend from the DSN. Both run the same SQL through
// database/sql; the dialect layer only rebinds placeholders, encodes times
// (SQLite: fixed-width UTC text, so text order is time order; PostgreSQL:
// timestamptz; both at microseconds) and sends bulk rows as multi-row
// VALUES (SQLite) or unnest() arrays (PostgreSQL). SQLite runs in WAL mode
// with one writer connection (transactions BEGIN IMMEDIATE) and a pool of
// read-only connections, so concurrent writers queue instead of failing
// with SQLITE_BUSY.
//
// # Schema
//
// One schema, versioned with goose migrations embedded from migrations/
// and applied by Open under a PostgreSQL advisory lock; a database already
// past this build's version is refused (ErrSchemaTooNew). Tables:
//
//	hosts, host_labels            identity key, descriptive columns, labels
//	agents                        credential (nkey), certificate, heartbeat
//	enrollment_tokens             SHA-256 of the secret, uses/max_uses, expiry
//	tasks, task_runs              target JSON, cron schedule; per-host runs
//	software, host_software       one row per distinct package, shared by
//	                              hosts; the host rows hold location, state
//	host_inventory                every other inventory class as JSON
//	host_ports, host_apps,        normalised copies of sockets, applications
//	host_users                    and users, indexed for fleet queries
//	findings                      per (host, finding id): open → resolved
//	users, api_tokens             roles; SHA-256 of token secrets
//	audit_log                     who did what
//	ingested_messages             message ids applied (idempotent ingest)
//
// # Ingest
//
// Agent results arrive as messages with stable ids (the JetStream message
// id). IngestBatch applies a batch in one transaction and records the ids,
// so a redelivered message is a Duplicate and a failed batch leaves
// nothing behind. Inventories replace a host's inventory (only the
// difference is written); agents that have an acknowledged inventory send
// an InventoryDelta instead (Diff on the agent, Apply or
// IngestInventoryDelta on the server; a delta on another base is refused
// with ErrDeltaMismatch and the agent sends a full inventory). Findings
// are the complete set of one scope of a host: absent ones are resolved.
package store
