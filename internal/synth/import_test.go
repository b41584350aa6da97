package synth

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"procura/internal/ingest"
	"procura/internal/store"
	"procura/internal/store/storetest"
)

// TestEveryWorldFileImportsWithoutRejects imports every CSV and XLSX of the shared test world,
// with the kind and profile its manifest names, each into a dataset of its own, and checks that
// the importer reads exactly the rows the manifest promises and rejects none of them.
func TestEveryWorldFileImportsWithoutRejects(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a whole world; skipped with -short")
	}
	dir, sum := testWorld(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		imported := 0
		canon := map[string]string{} // kind → dataset of its canonical file
		var subsets []FileInfo
		datasets := map[string]string{}
		for i, f := range sum.Files {
			if !strings.HasSuffix(f.Path, ".csv") && !strings.HasSuffix(f.Path, ".xlsx") || strings.HasPrefix(f.Path, "truth/") {
				continue
			}
			o := ingest.Options{Path: filepath.Join(dir, filepath.FromSlash(f.Path)), Dataset: datasetOf(i, f), Kind: f.Kind}
			if f.Profile != "canonical" {
				o.Profile = f.Profile
			}
			res, err := ingest.Import(context.Background(), st, o)
			if err != nil {
				t.Errorf("import %s (kind %q, profile %q): %v", f.Path, f.Kind, f.Profile, err)
				continue
			}
			imported++
			for _, w := range res.Warnings {
				t.Logf("%s: warning: %s", f.Path, w)
			}
			if res.RowsRejected != 0 {
				rej, _, _ := st.Rejects(context.Background(), o.Dataset, res.BatchID, 3, 0)
				var first []string
				for _, r := range rej {
					first = append(first, "line "+strconv.FormatInt(r.Line, 10)+" "+r.Column+": "+r.Reason)
				}
				t.Errorf("%s: %d of %d rows rejected (%v), first: %s", f.Path, res.RowsRejected, res.RowsRead, res.RejectsByCode, strings.Join(first, "; "))
			}
			if res.RowsRead != f.Rows || res.RowsImported+res.RowsDuplicateInFile != f.Rows {
				t.Errorf("%s: read %d, imported %d (+%d duplicates in file); the manifest says %d rows", f.Path, res.RowsRead, res.RowsImported, res.RowsDuplicateInFile, f.Rows)
			}
			if res.RowsDuplicateInFile != 0 {
				t.Errorf("%s: %d rows taken for duplicates of other rows of the file", f.Path, res.RowsDuplicateInFile)
			}
			datasets[f.Path] = o.Dataset
			if f.Subset {
				subsets = append(subsets, f)
			} else if f.Kind != "" {
				canon[f.Kind] = o.Dataset
			}
			if f.Kind != "" && res.Kind != f.Kind {
				t.Errorf("%s imported as kind %q, the manifest says %q", f.Path, res.Kind, f.Kind)
			}
		}
		for _, f := range subsets {
			checkSubsetAgrees(t, st, f, datasets[f.Path], canon[f.Kind])
		}
		for _, format := range []string{"bank-cn", "xlsx", "cdr-cn", "en"} {
			if !hasFileUnder(sum, "formats/"+format+"/") {
				t.Errorf("the world has no file under formats/%s/", format)
			}
		}
		if imported < 15 {
			t.Errorf("only %d files imported; the world should have every canonical kind and the realistic layouts", imported)
		}
	})
}

// datasetOf gives every file a dataset of its own, so row counts are per file.
func datasetOf(i int, f FileInfo) string {
	var b strings.Builder
	b.WriteString("f")
	for _, r := range strings.ToLower(strings.TrimSuffix(filepath.Base(f.Path), filepath.Ext(f.Path))) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	b.WriteString("_")
	return b.String() + pad(int64(i), 3)
}

func hasFileUnder(s Summary, prefix string) bool {
	for _, f := range s.Files {
		if strings.HasPrefix(f.Path, prefix) {
			return true
		}
	}
	return false
}

// checkSubsetAgrees compares a realistic export with the canonical file after both went through
// the importer: every row must be a canonical row with the same values (so no sign, time or
// number was lost in the layout), and a statement must hold every row of its accounts.
func checkSubsetAgrees(t *testing.T, st *store.Store, f FileInfo, dataset, canonDataset string) {
	t.Helper()
	var q string
	switch f.Kind {
	case "transactions":
		q = `SELECT count(*) FROM ds_` + dataset + ` x WHERE x.account IS NULL OR x.direction IS NULL
			OR NOT EXISTS (SELECT 1 FROM ds_` + canonDataset + ` c WHERE c.account = x.account AND c.time = x.time
				AND c.amount = x.amount AND c.balance = x.balance AND c.direction = x.direction
				AND coalesce(c.counterparty_account, '') = coalesce(x.counterparty_account, ''))`
	case "calls":
		q = `SELECT count(*) FROM ds_` + dataset + ` x WHERE NOT EXISTS (SELECT 1 FROM ds_` + canonDataset + ` c
			WHERE c.caller = x.caller AND c.callee = x.callee AND c.start_time = x.start_time
				AND c.duration_s = x.duration_s AND c.call_type = x.call_type AND c.imei = x.imei)`
	default:
		t.Errorf("%s: no check for a subset of kind %q", f.Path, f.Kind)
		return
	}
	var bad int64
	if err := st.DB().QueryRow(q).Scan(&bad); err != nil {
		t.Fatalf("%s: %v", f.Path, err)
	}
	if bad != 0 {
		t.Errorf("%s: %d imported rows differ from every canonical row (account, time, amount, balance, direction or call fields lost)", f.Path, bad)
	}
	if f.Kind != "transactions" {
		return
	}
	var want, got int64
	if err := st.DB().QueryRow(`SELECT count(*) FROM ds_` + canonDataset + ` WHERE account IN (SELECT DISTINCT account FROM ds_` + dataset + `)`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRow(`SELECT count(*) FROM ds_` + dataset).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%s holds %d rows; the canonical file has %d rows of its accounts", f.Path, got, want)
	}
}
