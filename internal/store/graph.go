package store

import (
	"context"
	"fmt"
	"strings"
)

// ScanPairs reads the distinct pairs of values that columns a and b of a dataset hold in one
// row, with the number of rows carrying each pair, and calls fn once per pair. When label is
// not "", the pairs are split by that column's value too (a transfer's direction, a case
// party's role). Rows where a or b is NULL or empty are left out: they tie nothing together.
// The entity graph is built from these pairs; DuckDB groups 5 M rows in about a second, which
// is far cheaper than reading the rows into Go.
func (s *Store) ScanPairs(ctx context.Context, dataset, a, b, label string, fn func(a, b, label string, rows int64) error) error {
	if err := ValidateDatasetName(dataset); err != nil {
		return err
	}
	if a == "" || b == "" {
		return fmt.Errorf("dataset %s: a pair needs two columns (got %q and %q)", dataset, a, b)
	}
	text := func(c string) string { return "CAST(" + s.dialect.Quote(c) + " AS TEXT)" }
	lab := "''"
	if label != "" {
		lab = "COALESCE(" + text(label) + ", '')"
	}
	q := "SELECT " + text(a) + ", " + text(b) + ", " + lab + ", count(*) FROM " + s.dialect.Quote(DatasetTable(dataset)) +
		" WHERE " + s.dialect.Quote(a) + " IS NOT NULL AND " + s.dialect.Quote(b) + " IS NOT NULL" +
		" AND " + text(a) + " <> '' AND " + text(b) + " <> '' GROUP BY 1, 2, 3"
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read pairs of %s.%s and %s.%s: %w", dataset, a, dataset, b, err)
	}
	defer rows.Close()
	var va, vb, vl string
	var n int64
	for rows.Next() {
		if err := rows.Scan(&va, &vb, &vl, &n); err != nil {
			return fmt.Errorf("read pairs of %s (%s): %w", dataset, strings.Join([]string{a, b, label}, ", "), err)
		}
		if err := fn(va, vb, vl, n); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read pairs of %s: %w", dataset, err)
	}
	return nil
}
