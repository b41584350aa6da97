package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// TxRow is one row of a transactions dataset as fund tracing reads it: amounts and balances
// in cents, the time in Unix seconds, text columns empty where NULL.
type TxRow struct {
	TxID, Account, Card, Counterparty, Channel, Holder, CounterpartyName string
	Memo                                                                 string // tx_type and summary (摘要), space-separated
	Cents                                                                int64
	Unix                                                                 int64
	Balance                                                              int64 // math.MinInt64 when the row has none
}

// ErrNotTransactions is returned when a dataset is not of kind transactions.
var ErrNotTransactions = errors.New("not a transactions dataset")

// DatasetKind returns the kind of a dataset ("" for a plain dataset).
func (s *Store) DatasetKind(ctx context.Context, dataset string) (string, error) {
	var kind sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT kind FROM datasets WHERE name = $1`, dataset).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("no dataset %q: list datasets with procura datasets", dataset)
	}
	if err != nil {
		return "", fmt.Errorf("read dataset %s: %w", dataset, err)
	}
	return kind.String, nil
}

// ScanTransactions reads a transactions dataset in its import order (batch, then line) and
// hands the rows to fn in batches of up to batchSize. Rows without an amount or a time are
// skipped: the importer never stores them, so none are lost.
func (s *Store) ScanTransactions(ctx context.Context, dataset string, batchSize int, fn func([]TxRow) error) error {
	kind, err := s.DatasetKind(ctx, dataset)
	if err != nil {
		return err
	}
	if kind != "transactions" {
		return fmt.Errorf("dataset %s is of kind %q: %w; trace a dataset imported with --kind transactions", dataset, kind, ErrNotTransactions)
	}
	if batchSize <= 0 {
		batchSize = 65536
	}
	q := `SELECT COALESCE(tx_id, ''), account, COALESCE(card_no, ''), COALESCE(counterparty_account, ''),
		COALESCE(channel, ''), COALESCE(holder_name, ''), COALESCE(counterparty_name, ''),
		TRIM(COALESCE(tx_type, '') || ' ' || COALESCE(summary, '')),
		CAST(round(amount * 100) AS BIGINT), CAST(floor(EXTRACT(EPOCH FROM "time")) AS BIGINT),
		CAST(round(balance * 100) AS BIGINT)
		FROM ` + s.dialect.Quote(DatasetTable(dataset)) + `
		WHERE amount IS NOT NULL AND "time" IS NOT NULL AND account IS NOT NULL
		ORDER BY _batch, _line`
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read transactions of %s: %w", dataset, err)
	}
	defer rows.Close()
	buf := make([]TxRow, 0, batchSize)
	var bal sql.NullInt64
	for rows.Next() {
		var r TxRow
		if err := rows.Scan(&r.TxID, &r.Account, &r.Card, &r.Counterparty, &r.Channel, &r.Holder, &r.CounterpartyName, &r.Memo,
			&r.Cents, &r.Unix, &bal); err != nil {
			return fmt.Errorf("read transactions of %s: %w", dataset, err)
		}
		r.Balance = math.MinInt64
		if bal.Valid {
			r.Balance = bal.Int64
		}
		buf = append(buf, r)
		if len(buf) == batchSize {
			if err := fn(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read transactions of %s: %w", dataset, err)
	}
	if len(buf) > 0 {
		return fn(buf)
	}
	return nil
}

// DatasetVersion identifies the rows a dataset holds, for what is derived from them and kept
// (graph snapshots): it names the dataset's kind, when it was created and last imported into,
// and its import batches (how many, the latest, the rows they imported). Rows are only ever
// added or removed by an import, which adds a batch and moves updated_at in the same
// transaction, so every import changes the version. A dataset that does not exist is an error.
func (s *Store) DatasetVersion(ctx context.Context, dataset string) (kind, version string, err error) {
	var k sql.NullString
	var created, updated time.Time
	err = s.db.QueryRowContext(ctx, `SELECT kind, created_at, updated_at FROM datasets WHERE name = $1`, dataset).Scan(&k, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("no dataset %q: list datasets with procura datasets", dataset)
	}
	if err != nil {
		return "", "", fmt.Errorf("read dataset %s: %w", dataset, err)
	}
	var batches, last, rows int64
	err = s.db.QueryRowContext(ctx, `SELECT count(*), COALESCE(max(id), 0), CAST(COALESCE(sum(rows_imported), 0) AS BIGINT)
		FROM import_batches WHERE dataset = $1`, dataset).Scan(&batches, &last, &rows)
	if err != nil {
		return "", "", fmt.Errorf("read the import batches of %s: %w", dataset, err)
	}
	version = fmt.Sprintf("%s kind=%s created=%d updated=%d batches=%d last=%d rows=%d tz=%s", s.dialect.name, k.String,
		created.UnixNano(), updated.UnixNano(), batches, last, rows, s.loc)
	return k.String, version, nil
}
