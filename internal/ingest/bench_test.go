package ingest

import (
	"context"
	"os"
	"testing"

	"procura/internal/store"
)

// BenchmarkImport imports the file named by PROCURA_BENCH_CSV (a canonical transactions CSV,
// e.g. from procura synth) into a fresh DuckDB workspace per iteration. bench/importbench runs
// the 5 M-row comparison against DuckDB's read_csv.
func BenchmarkImport(b *testing.B) {
	path := os.Getenv("PROCURA_BENCH_CSV")
	if path == "" {
		b.Skip("set PROCURA_BENCH_CSV to a transactions CSV (procura synth writes one)")
	}
	var rows int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Init(context.Background(), store.Options{Workspace: b.TempDir() + "/ws"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := Import(context.Background(), st, Options{Path: path, Dataset: "tx", Kind: "transactions"})
		if err != nil {
			b.Fatal(err)
		}
		rows = res.RowsRead
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
