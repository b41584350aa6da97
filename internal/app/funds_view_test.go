package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// viewApp opens a fresh workspace as its local administrator with a small transactions dataset.
func viewApp(t *testing.T) (*App, context.Context) {
	t.Helper()
	ctx := context.Background()
	cfg := Config{Workspace: filepath.Join(t.TempDir(), "ws"), Actor: "tester"}
	if _, err := Init(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	a, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	p := filepath.Join(t.TempDir(), "tx.csv")
	os.WriteFile(p, []byte("tx_id,account,time,amount,counterparty_account\n"+
		"T1,6222021234567890,2025-03-01 10:00:00,-1000.00,6222029876543210\n"+
		"T3,6222029876543210,2025-03-01 11:00:00,-900.00,6222025555666677\n"), 0o600)
	if _, err := a.Import(ctx, ImportRequest{Path: p, Dataset: "tx", Kind: "transactions"}); err != nil {
		t.Fatal(err)
	}
	return a, ctx
}

func TestATraceViewKeepsItsGraphForTheExpansionsThatFollow(t *testing.T) {
	a, ctx := viewApp(t)
	v, err := a.TraceView(ctx, TraceRequest{Dataset: "tx", SeedTxIDs: []string{"T1"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.GraphSource == GraphFromMemory {
		t.Errorf("the first trace's graph came from memory")
	}
	g, source, err := a.LoadGraph(ctx, "tx", nil)
	if err != nil {
		t.Fatal(err)
	}
	if again, _, _ := a.LoadGraph(ctx, "tx", nil); again != g || source != GraphFromMemory {
		t.Errorf("the graph of the trace was loaded again (from %s) instead of kept", source)
	}
	nodes := v.NodeOfAccount()
	n, ok := nodes["6222029876543210"]
	if acct, found := v.AccountOfNode(n); !ok || !found || acct != "6222029876543210" {
		t.Fatalf("node of the level-1 account = %q → %q, want the account back", n, acct)
	}
	res, err := a.Expand(ctx, ExpandRequest{Dataset: "tx", Account: "6222029876543210", Nodes: nodes})
	if err != nil || len(res.Transfers) != 1 || res.Transfers[0].TxID != "T3" || res.Transfers[0].Node != nodes["6222025555666677"] {
		t.Errorf("expand = %+v, %v; want T3 reaching the node of its receiver", res, err)
	}
}
