package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/funds"
)

func TestTheGraphLoadsFromItsSnapshotUntilTheDatasetChanges(t *testing.T) {
	backends(t, graphSnapshots)
}

func graphSnapshots(t *testing.T, db string) {
	a, _, _ := newTestApp(t, func(c *Config) { c.DB = db })
	ctx := context.Background()
	files := t.TempDir()
	tx := filepath.Join(files, "tx.csv")
	os.WriteFile(tx, []byte(txCSV), 0o600)
	if _, err := a.Import(ctx, ImportRequest{Path: tx, Dataset: "tx", Kind: "transactions"}); err != nil {
		t.Fatal(err)
	}
	// Each trace below forgets the graph kept in memory first, to see the snapshot at work.
	trace := func(want string) TraceResult {
		t.Helper()
		a.graphs.drop()
		r, err := a.Trace(ctx, TraceRequest{Dataset: "tx", SeedTxIDs: []string{"T1"}, Options: funds.TraceOptions{Direction: "forward"}})
		if err != nil {
			t.Fatal(err)
		}
		if r.GraphSource != want {
			t.Fatalf("graph_source = %q, want %q", r.GraphSource, want)
		}
		return r
	}
	dir := graphCacheDir(a.st)
	snapshots := func() []string {
		t.Helper()
		m, _ := filepath.Glob(filepath.Join(dir, "tx-*.graph"))
		return m
	}

	first := trace(GraphFromStore)
	snaps := snapshots()
	if len(snaps) != 1 {
		t.Fatalf("after the first load the cache holds %v, want one snapshot of tx", snaps)
	}
	if info, err := os.Stat(snaps[0]); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the snapshot's mode is %v (%v), want 0600", info.Mode(), err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("the cache directory's mode is %v (%v), want 0700", info.Mode(), err)
	}
	second := trace(GraphFromSnapshot)
	if second.Edges != first.Edges || second.Accounts != first.Accounts || len(second.Flows) != len(first.Flows) ||
		second.Totals["seeded"] != first.Totals["seeded"] {
		t.Errorf("the trace over the snapshot differs: %d edges %d flows, from the store %d edges %d flows",
			second.Edges, len(second.Flows), first.Edges, len(first.Flows))
	}
	ty, err := a.Typologies(ctx, TypologyRequest{Dataset: "tx"})
	if err != nil || ty.GraphSource != GraphFromMemory {
		t.Errorf("typologies right after a trace: graph_source %q (%v), want memory", ty.GraphSource, err)
	}

	// A damaged snapshot is not used: the graph comes from the store and the snapshot is
	// written again.
	if err := os.WriteFile(snaps[0], []byte("PROCURAG and then nothing useful"), 0o600); err != nil {
		t.Fatal(err)
	}
	trace(GraphFromStore)
	trace(GraphFromSnapshot)

	// An import changes the dataset: the stale snapshot is replaced.
	more := filepath.Join(files, "more.csv")
	os.WriteFile(more, []byte("tx_id,account,time,amount,counterparty_account\nT5,6222025555666677,2025-03-01 12:00:00,-800.00,6222020000000001\n"), 0o600)
	if _, err := a.Import(ctx, ImportRequest{Path: more, Dataset: "tx", Kind: "transactions"}); err != nil {
		t.Fatal(err)
	}
	after := trace(GraphFromStore)
	if after.Edges != first.Edges+1 {
		t.Errorf("after the import the graph has %d edges, want %d", after.Edges, first.Edges+1)
	}
	if now := snapshots(); len(now) != 1 || now[0] == snaps[0] {
		t.Errorf("after the import the cache holds %v, want one new snapshot (the stale %s removed)", now, filepath.Base(snaps[0]))
	}
	trace(GraphFromSnapshot)

	// The cache is derived data: a backup leaves it out.
	listed, err := workspaceFiles(a.st)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range listed {
		if strings.HasPrefix(f.rel, "cache/") {
			t.Errorf("the backup lists %s", f.rel)
		}
	}
}
