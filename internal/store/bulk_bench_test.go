package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"procura/internal/store/pgtest"
	"strconv"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// benchCols is a 25-column row like a bank statement: the three system
// columns and 22 of the dataset's own, of every data type.
var benchCols = []ColumnDef{
	{Name: "account", Type: TypeText}, {Name: "card", Type: TypeText}, {Name: "name", Type: TypeText},
	{Name: "id_number", Type: TypeText}, {Name: "counter_account", Type: TypeText},
	{Name: "counter_name", Type: TypeText}, {Name: "counter_bank", Type: TypeText},
	{Name: "channel", Type: TypeText}, {Name: "summary", Type: TypeText}, {Name: "branch", Type: TypeText},
	{Name: "ip", Type: TypeText}, {Name: "seq", Type: TypeInteger}, {Name: "flags", Type: TypeInteger},
	{Name: "terminal", Type: TypeInteger}, {Name: "rate", Type: TypeDouble}, {Name: "score", Type: TypeDouble},
	{Name: "amount", Type: TypeMoney}, {Name: "balance", Type: TypeMoney}, {Name: "fee", Type: TypeMoney},
	{Name: "is_credit", Type: TypeBoolean}, {Name: "value_date", Type: TypeDate}, {Name: "at", Type: TypeTimestamp},
}

// benchSource yields n synthetic rows; strings come from a small pool, as
// the importer's own strings would already exist when it hands rows over.
type benchSource struct {
	n, i  int
	row   []any
	pool  []string
	start time.Time
}

func newBenchSource(n int) *benchSource {
	pool := make([]string, 1024)
	for i := range pool {
		pool[i] = "6222" + strconv.Itoa(1000000000000+i*7919)
	}
	return &benchSource{n: n, row: make([]any, 3+len(benchCols)), pool: pool,
		start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (s *benchSource) Next() bool { s.i++; return s.i <= s.n }
func (s *benchSource) Err() error { return nil }
func (s *benchSource) Values() ([]any, error) {
	i := s.i
	r := s.row
	r[0], r[1], r[2] = int64(1), int64(i), int64(i*2654435761)
	for c := 3; c < 14; c++ {
		r[c] = s.pool[(i*31+c)&1023]
	}
	r[14], r[15], r[16] = int64(i), int64(i&7), int64(i%977)
	r[17], r[18] = float64(i)*0.5, 1/float64(i)
	r[19], r[20], r[21] = Money(i*137), Money(-i*13), Money(i%100)
	r[22] = i&1 == 0
	ts := s.start.Add(time.Duration(i) * time.Second)
	r[23], r[24] = ts, ts
	return r, nil
}

// BenchmarkBulkLoad loads 300k rows of 25 columns per operation and commits.
// Measured on the 2-core machine while other builds ran: table function
// 167k-261k rows/s, appender 110k-141k rows/s, PostgreSQL COPY 123k-185k rows/s.
// The DuckDB table function (used by BulkLoad) is measured against the
// appender it replaced.
func BenchmarkBulkLoad(b *testing.B) {
	const rowsPerOp = 300_000
	type loader func(tx *Tx, ctx context.Context, cols []string, targets []target, src RowSource) (int64, error)
	cases := []struct {
		name    string
		backend string
		load    loader
	}{
		{"duckdb/table-function", BackendDuckDB, func(tx *Tx, ctx context.Context, cols []string, tg []target, src RowSource) (int64, error) {
			return tx.loadDuckDB(ctx, "ds_bench", cols, tg, src)
		}},
		{"duckdb/appender", BackendDuckDB, func(tx *Tx, ctx context.Context, cols []string, tg []target, src RowSource) (int64, error) {
			return tx.appendDuckDB(ctx, "ds_bench", cols, tg, src)
		}},
		{"postgres/copy", BackendPostgres, func(tx *Tx, ctx context.Context, cols []string, tg []target, src RowSource) (int64, error) {
			return tx.copyPostgres(ctx, "ds_bench", cols, tg, src)
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			o := Options{Workspace: b.TempDir()}
			if c.backend == BackendPostgres {
				url := os.Getenv(postgresEnv)
				if url == "" {
					b.Skip(postgresEnv + " is not set: PostgreSQL benchmark skipped")
				}
				o.URL = pgtest.FreshSchema(b, url)
			}
			s := mustInit(b, o)
			tx := mustBegin(b, s)
			if err := tx.EnsureDataset(ctx, "bench", "", "{}", benchCols); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			cols := append([]string{ColBatch, ColLine, ColFingerprint}, colNames(benchCols)...)
			var total int64
			var commitTime time.Duration
			start := time.Now()
			for b.Loop() {
				tx, err := s.Begin(ctx)
				if err != nil {
					b.Fatal(err)
				}
				targets, err := tx.columnKinds(ctx, "ds_bench", cols)
				if err != nil {
					b.Fatal(err)
				}
				n, err := c.load(tx, ctx, cols, targets, newBenchSource(rowsPerOp))
				if err != nil || n != rowsPerOp {
					b.Fatalf("loaded %d rows: %v", n, err)
				}
				t0 := time.Now()
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				commitTime += time.Since(t0)
				total += n
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(total)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(100*commitTime.Seconds()/elapsed.Seconds(), "%commit")
		})
	}
}

// appendDuckDB is the appender path that the table function replaced: one
// thread converts and appends. It stays here for BenchmarkBulkLoad to show
// why (the appender also pays for the commit's checkpoint afterwards).
func (tx *Tx) appendDuckDB(ctx context.Context, table string, columns []string, targets []target, src RowSource) (int64, error) {
	var app *duckdb.Appender
	err := tx.raw(func(dc any) error {
		var err error
		app, err = duckdb.NewAppenderWithColumns(dc.(driver.Conn), "", "", table, columns)
		return err
	})
	if err != nil {
		return 0, err
	}
	var n int64
	row := make([]driver.Value, len(columns))
	for src.Next() {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				app.Close()
				return n, err
			}
		}
		vals, err := src.Values()
		if err != nil {
			app.Close()
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		for i, v := range vals {
			row[i], err = appenderValue(targets[i], v)
			if err != nil {
				app.Close()
				return n, fmt.Errorf("row %d column %q: %w", n+1, targets[i].name, err)
			}
		}
		if err := app.AppendRow(row...); err != nil {
			app.Close()
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		n++
	}
	if err := app.Close(); err != nil {
		return n, err
	}
	return n, src.Err()
}

func appenderValue(t target, v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil, string, int64, float64, bool:
		return x, nil
	case Money:
		return int64(x), nil
	case time.Time:
		if t.kind == kindDate {
			return dateOf(x), nil
		}
		return x, nil
	}
	return nil, fmt.Errorf("a %T value cannot be stored in a %s column", v, t.kind)
}
