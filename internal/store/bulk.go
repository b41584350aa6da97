package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RowSource yields the rows of a bulk load; it has the shape of
// pgx.CopyFromSource. Values may reuse its slice between calls. The values
// of a row are string, int64, float64, bool, time.Time, Money or nil, in the
// order of the columns given to BulkLoad.
type RowSource interface {
	// Next advances to the next row and reports whether there is one.
	Next() bool
	// Values returns the current row.
	Values() ([]any, error)
	// Err is the error that ended the rows, if any.
	Err() error
}

// BulkLoad appends the rows of src to table inside the transaction and
// returns how many it wrote. It uses the DuckDB appender path or PostgreSQL
// COPY, never row-by-row INSERT. An error leaves the transaction unusable
// for further work except Rollback.
func (tx *Tx) BulkLoad(ctx context.Context, table string, columns []string, src RowSource) (int64, error) {
	if len(columns) == 0 {
		return 0, fmt.Errorf("bulk load into %s: no columns given", table)
	}
	targets, err := tx.columnKinds(ctx, table, columns)
	if err != nil {
		return 0, fmt.Errorf("bulk load into %s: %w", table, err)
	}
	var n int64
	if tx.s.dialect.name == BackendPostgres {
		n, err = tx.copyPostgres(ctx, table, columns, targets, src)
	} else {
		n, err = tx.loadDuckDB(ctx, table, columns, targets, src)
	}
	if err != nil {
		return n, fmt.Errorf("bulk load into %s: %w", table, err)
	}
	return n, nil
}

// colKind is how a Go value is written into one target column.
type colKind int

const (
	kindText colKind = iota
	kindInteger
	kindDouble
	kindMoney
	kindBoolean
	kindDate
	kindTimestamp
)

var kindNames = [...]string{"text", "integer", "double", "money", "boolean", "date", "timestamp"}

func (k colKind) String() string { return kindNames[k] }

// target is one column a bulk load writes.
type target struct {
	name string
	kind colKind
}

// columnKinds looks up the types of the named columns of table.
func (tx *Tx) columnKinds(ctx context.Context, table string, columns []string) ([]target, error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type, numeric_scale
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	defer rows.Close()
	types := map[string]colKind{}
	for rows.Next() {
		var name, typ string
		var scale *int64
		if err := rows.Scan(&name, &typ, &scale); err != nil {
			return nil, fmt.Errorf("read columns: %w", err)
		}
		k, ok := kindOfSQLType(typ, scale)
		if !ok {
			// A column procura did not create; loading into it is refused below.
			continue
		}
		types[strings.ToLower(name)] = k
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	if len(types) == 0 {
		return nil, errors.New("the table does not exist: create the dataset first")
	}
	out := make([]target, len(columns))
	for i, c := range columns {
		k, ok := types[strings.ToLower(c)]
		if !ok {
			return nil, fmt.Errorf("column %q does not exist or has a type procura cannot load", c)
		}
		out[i] = target{name: c, kind: k}
	}
	return out, nil
}

func kindOfSQLType(typ string, scale *int64) (colKind, bool) {
	t := strings.ToUpper(typ)
	switch {
	case t == "INTEGER" || t == "BIGINT" || t == "SMALLINT":
		return kindInteger, true
	case strings.HasPrefix(t, "DECIMAL") || strings.HasPrefix(t, "NUMERIC"):
		// Money is DECIMAL(18,2); other scales would misplace the point.
		return kindMoney, scale != nil && *scale == 2
	}
	switch duckdbDialect.DataTypeOf(t) {
	case TypeText:
		return kindText, true
	case TypeDouble:
		return kindDouble, true
	case TypeBoolean:
		return kindBoolean, true
	case TypeDate:
		return kindDate, true
	case TypeTimestamp:
		return kindTimestamp, true
	}
	return 0, false
}

// valueError describes a value that does not fit its column.
func valueError(row int64, t target, v any) error {
	return fmt.Errorf("row %d column %q: a %T value cannot be stored in a %s column", row, t.name, v, t.kind)
}

// dateOf returns the date of t as midnight UTC, which both drivers store as
// that calendar day whatever zone t carries.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sliceSource is a RowSource over rows held in memory.
type sliceSource struct {
	rows [][]any
	i    int
}

// RowsOf returns a RowSource over rows.
func RowsOf(rows [][]any) RowSource { return &sliceSource{rows: rows, i: -1} }

func (s *sliceSource) Next() bool             { s.i++; return s.i < len(s.rows) }
func (s *sliceSource) Values() ([]any, error) { return s.rows[s.i], nil }
func (s *sliceSource) Err() error             { return nil }
