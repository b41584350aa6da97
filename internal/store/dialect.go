package store

import (
	"fmt"
	"regexp"
	"strings"
)

// Backend names returned by Store.Backend and Dialect.Name.
const (
	BackendDuckDB   = "duckdb"
	BackendPostgres = "postgres"
)

// Data types of dataset columns. Dialect.SQLType maps them to each backend.
const (
	TypeText      = "text"
	TypeInteger   = "integer"   // 64-bit integer
	TypeDouble    = "double"    // IEEE 754 double
	TypeMoney     = "money"     // DECIMAL(18,2); Go value Money (minor units)
	TypeBoolean   = "boolean"   //
	TypeDate      = "date"      // Go value time.Time; its year, month and day are the date
	TypeTimestamp = "timestamp" // TIMESTAMPTZ; Go value time.Time
)

// DataTypes lists every data type a dataset column may have.
var DataTypes = []string{TypeText, TypeInteger, TypeDouble, TypeMoney, TypeBoolean, TypeDate, TypeTimestamp}

// Dialect holds every difference between the SQL of DuckDB and PostgreSQL.
// All other SQL in this package is written in their common subset.
type Dialect struct {
	name  string
	types map[string]string
}

var (
	duckdbDialect = Dialect{name: BackendDuckDB, types: map[string]string{
		TypeText:      "VARCHAR",
		TypeInteger:   "BIGINT",
		TypeDouble:    "DOUBLE",
		TypeMoney:     "DECIMAL(18,2)",
		TypeBoolean:   "BOOLEAN",
		TypeDate:      "DATE",
		TypeTimestamp: "TIMESTAMPTZ",
	}}
	postgresDialect = Dialect{name: BackendPostgres, types: map[string]string{
		TypeText:      "TEXT",
		TypeInteger:   "BIGINT",
		TypeDouble:    "DOUBLE PRECISION",
		TypeMoney:     "NUMERIC(18,2)",
		TypeBoolean:   "BOOLEAN",
		TypeDate:      "DATE",
		TypeTimestamp: "TIMESTAMPTZ",
	}}
)

// Name is "duckdb" or "postgres".
func (d Dialect) Name() string { return d.name }

// SQLType returns the column type that stores the data type dataType.
func (d Dialect) SQLType(dataType string) (string, error) {
	t, ok := d.types[dataType]
	if !ok {
		return "", fmt.Errorf("unknown data type %q: use one of %s", dataType, strings.Join(DataTypes, ", "))
	}
	return t, nil
}

// DataTypeOf maps a type name as information_schema.columns.data_type reports
// it back to a data type, or returns "" for a type procura does not create.
func (d Dialect) DataTypeOf(infoSchemaType string) string {
	t := strings.ToUpper(strings.TrimSpace(infoSchemaType))
	switch {
	case t == "VARCHAR" || t == "TEXT" || t == "CHARACTER VARYING":
		return TypeText
	case t == "BIGINT":
		return TypeInteger
	case t == "DOUBLE" || t == "DOUBLE PRECISION":
		return TypeDouble
	case strings.HasPrefix(t, "DECIMAL") || strings.HasPrefix(t, "NUMERIC"):
		return TypeMoney
	case t == "BOOLEAN":
		return TypeBoolean
	case t == "DATE":
		return TypeDate
	case t == "TIMESTAMP WITH TIME ZONE" || t == "TIMESTAMPTZ":
		return TypeTimestamp
	}
	return ""
}

// Quote returns name as a quoted identifier. Every identifier in procura's
// SQL is quoted, so user-chosen column names cannot change a statement.
func (d Dialect) Quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// migrationLock is run first in every migration transaction. PostgreSQL
// workers may start together and must not apply the same step twice; a
// DuckDB workspace is already owned by one process through the lock file.
func (d Dialect) migrationLock() string {
	if d.name == BackendPostgres {
		// Any constant key works; this one spells "procura" in ASCII.
		return "SELECT pg_advisory_xact_lock(31632812305920353)"
	}
	return ""
}

// expand substitutes the {{type}} placeholders of a migration file.
func (d Dialect) expand(sql string) (string, error) {
	var missing []string
	out := templateRe.ReplaceAllStringFunc(sql, func(m string) string {
		key := strings.TrimSpace(m[2 : len(m)-2])
		if t, ok := d.types[key]; ok {
			return t
		}
		missing = append(missing, key)
		return m
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unknown placeholder {{%s}}", strings.Join(missing, "}}, {{"))
	}
	return out, nil
}

var templateRe = regexp.MustCompile(`\{\{\s*[a-z_]+\s*\}\}`)

// datasetNameRe is the rule for dataset names; it keeps table names short
// enough for PostgreSQL (63 bytes) after the "ds_" prefix.
var datasetNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,59}$`)

// ValidateDatasetName reports whether name may name a dataset.
func ValidateDatasetName(name string) error {
	if !datasetNameRe.MatchString(name) {
		return fmt.Errorf("dataset name %q is not allowed: use a lower-case letter followed by up to 59 lower-case letters, digits or underscores", name)
	}
	return nil
}

// DatasetTable is the table that holds the rows of dataset name.
func DatasetTable(name string) string { return "ds_" + name }
