package supervise

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"procura/internal/ingest"
	"procura/internal/store"
	"procura/internal/store/storetest"
	"procura/internal/synth"
)

// worldFiles are the files of the synthetic world the built-in models read; "" = plain dataset.
var worldFiles = map[string]string{
	"accounts": "accounts", "benefits": "benefits", "calls": "calls", "cases": "cases", "case_parties": "case_parties",
	"companies": "companies", "custody": "custody", "deaths": "deaths", "judgments": "judgments", "licenses": "licenses",
	"penalties": "penalties", "sims": "", "transactions": "transactions",
}

// monthPeriodRe finds the YYYY-MM periods of benefits.csv. The importer rejects them (it
// should read a month as its first day, docs/kinds.md); until it does, the test writes the
// first day itself.
var monthPeriodRe = regexp.MustCompile(`(?m),(\d{4}-\d{2}),(\d{4}-\d{2}-\d{2}),`)

func importWorld(t testing.TB, st *store.Store, dir string) {
	t.Helper()
	for name, kind := range worldFiles {
		p := filepath.Join(dir, name+".csv")
		if name == "benefits" {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			p = filepath.Join(t.TempDir(), "benefits.csv")
			if err := os.WriteFile(p, monthPeriodRe.ReplaceAll(b, []byte(",${1}-01,${2},")), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		r, err := ingest.Import(context.Background(), st, ingest.Options{Path: p, Dataset: name, Kind: kind})
		if err != nil {
			t.Fatalf("import %s: %v", name, err)
		}
		if r.RowsRejected > 0 {
			t.Fatalf("import %s: %d of %d rows rejected", name, r.RowsRejected, r.RowsRead)
		}
	}
}

func TestEveryBuiltInModelAnswersTheSyntheticWorldsTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and imports a small synthetic world")
	}
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Out: dir, Seed: 7, Scale: "small"}); err != nil {
		t.Fatal(err)
	}
	ms, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		importWorld(t, st, dir)
		env, err := WorkspaceEnv(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Backtest == nil {
				continue
			}
			findings, _, _, err := Find(ctx, st.DB(), st.Backend(), st.Location(), m, env, nil)
			if err != nil {
				t.Errorf("%s: %v", m.ID, err)
				continue
			}
			truth, err := LoadTruth(TruthPath(*m.Backtest, filepath.Join(dir, "truth")))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Backtest(m.ID, *m.Backtest, findings, truth)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%-45s clues %3d truth %3d precision %.3f recall %.3f", m.ID, res.Clues, res.Truth, res.Precision, res.Recall)
			if res.Truth == 0 || res.Precision < 0.95 || res.Recall < 0.95 {
				t.Errorf("%s: precision %.3f recall %.3f over %d truth entries; missed %v, extra %v", m.ID, res.Precision, res.Recall, res.Truth, res.Missed, res.Extra)
			}
		}
	})
}
