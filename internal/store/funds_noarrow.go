//go:build !duckdb_arrow

package store

import "context"

// scanArrow needs DuckDB's Arrow interface, which the driver compiles only with the build tag
// duckdb_arrow (go build -tags duckdb_arrow); without it, ScanTransactionColumns reads rows.
func (s *Store) scanArrow(context.Context, string, func(*TxColumns) error) error {
	return errNoColumnar
}
