package funds_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"procura/internal/funds"
)

// syntheticColumns makes rows statement rows over accounts accounts, in time order, in
// batches the way the store hands them over: mostly transfers out to another account (one
// edge each), some cash in and out, with channels, memos and holders. The seed fixes them.
func syntheticColumns(rows, accounts int, seed uint64) []*funds.Columns {
	rng := rand.New(rand.NewPCG(seed, 1))
	names := make([]string, accounts)
	for i := range names {
		names[i] = fmt.Sprintf("6222%012d", rng.Int64N(1e12))
	}
	channels := []string{"网银", "手机银行", "ATM", "POS", "柜面"}
	memos := []string{"", "转账", "工资", "消费", "还款", "红包"}
	var out []*funds.Columns
	unix := int64(1_700_000_000)
	for start := 0; start < rows; start += 1 << 16 {
		n := min(1<<16, rows-start)
		c := &funds.Columns{N: n}
		for i := range n {
			a := rng.IntN(accounts)
			cp, cents := names[rng.IntN(accounts)], -int64(1+rng.IntN(5_000_000))
			switch rng.IntN(10) {
			case 0:
				cp = "" // cash out
			case 1:
				cp, cents = "", -cents // cash in
			}
			unix += int64(rng.IntN(3))
			c.TxID = append(c.TxID, fmt.Sprintf("TX%010d", start+i))
			c.Account = append(c.Account, names[a])
			c.Card = append(c.Card, "")
			c.Counterparty = append(c.Counterparty, cp)
			c.Channel = append(c.Channel, channels[rng.IntN(len(channels))])
			c.Memo = append(c.Memo, memos[rng.IntN(len(memos))])
			c.Holder = append(c.Holder, fmt.Sprintf("持有人%d", a))
			c.CounterpartyName = append(c.CounterpartyName, "")
			c.Cents = append(c.Cents, cents)
			c.Unix = append(c.Unix, unix)
			c.Balance = append(c.Balance, funds.NoBalance)
			c.Order = append(c.Order, int64(start+i))
		}
		out = append(out, c)
	}
	return out
}

// BenchmarkSnapshotLoad builds a graph of 3.3 M edges over 140,000 accounts from columns in
// memory (what a store load costs without the database's share) and reads it back from a
// snapshot file, in the same run; edges/s is the snapshot read's.
func BenchmarkSnapshotLoad(b *testing.B) {
	cols := syntheticColumns(3_300_000, 140_000, 7)
	path := filepath.Join(b.TempDir(), "graph.snapshot")
	for b.Loop() {
		var g, h *funds.Graph
		var err error
		buildWall, buildCPU := timed(func() {
			bld := funds.NewBuilder(3_300_000)
			for _, c := range cols {
				if err = bld.AddColumns(c); err != nil {
					return
				}
			}
			g = bld.Build()
		})
		if err != nil {
			b.Fatal(err)
		}
		writeWall, writeCPU := timed(func() { err = writeSnapshotFile(g, path) })
		if err != nil {
			b.Fatal(err)
		}
		readWall, readCPU := timed(func() { h, err = readSnapshotFile(path) })
		if err != nil {
			b.Fatal(err)
		}
		var x, y bytes.Buffer
		g.WriteSnapshot(&x)
		h.WriteSnapshot(&y)
		if !bytes.Equal(x.Bytes(), y.Bytes()) {
			b.Fatal("the graph read back differs from the one built")
		}
		info, _ := os.Stat(path)
		e := float64(g.NumEdges())
		b.Logf("%d edges, %d accounts, snapshot %.0f MB. build from columns: %.2f s wall, %.2f s CPU (%.0f edges per CPU-s); write: %.2f s wall, %.2f s CPU; read: %.3f s wall, %.3f s CPU (%.0f edges/s, %.0f per CPU-s)",
			g.NumEdges(), g.NumAccounts(), float64(info.Size())/1e6, buildWall, buildCPU, e/buildCPU, writeWall, writeCPU, readWall, readCPU, e/readWall, e/max(readCPU, 0.01))
		b.ReportMetric(e/readWall, "edges/s")
		b.ReportMetric(e/max(readCPU, 0.01), "edges/cpu-s")
		b.ReportMetric(e/buildWall, "edges/s-build")
	}
}

// BenchmarkReadSnapshot is the snapshot read alone, for profiles (-cpuprofile).
func BenchmarkReadSnapshot(b *testing.B) {
	cols := syntheticColumns(3_300_000, 140_000, 7)
	bld := funds.NewBuilder(3_300_000)
	for _, c := range cols {
		if err := bld.AddColumns(c); err != nil {
			b.Fatal(err)
		}
	}
	g := bld.Build()
	path := filepath.Join(b.TempDir(), "graph.snapshot")
	if err := writeSnapshotFile(g, path); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := readSnapshotFile(path); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.NumEdges())*float64(b.N)/b.Elapsed().Seconds(), "edges/s")
}

// BenchmarkBuilderAddColumns is the builder's share of a store load before Build: interning
// 3.3 M rows' account numbers (140,000 accounts), channels and memos.
func BenchmarkBuilderAddColumns(b *testing.B) {
	cols := syntheticColumns(3_300_000, 140_000, 7)
	var cpu float64
	for b.Loop() {
		_, c := timed(func() {
			bld := funds.NewBuilder(3_300_000)
			for _, c := range cols {
				if err := bld.AddColumns(c); err != nil {
					b.Fatal(err)
				}
			}
		})
		cpu += c
	}
	b.ReportMetric(cpu*1e9/float64(b.N)/3_300_000, "cpu-ns/row")
}
