package funds

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC).Unix()

// transfers builds a graph from lines "FROM TO YUAN MINUTE [CHANNEL [TXID]]", one row per
// transfer, written as the outgoing row of FROM ("-" = cash: a deposit when FROM is "-", a
// withdrawal when TO is "-"). Balances are left to reconstruction unless a line ends in
// "bal=YUAN" (the balance of FROM after the row).
func transfers(t testing.TB, spec string) *Graph {
	t.Helper()
	b := NewBuilder(16)
	for i, line := range strings.Split(strings.TrimSpace(spec), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			t.Fatalf("line %d %q: want FROM TO YUAN MINUTE", i+1, line)
		}
		c, err := ParseCents(f[2])
		if err != nil {
			t.Fatal(err)
		}
		var min int64
		fmt.Sscan(f[3], &min)
		r := Row{TxID: fmt.Sprintf("t%d", i+1), Unix: t0 + min*60, Channel: "网银", Balance: NoBalance}
		for _, x := range f[4:] {
			switch {
			case strings.HasPrefix(x, "bal="):
				v, _ := ParseCents(x[4:])
				r.Balance = v
			case strings.HasPrefix(x, "id="):
				r.TxID = x[3:]
			case strings.HasPrefix(x, "memo="):
				r.Memo = x[5:]
			case strings.HasPrefix(x, "card="):
				r.Card = x[5:]
			case strings.HasPrefix(x, "holder="):
				r.Holder = x[7:]
			default:
				r.Channel = x
			}
		}
		switch {
		case f[0] == "-": // cash deposit into TO
			r.Account, r.Cents = f[1], c
		default:
			r.Account, r.Cents = f[0], -c
			if f[1] != "-" {
				r.Counterparty = f[1]
			}
		}
		if err := b.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Build()
}

func mustTrace(t testing.TB, g *Graph, o TraceOptions) *Result {
	t.Helper()
	r, err := Trace(context.Background(), g, o)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ConservationOK {
		t.Fatalf("conservation failed: %v", r.ConservationErrors)
	}
	return r
}

func seedsOf(t testing.TB, g *Graph, ids ...string) []int32 {
	t.Helper()
	s, err := g.SeedsFromTxIDs(ids)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func account(r *Result, name string) (AccountResult, bool) {
	for _, a := range r.Accounts {
		if a.Account == name {
			return a, true
		}
	}
	return AccountResult{}, false
}

func TestTraceFollowsAChainToCashOutAndBalance(t *testing.T) {
	g := transfers(t, `
V A 1000 0 id=seed
A B 600 5
A C 400 6
B - 600 10 ATM
C D 50 3`)
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed"), MinCents: 100})
	want := map[string]struct {
		level   int
		in, out Cents
		cash    Cents
	}{
		"A": {1, 100000, 100000, 0},
		"B": {2, 60000, 60000, 60000},
		"C": {2, 40000, 0, 0},
	}
	for name, w := range want {
		a, ok := account(r, name)
		if !ok {
			t.Fatalf("account %s missing from %+v", name, r.Accounts)
		}
		if a.Level != w.level || a.In != w.in || a.Out != w.out || a.CashOut != w.cash {
			t.Errorf("%s = level %d in %s out %s cash %s, want %+v", name, a.Level, a.In, a.Out, a.CashOut, w)
		}
	}
	if _, ok := account(r, "D"); ok {
		t.Error("D was paid before C received the money, yet it is in the trace")
	}
	if got := r.Seeds[0].Exits; got[ExitCashOut] != 60000 || got[ExitOnBalance] != 40000 {
		t.Errorf("exits = %v, want 600 cash-out and 400 on balance", got)
	}
}

// A receives 300 of its own, then 1000 of the victim, then 500 of its own, then pays 700.
func TestPoliciesAttributeAMixedAccountDifferently(t *testing.T) {
	spec := `
X A 300 0
V A 1000 1 id=seed
Y A 500 2
A B 700 3`
	tests := []struct {
		policy Policy
		wantB  Cents
	}{
		{FIFO, 40000},         // 300 own first, then 400 of the victim
		{LIBR, 0},             // 800 own money covers the 700
		{Proportional, 38888}, // 700 × 1000/1800 = 388.888…, rounded down to the cent
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			g := transfers(t, spec)
			r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed"), Policy: tt.policy})
			b, _ := account(r, "B")
			if b.In != tt.wantB {
				t.Errorf("B received %s of the victim's money, want %s", b.In, tt.wantB)
			}
			a, _ := account(r, "A")
			if a.Retained != 100000-tt.wantB {
				t.Errorf("A retains %s, want %s", a.Retained, 100000-tt.wantB)
			}
		})
	}
}

func TestLIBRKeepsTracedMoneyAtTheLowestIntermediateBalance(t *testing.T) {
	// A holds 1000 of the victim, spends down to 200, then receives 5000 of its own: only
	// 200 can still be the victim's, whatever A pays afterwards.
	g := transfers(t, `
V A 1000 0 id=seed
A B 800 1
Z A 5000 2
A C 4000 3`)
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed"), Policy: LIBR})
	b, _ := account(r, "B")
	a, _ := account(r, "A")
	if b.In != 80000 || a.Retained != 20000 {
		t.Errorf("B got %s and A retains %s, want 800 and 200", b.In, a.Retained)
	}
	if _, ok := account(r, "C"); ok {
		t.Error("C got traced money although A's own money covered the payment")
	}
}

func TestStatementBalanceRevealsOwnMoney(t *testing.T) {
	// The statement says A held 500 before the victim paid (balance 1500 after): under FIFO
	// the first 500 out are A's own.
	g := transfers(t, `
V A 1000 0 id=seed
A B 600 1 bal=900`)
	// Add A's incoming side with its balance: rebuild with the in-row.
	b := NewBuilder(4)
	for _, r := range []Row{
		{TxID: "seed", Account: "V", Counterparty: "A", Cents: -100000, Unix: t0, Balance: NoBalance},
		{TxID: "in", Account: "A", Counterparty: "V", Cents: 100000, Unix: t0, Balance: 150000},
		{TxID: "out", Account: "A", Counterparty: "B", Cents: -60000, Unix: t0 + 60, Balance: 90000},
	} {
		b.Add(r)
	}
	g = b.Build()
	if g.MergedRows != 1 || g.NumEdges() != 2 {
		t.Fatalf("two-sided transfer not merged: %d edges, %d merged", g.NumEdges(), g.MergedRows)
	}
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed"), Policy: FIFO})
	if bb, _ := account(r, "B"); bb.In != 10000 {
		t.Errorf("B got %s of the victim's money, want 100 (500 of the 600 were A's own)", bb.In)
	}
}

func TestTraceStopsAtLimits(t *testing.T) {
	spec := `
V A 1000 0 id=seed
A B 1000 10
B C 1000 20
C D 1000 6000`
	tests := []struct {
		name    string
		o       TraceOptions
		reached []string
		exit    string
	}{
		{"max hops", TraceOptions{MaxHops: 2}, []string{"A", "B"}, ExitMaxHops},
		{"min amount", TraceOptions{MinCents: 200000}, []string{"A"}, ExitBelowMin},
		{"hop window", TraceOptions{HopWindow: 24 * time.Hour}, []string{"A", "B", "C"}, ExitHeld},
		{"no limits", TraceOptions{}, []string{"A", "B", "C", "D"}, ExitOutside}, // D has no statement
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := transfers(t, spec)
			tt.o.Seeds = seedsOf(t, g, "seed")
			r := mustTrace(t, g, tt.o)
			if len(r.Accounts) != len(tt.reached) {
				t.Errorf("reached %d accounts, want %v", len(r.Accounts), tt.reached)
			}
			for _, name := range tt.reached {
				if _, ok := account(r, name); !ok {
					t.Errorf("%s not reached", name)
				}
			}
			if r.Seeds[0].Exits[tt.exit] != 100000 {
				t.Errorf("exits %v, want all 1000 as %s", r.Seeds[0].Exits, tt.exit)
			}
		})
	}
}

func TestCounterpartyByCardNumberJoinsTheAccount(t *testing.T) {
	b := NewBuilder(4)
	b.Add(Row{TxID: "seed", Account: "V", Counterparty: "6222000011112222", Cents: -50000, Unix: t0, Balance: NoBalance})
	b.Add(Row{TxID: "x", Account: "ACC-1", Card: "6222000011112222", Counterparty: "W", Cents: -50000, Unix: t0 + 60, Balance: NoBalance})
	g := b.Build()
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed")})
	if a, ok := account(r, "ACC-1"); !ok || a.Level != 1 {
		t.Fatalf("card 6222000011112222 did not resolve to ACC-1: %+v", r.Accounts)
	}
	if r.Seeds[0].Exits[ExitOutside] != 50000 {
		t.Errorf("exits %v, want 500 to W outside the data", r.Seeds[0].Exits)
	}
}

func TestBackwardTraceFindsTheSourceOfACashOut(t *testing.T) {
	g := transfers(t, `
V A 1000 0
W A 2000 1
A B 900 2
B - 900 3 ATM id=atm`)
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "atm"), Direction: Backward})
	b, _ := account(r, "B")
	a, _ := account(r, "A")
	if b.Level != 1 || a.Level != 2 || a.In != 90000 {
		t.Errorf("B level %d, A level %d with %s, want 1, 2 and 900", b.Level, a.Level, a.In)
	}
	// Times run backwards inside the trace; the result gives them forwards again.
	for _, x := range []AccountResult{a, b} {
		if x.First.Year() < 2000 || x.Last.Year() < 2000 || x.Last.Before(x.First) {
			t.Errorf("account %s: first %s, last %s, want the times of its traced transfers", x.Account, x.First, x.Last)
		}
	}
	// The newest money before the payment (W's 2000) is where the 900 came from.
	var fromW Cents
	for _, f := range r.Flows {
		if f.From == "W" {
			fromW += f.Amount
		}
	}
	if fromW != 90000 {
		t.Errorf("backward flows from W = %s, want 900; flows %+v", fromW, r.Flows)
	}
}

func TestMoneyCannotLeaveBeforeItArrives(t *testing.T) {
	g := transfers(t, `
A B 500 0
V A 1000 1 id=seed`)
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed")})
	if _, ok := account(r, "B"); ok {
		t.Error("B received money that A paid before the victim's payment arrived")
	}
}

func TestUnknownSeedIsAnErrorNamingIt(t *testing.T) {
	g := transfers(t, `V A 1 0`)
	if _, err := g.SeedsFromTxIDs([]string{"nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("err = %v, want it to name the missing id", err)
	}
}

// randomGraph has n accounts ("a0"…) and m rows of random transfers, cash in and cash out,
// some with statement balances that disagree with the rows.
func randomGraph(rng *rand.Rand, n, m int) *Graph {
	b := NewBuilder(m)
	for i := range m {
		r := Row{TxID: fmt.Sprintf("t%d", i), Account: fmt.Sprintf("a%d", rng.IntN(n)), Unix: t0 + int64(rng.IntN(5000)),
			Cents: int64(1 + rng.IntN(200000)), Balance: NoBalance, Channel: []string{"网银", "ATM", "POS"}[rng.IntN(3)]}
		switch rng.IntN(6) {
		case 0: // cash
		case 1:
			r.Counterparty = fmt.Sprintf("x%d", rng.IntN(3)) // outside the data
		default:
			r.Counterparty = fmt.Sprintf("a%d", rng.IntN(n))
		}
		if rng.IntN(2) == 0 {
			r.Cents = -r.Cents
		}
		if rng.IntN(5) == 0 {
			r.Balance = int64(rng.IntN(500000))
		}
		b.Add(r)
	}
	return b.Build()
}

func TestTraceConservesAmountsOnRandomGraphs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		g := randomGraph(rng, 2+rng.IntN(30), 1+rng.IntN(400))
		var seeds []int32
		for range 1 + rng.IntN(8) {
			seeds = append(seeds, int32(rng.IntN(g.NumEdges())))
		}
		o := TraceOptions{Seeds: seeds, Policy: []Policy{FIFO, LIBR, Proportional}[iter%3],
			Direction: []string{Forward, Backward}[iter%2], MaxHops: 1 + rng.IntN(8),
			MinCents: int64(rng.IntN(3)) * 1000, HopWindow: time.Duration(rng.IntN(3)) * 30 * time.Minute}
		r, err := Trace(context.Background(), g, o)
		if err != nil {
			t.Fatal(err)
		}
		if !r.ConservationOK {
			t.Fatalf("iteration %d (%s %s): %v", iter, o.Policy, o.Direction, r.ConservationErrors)
		}
		// Independent of the code's own check: no edge carries more traced money than it moved.
		perTx := map[string]Cents{}
		for _, f := range r.Flows {
			perTx[f.TxID] += f.Amount
		}
		amount := map[string]Cents{}
		for e, id := range g.TxID {
			amount[id] = Cents(g.Amount[e])
		}
		for id, sum := range perTx {
			if sum > amount[id] {
				t.Fatalf("iteration %d: transaction %s carries %s of traced money but moved %s", iter, id, sum, amount[id])
			}
		}
		var exits Cents
		for _, x := range r.Exits {
			exits += x.Amount
		}
		if exits != r.Totals["seeded"] {
			t.Fatalf("iteration %d: exits add up to %s, seeds to %s", iter, exits, r.Totals["seeded"])
		}
	}
}
