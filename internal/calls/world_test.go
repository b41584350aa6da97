package calls

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"procura/internal/ident"
	"procura/internal/ingest"
	"procura/internal/store"
	"procura/internal/store/storetest"
	"procura/internal/synth"
	"procura/internal/synth/synthtest"
)

// smallWorld is the small synthetic world (seed 7) all tests of the package read.
func smallWorld(t testing.TB) string {
	return synthtest.World(t, synth.Options{Seed: 7, Scale: "small", Formats: []string{"canonical"}})
}

// TestMain removes the shared world when the tests are done.
func TestMain(m *testing.M) { synthtest.Main(m) }

// worldDatasets are the files the analyses read, with their kinds.
var worldDatasets = map[string]string{"calls": "calls", "transactions": "transactions", "sims": "", "persons": "persons", "accounts": "accounts"}

func importWorld(t *testing.T, st *store.Store, dir string) {
	t.Helper()
	ctx := context.Background()
	for name, kind := range worldDatasets {
		if _, err := ingest.Import(ctx, st, ingest.Options{Path: filepath.Join(dir, name+".csv"), Dataset: name, Kind: kind}); err != nil {
			t.Fatalf("import %s: %v", name, err)
		}
	}
}

// columnsOf reads a dataset's column names from the catalogue.
func columnsOf(t testing.TB, st *store.Store, dataset string) []string {
	t.Helper()
	infos, err := st.Datasets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range infos {
		if d.Name != dataset {
			continue
		}
		var sch struct {
			Columns []struct{ Name string } `json:"columns"`
		}
		if err := json.Unmarshal([]byte(d.ColumnsJSON), &sch); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range sch.Columns {
			out = append(out, c.Name)
		}
		return out
	}
	t.Fatalf("no dataset %s", dataset)
	return nil
}

// worldPayments is how the world's numbers reach accounts: the SIM register and the persons
// file tie numbers to ID numbers, statements and the account register tie ID numbers to
// accounts, and an account's contact phone ties the two directly.
func worldPayments(t testing.TB, st *store.Store) *Payments {
	return &Payments{
		Dataset: "transactions", Columns: columnsOf(t, st, "transactions"),
		PhoneHolders:  []PhoneHolder{{"sims", "phone", "holder_id_number"}, {"persons", "phone", "id_number"}},
		AccountHolder: []AccountHolder{{"transactions", "account", "holder_id_number"}, {"accounts", "account", "holder_id_number"}},
		PhoneAccounts: []PhoneAccount{{"accounts", "phone", "account"}},
	}
}

type worldRing struct {
	ID           string   `json:"id"`
	Numbers      []string `json:"numbers"`
	SimFarmIMEIs []string `json:"sim_farm_imeis"`
	Victims      []string `json:"victims"`
}

func readRings(t *testing.T, dir string) []worldRing {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "truth", "rings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rs []worldRing
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	rows, err := synth.ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func phoneKey(s string) string {
	if p, err := ident.ParsePhone(s, "CN"); err == nil {
		return p
	}
	return s
}

// score is precision and recall of a found set against a true one.
type score struct{ tp, fp, fn int }

func scoreSets(found, truth map[string]bool) score {
	var s score
	for k := range found {
		if truth[k] {
			s.tp++
		} else {
			s.fp++
		}
	}
	for k := range truth {
		if !found[k] {
			s.fn++
		}
	}
	return s
}

func (s score) precision() float64 { return float64(s.tp) / float64(max(s.tp+s.fp, 1)) }
func (s score) recall() float64    { return float64(s.tp) / float64(max(s.tp+s.fn, 1)) }

// TestTheWorldsSIMFarmsFraudCallsAndVictimsAreFound scores the analyses against the synth
// world's truth on every backend: SIM boxes against the rings' farm IMEIs and calling
// numbers, suspect call → payment links against victim_payments.csv (the payment and the last
// fraud call before it), and the common contacts of a ring's numbers against its victims.
func TestTheWorldsSIMFarmsFraudCallsAndVictimsAreFound(t *testing.T) {
	each := func(f func(t *testing.T, st *store.Store)) {
		storetest.Each(t, func(t *testing.T, st *store.Store) {
			importWorld(t, st, smallWorld(t))
			f(t, st)
		})
	}
	dir, ws := os.Getenv("PROCURA_TEST_WORLD"), os.Getenv("PROCURA_TEST_WORKSPACE")
	if dir != "" && ws != "" {
		// A world already generated and imported (the medium world's figures are measured so).
		each = func(f func(t *testing.T, st *store.Store)) {
			st, err := store.Open(context.Background(), store.Options{Workspace: ws, Holder: "procura calls test"})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			f(t, st)
		}
	} else {
		dir = smallWorld(t)
	}
	rings := readRings(t, dir)
	each(func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		src := Source{Dataset: "calls", Columns: columnsOf(t, st, "calls")}
		start := time.Now()
		rep, err := Analyze(ctx, st, src, Options{Payments: worldPayments(t, st)})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d calls, %d numbers analysed in %.2f s (%v)", rep.Calls, rep.Numbers, time.Since(start).Seconds(), rep.SecondsEach)

		// SIM boxes.
		farm, ringNum := map[string]bool{}, map[string]bool{}
		for _, r := range rings {
			for _, im := range r.SimFarmIMEIs {
				farm[im] = true
			}
			for _, n := range r.Numbers {
				ringNum[phoneKey(n)] = true
			}
		}
		boxes, boxNums := map[string]bool{}, map[string]bool{}
		for _, b := range rep.SIMBoxes {
			boxes[b.IMEI] = true
			for _, n := range b.Numbers {
				boxNums[n] = true
			}
		}
		sb, sn := scoreSets(boxes, farm), scoreSets(boxNums, ringNum)
		t.Logf("SIM boxes: %d found; farm IMEIs precision %.2f recall %.2f; ring calling numbers on them precision %.2f recall %.2f",
			len(rep.SIMBoxes), sb.precision(), sb.recall(), sn.precision(), sn.recall())
		if sb.precision() < 0.9 || sb.recall() < 0.9 || sn.precision() < 0.9 || sn.recall() < 0.9 {
			t.Errorf("SIM boxes: IMEIs %+v, numbers %+v; want precision and recall ≥ 0.9", sb, sn)
		}

		// Call → payment links.
		truth := map[string]bool{}
		for _, v := range readCSV(t, filepath.Join(dir, "truth", "victim_payments.csv")) {
			truth[v["tx_id"]+" "+phoneKey(v["last_call_from"])] = true
		}
		found := map[string]bool{}
		for _, l := range rep.Links {
			if l.Suspect {
				found[l.TxID+" "+l.Caller] = true
			}
		}
		sl := scoreSets(found, truth)
		t.Logf("call → payment links: %d candidates within %.0f min, %d with a suspect caller: precision %.2f recall %.2f (%d true)",
			rep.LinkStats.Candidates, rep.LinkStats.Within, rep.LinkStats.Suspect, sl.precision(), sl.recall(), len(truth))
		if sl.precision() < 0.9 || sl.recall() < 0.9 {
			t.Errorf("call → payment links %+v; want precision and recall ≥ 0.9", sl)
		}

		// Common contacts of each ring's numbers: its victims.
		phoneOf := map[string]string{}
		for _, p := range readCSV(t, filepath.Join(dir, "persons.csv")) {
			phoneOf[p["id_number"]] = phoneKey(p["phone"])
		}
		var total score
		for _, r := range rings {
			var nums []string
			for _, n := range r.Numbers {
				nums = append(nums, phoneKey(n))
			}
			rr, err := Analyze(ctx, st, src, Options{Numbers: nums, Top: 3})
			if err != nil {
				t.Fatal(err)
			}
			common, victims := map[string]bool{}, map[string]bool{}
			for _, c := range rr.Common {
				common[c.Number] = true
			}
			for _, v := range r.Victims {
				victims[phoneOf[v]] = true
			}
			s := scoreSets(common, victims)
			total.tp, total.fp, total.fn = total.tp+s.tp, total.fp+s.fp, total.fn+s.fn
			t.Logf("ring %s: %d numbers, %d common contacts, %d victims: precision %.2f recall %.2f", r.ID, len(nums), len(common), len(victims), s.precision(), s.recall())
		}
		t.Logf("common contacts of the rings' numbers as victims: precision %.2f recall %.2f", total.precision(), total.recall())
		if total.recall() < 0.9 {
			t.Errorf("common contacts found %+v of the rings' victims; want recall ≥ 0.9", total)
		}
	})
}

// BenchmarkAnalyze runs every analysis, payments included, on the small world in DuckDB.
func BenchmarkAnalyze(b *testing.B) {
	dir := smallWorld(b)
	st := storetest.Init(b, storetest.Backends()[0].Options(b))
	ctx := context.Background()
	for name, kind := range worldDatasets {
		if _, err := ingest.Import(ctx, st, ingest.Options{Path: filepath.Join(dir, name+".csv"), Dataset: name, Kind: kind}); err != nil {
			b.Fatal(err)
		}
	}
	src := Source{Dataset: "calls", Columns: columnsOf(b, st, "calls")}
	pay := worldPayments(b, st)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(ctx, st, src, Options{Payments: pay}); err != nil {
			b.Fatal(err)
		}
	}
}
