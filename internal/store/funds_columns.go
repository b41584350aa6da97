package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
)

// TxColumns is a batch of transactions rows column by column, in the order the database
// returns them (Order gives each row's place in the import order). Text is "" where NULL,
// Balance math.MinInt64. The strings may point into memory the reader
// reuses: they are valid only during the callback; copy what must outlive it.
type TxColumns struct {
	N                                          int
	TxID, Account, Card, Counterparty, Channel []string
	Holder, CounterpartyName, Memo             []string
	Cents, Unix, Balance                       []int64
	Order                                      []int64 // place in the import order: _batch<<32 | _line
}

func (c *TxColumns) reset(n int) {
	c.N = 0
	for _, s := range []*[]string{&c.TxID, &c.Account, &c.Card, &c.Counterparty, &c.Channel, &c.Holder, &c.CounterpartyName, &c.Memo} {
		*s = (*s)[:0]
		if cap(*s) < n {
			*s = make([]string, 0, n)
		}
	}
	for _, s := range []*[]int64{&c.Cents, &c.Unix, &c.Balance, &c.Order} {
		*s = (*s)[:0]
		if cap(*s) < n {
			*s = make([]int64, 0, n)
		}
	}
}

// Readers of ScanTransactionColumns.
const (
	ReadArrow = "duckdb-arrow"  // DuckDB's Arrow record batches (built with -tags duckdb_arrow)
	ReadCopy  = "postgres-copy" // PostgreSQL COPY … TO STDOUT (FORMAT binary)
	ReadRows  = "rows"          // database/sql, row by row
)

// errNoColumnar is returned by a columnar reader this build or backend does not have.
var errNoColumnar = errors.New("no columnar reader")

// txColumnsSQL selects the columns of TxColumns, the import order last, without sorting.
func (s *Store) txColumnsSQL(dataset string) string {
	// floor(EXTRACT(EPOCH …)) goes through a time zone and a decimal in DuckDB; the floor of
	// the microseconds since 1970 divided by 10⁶ is the same second, three times faster.
	unix := `CAST(floor(EXTRACT(EPOCH FROM "time")) AS BIGINT)`
	if s.dialect.name == "duckdb" {
		unix = `CAST(floor(epoch_us("time") / 1000000.0) AS BIGINT)`
	}
	return `SELECT COALESCE(tx_id, ''), account, COALESCE(card_no, ''), COALESCE(counterparty_account, ''),
		COALESCE(channel, ''), COALESCE(holder_name, ''), COALESCE(counterparty_name, ''),
		TRIM(COALESCE(tx_type, '') || ' ' || COALESCE(summary, '')),
		CAST(round(amount * 100) AS BIGINT), ` + unix + `,
		CAST(round(balance * 100) AS BIGINT),
		CAST(_batch AS BIGINT) * 4294967296 + CAST(_line AS BIGINT)
		FROM ` + s.dialect.Quote(DatasetTable(dataset)) + `
		WHERE amount IS NOT NULL AND "time" IS NOT NULL AND account IS NOT NULL`
}

// ScanTransactionColumns reads a transactions dataset like ScanTransactions, column by
// column: through DuckDB's Arrow interface or PostgreSQL's binary COPY, whichever the
// backend (and build) has, else row by row. It returns the reader used. The rows come
// unsorted, as the database stores them (for a table written once by the importer, that is
// the import order); Order gives each row's place in the import order (_batch, _line), and
// consumers that need that order check it and sort (funds.Builder does).
func (s *Store) ScanTransactionColumns(ctx context.Context, dataset string, fn func(*TxColumns) error) (string, error) {
	kind, err := s.DatasetKind(ctx, dataset)
	if err != nil {
		return "", err
	}
	if kind != "transactions" {
		return "", fmt.Errorf("dataset %s is of kind %q: %w; trace a dataset imported with --kind transactions", dataset, kind, ErrNotTransactions)
	}
	q := s.txColumnsSQL(dataset)
	reader := ReadRows
	switch s.dialect.name {
	case "duckdb":
		reader, err = ReadArrow, s.scanArrow(ctx, q, fn)
	case "postgres":
		reader, err = ReadCopy, s.scanCopy(ctx, q, fn)
	default:
		err = errNoColumnar
	}
	if errors.Is(err, errNoColumnar) {
		reader, err = ReadRows, s.scanRows(ctx, q, fn)
	}
	if err != nil {
		return reader, fmt.Errorf("read transactions of %s: %w", dataset, err)
	}
	return reader, nil
}

// scanRows is the row-by-row reader, for builds and backends without a columnar one.
func (s *Store) scanRows(ctx context.Context, q string, fn func(*TxColumns) error) error {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	const batch = 1 << 15
	var c TxColumns
	c.reset(batch)
	var r TxRow
	var bal sql.NullInt64
	var order int64
	for rows.Next() {
		if err := rows.Scan(&r.TxID, &r.Account, &r.Card, &r.Counterparty, &r.Channel, &r.Holder, &r.CounterpartyName, &r.Memo,
			&r.Cents, &r.Unix, &bal, &order); err != nil {
			return err
		}
		r.Balance = math.MinInt64
		if bal.Valid {
			r.Balance = bal.Int64
		}
		c.append(r, order)
		if c.N == batch {
			if err := fn(&c); err != nil {
				return err
			}
			c.reset(batch)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if c.N > 0 {
		return fn(&c)
	}
	return nil
}

func (c *TxColumns) append(r TxRow, order int64) {
	c.N++
	c.TxID, c.Account, c.Card = append(c.TxID, r.TxID), append(c.Account, r.Account), append(c.Card, r.Card)
	c.Counterparty, c.Channel = append(c.Counterparty, r.Counterparty), append(c.Channel, r.Channel)
	c.Holder, c.CounterpartyName, c.Memo = append(c.Holder, r.Holder), append(c.CounterpartyName, r.CounterpartyName), append(c.Memo, r.Memo)
	c.Cents, c.Unix, c.Balance = append(c.Cents, r.Cents), append(c.Unix, r.Unix), append(c.Balance, r.Balance)
	c.Order = append(c.Order, order)
}

// TransactionCount is the number of rows of a dataset, for sizing what reads it.
func (s *Store) TransactionCount(ctx context.Context, dataset string) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+s.dialect.Quote(DatasetTable(dataset))).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count the rows of %s: %w", dataset, err)
	}
	return n, nil
}
