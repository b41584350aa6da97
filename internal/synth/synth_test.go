package synth

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"procura/internal/ident"
)

func TestParseScaleAcceptsPresetsAndCounts(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"small", 200_000, false},
		{"Medium", 5_000_000, false},
		{"large", 50_000_000, false},
		{"20000tx", 20_000, false},
		{"1_000_000tx", 1_000_000, false},
		{"20000", 0, true},
		{"12tx", 0, true},
		{"huge", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseScale(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseScale(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseScale(f *testing.F) {
	for _, s := range []string{"small", "20000tx", "tx", "-5tx", "99999999999999999999tx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseScale(s)
		if err == nil && (n < 1000 || n > 1_000_000_000) {
			t.Fatalf("ParseScale(%q) accepted out-of-range %d", s, n)
		}
		if err != nil && n != 0 {
			t.Fatalf("ParseScale(%q) returned %d with an error", s, n)
		}
	})
}

func TestUnknownFormatIsRejectedWithTheChoices(t *testing.T) {
	_, err := Generate(context.Background(), Options{Out: t.TempDir(), Scale: "small", Formats: []string{"pdf"}})
	if err == nil || !strings.Contains(err.Error(), "bank-cn") {
		t.Fatalf("want an error listing the formats, got %v", err)
	}
}

func TestGeneratedIdentifiersPassTheValidators(t *testing.T) {
	r := newRand(1, 1)
	for i := uint64(1); i < 2000; i++ {
		b := banks[int(i)%len(banks)]
		if _, err := ident.ParseBankCard(cardNumber(b.bins[0], b.cardLen, i)); err != nil {
			t.Fatalf("card: %v", err)
		}
		if _, err := ident.ParseIMEI(imei(imeiTACs[int(i)%len(imeiTACs)], i)); err != nil {
			t.Fatalf("imei: %v", err)
		}
		if _, err := ident.ParseMAC(macAddr(macOUIs[int(i)%len(macOUIs)], i)); err != nil {
			t.Fatalf("mac: %v", err)
		}
		if _, err := ident.ParseUSCC(uscc("440305", i)); err != nil {
			t.Fatalf("uscc %s: %v", uscc("440305", i), err)
		}
		if _, err := ident.ParseTron(tronAddress(r)); err != nil {
			t.Fatalf("tron: %v", err)
		}
		if _, err := ident.ParseResidentID(residentID("440305", 19800101+int(i%28), int(i), i%2 == 0)); err != nil {
			t.Fatalf("resident id: %v", err)
		}
		if _, err := ident.ParseIMSI(imsi("46000", i)); err != nil {
			t.Fatalf("imsi: %v", err)
		}
	}
}

var (
	worldOnce sync.Once
	worldDir  string
	worldSum  Summary
	worldErr  error
)

// testWorld generates one world shared by the consistency tests.
func testWorld(t *testing.T) (string, Summary) {
	t.Helper()
	worldOnce.Do(func() {
		dir, err := os.MkdirTemp("", "synth-world-")
		if err != nil {
			worldErr = err
			return
		}
		worldDir = dir
		worldSum, worldErr = Generate(context.Background(), Options{Out: dir, Seed: 42, Scale: "60000tx", Formats: Formats})
	})
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return worldDir, worldSum
}

func TestMain(m *testing.M) {
	code := m.Run()
	if worldDir != "" {
		os.RemoveAll(worldDir)
	}
	os.Exit(code)
}

// readCSV reads a UTF-8 canonical CSV into header-keyed records.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func TestSameSeedGivesIdenticalFiles(t *testing.T) {
	hashes := func(seed int64) map[string]string {
		dir := t.TempDir()
		s, err := Generate(context.Background(), Options{Out: dir, Seed: seed, Scale: "20000tx", Formats: Formats})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, f := range s.Files {
			m[f.Path] = f.SHA256
		}
		b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
		m["manifest.json"] = string(b)
		return m
	}
	a, c := hashes(3), hashes(4)
	// The second run uses one CPU and a different pipeline interleaving: the bytes must not
	// depend on either.
	procs := runtime.GOMAXPROCS(1)
	b := hashes(3)
	runtime.GOMAXPROCS(procs)
	if len(a) < 20 {
		t.Fatalf("only %d files written", len(a))
	}
	for p, h := range a {
		if b[p] != h {
			t.Errorf("%s differs between two runs with the same seed (GOMAXPROCS %d and 1)", p, procs)
		}
	}
	if a["transactions.csv"] == c["transactions.csv"] {
		t.Error("a different seed gave the same transactions")
	}
}

func TestCanonicalHeadersAreKindFields(t *testing.T) {
	dir, sum := testWorld(t)
	root := filepath.Join("..", "ingest", "schema", "kinds")
	for _, f := range sum.Files {
		if f.Profile != "canonical" || f.Kind == "" {
			continue
		}
		y, err := os.ReadFile(filepath.Join(root, f.Kind+".yaml"))
		if err != nil {
			t.Skipf("schema of %s not readable (%v); skipping header check", f.Kind, err)
		}
		fields := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^  - name: (\w+)`).FindAllStringSubmatch(string(y), -1) {
			fields[m[1]] = true
		}
		fh, _ := os.Open(filepath.Join(dir, f.Path))
		head, err := csv.NewReader(fh).Read()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range head {
			if !fields[h] {
				t.Errorf("%s: header %q is not a field of kind %s", f.Path, h, f.Kind)
			}
		}
	}
}

func TestEveryIdentifierValidates(t *testing.T) {
	dir, _ := testWorld(t)
	passport := regexp.MustCompile(`^[A-Z0-9]{7,9}$`)
	for _, p := range readCSV(t, filepath.Join(dir, "persons.csv")) {
		if p["nationality"] == "CHN" {
			if _, err := ident.ParseResidentID(p["id_number"]); err != nil {
				t.Fatalf("person %s: %v", p["person_id"], err)
			}
		} else if !passport.MatchString(p["id_number"]) {
			t.Fatalf("person %s: passport %q", p["person_id"], p["id_number"])
		}
		if _, err := ident.ParsePhone(p["phone"], "CN"); err != nil {
			t.Fatalf("person %s phone: %v", p["person_id"], err)
		}
	}
	for _, a := range readCSV(t, filepath.Join(dir, "accounts.csv")) {
		if a["card_no"] != "" {
			if _, err := ident.ParseBankCard(a["card_no"]); err != nil {
				t.Fatalf("card %s: %v", a["card_no"], err)
			}
		} else if _, err := ident.ParseUSCC(a["holder_id_number"]); err != nil {
			t.Fatalf("company account holder %s: %v", a["holder_id_number"], err)
		}
		if _, err := ident.ParseIMEI(a["open_imei"]); err != nil {
			t.Fatalf("imei %s: %v", a["open_imei"], err)
		}
		if _, err := ident.ParseMAC(a["open_mac"]); err != nil {
			t.Fatalf("mac %s: %v", a["open_mac"], err)
		}
		if _, err := ident.ParseIP(a["open_ip"]); err != nil {
			t.Fatalf("ip %s: %v", a["open_ip"], err)
		}
	}
	for _, c := range readCSV(t, filepath.Join(dir, "companies.csv")) {
		if _, err := ident.ParseUSCC(c["uscc"]); err != nil {
			t.Fatalf("uscc %s: %v", c["uscc"], err)
		}
	}
	for _, c := range readCSV(t, filepath.Join(dir, "chain_transfers.csv")) {
		for _, a := range []string{c["from_address"], c["to_address"]} {
			if _, err := ident.ParseTron(a); err != nil {
				t.Fatalf("tron %s: %v", a, err)
			}
		}
	}
	for i, c := range readCSV(t, filepath.Join(dir, "calls.csv")) {
		if i%50 != 0 {
			continue
		}
		if _, err := ident.ParseIMEI(c["imei"]); err != nil {
			t.Fatalf("call imei %s: %v", c["imei"], err)
		}
		if _, err := ident.ParseIMSI(c["imsi"]); err != nil {
			t.Fatalf("call imsi %s: %v", c["imsi"], err)
		}
	}
}

func TestEveryCaseCardExistsInTheBankData(t *testing.T) {
	dir, _ := testWorld(t)
	accounts := map[string]bool{}
	for _, a := range readCSV(t, filepath.Join(dir, "accounts.csv")) {
		accounts[a["card_no"]] = true
	}
	inTx := map[string]bool{}
	for _, r := range readCSV(t, filepath.Join(dir, "transactions.csv")) {
		inTx[r["card_no"]] = true
	}
	n := 0
	for _, p := range readCSV(t, filepath.Join(dir, "case_parties.csv")) {
		if c := p["bank_card"]; c != "" {
			n++
			if !accounts[c] || !inTx[c] {
				t.Errorf("case %s names card %s: in accounts %v, in transactions %v", p["case_no"], c, accounts[c], inTx[c])
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d cards named in cases", n)
	}
}

func TestEveryVictimPaymentFollowsAFraudCall(t *testing.T) {
	dir, _ := testWorld(t)
	var rings []RingTruth
	b, _ := os.ReadFile(filepath.Join(dir, "truth", "rings.json"))
	if err := json.Unmarshal(b, &rings); err != nil {
		t.Fatal(err)
	}
	fraudNumbers := map[string]bool{}
	for _, r := range rings {
		for _, n := range r.Numbers {
			fraudNumbers[n] = true
		}
	}
	phoneOf := map[string]string{}
	for _, p := range readCSV(t, filepath.Join(dir, "persons.csv")) {
		phoneOf[p["id_number"]] = p["phone"]
	}
	// calls from fraud numbers, by callee
	callsTo := map[string][]time.Time{}
	for _, c := range readCSV(t, filepath.Join(dir, "calls.csv")) {
		if fraudNumbers[c["caller"]] {
			end, _ := time.ParseInLocation("2006-01-02 15:04:05", c["end_time"], shanghai)
			callsTo[c["callee"]] = append(callsTo[c["callee"]], end)
		}
	}
	pays := readCSV(t, filepath.Join(dir, "truth", "victim_payments.csv"))
	if len(pays) == 0 {
		t.Fatal("no victim payments")
	}
	for _, p := range pays {
		at, _ := time.ParseInLocation("2006-01-02 15:04:05", p["time"], shanghai)
		ok := false
		for _, end := range callsTo[phoneOf[p["victim_id_number"]]] {
			if !end.After(at) && at.Sub(end) <= 2*time.Hour {
				ok = true
			}
		}
		if !ok {
			t.Errorf("payment %s of victim %s at %s has no fraud call ending within 2 h before", p["payment_no"], p["victim_id_number"], p["time"])
		}
	}
}

func TestFraudIsANeedleAndMuleLevelsOneToFourMoveMoney(t *testing.T) {
	dir, _ := testWorld(t)
	var s struct {
		Transactions int64   `json:"transactions"`
		Fraud        int64   `json:"fraud_transactions"`
		Share        float64 `json:"fraud_share"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "truth", "summary.json"))
	json.Unmarshal(b, &s)
	if s.Share <= 0 || s.Share >= 0.01 {
		t.Errorf("fraud share %.4f, want in (0, 1%%)", s.Share)
	}
	level := map[string]string{}
	for _, m := range readCSV(t, filepath.Join(dir, "truth", "mule_accounts.csv")) {
		level[m["account"]] = m["level"]
	}
	type flow struct{ in, out int64 }
	flows := map[string]*flow{}
	seen := map[string]bool{}
	for _, r := range readCSV(t, filepath.Join(dir, "transactions.csv")) {
		lv, ok := level[r["account"]]
		if !ok {
			continue
		}
		seen[lv] = true
		f := flows[r["account"]]
		if f == nil {
			f = &flow{}
			flows[r["account"]] = f
		}
		cents := centsOf(r["amount"])
		if cents > 0 {
			f.in += cents
		} else {
			f.out -= cents
		}
		// Conservation at every moment: a mule never forwards more than it has received.
		if f.out > f.in {
			t.Fatalf("mule %s forwarded %d cents but received only %d by %s", r["account"], f.out, f.in, r["time"])
		}
	}
	for _, lv := range []string{"1", "2", "3", "4"} {
		if !seen[lv] {
			t.Errorf("no transactions of a level-%s mule account", lv)
		}
	}
}

func centsOf(s string) int64 {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := w*100 + f
	if neg {
		return -v
	}
	return v
}

func TestCounterpartyDegreesAreHeavyTailed(t *testing.T) {
	dir, _ := testWorld(t)
	partners := map[string]map[string]bool{}
	for _, r := range readCSV(t, filepath.Join(dir, "transactions.csv")) {
		if r["counterparty_account"] == "" {
			continue
		}
		m := partners[r["account"]]
		if m == nil {
			m = map[string]bool{}
			partners[r["account"]] = m
		}
		m[r["counterparty_account"]] = true
	}
	var deg []int
	for _, m := range partners {
		deg = append(deg, len(m))
	}
	sort.Ints(deg)
	median, top := deg[len(deg)/2], deg[len(deg)-1]
	if top < 8*median {
		t.Errorf("max degree %d is not far above the median %d: the graph is not heavy-tailed", top, median)
	}
}

func TestViolationAnswersPointAtRecords(t *testing.T) {
	dir, _ := testWorld(t)
	var viol []Violation
	b, _ := os.ReadFile(filepath.Join(dir, "truth", "violations.json"))
	if err := json.Unmarshal(b, &viol); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, v := range viol {
		types[v.Type]++
	}
	for _, want := range []string{"pension_paid_during_custody", "pension_raised_during_correction", "drunk_driving_licence_not_revoked", "correction_subject_driving_revoked_licence", "shell_company_active_after_conviction", "non_prosecution_without_followup", "cards_at_many_banks", "sims_over_operator_cap", "false_litigation_many_lending_suits"} {
		if types[want] == 0 {
			t.Errorf("no injected violation of type %s", want)
		}
	}
	custody := map[string][2]string{}
	for _, c := range readCSV(t, filepath.Join(dir, "custody.csv")) {
		if c["custody_type"] == "服刑" {
			custody[c["id_number"]] = [2]string{c["start_date"], c["end_date"]}
		}
	}
	paidIn := map[string]bool{}
	for _, p := range readCSV(t, filepath.Join(dir, "benefits.csv")) {
		if w, ok := custody[p["id_number"]]; ok && p["pay_date"] >= w[0] && p["pay_date"] < w[1] {
			paidIn[p["id_number"]] = true
		}
	}
	for _, v := range viol {
		if v.Type == "pension_paid_during_custody" && !paidIn[v.IDNumber] {
			t.Errorf("violation says %s was paid in custody, but benefits show no such payment", v.IDNumber)
		}
	}
	for id := range paidIn {
		found := false
		for _, v := range viol {
			found = found || (v.Type == "pension_paid_during_custody" && v.IDNumber == id)
		}
		if !found {
			t.Errorf("%s was paid in custody but the truth does not list it", id)
		}
	}
}
