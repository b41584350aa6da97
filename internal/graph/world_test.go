package graph

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"procura/internal/ident"
	"procura/internal/ingest"
	"procura/internal/store"
	"procura/internal/synth"
)

// world is the small synthetic world (seed 7) imported into a store, with its graph and truth.
type world struct {
	dir    string
	st     *store.Store
	g      *Graph
	specs  []Spec
	shared bool // opened from PROCURA_TEST_WORKSPACE: closed, not removed
}

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  string
)

// testWorld generates, imports and loads the small world once for all tests of the package.
func testWorld(t *testing.T) *world {
	t.Helper()
	if testing.Short() {
		t.Skip("generates and imports a synthetic world; skipped with -short")
	}
	worldOnce.Do(func() {
		if dir, ws := os.Getenv("PROCURA_TEST_WORLD"), os.Getenv("PROCURA_TEST_WORKSPACE"); dir != "" && ws != "" {
			theWorld, worldErr = openWorld(dir, ws)
			return
		}
		dir, err := os.MkdirTemp("", "procura-graph-world-")
		if err != nil {
			worldErr = err.Error()
			return
		}
		ctx := context.Background()
		if _, err := synth.Generate(ctx, synth.Options{Out: dir, Seed: 7, Scale: "small", Formats: []string{"canonical"}}); err != nil {
			worldErr = "synth.Generate: " + err.Error()
			return
		}
		st, err := store.Init(ctx, store.Options{Workspace: filepath.Join(dir, "ws"), Holder: "procura graph test"})
		if err != nil {
			worldErr = "store.Init: " + err.Error()
			return
		}
		if err := importWorld(ctx, st, dir); err != nil {
			worldErr = err.Error()
			return
		}
		ds, err := storeDatasets(ctx, st)
		if err != nil {
			worldErr = err.Error()
			return
		}
		g, specs, err := Load(ctx, st, ds, Options{})
		if err != nil {
			worldErr = "Load: " + err.Error()
			return
		}
		theWorld = &world{dir: dir, st: st, g: g, specs: specs}
	})
	if theWorld == nil {
		t.Fatalf("world: %s", worldErr)
	}
	return theWorld
}

// openWorld uses a world already generated into dir and imported into the workspace ws
// (PROCURA_TEST_WORLD and PROCURA_TEST_WORKSPACE: the medium world's figures are measured so).
func openWorld(dir, ws string) (*world, string) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Workspace: ws, Holder: "procura graph test"})
	if err != nil {
		return nil, "store.Open: " + err.Error()
	}
	ds, err := storeDatasets(ctx, st)
	if err != nil {
		return nil, err.Error()
	}
	g, specs, err := Load(ctx, st, ds, Options{})
	if err != nil {
		return nil, "Load: " + err.Error()
	}
	return &world{dir: dir, st: st, g: g, specs: specs, shared: true}, ""
}

// TestMain removes the shared world when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if theWorld != nil && theWorld.shared {
		theWorld.st.Close()
	} else if theWorld != nil {
		theWorld.st.Close()
		os.RemoveAll(theWorld.dir)
	}
	os.Exit(code)
}

func importWorld(ctx context.Context, st *store.Store, dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return err
	}
	var man struct {
		Files []synth.FileInfo `json:"files"`
	}
	if err := json.Unmarshal(b, &man); err != nil {
		return err
	}
	for _, f := range man.Files {
		if f.Subset || strings.HasPrefix(f.Path, "truth/") || !strings.HasSuffix(f.Path, ".csv") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(f.Path), ".csv")
		if _, err := ingest.Import(ctx, st, ingest.Options{Path: filepath.Join(dir, f.Path), Dataset: name, Kind: f.Kind}); err != nil {
			return err
		}
	}
	return nil
}

func storeDatasets(ctx context.Context, st *store.Store) ([]Dataset, error) {
	infos, err := st.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	var out []Dataset
	for _, d := range infos {
		var sch struct {
			Columns []Column `json:"columns"`
		}
		if err := json.Unmarshal([]byte(d.ColumnsJSON), &sch); err != nil {
			return nil, err
		}
		out = append(out, Dataset{Name: d.Name, Kind: d.Kind, Columns: sch.Columns})
	}
	return out, nil
}

// readCSV reads a world file as maps by header, failing the test on error.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	rows, err := synth.ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// ring is the part of truth/rings.json the tests score against.
type ring struct {
	ID      string `json:"id"`
	Dealers []struct {
		IDNumber string `json:"id_number"`
	} `json:"dealers"`
	Farmers []struct {
		IDNumber string `json:"id_number"`
	} `json:"farmers"`
	Numbers       []string            `json:"numbers"`
	SimFarmIMEIs  []string            `json:"sim_farm_imeis"`
	DealerDevices []map[string]string `json:"dealer_devices"`
}

func readRings(t *testing.T, dir string) []ring {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "truth", "rings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rs []ring
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

// phoneKey normalises a truth file's phone number the way the importer stores it.
func phoneKey(s string) string {
	if p, err := ident.ParsePhone(s, "CN"); err == nil {
		return p
	}
	return s
}

func TestTheWorldGraphHoldsEveryKindOfEntity(t *testing.T) {
	w := testWorld(t)
	s := w.g.Stats()
	t.Logf("graph: %d nodes, %d edges; by type %v; by relation %v", s.Nodes, s.Edges, s.ByType, s.ByRel)
	for _, typ := range []string{"person", "company", "account", "phone", "imei", "imsi", "mac", "ip", "wallet", "case"} {
		if s.ByType[typ] == 0 {
			t.Errorf("no %s nodes in the world's graph", typ)
		}
	}
	for _, rel := range []string{"holds", "transfer", "call", "uses", "party", "legal_rep", "chain_transfer", "contact", "sim"} {
		if s.ByRel[rel] == 0 {
			t.Errorf("no %s edges in the world's graph", rel)
		}
	}
	rs := readRings(t, w.dir)
	d := rs[0].DealerDevices[0]
	ip, ok := w.g.Lookup(IP, d["ip"])
	if !ok {
		t.Fatalf("the dealer device's IP %s is not a node", d["ip"])
	}
	if n := w.g.Degree(ip); n < 5 {
		t.Errorf("the dealer device's IP %s has %d edges; it operates many cards", d["ip"], n)
	}
}
