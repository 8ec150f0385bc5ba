-- Ward server schema, version 3: fleet vulnerability matching.
--
-- Portable for SQLite and PostgreSQL.

-- +goose Up

-- New advisories are matched against the fleet by package: the software
-- rows of one type and name (or, for ecosystems whose names the database
-- cannot normalise, such as PyPI, every row of the type), then the hosts
-- holding them through host_software_software.
CREATE INDEX software_type_name ON software (type, name);

-- Server-side matching resolves a host's vuln findings of one package
-- (asset) at a time.
CREATE INDEX findings_scope_asset ON findings (scope, asset_id);

-- +goose Down
DROP INDEX findings_scope_asset;
DROP INDEX software_type_name;
