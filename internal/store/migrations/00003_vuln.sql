-- Ward server schema, version 3: fleet vulnerability matching.
--
-- Portable for SQLite and PostgreSQL.

-- +goose Up

-- New advisories are matched against the fleet by package: the software
-- rows of one type and name (or, for ecosystems whose names the database
-- cannot normalise, such as PyPI, every row of the type), then the hosts
-- holding them through host_software_software. Findings an import
-- replaces are found by rule (findings_rule).
CREATE INDEX software_type_name ON software (type, name);

-- +goose Down
DROP INDEX software_type_name;
