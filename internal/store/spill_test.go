package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// DuckDB spills large transactions to the workspace's tmp/duckdb, which it cannot create itself
// two levels deep: a fresh workspace must have it.
func TestAFreshDuckDBWorkspaceHasItsSpillDirectory(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	s, err := Init(context.Background(), Options{Workspace: ws, Holder: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fi, err := os.Stat(filepath.Join(ws, "tmp", "duckdb")); err != nil || !fi.IsDir() {
		t.Fatalf("spill directory: %v", err)
	}
}
