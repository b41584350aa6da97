package funds

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDetectFindsEachTypologyInAHandMadeGraph(t *testing.T) {
	g := transfers(t, `
S1 HUB 100 0
S2 HUB 100 1
S3 HUB 100 2
P Q1 50 0
P Q2 50 1
P Q3 50 2
C1 C2 10 0
C2 C3 10 1
C3 C1 10 2
SRC M1 70 0
SRC M2 70 0
SRC M3 70 0
M1 SNK 69 5
M2 SNK 69 5
M3 SNK 69 5
R1 R2 5 0
R1 R2 5 100
R1 R2 5 200
R2 R1 5 300`)
	res, err := Detect(context.Background(), g, DefaultTypologyParams(), nil)
	if err != nil {
		t.Fatal(err)
	}
	has := func(typ string, accts ...string) bool {
		for _, f := range res.Findings {
			if f.Typology == typ && slices.Equal(f.Accounts, accts) {
				return true
			}
		}
		return false
	}
	tests := []struct {
		typ   string
		accts []string
	}{
		{FanIn, []string{"HUB", "S1", "S2", "S3"}},
		{FanOut, []string{"P", "Q1", "Q2", "Q3"}},
		{Cycle, []string{"C1", "C2", "C3"}},
		{ScatterGather, []string{"M1", "M2", "M3", "SNK", "SRC"}},
	}
	for _, tt := range tests {
		if !has(tt.typ, tt.accts...) {
			t.Errorf("no %s finding with %v; findings %+v", tt.typ, tt.accts, res.Findings)
		}
	}
	if slices.Contains(res.FlaggedAccounts, "R1") {
		t.Error("R1 and R2 deal with each other regularly, yet they are flagged")
	}
}

func TestTypologyParamsRejectUnknownNames(t *testing.T) {
	p := DefaultTypologyParams()
	if err := p.Set("fan_min=5"); err != nil || p.FanMin != 5 {
		t.Errorf("fan_min=5: %v, FanMin %d", err, p.FanMin)
	}
	if err := p.Set("fan_money_pct=30"); err != nil || p.FanMoneyPct != 30 {
		t.Errorf("fan_money_pct=30: %v, FanMoneyPct %d", err, p.FanMoneyPct)
	}
	for _, bad := range []string{"fan=3", "fan_min=0", "fan_min", "fan_money_pct=101"} {
		if err := p.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}

// datasetsDir finds the shared external datasets (PROCURA_DATASETS, or shared/datasets next
// to a parent of the working directory).
func datasetsDir(t testing.TB) string {
	if d := os.Getenv("PROCURA_DATASETS"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for {
		if st, err := os.Stat(filepath.Join(dir, "shared", "datasets")); err == nil && st.IsDir() {
			return filepath.Join(dir, "shared", "datasets")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("external datasets not found: set PROCURA_DATASETS to the shared/datasets folder")
		}
		dir = parent
	}
}

// LoadAMLSim reads AMLSim transactions.csv(.gz) rows as outgoing rows of orig_acct.
func loadAMLSim(t testing.TB, path string) *Graph {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("AMLSim data not available: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "transactions.csv")
	out, _ := os.Create(tmp)
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	out.Close()
	b := NewBuilder(1 << 19)
	readCSV(t, tmp, func(m map[string]string) {
		c, err := ParseCents(m["base_amt"])
		if err != nil {
			t.Fatal(err)
		}
		tm, err := time.Parse(time.RFC3339, m["tran_timestamp"])
		if err != nil {
			t.Fatal(err)
		}
		b.Add(Row{TxID: m["tran_id"], Account: m["orig_acct"], Counterparty: m["bene_acct"], Cents: -c, Unix: tm.Unix(), Channel: m["tx_type"], Balance: NoBalance})
	})
	return b.Build()
}

var scoredAML = []string{FanIn, FanOut, Cycle, ScatterGather, GatherScatter}

func TestTypologiesOnAMLSimReachTheirF1WithTheDefaults(t *testing.T) {
	tests := []struct {
		dir   string
		floor float64 // guards against regressions; issue 5 targets 0.85 on the 12k run
	}{
		{"amlsim-12k-seed42", 0.88},
		{"amlsim-1k-seed0", 0.75},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join(datasetsDir(t), tt.dir)
			g := loadAMLSim(t, filepath.Join(dir, "transactions.csv.gz"))
			res, err := Detect(context.Background(), g, DefaultTypologyParams(), nil)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(filepath.Join(dir, "alert_accounts.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sar, look, err := ReadAMLSimAlerts(f)
			if err != nil {
				t.Fatal(err)
			}
			ev := EvaluateAML(res, sar, look, g.AccountsInData(), scoredAML)
			for _, typ := range append(scoredAML, AMLSimMembershipTypologies...) {
				s := ev.ByTypology[typ]
				t.Logf("%-15s members %4d P %.3f R %.3f F1 %.3f (any detector recall %.3f)", typ, s.Positives, s.Precision, s.Recall, s.F1, ev.RecallAnyDetector[typ])
			}
			t.Logf("findings %v", res.Counts)
			t.Logf("overall P %.3f R %.3f F1 %.3f; look-alikes flagged %.2f of %d; %s", ev.Overall.Precision, ev.Overall.Recall, ev.Overall.F1,
				ev.LookAlikesFlagged, ev.LookAlikes, time.Duration(res.Seconds*float64(time.Second)))
			if ev.Overall.F1 < tt.floor {
				t.Errorf("overall F1 %.3f fell below %.2f", ev.Overall.F1, tt.floor)
			}
		})
	}
}

func TestUnusualTransfersAreOneOffsAndBreaksOfAPairsRhythm(t *testing.T) {
	const day = 24 * 60
	tests := []struct {
		name    string
		minutes []int64 // times of A→B transfers
		unusual []int   // indices among them that should be unusual
	}{
		{"a single transfer is unusual", []int64{0}, []int{0}},
		{"two transfers are a relationship", []int64{0, 3 * day}, nil},
		{"a weekly payment is regular", []int64{0, 7 * day, 14 * day, 21 * day, 28 * day}, nil},
		{"an extra payment between weekly ones is unusual", []int64{0, 7 * day, 9 * day, 14 * day, 21 * day}, []int{2}},
		{"an extra payment before the weekly ones start is unusual", []int64{0, 30 * day, 37 * day, 44 * day}, []int{0}},
		{"in a pair without rhythm only an isolated end stands out", []int64{0, 2 * day, 9 * day, 10 * day, 25 * day}, []int{4}},
		{"a transfer long before two close ones is unusual", []int64{0, 40 * day, 41 * day}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var spec strings.Builder
			for _, m := range tt.minutes {
				fmt.Fprintf(&spec, "A B 10 %d\n", m)
			}
			g := transfers(t, spec.String())
			p := DefaultTypologyParams()
			d := &detector{g: g, p: p, res: &TypologyResult{}}
			d.unusual()
			var got []int
			for _, x := range d.out[0] {
				got = append(got, int(x.edge))
			}
			if !slices.Equal(got, tt.unusual) {
				t.Errorf("unusual transfers %v, want %v", got, tt.unusual)
			}
		})
	}
}

func TestFanInIgnoresABusyAccountsOccasionalStrangers(t *testing.T) {
	// SHOP is paid regularly by 40 customers and once each by 3 strangers: a shop, not a
	// collection account.
	var spec strings.Builder
	for c := range 40 {
		for w := range 4 {
			fmt.Fprintf(&spec, "C%d SHOP 10 %d\n", c, w*7*24*60)
		}
	}
	for s := range 3 {
		fmt.Fprintf(&spec, "X%d SHOP 500 %d\n", s, 100+s)
	}
	g := transfers(t, spec.String())
	res, err := Detect(context.Background(), g, DefaultTypologyParams(), []string{FanIn})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("a shop with 3 one-off payers among 43 was flagged: %+v", res.Findings)
	}
}

func TestLifeKindReadsWhatAMemoSaysATransferIsFor(t *testing.T) {
	tests := []struct{ memo, want string }{
		{"网上银行 代发工资", LifeSalary},
		{"工资", LifeSalary},
		{"养老金", LifePension},
		{"手机银行 房租", LifeRent},
		{"代扣 电费", LifeUtility},
		{"快捷支付 支付宝消费", LifePurchase},
		{"POS 银联消费", LifePurchase},
		{"Salary March", LifeSalary},
		{"手机银行 转账", ""},
		{"网上银行 往来款", ""},
		{"货款", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := LifeKind(tt.memo); got != tt.want {
			t.Errorf("LifeKind(%q) = %q, want %q", tt.memo, got, tt.want)
		}
	}
}

func TestTypologiesDiscountOrdinaryLife(t *testing.T) {
	tests := []struct {
		name     string
		spec     string
		typology string
		hub      string // "" when nothing may be found
	}{
		{"strangers' one-off transfers make a fan-in", `
S1 HUB 100 0
S2 HUB 100 1
S3 HUB 100 2`, FanIn, "HUB"},
		{"salaries from three employers are not a fan-in", `
S1 HUB 100 0 memo=代发工资
S2 HUB 100 1 memo=代发工资
S3 HUB 100 2 memo=工资`, FanIn, ""},
		{"a large purchase is not explained by its memo", `
S1 GOLD 20000 0 memo=POS消费
S2 GOLD 20000 1 memo=POS消费
S3 GOLD 20000 2 memo=POS消费`, FanIn, "GOLD"},
		{"an account that pays strangers out of money just received is a fan-out", `
X P 6000 0
P Q1 2000 10 bal=4000
P Q2 2000 20 bal=2000
P Q3 1990 30 bal=10`, FanOut, "P"},
		{"an account that pays strangers out of its savings is not", `
- P 100000 -10 bal=100000
X P 6000 0
P Q1 2000 10 bal=104000
P Q2 2000 20 bal=102000
P Q3 1990 30 bal=100010`, FanOut, ""},
		{"without balances the savings cannot be seen, and the fan-out stands", `
- P 100000 -10
X P 6000 0
P Q1 2000 10
P Q2 2000 20
P Q3 1990 30`, FanOut, "P"},
		{"money that runs through within hours is fast-in-fast-out", `
X P 6000 0
P Q1 5900 10 bal=100`, FastInOut, "P"},
		{"money that stays is not", `
X P 6000 0
P Q1 2900 10 bal=3100`, FastInOut, ""},
		{"money passed on after the window is not", `
X P 6000 0
P Q1 5900 2000 bal=100`, FastInOut, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := transfers(t, tt.spec)
			res, err := Detect(context.Background(), g, DefaultTypologyParams(), []string{tt.typology})
			if err != nil {
				t.Fatal(err)
			}
			var hubs []string
			for _, f := range res.Findings {
				var hub string
				fmt.Sscanf(f.Explanation, "account %s", &hub)
				hubs = append(hubs, hub)
			}
			if tt.hub == "" && len(hubs) > 0 || tt.hub != "" && !slices.Contains(hubs, tt.hub) {
				t.Errorf("%s findings at %v, want at %q; findings %+v", tt.typology, hubs, tt.hub, res.Findings)
			}
		})
	}
}
