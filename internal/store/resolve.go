package store

import (
	"context"
	"fmt"
	"strconv"
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

// RowRef names one imported row of a dataset by its batch and line, as a clue's evidence does.
type RowRef struct {
	Batch int64
	Line  int64
}

// RowsAt reads the named columns of the rows refs names as text (NULL as ""), in import order;
// each row starts with its batch and line. Rows that are gone (a purged batch) are left out.
func (s *Store) RowsAt(ctx context.Context, dataset string, columns []string, refs []RowRef) ([][]string, error) {
	if err := ValidateDatasetName(dataset); err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, nil
	}
	sel := []string{"CAST(" + s.dialect.Quote(ColBatch) + " AS TEXT)", "CAST(" + s.dialect.Quote(ColLine) + " AS TEXT)"}
	for _, c := range columns {
		sel = append(sel, "COALESCE(CAST("+s.dialect.Quote(c)+" AS TEXT), '')")
	}
	// Lines grouped by batch: the refs are whole numbers, written into the query as such.
	byBatch := map[int64][]string{}
	var batches []int64
	for _, r := range refs {
		if _, ok := byBatch[r.Batch]; !ok {
			batches = append(batches, r.Batch)
		}
		byBatch[r.Batch] = append(byBatch[r.Batch], strconv.FormatInt(r.Line, 10))
	}
	var conds []string
	for _, b := range batches {
		conds = append(conds, "("+s.dialect.Quote(ColBatch)+" = "+strconv.FormatInt(b, 10)+" AND "+
			s.dialect.Quote(ColLine)+" IN ("+strings.Join(byBatch[b], ",")+"))")
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + s.dialect.Quote(DatasetTable(dataset)) +
		" WHERE " + strings.Join(conds, " OR ") + " ORDER BY " + s.dialect.Quote(ColBatch) + ", " + s.dialect.Quote(ColLine)
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read rows of dataset %s: %w", dataset, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]string, len(sel))
		ptrs := make([]any, len(sel))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read rows of dataset %s: %w", dataset, err)
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
