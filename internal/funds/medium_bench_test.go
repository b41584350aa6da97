package funds_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"procura/internal/funds"
	"procura/internal/store"
)

// The medium-world benchmarks need a workspace holding the synthetic world's transactions:
//
//	procura synth --out W --seed 7 --scale medium
//	procura init --workspace WS
//	procura import W/transactions.csv --dataset tx --kind transactions --workspace WS
//	PROCURA_BENCH_WORKSPACE=WS PROCURA_BENCH_DATASET=tx PROCURA_BENCH_SEEDS=W/truth/victim_payments.csv \
//	  go test -tags duckdb_arrow -run XXX -bench MediumWorld -benchtime 1x ./internal/funds
//
// A PostgreSQL workspace also needs PROCURA_BENCH_DB, its URL. docs/funds.md and
// docs/BENCHMARKS.md give the figures.
func benchWorkspace(b *testing.B, needSeeds bool) (*store.Store, string, []string) {
	b.Helper()
	ws := os.Getenv("PROCURA_BENCH_WORKSPACE")
	seedFile := os.Getenv("PROCURA_BENCH_SEEDS")
	if ws == "" || (needSeeds && seedFile == "") {
		b.Skip("set PROCURA_BENCH_WORKSPACE to a workspace holding the medium synthetic world and PROCURA_BENCH_SEEDS to its truth/victim_payments.csv (see medium_bench_test.go)")
	}
	dataset := cmpOr(os.Getenv("PROCURA_BENCH_DATASET"), "transactions")
	st, err := store.Open(context.Background(), store.Options{Workspace: ws, URL: os.Getenv("PROCURA_BENCH_DB"), Holder: "funds benchmark"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if !needSeeds {
		return st, dataset, nil
	}
	f, err := os.Open(seedFile)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		b.Fatal(err)
	}
	col := slices.Index(head, "tx_id")
	if col < 0 {
		b.Fatalf("%s has no tx_id column", seedFile)
	}
	var ids []string
	for len(ids) < 1000 {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, rec[col])
	}
	return st, dataset, ids
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// loadRows is the graph load before columnar reading: database/sql row by row.
func loadRows(ctx context.Context, st *store.Store, dataset string) (*funds.Graph, error) {
	bld := funds.NewBuilder(1 << 16)
	err := st.ScanTransactions(ctx, dataset, 1<<15, func(rows []store.TxRow) error {
		for _, r := range rows {
			card := r.Card
			if card == r.Account {
				card = ""
			}
			if err := bld.Add(funds.Row{TxID: r.TxID, Account: r.Account, Card: card, Counterparty: r.Counterparty,
				Cents: r.Cents, Unix: r.Unix, Channel: r.Channel, Memo: r.Memo, Holder: r.Holder,
				CounterpartyName: r.CounterpartyName, Balance: r.Balance}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return bld.Build(), nil
}

// loadColumns is the load procura uses (internal/app's loadGraph).
func loadColumns(ctx context.Context, st *store.Store, dataset string) (*funds.Graph, string, error) {
	n, err := st.TransactionCount(ctx, dataset)
	if err != nil {
		return nil, "", err
	}
	bld := funds.NewBuilder(int(n))
	reader, err := st.ScanTransactionColumns(ctx, dataset, func(c *store.TxColumns) error {
		return bld.AddColumns(&funds.Columns{N: c.N, TxID: c.TxID, Account: c.Account, Card: c.Card, Counterparty: c.Counterparty,
			Channel: c.Channel, Memo: c.Memo, Holder: c.Holder, CounterpartyName: c.CounterpartyName,
			Cents: c.Cents, Unix: c.Unix, Balance: c.Balance, Order: c.Order})
	})
	if err != nil {
		return nil, reader, err
	}
	return bld.Build(), reader, nil
}

func cpuSeconds() float64 {
	// runtime/metrics would do too; /proc gives user+sys of the process.
	var r [2]float64
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	fmt.Sscan(f[11], &r[0])
	fmt.Sscan(f[12], &r[1])
	return (r[0] + r[1]) / 100 // clock ticks (USER_HZ is 100 on Linux)
}

// timed runs fn and returns its wall and CPU seconds.
func timed(fn func()) (wall, cpu float64) {
	runtime.GC()
	c0, t0 := cpuSeconds(), time.Now()
	fn()
	return time.Since(t0).Seconds(), cpuSeconds() - c0
}

// BenchmarkMediumWorldLoad loads the graph both ways in the same run.
func BenchmarkMediumWorldLoad(b *testing.B) {
	st, dataset, _ := benchWorkspace(b, false)
	ctx := context.Background()
	for b.Loop() {
		var old, g *funds.Graph
		var reader string
		var err error
		oldWall, oldCPU := timed(func() { old, err = loadRows(ctx, st, dataset) })
		if err != nil {
			b.Fatal(err)
		}
		newWall, newCPU := timed(func() { g, reader, err = loadColumns(ctx, st, dataset) })
		if err != nil {
			b.Fatal(err)
		}
		if g.NumEdges() != old.NumEdges() || g.Rows != old.Rows || g.MergedRows != old.MergedRows || !slices.Equal(g.TxID, old.TxID) ||
			!slices.Equal(g.From, old.From) || !slices.Equal(g.To, old.To) || !slices.Equal(g.Names, old.Names) || !slices.Equal(g.Holder, old.Holder) ||
			!slices.Equal(g.Memo, old.Memo) || !slices.Equal(g.BalTo, old.BalTo) {
			b.Fatalf("the loads differ: %d rows %d edges, rows path %d rows %d edges", g.Rows, g.NumEdges(), old.Rows, old.NumEdges())
		}
		b.Logf("%d rows → %d edges. rows path: %.2f s wall, %.2f s CPU (%.0f rows/s); %s path: %.2f s wall, %.2f s CPU (%.0f rows/s, %.0f edges/s); %.1f× faster",
			g.Rows, g.NumEdges(), oldWall, oldCPU, float64(old.Rows)/oldWall, reader, newWall, newCPU, float64(g.Rows)/newWall, float64(g.NumEdges())/newWall, oldWall/newWall)
		b.ReportMetric(float64(g.NumEdges())/newWall, "edges/s")
		b.ReportMetric(float64(g.Rows)/newWall, "rows/s")
		b.ReportMetric(float64(old.Rows)/oldWall, "rows/s-old")
		b.ReportMetric(oldWall/newWall, "speedup")
	}
}

// reachCTE is the recursive query that computes in DuckDB what funds.Reach computes: from
// the seed transactions' outgoing rows, follow each account's outgoing rows (amount < 0, a
// counterparty given; a counterparty that is another account's card number is that
// account) that are later (a later time, or the same second and a later row of the import)
// and at most 72 hours after the row that arrived, up to six rows in a chain. Amounts are
// not followed. It returns each reached account with its fewest hops.
func reachCTE(dataset string, seeds []string) string {
	quoted := make([]string, len(seeds))
	for i, s := range seeds {
		quoted[i] = "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	t := `"` + store.DatasetTable(dataset) + `"`
	return `WITH RECURSIVE
accts AS (SELECT DISTINCT account FROM ` + t + `),
cards AS (SELECT card_no, max(account) AS account FROM ` + t + `
	WHERE card_no IS NOT NULL AND card_no <> account AND card_no NOT IN (SELECT account FROM accts) GROUP BY card_no),
e AS (SELECT r.account AS src, COALESCE(c.account, r.counterparty_account) AS dst, r."time" AS t,
		CAST(r._batch AS BIGINT) * 4294967296 + r._line AS ord, r.tx_id
	FROM ` + t + ` r LEFT JOIN cards c ON c.card_no = r.counterparty_account
	WHERE r.amount < 0 AND r.counterparty_account <> '' AND r."time" IS NOT NULL),
walk(dst, t, ord, hop) AS (
	SELECT dst, t, ord, 1 FROM e WHERE tx_id IN (` + strings.Join(quoted, ",") + `)
	UNION
	SELECT e.dst, e.t, e.ord, w.hop + 1 FROM walk w JOIN e ON e.src = w.dst
	WHERE w.hop < 6 AND (e.t > w.t OR (e.t = w.t AND e.ord > w.ord)) AND e.t <= w.t + INTERVAL 72 HOUR)
SELECT dst, min(hop) FROM walk GROUP BY dst`
}

// BenchmarkMediumWorldTrace traces 1,000 victims' payments forward (6 hops, 72 h) with
// amounts, computes their reach without amounts, and runs the recursive CTE in DuckDB on
// the same run; the reach and the CTE must find the same accounts at the same hops, and the
// trace's accounts must be among them.
func BenchmarkMediumWorldTrace(b *testing.B) {
	st, dataset, ids := benchWorkspace(b, true)
	ctx := context.Background()
	g, _, err := loadColumns(ctx, st, dataset)
	if err != nil {
		b.Fatal(err)
	}
	seeds, err := g.SeedsFromTxIDs(ids)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var tr *funds.Result
		traceWall, traceCPU := timed(func() {
			tr, err = funds.Trace(ctx, g, funds.TraceOptions{Seeds: seeds, MaxHops: 6, HopWindow: 72 * time.Hour, MinCents: 10000})
		})
		if err != nil || !tr.ConservationOK {
			b.Fatalf("trace: %v %v", err, tr.ConservationErrors)
		}
		var reach map[int32]int
		reachWall, reachCPU := timed(func() { reach, err = funds.Reach(g, seeds, 6, 72*time.Hour) })
		if err != nil {
			b.Fatal(err)
		}
		cte := map[string]int{}
		cteWall, cteCPU := timed(func() {
			rows, qerr := st.DB().QueryContext(ctx, reachCTE(dataset, ids))
			if qerr != nil {
				err = qerr
				return
			}
			defer rows.Close()
			for rows.Next() {
				var a string
				var h int
				if err = rows.Scan(&a, &h); err != nil {
					return
				}
				cte[a] = h
			}
			err = rows.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
		got := map[string]int{}
		for a, h := range reach {
			got[g.Name(a)] = h
		}
		if !maps.Equal(got, cte) {
			var only []string
			for a, h := range got {
				if cte[a] != h {
					only = append(only, fmt.Sprintf("%s %d/%d", a, h, cte[a]))
				}
			}
			for a, h := range cte {
				if _, ok := got[a]; !ok {
					only = append(only, fmt.Sprintf("%s -/%d", a, h))
				}
			}
			b.Fatalf("Reach found %d accounts, the CTE %d; they differ at %d (hops procura/CTE), such as %v", len(got), len(cte), len(only), only[:min(5, len(only))])
		}
		traced := 0
		for _, a := range tr.Accounts {
			if a.Level > 6 {
				continue
			}
			traced++
			if _, ok := cte[a.Account]; !ok {
				b.Fatalf("the trace reached %s, which the CTE did not", a.Account)
			}
		}
		b.Logf("%d seeds. trace (fifo, amounts): %.2f s wall, %.2f s CPU, %d accounts; reach (no amounts): %.3f s wall, %.3f s CPU, %d accounts; DuckDB recursive CTE: %.2f s wall, %.2f s CPU, %d accounts (the same); CTE/trace %.0f×, CTE/reach %.0f×",
			len(seeds), traceWall, traceCPU, traced, reachWall, reachCPU, len(reach), cteWall, cteCPU, len(cte), cteWall/traceWall, cteWall/reachWall)
		b.ReportMetric(traceWall, "trace-s")
		b.ReportMetric(reachWall, "reach-s")
		b.ReportMetric(cteWall, "cte-s")
		b.ReportMetric(cteWall/traceWall, "cte/trace")
	}
}

// BenchmarkMediumWorldTypologies runs every typology over the loaded graph.
func BenchmarkMediumWorldTypologies(b *testing.B) {
	st, dataset, _ := benchWorkspace(b, false)
	ctx := context.Background()
	g, _, err := loadColumns(ctx, st, dataset)
	if err != nil {
		b.Fatal(err)
	}
	src, err := st.KnownVictims(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var res *funds.TypologyResult
		wall, cpu := timed(func() {
			res, err = funds.DetectKnown(ctx, g, funds.DefaultTypologyParams(), nil, funds.Known{Victims: src.Numbers})
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d edges: every typology in %.1f s wall, %.1f s CPU; findings %v", g.NumEdges(), wall, cpu, res.Counts)
		b.ReportMetric(wall, "detect-s")
	}
}

// BenchmarkMediumWorldSnapshot loads the graph from the store, writes its snapshot and reads
// it back, in the same run; the graph read back must equal the one built. The snapshot goes
// to PROCURA_BENCH_SNAPSHOT_DIR (default: the test's temporary directory); the read is
// timed twice, the second time with the file in the page cache, which is how procura finds
// it on every load after the first.
func BenchmarkMediumWorldSnapshot(b *testing.B) {
	st, dataset, _ := benchWorkspace(b, false)
	ctx := context.Background()
	dir := cmpOr(os.Getenv("PROCURA_BENCH_SNAPSHOT_DIR"), b.TempDir())
	path := dir + "/" + dataset + ".graph"
	b.Cleanup(func() { os.Remove(path) })
	for b.Loop() {
		var g, h *funds.Graph
		var err error
		storeWall, storeCPU := timed(func() { g, _, err = loadColumns(ctx, st, dataset) })
		if err != nil {
			b.Fatal(err)
		}
		writeWall, writeCPU := timed(func() { err = writeSnapshotFile(g, path) })
		if err != nil {
			b.Fatal(err)
		}
		info, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		var walls, cpus [2]float64
		for i := range walls {
			h = nil
			walls[i], cpus[i] = timed(func() { h, err = readSnapshotFile(path) })
			if err != nil {
				b.Fatal(err)
			}
		}
		if !reflect.DeepEqual(g, h) {
			b.Fatal("the graph read from the snapshot differs from the one loaded from the store")
		}
		e := float64(g.NumEdges())
		b.Logf("%d rows → %d edges, snapshot %.0f MB. store: %.2f s wall, %.2f s CPU (%.0f edges/s, %.0f per CPU-s); write: %.2f s wall, %.2f s CPU; read (first): %.3f s wall, %.3f s CPU (%.0f edges/s); read (cached): %.3f s wall, %.3f s CPU (%.0f edges/s, %.0f per CPU-s); first load (store + write) %.2f s wall, %.2f s CPU",
			g.Rows, g.NumEdges(), float64(info.Size())/1e6, storeWall, storeCPU, e/storeWall, e/storeCPU, writeWall, writeCPU,
			walls[0], cpus[0], e/walls[0], walls[1], cpus[1], e/walls[1], e/max(cpus[1], 0.01), storeWall+writeWall, storeCPU+writeCPU)
		b.ReportMetric(e/walls[1], "edges/s")
		b.ReportMetric(e/storeWall, "edges/s-store")
		b.ReportMetric(storeWall/walls[1], "speedup")
	}
}

func writeSnapshotFile(g *funds.Graph, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := g.WriteSnapshot(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readSnapshotFile(path string) (*funds.Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return funds.ReadSnapshot(f)
}
