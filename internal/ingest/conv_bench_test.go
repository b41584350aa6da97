package ingest

import (
	"context"
	"os"
	"testing"

	"procura/internal/progress"
)

// BenchmarkConvert reads and converts the file named by PROCURA_BENCH_CSV without storing it:
// the Go half of an import, to set against BenchmarkImport.
func BenchmarkConvert(b *testing.B) {
	path := os.Getenv("PROCURA_BENCH_CSV")
	if path == "" {
		b.Skip("set PROCURA_BENCH_CSV to a transactions CSV (procura synth writes one)")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	var rows int64
	for i := 0; i < b.N; i++ {
		o := withDefaults(Options{Path: path, Kind: "transactions"})
		src, err := openSource(path, o, progress.Nop{}, fi.Size())
		if err != nil {
			b.Fatal(err)
		}
		plan, err := planColumns(src, "transactions", nil, o)
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for c := range convertAll(context.Background(), plan, src, o, 1) {
			rows += int64(len(c.rows) + len(c.rejects))
		}
		src.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
