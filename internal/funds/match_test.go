package funds

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// bankRows reads lines "TXID ACCOUNT COUNTERPARTY YUAN MINUTES [MEMO]" (YUAN signed).
func bankRows(t *testing.T, spec string) []BankRow {
	t.Helper()
	var rows []BankRow
	for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			t.Fatalf("%q: want TXID ACCOUNT COUNTERPARTY YUAN MINUTES [MEMO]", line)
		}
		c, err := ParseCents(f[3])
		if err != nil {
			t.Fatal(err)
		}
		var min int64
		fmt.Sscan(f[4], &min)
		r := BankRow{TxID: f[0], Account: f[1], Counterparty: f[2], Cents: c, Unix: t0 + min*60}
		if len(f) > 5 {
			r.Memo = f[5]
		}
		rows = append(rows, r)
	}
	return rows
}

func pairs(r *MatchResult) map[string]string {
	m := map[string]string{}
	for _, x := range r.Matches {
		m[x.OutTx] = x.InTx
	}
	return m
}

func TestMatchTransfers(t *testing.T) {
	day := 24 * 60
	tests := []struct {
		name      string
		out, in   string
		opt       MatchOptions
		want      map[string]string
		unmatched int // unmatched outgoing rows
		explain   string
	}{
		{"a transfer arriving two days later is matched",
			"o1 A1 B1 -1000 0 往来款", fmt.Sprintf("i1 B1 A1 1000 %d 往来款", 2*day), MatchOptions{},
			map[string]string{"o1": "i1"}, 0, "2 d 0 h later"},
		{"a transfer arriving after the window is not",
			"o1 A1 B1 -1000 0", fmt.Sprintf("i1 B1 A1 1000 %d", 6*day), MatchOptions{},
			map[string]string{}, 1, ""},
		{"a fee within the tolerance is matched and explained",
			"o1 A1 B1 -1000 0", "i1 B1 A1 985 30", MatchOptions{},
			map[string]string{"o1": "i1"}, 0, "-15.00, -1.50%: a fee or exchange"},
		{"a fee beyond the tolerance is not",
			"o1 A1 B1 -1000 0", "i1 B1 A1 950 30", MatchOptions{},
			map[string]string{}, 1, ""},
		{"another account pair is not matched",
			"o1 A1 B1 -1000 0", "i1 B2 A1 1000 30", MatchOptions{},
			map[string]string{}, 1, ""},
		{"an exact match is required when the tolerance is negative",
			"o1 A1 B1 -1000 0", "i1 B1 A1 999.99 30", MatchOptions{TolerancePct: -1},
			map[string]string{}, 1, ""},
		{"of two candidates the closer in time wins and the other is left",
			"o1 A1 B1 -1000 0", "i1 B1 A1 1000 600\ni2 B1 A1 1000 20", MatchOptions{},
			map[string]string{"o1": "i2"}, 0, "best of 2 candidates"},
		{"a truncated memo breaks a tie between equal amounts and times",
			"o1 A1 B1 -500 0 货款-张三\no2 A1 B1 -500 0 借款-李四", "i1 B1 A1 500 10 借款\ni2 B1 A1 500 10 货款",
			MatchOptions{}, map[string]string{"o1": "i2", "o2": "i1"}, 0, "100% alike"},
		{"two outgoing rows never share one incoming row",
			"o1 A1 B1 -1000 0\no2 A1 B1 -1000 5", "i1 B1 A1 1000 6", MatchOptions{},
			map[string]string{"o2": "i1"}, 1, ""},
		{"a narrower window from the options applies",
			"o1 A1 B1 -1000 0", "i1 B1 A1 1000 180", MatchOptions{MaxDelay: time.Hour},
			map[string]string{}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A's statement also holds B1's account number as a counterparty; B's export
			// has B1 and B2 as statement accounts.
			ins := bankRows(t, tt.in+"\nb0 B2 Z 1 0\nb1 B1 Z 1 0")
			r := MatchTransfers(bankRows(t, tt.out), ins, tt.opt)
			got := pairs(r)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
			if len(r.UnmatchedOut) != tt.unmatched {
				t.Errorf("unmatched out = %+v, want %d", r.UnmatchedOut, tt.unmatched)
			}
			if tt.explain != "" && (len(r.Matches) == 0 || !strings.Contains(r.Matches[0].Explanation, tt.explain)) {
				t.Errorf("explanation %v does not say %q", r.Matches, tt.explain)
			}
		})
	}
}

func TestMatchTransfersUsesEachRowOnce(t *testing.T) {
	var out, in strings.Builder
	for i := range 40 {
		fmt.Fprintf(&out, "o%d A1 B1 -%d 0\n", i, 100+i%3)
		fmt.Fprintf(&in, "i%d B1 A1 %d %d\n", i, 100+(i+1)%3, i)
	}
	r := MatchTransfers(bankRows(t, out.String()), bankRows(t, in.String()), MatchOptions{TolerancePct: 5})
	seenIn := map[string]bool{}
	for _, m := range r.Matches {
		if seenIn[m.InTx] {
			t.Fatalf("incoming row %s matched twice", m.InTx)
		}
		seenIn[m.InTx] = true
	}
	if len(r.Matches)+len(r.UnmatchedOut) != 40 || len(r.Matches)+len(r.UnmatchedIn) != 40 {
		t.Errorf("%d matches, %d and %d unmatched: rows lost", len(r.Matches), len(r.UnmatchedOut), len(r.UnmatchedIn))
	}
	if len(r.Matches) != 40 {
		t.Errorf("%d matches, want all 40 (every amount is within 5%%)", len(r.Matches))
	}
}

func TestMemoSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"往来款-张三", "往来款", 1},
		{"", "往来款", 0},
		{"货款", "借款", 0},
		{"abcd", "abxd", 1.0 / 3},
	}
	for _, tt := range tests {
		if got := MemoSimilarity(tt.a, tt.b); fmt.Sprintf("%.3f", got) != fmt.Sprintf("%.3f", tt.want) {
			t.Errorf("MemoSimilarity(%q, %q) = %.3f, want %.3f", tt.a, tt.b, got, tt.want)
		}
	}
}

func BenchmarkMatchTransfers(b *testing.B) {
	var outs, ins []BankRow
	for i := range 20000 {
		a, c := fmt.Sprintf("A%d", i%500), fmt.Sprintf("B%d", i%300)
		outs = append(outs, BankRow{TxID: fmt.Sprint("o", i), Account: a, Counterparty: c, Cents: -int64(10000 + i%977), Unix: t0 + int64(i)*60})
		ins = append(ins, BankRow{TxID: fmt.Sprint("i", i), Account: c, Counterparty: a, Cents: int64(10000 + i%977), Unix: t0 + int64(i)*60 + 3600})
	}
	b.ResetTimer()
	for range b.N {
		MatchTransfers(outs, ins, MatchOptions{})
	}
}
