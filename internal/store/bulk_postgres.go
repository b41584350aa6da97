package store

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// copyPostgres streams src into table with COPY on the transaction's connection.
func (tx *Tx) copyPostgres(ctx context.Context, table string, columns []string, targets []target, src RowSource) (int64, error) {
	var n int64
	err := tx.raw(func(dc any) error {
		conn := dc.(*stdlib.Conn).Conn()
		var err error
		n, err = conn.CopyFrom(ctx, pgx.Identifier{table}, columns, &pgSource{src: src, targets: targets})
		return err
	})
	return n, err
}

// pgSource converts procura's Go values into what pgx encodes exactly.
type pgSource struct {
	src     RowSource
	targets []target
	row     int64
	buf     []any
}

func (p *pgSource) Next() bool { p.row++; return p.src.Next() }
func (p *pgSource) Err() error { return p.src.Err() }

func (p *pgSource) Values() ([]any, error) {
	vals, err := p.src.Values()
	if err != nil {
		return nil, fmt.Errorf("row %d: %w", p.row, err)
	}
	if len(vals) != len(p.targets) {
		return nil, fmt.Errorf("row %d has %d values for %d columns", p.row, len(vals), len(p.targets))
	}
	p.buf = p.buf[:0]
	for i, v := range vals {
		t := p.targets[i]
		switch x := v.(type) {
		case nil, string, int64, bool:
		case float64:
			if t.kind != kindDouble {
				return nil, valueError(p.row, t, v)
			}
		case Money:
			if t.kind != kindMoney {
				return nil, valueError(p.row, t, v)
			}
			v = pgtype.Numeric{Int: big.NewInt(int64(x)), Exp: -2, Valid: true}
		case time.Time:
			if t.kind == kindDate {
				v = dateOf(x)
			}
		default:
			return nil, valueError(p.row, t, v)
		}
		p.buf = append(p.buf, v)
	}
	return p.buf, nil
}
