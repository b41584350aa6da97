package funds

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// findings returns the account lists of the findings of one typology.
func findings(res *TypologyResult, typ string) [][]string {
	var out [][]string
	for _, f := range res.Findings {
		if f.Typology == typ {
			out = append(out, f.Accounts)
		}
	}
	return out
}

// touches reports whether any finding of typ lists any of the accounts.
func touches(res *TypologyResult, typ string, accts ...string) bool {
	for _, l := range findings(res, typ) {
		for _, a := range accts {
			if slices.Contains(l, a) {
				return true
			}
		}
	}
	return false
}

// complete writes a transfer from each sender to each receiver, starting at minute start,
// step minutes apart.
func complete(senders, receivers []string, start, step int) string {
	var b strings.Builder
	m := start
	for _, s := range senders {
		for _, r := range receivers {
			fmt.Fprintf(&b, "%s %s 100 %d\n", s, r, m)
			m += step
		}
	}
	return b.String()
}

func detect(t *testing.T, g *Graph, known Known, only ...string) *TypologyResult {
	t.Helper()
	res, err := DetectKnown(context.Background(), g, DefaultTypologyParams(), only, known)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestBipartiteFindsACompleteGroupAndNotItsLookAlikes(t *testing.T) {
	S, R := []string{"S1", "S2", "S3"}, []string{"R1", "R2", "R3"}
	spec := complete(S, R, 0, 1)
	// A group with one transfer missing.
	spec += strings.Replace(complete([]string{"T1", "T2", "T3"}, []string{"U1", "U2", "U3"}, 0, 1), "T3 U3 100 8\n", "", 1)
	// A group whose pairs pay each other every week: regular relationships.
	for w := range 4 {
		spec += complete([]string{"V1", "V2", "V3"}, []string{"W1", "W2", "W3"}, w*7*1440, 1)
	}
	// A fan-in: many senders, one receiver.
	spec += "F1 HUB 100 0\nF2 HUB 100 1\nF3 HUB 100 2\nF4 HUB 100 3\n"
	res := detect(t, transfers(t, spec), Known{}, Bipartite, Stack)
	if got := findings(res, Bipartite); len(got) != 1 || !slices.Equal(got[0], []string{"R1", "R2", "R3", "S1", "S2", "S3"}) {
		t.Errorf("bipartite findings %v, want one with R1-3 and S1-3", got)
	}
	if touches(res, Bipartite, "T1", "U1", "V1", "W1", "HUB") || len(findings(res, Stack)) > 0 {
		t.Errorf("look-alikes flagged: %+v", res.Findings)
	}
}

func TestStackFindsLayersThatPassMoneyOn(t *testing.T) {
	A, B, C := []string{"A1", "A2", "A3"}, []string{"B1", "B2", "B3"}, []string{"C1", "C2", "C3"}
	spec := complete(A, B, 0, 1) + complete(B, C, 100, 1)
	// Two groups sharing the middle, but the middle paid the last layer before the first
	// layer paid it: no money passed on, two separate bipartite groups.
	D, E, F := []string{"D1", "D2", "D3"}, []string{"E1", "E2", "E3"}, []string{"F1", "F2", "F3"}
	spec += complete(E, F, 0, 1) + complete(D, E, 100, 1)
	res := detect(t, transfers(t, spec), Known{}, Bipartite, Stack)
	want := []string{"A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3"}
	if got := findings(res, Stack); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Errorf("stack findings %v, want one with %v", got, want)
	}
	if touches(res, Bipartite, "A1", "B1", "C1") {
		t.Errorf("the stack's layers are also reported as bipartite: %+v", findings(res, Bipartite))
	}
	if got := findings(res, Bipartite); len(got) != 2 || touches(res, Stack, "D1", "E1", "F1") {
		t.Errorf("layers in the wrong time order: bipartite %v, stack %v; want two bipartite groups", got, findings(res, Stack))
	}
}

func TestStructuringFindsDaysJustBelowTheThreshold(t *testing.T) {
	day := 2 * 1440 // two days apart: distinct days in any time zone
	var b strings.Builder
	row := func(format string, i int, args ...any) {
		fmt.Fprintf(&b, format+"\n", append(args, i*day)...)
	}
	for i := range 3 {
		row("- P %s %d", i, []string{"48000", "49500", "46000"}[i]) // cash in just below 50,000
		row("W - 49000 %d CASH", i)                                 // cash out just below
		row("- Q 50000 %d", i)                                      // at the threshold: reported
		row("- L 30000 %d", i)                                      // far below
		row("- X 30000 %d", i)                                      // 60,000 a day: reported
		row("- X 30000 %d", i)
		row("PP Y 480000 %d", i)                  // a person's transfers below 500,000
		row("CO Z 1900000 %d holder=某某贸易有限公司", i) // a company's below 2,000,000
		row("PQ Z 1900000 %d holder=张三", i)       // a person's 1,900,000: reported
	}
	// A business whose cash takings cross the threshold between its near days.
	b.WriteString("- B 48000 0\n- B 60000 2880\n- B 48000 5760\n- B 49000 8640\n- B 52000 11520\n- B 47000 14400\n")
	// Near days too far apart, and too few.
	b.WriteString("- S 49000 0\n- S 49000 43200\n- S 49000 86400\n- T 49000 0\n- T 49000 2880\n")
	res := detect(t, transfers(t, b.String()), Known{}, Structuring)
	var got []string
	for _, l := range findings(res, Structuring) {
		got = append(got, l...)
	}
	slices.Sort(got)
	if want := []string{"CO", "P", "PP", "W"}; !slices.Equal(got, want) {
		t.Errorf("structuring flagged %v, want %v; findings %+v", got, want, res.Findings)
	}
	if len(res.ReportThresholds) == 0 || !strings.Contains(res.ReportThresholds[0].Basis, "中国人民银行令〔2016〕第3号") {
		t.Errorf("the result does not state the thresholds' legal basis: %+v", res.ReportThresholds)
	}
}

func TestManyVictimsFindsTheAccountVictimsPaid(t *testing.T) {
	spec := `
V1 MULE 5000 0
V2 MULE 3000 10
V4 MULE 2000 20
V1 TWO 100 0
V2 TWO 100 1
V1 ONE 100 0
V1 SHOP 100 0 memo=消费
V2 SHOP 100 1 memo=消费
V3 SHOP 100 2 memo=消费
V3 X 1 3
V4 X 1 4 card=C4
- KEEP 100000 -10 bal=100000
V1 KEEP 100 5
V2 KEEP 100 6`
	g := transfers(t, spec)
	// V4 is known by its card number; KEEP kept the money it received (its statement shows
	// a balance far above it), so it passed nothing on.
	res := detect(t, g, Known{Victims: []string{"V1", "V2", "V3", "C4", "NOT-IN-DATA"}}, ManyVictims)
	got := findings(res, ManyVictims)
	if want := [][]string{{"MULE"}, {"TWO"}, {"X"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("many_victims findings %v, want %v", got, want)
	}
	if f := res.Findings; len(f) > 0 && (len(f[0].Transactions) != 3 || !strings.Contains(f[0].Explanation, "3 known victims")) {
		t.Errorf("finding %+v: want the 3 victims' transfers", f[0])
	}
	if res := detect(t, g, Known{}, ManyVictims); len(res.Findings) != 0 {
		t.Errorf("without known victims: %+v", res.Findings)
	}
}

func TestReadVictimsTakesNumberColumnsOrLines(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"name,账号,卡号\n张三,621,622\n李四,,623\n", []string{"621", "622", "623"}},
		{"6212\n6213\n6212\n", []string{"6212", "6213"}},
		{"\ufeffbank_card\n9\n", []string{"9"}},
	}
	for _, tt := range tests {
		got, err := ReadVictims(strings.NewReader(tt.in))
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ReadVictims(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ReadVictims(strings.NewReader("账号\n")); err == nil {
		t.Error("a file without numbers was accepted")
	}
}

func FuzzReadVictims(f *testing.F) {
	f.Add("账号,卡号\n621,622\n")
	f.Add("6212\n\"x\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ReadVictims(strings.NewReader(in))
		if err == nil && len(got) == 0 {
			t.Error("no numbers and no error")
		}
		for _, v := range got {
			if v == "" || strings.TrimSpace(v) != v {
				t.Errorf("number %q is empty or untrimmed", v)
			}
		}
	})
}

// TestFanInLeavesAShopLivingOnItsTakings reproduces what flagged 16,000 accounts of the
// medium synthetic world: a shop (or a busy person) whose one-off payers grow with the
// population, while its money comes from its takings. The share of payers (fan_share_pct)
// does not tell it from a collection account; the share of money does.
func TestFanInLeavesAShopLivingOnItsTakings(t *testing.T) {
	shop := func(ownStatement bool) string {
		var spec strings.Builder
		// 60 customers pay by WeChat or card, 300 yuan a week each for 8 weeks.
		for c := range 60 {
			for w := range 8 {
				memo := "微信支付"
				if c%2 == 1 {
					memo = "POS消费"
				}
				fmt.Fprintf(&spec, "C%d SHOP 300 %d memo=%s\n", c, w*7*24*60+c, memo)
			}
		}
		// 25 strangers send one transfer each (a deposit, a debt repaid, a mistake), half a
		// day before the shop pays its supplier.
		for s := range 25 {
			fmt.Fprintf(&spec, "X%d SHOP 200 %d\n", s, (s%8)*7*24*60+6*24*60-12*60+s)
		}
		if ownStatement {
			// The shop's own statement: every week it pays its supplier all it has but
			// 50 yuan, so its balance runs low within hours of each stranger's transfer,
			// as if it passed that money on.
			for w := range 8 {
				fmt.Fprintf(&spec, "SHOP SUPPLIER 18000 %d memo=货款 bal=50\n", w*7*24*60+6*24*60)
			}
		}
		return spec.String()
	}
	for _, own := range []bool{false, true} {
		t.Run(fmt.Sprintf("own statement %v", own), func(t *testing.T) {
			g := transfers(t, shop(own))
			res, err := Detect(context.Background(), g, DefaultTypologyParams(), []string{FanIn})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) != 0 {
				t.Errorf("a shop whose 25 one-off payers brought 5,000 of its 149,000 yuan was flagged: %s", res.Findings[0].Explanation)
			}
		})
	}
	// The same strangers' transfers into an account with no takings make a collection account.
	var spec strings.Builder
	for s := range 25 {
		fmt.Fprintf(&spec, "X%d MULE 200 %d\n", s, 3*24*60+s*2*24*60+7)
	}
	for c := range 3 {
		fmt.Fprintf(&spec, "C%d MULE 300 %d memo=微信支付\n", c, 7*24*60+c)
	}
	res, err := Detect(context.Background(), transfers(t, spec.String()), DefaultTypologyParams(), []string{FanIn})
	if err != nil {
		t.Fatal(err)
	}
	// 5,000 yuan from strangers against 900 of purchases paid to it in that time: 84%.
	if len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Explanation, "account MULE received 25 transfers") ||
		!strings.Contains(res.Findings[0].Explanation, "they brought 84% of the money") {
		t.Errorf("an account living on 25 strangers' transfers was not a fan-in: %+v", res.Findings)
	}
}
