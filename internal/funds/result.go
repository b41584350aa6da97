package funds

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// result assembles the trace and checks conservation: for every seed, the exits add up to the
// seed amount; for every account and seed, what came in equals what went out plus what stayed.
func (t *tracer) result() *Result {
	o := t.o
	r := &Result{Direction: o.Direction, Policy: o.Policy, MaxHops: o.MaxHops, MinAmount: Cents(o.MinCents),
		HopWindow: "none", Totals: map[string]Cents{}, EdgesProcessed: t.processed, Flows: t.flows, Exits: t.exits}
	if o.HopWindow > 0 {
		r.HopWindow = o.HopWindow.String()
	}
	if r.Flows == nil {
		r.Flows = []Flow{}
	}
	if r.Exits == nil {
		r.Exits = []Exit{}
	}
	var errs []string
	fail := func(format string, args ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	// Seeds in the order given.
	seedEdge := make([]int32, len(t.seedAmt))
	for e, ss := range t.seedOf {
		for _, s := range ss {
			seedEdge[s] = t.origEdge(e)
		}
	}
	for i, amt := range t.seedAmt {
		e := seedEdge[i]
		sr := SeedResult{Seed: i, TxID: t.orig.TxID[e], From: t.orig.Name(t.orig.From[e]), To: t.orig.Name(t.orig.To[e]),
			Time: time.Unix(t.orig.Time[e], 0).In(o.Location), Amount: Cents(amt), Exits: map[string]Cents{},
			Levels: int(t.maxLevel[i]), Reached: len(t.reached[i])}
		var sum int64
		for k, v := range t.exitSum[i] {
			sr.Exits[k] = Cents(v)
			r.Totals[k] += Cents(v)
			sum += v
		}
		r.Totals["seeded"] += Cents(amt)
		if sum != amt {
			fail("seed %d (%s): amount %s but its exits add up to %s", i, sr.TxID, Cents(amt), Cents(sum))
		}
		r.Seeds = append(r.Seeds, sr)
	}
	// Accounts.
	perAcct := map[int32][]SeedAmount{}
	for k, s := range t.perSeed {
		a, seed := int32(k>>32), int32(uint32(k))
		ret := t.retained[k]
		if s.out > s.in {
			fail("account %s passed on %s of seed %d but received only %s", t.g.Name(a), Cents(s.out), seed, Cents(s.in))
		}
		// The seed's own source is not a traced account: it only pays out.
		if s.in > 0 && s.in != s.out+ret {
			fail("account %s: seed %d in %s ≠ out %s + retained %s", t.g.Name(a), seed, Cents(s.in), Cents(s.out), Cents(ret))
		}
		if s.in > 0 {
			perAcct[a] = append(perAcct[a], SeedAmount{Seed: int(seed), In: Cents(s.in), Out: Cents(s.out)})
		}
	}
	for a, seeds := range perAcct {
		st := &t.acct[a]
		slices.SortFunc(seeds, func(x, y SeedAmount) int { return cmp.Compare(x.Seed, y.Seed) })
		ar := AccountResult{Account: t.g.Name(a), Holder: t.g.Holder[a], InData: t.g.InData[a], Level: int(st.level),
			CashOut: Cents(t.cashOut[a]), Seeds: seeds}
		for _, s := range seeds {
			ar.In += s.In
			ar.Out += s.Out
			ar.Retained += Cents(t.retained[key(a, int32(s.Seed))])
		}
		first, last := st.first, st.last
		if t.rev {
			first, last = -last, -first
		}
		ar.First, ar.Last = time.Unix(first, 0).In(o.Location), time.Unix(last, 0).In(o.Location)
		r.Accounts = append(r.Accounts, ar)
	}
	slices.SortFunc(r.Accounts, func(x, y AccountResult) int {
		if c := cmp.Compare(x.Level, y.Level); c != 0 {
			return c
		}
		if c := cmp.Compare(y.In, x.In); c != 0 {
			return c
		}
		return cmp.Compare(x.Account, y.Account)
	})
	if r.Accounts == nil {
		r.Accounts = []AccountResult{}
	}
	r.ConservationOK = len(errs) == 0
	r.ConservationErrors = errs
	return r
}

// Levels returns the accounts of a result by level (1 = received seed money directly).
func (r *Result) Levels() map[int][]string {
	m := map[int][]string{}
	for _, a := range r.Accounts {
		m[a.Level] = append(m[a.Level], a.Account)
	}
	return m
}

// CashOutAccounts returns the accounts from which traced money left as cash, with amounts.
func (r *Result) CashOutAccounts() map[string]Cents {
	m := map[string]Cents{}
	for _, a := range r.Accounts {
		if a.CashOut > 0 {
			m[a.Account] = a.CashOut
		}
	}
	return m
}
