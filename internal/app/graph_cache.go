package app

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"procura/internal/funds"
	"procura/internal/progress"
	"procura/internal/store"
)

// Graph sources, as TraceResult and TypologyResult report them (graph_source).
const (
	GraphFromMemory   = "memory" // the last graph loaded, kept by this App (graphcache.go)
	GraphFromSnapshot = "snapshot"
	GraphFromStore    = "store"
)

// graphCacheDir holds the graph snapshots: derived data, rebuilt from the store whenever
// missing or stale, so not part of a backup (docs/funds.md, "Graph snapshots").
func graphCacheDir(st *store.Store) string { return filepath.Join(st.Dir(), "cache", "graphs") }

// snapshotKey names the graph a dataset's rows give: it changes with every import into the
// dataset (store.DatasetVersion) and with the snapshot format and the builder.
func snapshotKey(version string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s snapshot=%d builder=%d", version, funds.SnapshotVersion, funds.BuilderVersion))
	return hex.EncodeToString(sum[:16])
}

// loadGraph reads a transactions dataset's graph (of the kind and version store.DatasetVersion
// gave) from its snapshot when one matches the
// dataset's rows, and otherwise from the store, writing the snapshot for the next load. It
// returns where the graph came from. The snapshot is a cache: when it cannot be read or
// written, the graph comes from the store all the same.
func loadGraph(ctx context.Context, st *store.Store, dataset, kind, version string, pr progress.Reporter) (*funds.Graph, string, error) {
	pr = progress.OrNop(pr)
	if kind != "transactions" {
		return nil, "", fmt.Errorf("dataset %s is of kind %q: %w; trace a dataset imported with --kind transactions", dataset, kind, store.ErrNotTransactions)
	}
	dir := graphCacheDir(st)
	path := filepath.Join(dir, dataset+"-"+snapshotKey(version)+".graph")
	if g, err := readGraphSnapshot(path, dataset, pr); err == nil {
		return g, GraphFromSnapshot, nil
	}
	g, err := loadGraphFromStore(ctx, st, dataset, pr)
	if err != nil {
		return nil, "", err
	}
	if err := writeGraphSnapshot(g, dir, path); err == nil {
		removeStaleSnapshots(dir, dataset, filepath.Base(path))
	}
	return g, GraphFromStore, nil
}

func readGraphSnapshot(path, dataset string, pr progress.Reporter) (*funds.Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pr.Begin("load "+dataset+" (snapshot)", info.Size(), "bytes")
	defer pr.End()
	g, err := funds.ReadSnapshot(f)
	if err != nil {
		return nil, err
	}
	pr.Add(info.Size())
	return g, nil
}

func loadGraphFromStore(ctx context.Context, st *store.Store, dataset string, pr progress.Reporter) (*funds.Graph, error) {
	pr.Begin("load "+dataset, -1, "rows")
	defer pr.End()
	n, err := st.TransactionCount(ctx, dataset)
	if err != nil {
		return nil, err
	}
	b := funds.NewBuilder(int(n))
	_, err = st.ScanTransactionColumns(ctx, dataset, func(c *store.TxColumns) error {
		if err := b.AddColumns(&funds.Columns{N: c.N, TxID: c.TxID, Account: c.Account, Card: c.Card, Counterparty: c.Counterparty,
			Channel: c.Channel, Memo: c.Memo, Holder: c.Holder, CounterpartyName: c.CounterpartyName,
			Cents: c.Cents, Unix: c.Unix, Balance: c.Balance, Order: c.Order}); err != nil {
			return fmt.Errorf("dataset %s: %w", dataset, err)
		}
		pr.Add(int64(c.N))
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	return b.Build(), nil
}

// writeGraphSnapshot writes the snapshot to a temporary file and renames it into place, so
// that a reader never sees half a snapshot. It is not synced: after a crash a torn file
// fails its checksum and the graph is loaded from the store again.
func writeGraphSnapshot(g *funds.Graph, dir, path string) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*.graph") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := g.WriteSnapshot(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// removeStaleSnapshots deletes the dataset's other snapshots: they describe rows it no longer
// holds (or an older format). A file another process still reads stays readable until closed.
func removeStaleSnapshots(dir, dataset, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		key, ok := strings.CutPrefix(name, dataset+"-")
		if !ok || name == keep || !isSnapshotKey(strings.TrimSuffix(key, ".graph")) || !strings.HasSuffix(key, ".graph") {
			continue
		}
		os.Remove(filepath.Join(dir, name))
	}
}

// isSnapshotKey says whether s is a key as snapshotKey writes it (32 hex digits), so that only
// files named like snapshots are removed.
func isSnapshotKey(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
