//go:build duckdb_arrow

package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// scanArrow reads the query's result as Arrow record batches (one per DuckDB data chunk of
// 2,048 rows) and hands them on as TxColumns whose strings point into the batch.
func (s *Store) scanArrow(ctx context.Context, q string, fn func(*TxColumns) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rdr.Release()
		var c TxColumns
		for rdr.Next() {
			rec := rdr.RecordBatch()
			if err := arrowColumns(rec, &c); err != nil {
				return err
			}
			if err := fn(&c); err != nil {
				return err
			}
		}
		return rdr.Err()
	})
}

type stringArray interface {
	Len() int
	Value(int) string
	IsNull(int) bool
}

// arrowColumns fills c from a record batch of txColumnsSQL's twelve columns.
func arrowColumns(rec arrow.RecordBatch, c *TxColumns) error {
	if rec.NumCols() != 12 {
		return fmt.Errorf("arrow batch has %d columns, want 12", rec.NumCols())
	}
	n := int(rec.NumRows())
	c.reset(n)
	c.N = n
	strs := []*[]string{&c.TxID, &c.Account, &c.Card, &c.Counterparty, &c.Channel, &c.Holder, &c.CounterpartyName, &c.Memo}
	for j, dst := range strs {
		col, ok := rec.Column(j).(stringArray)
		if !ok {
			return fmt.Errorf("arrow column %d is %s, want text", j, rec.Column(j).DataType())
		}
		out := (*dst)[:n]
		for i := range n {
			if !col.IsNull(i) {
				out[i] = col.Value(i)
			} else {
				out[i] = ""
			}
		}
		*dst = out
	}
	ints := []*[]int64{&c.Cents, &c.Unix, &c.Balance, &c.Order}
	for j, dst := range ints {
		col, ok := rec.Column(8 + j).(*array.Int64)
		if !ok {
			return fmt.Errorf("arrow column %d is %s, want BIGINT", 8+j, rec.Column(8+j).DataType())
		}
		out := append((*dst)[:0], col.Int64Values()...)
		if col.NullN() > 0 {
			for i := range n {
				if col.IsNull(i) {
					out[i] = math.MinInt64
				}
			}
		}
		*dst = out
	}
	return nil
}
