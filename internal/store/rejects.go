package store

import (
	"context"
	"fmt"
	"strings"
)

// RowSourceOf yields typed items, one at a time, for a bulk load.
type RowSourceOf[T any] interface {
	Next() bool
	Value() (T, error)
	Err() error
}

// SliceOf returns a RowSourceOf over items held in memory.
func SliceOf[T any](items []T) RowSourceOf[T] { return &sliceOf[T]{items: items, i: -1} }

type sliceOf[T any] struct {
	items []T
	i     int
}

func (s *sliceOf[T]) Next() bool        { s.i++; return s.i < len(s.items) }
func (s *sliceOf[T]) Value() (T, error) { return s.items[s.i], nil }
func (s *sliceOf[T]) Err() error        { return nil }

var rejectColumns = []string{"batch_id", "dataset", "line", "column_name", "column_no", "code", "reason", "raw"}

// rejectRows adapts a source of rejects to the rows of the rejects table.
type rejectRows struct {
	src RowSourceOf[Reject]
	buf []any
}

func (r *rejectRows) Next() bool { return r.src.Next() }
func (r *rejectRows) Err() error { return r.src.Err() }
func (r *rejectRows) Values() ([]any, error) {
	rj, err := r.src.Value()
	if err != nil {
		return nil, err
	}
	var col, colNo, raw any
	if rj.Column != "" {
		col = rj.Column
	}
	if rj.ColumnNo != 0 {
		colNo = int64(rj.ColumnNo)
	}
	if rj.Raw != "" {
		raw = rj.Raw
	}
	r.buf = append(r.buf[:0], rj.BatchID, rj.Dataset, rj.Line, col, colNo, rj.Code, rj.Reason, raw)
	return r.buf, nil
}

// InsertRejects bulk-loads rejects and returns how many were stored.
func (tx *Tx) InsertRejects(ctx context.Context, rejects []Reject) (int64, error) {
	return tx.InsertRejectsFrom(ctx, SliceOf(rejects))
}

// InsertRejectsFrom bulk-loads the rejects src yields, however many.
func (tx *Tx) InsertRejectsFrom(ctx context.Context, src RowSourceOf[Reject]) (int64, error) {
	return tx.BulkLoad(ctx, "rejects", rejectColumns, &rejectRows{src: src})
}

// Rejects lists the rejects of dataset, of one batch or all (batch 0), in
// file order, with the total count for paging. limit <= 0 means no limit.
func (s *Store) Rejects(ctx context.Context, dataset string, batch int64, limit, offset int) ([]Reject, int64, error) {
	where := ` FROM rejects WHERE dataset = $1 AND (CAST($2 AS BIGINT) = 0 OR batch_id = CAST($2 AS BIGINT))`
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*)`+where, dataset, batch).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count rejects of %s: %w", dataset, err)
	}
	if limit <= 0 {
		limit = int(total) + 1
	}
	if offset < 0 {
		offset = 0
	}
	rows, err := s.db.QueryContext(ctx, `SELECT batch_id, dataset, line, COALESCE(column_name, ''),
		COALESCE(column_no, 0), code, reason, COALESCE(raw, ''),
		COALESCE((SELECT file_name FROM import_batches b WHERE b.id = batch_id), '')`+where+`
		ORDER BY batch_id, line, COALESCE(column_no, 0), code LIMIT $3 OFFSET $4`,
		dataset, batch, int64(limit), int64(offset))
	if err != nil {
		return nil, 0, fmt.Errorf("list rejects of %s: %w", dataset, err)
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var r Reject
		var colNo int64
		if err := rows.Scan(&r.BatchID, &r.Dataset, &r.Line, &r.Column, &colNo, &r.Code, &r.Reason, &r.Raw, &r.File); err != nil {
			return nil, 0, fmt.Errorf("list rejects of %s: %w", dataset, err)
		}
		r.ColumnNo = int(colNo)
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// RejectCrossBatchDuplicates moves the rows of batch whose fingerprint is
// already stored by another batch of dataset into rejects (code "duplicate",
// naming the first earlier row), deletes them from the dataset and returns
// their count. It also counts the rows of batch that repeat an earlier row of
// the same batch: those stay imported and are only counted (inFile).
func (tx *Tx) RejectCrossBatchDuplicates(ctx context.Context, dataset string, batch int64, cols []string) (crossBatch, inFile int64, err error) {
	if err := ValidateDatasetName(dataset); err != nil {
		return 0, 0, err
	}
	d := tx.s.dialect
	t := d.Quote(DatasetTable(dataset))
	fp, bcol, line := d.Quote(ColFingerprint), d.Quote(ColBatch), d.Quote(ColLine)

	raw := "CAST(NULL AS TEXT)"
	if len(cols) > 0 {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = "CAST(r." + d.Quote(c) + " AS TEXT)"
		}
		raw = "concat_ws(',', " + strings.Join(parts, ", ") + ")"
	}
	// f holds, per fingerprint of this batch, the first row of another batch
	// with that fingerprint; every row of this batch that finds one is moved.
	insert := `INSERT INTO rejects (batch_id, dataset, line, column_name, column_no, code, reason, raw)
SELECT r.` + bcol + `, CAST($1 AS TEXT), r.` + line + `, NULL, NULL, 'duplicate',
       'same row as batch ' || CAST(f.` + bcol + ` AS TEXT) || ' line ' || CAST(f.` + line + ` AS TEXT)
         || ' (file ' || COALESCE(b.file_name, '') || ')',
       ` + raw + `
FROM ` + t + ` r
JOIN (SELECT DISTINCT ON (` + fp + `) ` + fp + `, ` + bcol + `, ` + line + `
      FROM ` + t + `
      WHERE ` + bcol + ` <> $2 AND ` + fp + ` IN (SELECT ` + fp + ` FROM ` + t + ` WHERE ` + bcol + ` = $2)
      ORDER BY ` + fp + `, ` + bcol + `, ` + line + `) f ON f.` + fp + ` = r.` + fp + `
LEFT JOIN import_batches b ON b.id = f.` + bcol + `
WHERE r.` + bcol + ` = $2`
	if _, err := tx.ExecContext(ctx, insert, dataset, batch); err != nil {
		return 0, 0, fmt.Errorf("dataset %s batch %d: record duplicate rows: %w", dataset, batch, err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE `+bcol+` = $1 AND `+fp+` IN
		(SELECT `+fp+` FROM `+t+` WHERE `+bcol+` <> $1)`, batch)
	if err != nil {
		return 0, 0, fmt.Errorf("dataset %s batch %d: remove duplicate rows: %w", dataset, batch, err)
	}
	if crossBatch, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) - count(DISTINCT `+fp+`) FROM `+t+` WHERE `+bcol+` = $1`,
		batch).Scan(&inFile); err != nil {
		return 0, 0, fmt.Errorf("dataset %s batch %d: count repeated rows: %w", dataset, batch, err)
	}
	return crossBatch, inFile, nil
}
