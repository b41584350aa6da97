package store

import (
	"context"
	"fmt"
	"strings"
)

// ScanText reads the named columns of a dataset as text (NULL as ""), in import order, and
// calls fn with each batch of rows (at most batchSize). Entity resolution and the entity graph
// read records this way; the values were normalised on import.
func (s *Store) ScanText(ctx context.Context, dataset string, columns []string, batchSize int, fn func(rows [][]string) error) error {
	if err := ValidateDatasetName(dataset); err != nil {
		return err
	}
	if len(columns) == 0 {
		return fmt.Errorf("dataset %s: no columns to read", dataset)
	}
	if batchSize <= 0 {
		batchSize = 10_000
	}
	sel := make([]string, len(columns))
	for i, c := range columns {
		sel[i] = "COALESCE(CAST(" + s.dialect.Quote(c) + " AS TEXT), '')"
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + s.dialect.Quote(DatasetTable(dataset)) +
		" ORDER BY " + s.dialect.Quote(ColBatch) + ", " + s.dialect.Quote(ColLine)
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read dataset %s columns %s: %w", dataset, strings.Join(columns, ", "), err)
	}
	defer rows.Close()
	vals := make([]string, len(columns))
	ptrs := make([]any, len(columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	batch := make([][]string, 0, batchSize)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read dataset %s: %w", dataset, err)
		}
		batch = append(batch, append([]string(nil), vals...))
		if len(batch) == batchSize {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([][]string, 0, batchSize)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read dataset %s: %w", dataset, err)
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}
