package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"procura/internal/store"
)

// amlsimPath finds the AMLSim 12k transactions (PROCURA_DATASETS, or shared/datasets next to
// a parent of the working directory).
func amlsimPath(tb testing.TB) string {
	dir := os.Getenv("PROCURA_DATASETS")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if st, err := os.Stat(filepath.Join(d, "shared", "datasets")); err == nil && st.IsDir() {
				dir = filepath.Join(d, "shared", "datasets")
				break
			}
			if filepath.Dir(d) == d {
				tb.Skip("external datasets not found: set PROCURA_DATASETS to the shared/datasets folder")
			}
		}
	}
	return filepath.Join(dir, "amlsim-12k-seed42")
}

// amlsimApp imports AMLSim-12k into a fresh workspace through EvalAML.
func amlsimApp(tb testing.TB) (*App, EvalAMLResult) {
	ctx := context.Background()
	dir := amlsimPath(tb)
	cfg := Config{Workspace: filepath.Join(tb.TempDir(), "ws"), Actor: "tester"}
	if _, err := Init(ctx, cfg); err != nil {
		tb.Fatal(err)
	}
	a, err := Open(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	res, err := a.EvalAML(ctx, EvalAMLRequest{Transactions: filepath.Join(dir, "transactions.csv.gz"), Alerts: filepath.Join(dir, "alert_accounts.csv")})
	if err != nil {
		tb.Fatal(err)
	}
	return a, res
}

func TestEvalAMLScoresTheImportedAMLSimRunAboveTheTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 420k rows; skipped with -short")
	}
	_, res := amlsimApp(t)
	if res.RowsImported != 420613 {
		t.Errorf("imported %d rows, want 420613", res.RowsImported)
	}
	if f1 := res.Evaluation.Overall.F1; f1 < 0.85 {
		t.Errorf("overall F1 %.3f is below the 0.85 target of issue 5", f1)
	}
}

// BenchmarkLoadGraph reads the 420k-row AMLSim dataset from the store into a graph and
// reports rows per second.
func BenchmarkLoadGraph(b *testing.B) {
	a, res := amlsimApp(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		g, _, err := a.LoadGraph(ctx, res.Dataset, nil)
		if err != nil {
			b.Fatal(err)
		}
		if g.Rows != 420613 {
			b.Fatalf("%d rows read, want 420613", g.Rows)
		}
	}
	b.ReportMetric(float64(b.N)*420613/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkScanTransactions reads the same rows without building a graph: the store's share
// of BenchmarkLoadGraph.
func BenchmarkScanTransactions(b *testing.B) {
	a, res := amlsimApp(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		n := 0
		if err := a.st.ScanTransactions(ctx, res.Dataset, 1<<15, func(rows []store.TxRow) error { n += len(rows); return nil }); err != nil {
			b.Fatal(err)
		}
		if n != 420613 {
			b.Fatalf("%d rows, want 420613", n)
		}
	}
	b.ReportMetric(float64(b.N)*420613/time.Since(start).Seconds(), "rows/s")
}
