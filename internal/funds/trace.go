package funds

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Direction of a trace.
const (
	Forward  = "forward"  // where did the seed money go
	Backward = "backward" // where did the seed money come from
)

// DefaultCashChannels are channels whose outflow to an account outside the data is cash-out
// (ATM withdrawal, counter withdrawal, card purchase at a POS such as a gold shop).
var DefaultCashChannels = []string{"ATM", "POS", "柜面", "现金", "取现", "CASH", "CASH-OUT", "CASH_OUT"}

// TraceOptions say what to trace and how.
type TraceOptions struct {
	Seeds     []int32 // edge indices of the seed transactions
	Direction string  // Forward (default) or Backward
	Policy    Policy  // default FIFO
	MaxHops   int     // levels to follow; default 6
	// HopWindow: traced money that stays longer than this in an account is not followed
	// further (it is reported as held). 0 = no limit.
	HopWindow time.Duration
	// MinCents: a traced part smaller than this is not followed (reported as below_min).
	MinCents     int64
	CashChannels []string       // default DefaultCashChannels
	Location     *time.Location // for times in the result; default UTC
	// NoFlows leaves Flows and Exits out of the result (benchmarks, large runs).
	NoFlows bool
}

// Exit kinds: where traced money stopped being followed.
const (
	ExitCashOut     = "cash_out"         // withdrawn as cash or spent at a POS: no account on the other side
	ExitOutside     = "outside_data"     // paid to an account that has no statement in the data
	ExitOnBalance   = "on_balance"       // still in the account when the data ends
	ExitHeld        = "held_past_window" // stayed longer than the hop window
	ExitUnseen      = "unseen_outflow"   // the statement balance fell without a row that explains it
	ExitMaxHops     = "max_hops"         // left an account at the last level followed
	ExitBelowMin    = "below_min"        // a part smaller than the minimum amount
	ExitSeedOverlap = "seed_overlap"     // left inside another seed transaction
)

// Result is a fund trace. Every cent of every seed ends in exactly one exit, and
// ConservationOK says that the code checked it.
type Result struct {
	Direction          string           `json:"direction"`
	Policy             Policy           `json:"policy"`
	MaxHops            int              `json:"max_hops"`
	HopWindow          string           `json:"hop_window"`
	MinAmount          Cents            `json:"min_amount"`
	Seeds              []SeedResult     `json:"seeds"`
	Accounts           []AccountResult  `json:"accounts"`
	Flows              []Flow           `json:"flows"`
	Exits              []Exit           `json:"exits"`
	Totals             map[string]Cents `json:"totals"`
	EdgesProcessed     int64            `json:"edges_processed"`
	ConservationOK     bool             `json:"conservation_ok"`
	ConservationErrors []string         `json:"conservation_errors,omitempty"`
	Seconds            float64          `json:"seconds"`
}

// SeedResult is one seed transaction and where its money ended, by exit kind.
type SeedResult struct {
	Seed    int              `json:"seed"`
	TxID    string           `json:"tx_id"`
	From    string           `json:"from"`
	To      string           `json:"to"`
	Time    time.Time        `json:"time"`
	Amount  Cents            `json:"amount"`
	Exits   map[string]Cents `json:"exits"`
	Levels  int              `json:"levels"` // deepest level the money reached
	Reached int              `json:"accounts_reached"`
}

// AccountResult is one account the traced money passed through.
type AccountResult struct {
	Account  string       `json:"account"`
	Holder   string       `json:"holder,omitempty"`
	InData   bool         `json:"in_data"`
	Level    int          `json:"level"` // hops from a seed; 1 = received seed money directly
	In       Cents        `json:"attributed_in"`
	Out      Cents        `json:"attributed_out"`
	CashOut  Cents        `json:"cash_out"`
	Retained Cents        `json:"retained"` // on balance, held past the window or gone unseen
	First    time.Time    `json:"first_time"`
	Last     time.Time    `json:"last_time"`
	Seeds    []SeedAmount `json:"seeds"`
}

// SeedAmount is the money of one seed an account received and passed on.
type SeedAmount struct {
	Seed int   `json:"seed"`
	In   Cents `json:"in"`
	Out  Cents `json:"out"`
}

// Flow is traced money of one seed on one transaction.
type Flow struct {
	TxID    string    `json:"tx_id"`
	Time    time.Time `json:"time"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Channel string    `json:"channel,omitempty"`
	Seed    int       `json:"seed"`
	Hop     int       `json:"hop"` // level of the receiving account
	Amount  Cents     `json:"amount"`
}

// Exit is traced money that stopped being followed, and why.
type Exit struct {
	Kind         string    `json:"kind"`
	Account      string    `json:"account"`
	Level        int       `json:"level"`
	Counterparty string    `json:"counterparty,omitempty"`
	Channel      string    `json:"channel,omitempty"`
	TxID         string    `json:"tx_id,omitempty"`
	Time         time.Time `json:"time,omitzero"`
	Seed         int       `json:"seed"`
	Amount       Cents     `json:"amount"`
}

// SeedsFromTxIDs finds the edges of the given transaction ids. An id that is missing is an
// error that names it.
func (g *Graph) SeedsFromTxIDs(ids []string) ([]int32, error) {
	want := map[string]bool{}
	for _, id := range ids {
		want[strings.TrimSpace(id)] = true
	}
	var seeds []int32
	for e, id := range g.TxID {
		if want[id] {
			seeds = append(seeds, int32(e))
			delete(want, id)
		}
	}
	if len(want) > 0 {
		missing := make([]string, 0, len(want))
		for id := range want {
			missing = append(missing, id)
		}
		slices.Sort(missing)
		if len(missing) > 5 {
			missing = append(missing[:5], fmt.Sprintf("and %d more", len(missing)-5))
		}
		return seeds, fmt.Errorf("seed transactions not in the dataset: %s; check the ids (column tx_id) or the dataset", strings.Join(missing, ", "))
	}
	return seeds, nil
}

// SeedsFromAccount returns the outgoing (forward) or incoming (backward) edges of an account
// at or after a time.
func (g *Graph) SeedsFromAccount(account string, after time.Time, direction string) ([]int32, error) {
	a, ok := g.Account(account)
	if !ok {
		return nil, fmt.Errorf("account %s is not in the dataset: check the number, or trace from transaction ids", account)
	}
	edges := g.Out(a)
	if direction == Backward {
		edges = g.In(a)
	}
	var seeds []int32
	for _, e := range edges {
		if after.IsZero() || g.Time[e] >= after.Unix() {
			seeds = append(seeds, e)
		}
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("account %s has no %s transactions after %s", account, map[bool]string{true: "incoming", false: "outgoing"}[direction == Backward], after.Format(time.DateTime))
	}
	return seeds, nil
}

// Trace follows the seed transactions through the graph. It returns an error only for bad
// options or a cancelled context; a result whose conservation check failed says so in
// ConservationOK and ConservationErrors.
func Trace(ctx context.Context, g *Graph, o TraceOptions) (*Result, error) {
	start := time.Now()
	if o.Direction == "" {
		o.Direction = Forward
	}
	if o.Direction != Forward && o.Direction != Backward {
		return nil, fmt.Errorf("direction %q is unknown: use forward or backward", o.Direction)
	}
	if o.Policy == "" {
		o.Policy = FIFO
	}
	if _, err := ParsePolicy(string(o.Policy)); err != nil {
		return nil, err
	}
	if o.MaxHops <= 0 {
		o.MaxHops = 6
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.CashChannels == nil {
		o.CashChannels = DefaultCashChannels
	}
	if len(o.Seeds) == 0 {
		return nil, fmt.Errorf("no seed transactions: give transaction ids, a seed file or an account")
	}
	for _, s := range o.Seeds {
		if s < 0 || int(s) >= g.NumEdges() {
			return nil, fmt.Errorf("seed edge %d is outside the graph of %d transactions", s, g.NumEdges())
		}
	}
	w := g
	if o.Direction == Backward {
		w = g.reversed()
	}
	t := newTracer(w, g, o)
	if err := t.run(ctx); err != nil {
		return nil, err
	}
	r := t.result()
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// reversed is the graph with every edge turned around and time running backwards, so that a
// backward trace is a forward trace of it: money that left an account is attributed to what
// arrived before it. Balances are left out; they say nothing about where money came from.
func (g *Graph) reversed() *Graph {
	n := g.NumEdges()
	r := &Graph{Names: g.Names, Holder: g.Holder, InData: g.InData, index: g.index, Channels: g.Channels, Memos: g.Memos}
	r.From, r.To = make([]int32, n), make([]int32, n)
	r.Amount, r.Time = make([]int64, n), make([]int64, n)
	r.BalFrom, r.BalTo = make([]int64, n), make([]int64, n)
	r.Channel, r.TxID = make([]uint16, n), make([]string, n)
	r.Memo = make([]uint16, n)
	for i := range n {
		j := n - 1 - i
		r.From[j], r.To[j], r.Amount[j], r.Time[j] = g.To[i], g.From[i], g.Amount[i], -g.Time[i]
		r.Channel[j], r.TxID[j], r.Memo[j] = g.Channel[i], g.TxID[i], g.Memo[i]
		r.BalFrom[j], r.BalTo[j] = NoBalance, NoBalance
	}
	// In the reversed graph every account is "in data" for the purpose of following money
	// back; the sources of money outside the data end the trace as outside_data.
	r.outStart, r.outEdge = csr(len(g.Names), r.From)
	r.inStart, r.inEdge = csr(len(g.Names), r.To)
	return r
}

// event is an edge position to process; acct -1 marks a seed injection.
type event struct {
	pos  int32
	acct int32
	ver  int32
}

type eventHeap []event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return h[i].pos < h[j].pos }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type acctState struct {
	led       *ledger
	ver       int32
	outC, inC int
	level     int32 // min hop, 0 = not reached
	first     int64
	last      int64
	seen      bool
}

type seedStat struct{ in, out int64 }

type tracer struct {
	g, orig   *Graph // g is walked; orig gives names and times (differs when backward)
	o         TraceOptions
	rev       bool
	cash      []bool // per channel id
	seedOf    map[int32][]int32
	acct      []acctState
	touched   []int32
	perSeed   map[int64]*seedStat // account<<32 | seed
	exits     []Exit
	exitSum   []map[string]int64 // per seed
	retained  map[int64]int64    // account<<32|seed → retained
	cashOut   map[int32]int64
	flows     []Flow
	seedAmt   []int64
	maxLevel  []int32
	reached   []map[int32]struct{}
	h         eventHeap
	processed int64
	parts     []part
}

func newTracer(g, orig *Graph, o TraceOptions) *tracer {
	t := &tracer{g: g, orig: orig, o: o, rev: g != orig, seedOf: map[int32][]int32{},
		acct: make([]acctState, g.NumAccounts()), perSeed: map[int64]*seedStat{},
		retained: map[int64]int64{}, cashOut: map[int32]int64{}}
	t.cash = make([]bool, len(g.Channels))
	for i, c := range g.Channels {
		for _, cc := range o.CashChannels {
			if strings.EqualFold(strings.TrimSpace(c), cc) {
				t.cash[i] = true
			}
		}
	}
	seen := map[int32]bool{}
	for _, s := range o.Seeds {
		if seen[s] {
			continue
		}
		seen[s] = true
		e := s
		if t.rev {
			e = int32(g.NumEdges()) - 1 - s
		}
		idx := int32(len(t.seedAmt))
		t.seedOf[e] = append(t.seedOf[e], idx)
		t.seedAmt = append(t.seedAmt, g.Amount[e])
		t.exitSum = append(t.exitSum, map[string]int64{})
		t.maxLevel = append(t.maxLevel, 0)
		t.reached = append(t.reached, map[int32]struct{}{})
		heap.Push(&t.h, event{pos: e, acct: -1})
	}
	return t
}

func (t *tracer) run(ctx context.Context) error {
	last := int32(-1)
	for t.h.Len() > 0 {
		ev := heap.Pop(&t.h).(event)
		if ev.acct >= 0 && t.acct[ev.acct].ver != ev.ver {
			continue // stale: the account moved on or was released
		}
		if ev.pos == last {
			continue // the edge was processed through its other end
		}
		last = ev.pos
		t.processed++
		if t.processed&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		t.process(ev.pos)
	}
	// Whatever is still in a ledger is on balance.
	for _, a := range t.touched {
		st := &t.acct[a]
		if st.led == nil {
			continue
		}
		t.parts = t.parts[:0]
		t.parts = st.led.expire(1<<62, t.parts)
		for _, p := range t.parts {
			t.exit(ExitOnBalance, a, -1, p, -1)
		}
		st.led = nil
	}
	return nil
}

func (t *tracer) process(e int32) {
	g := t.g
	u, v, amt := g.From[e], g.To[e], g.Amount[e]
	parts := t.parts[:0]
	if u >= 0 && t.acct[u].led != nil {
		led := t.acct[u].led
		if t.o.HopWindow > 0 {
			exp := led.expire(g.Time[e]-int64(t.o.HopWindow/time.Second), nil)
			for _, p := range exp {
				t.exit(ExitHeld, u, -1, p, -1)
			}
		}
		parts = led.take(t.o.Policy, amt, parts)
		if seeds := t.seedOf[e]; len(seeds) > 0 {
			// The seed carries all of this transaction; traced money of other seeds in it
			// is accounted for here, at the account it left.
			for _, p := range parts {
				t.exit(ExitSeedOverlap, u, e, p, v)
			}
			parts = parts[:0]
		}
		if b := g.BalFrom[e]; b != NoBalance {
			for _, p := range led.shrinkTo(t.o.Policy, b, nil) {
				t.exit(ExitUnseen, u, -1, p, -1)
			}
		}
	}
	for _, s := range t.seedOf[e] {
		parts = append(parts, part{seed: s, hop: 0, amt: amt / int64(len(t.seedOf[e]))})
	}
	// Deliver or end each part.
	var delivered int64
	var deliver []part
	for _, p := range parts {
		if u >= 0 && p.hop > 0 {
			t.addOut(u, p, e)
		}
		switch {
		case v < 0 || !g.InData[v]:
			kind := ExitOutside
			if v < 0 || t.cash[g.Channel[e]] {
				kind = ExitCashOut
			}
			if t.rev && v < 0 {
				kind = ExitOutside // money from cash deposits: its source is outside the data
			}
			t.exitAt(kind, u, e, p, v)
		case p.hop >= int32(t.o.MaxHops):
			t.exitAt(ExitMaxHops, u, e, p, v)
		case p.hop > 0 && p.amt < t.o.MinCents:
			t.exitAt(ExitBelowMin, u, e, p, v)
		default:
			delivered += p.amt
			deliver = append(deliver, part{seed: p.seed, hop: p.hop + 1, amt: p.amt})
		}
	}
	t.parts = parts
	if v >= 0 && (len(deliver) > 0 || t.acct[v].led != nil) {
		st := &t.acct[v]
		if st.led == nil {
			before := int64(0)
			if b := g.BalTo[e]; b != NoBalance {
				before = max(0, b-amt)
			}
			st.led = newLedger(t.o.Policy, before)
			t.activate(v, e)
		}
		for _, p := range deliver {
			st.led.add(t.o.Policy, lot{seed: p.seed, hop: p.hop, t: g.Time[e], amt: p.amt})
			t.addIn(v, p, e)
		}
		st.led.add(t.o.Policy, lot{seed: cleanSeed, t: g.Time[e], amt: amt - delivered})
		if b := g.BalTo[e]; b != NoBalance {
			for _, p := range st.led.shrinkTo(t.o.Policy, b, nil) {
				t.exit(ExitUnseen, v, -1, p, -1)
			}
		}
	}
	t.advance(u, e)
	t.advance(v, e)
}

func (t *tracer) activate(a, e int32) {
	st := &t.acct[a]
	if !st.seen {
		st.seen = true
		t.touched = append(t.touched, a)
	}
	out, in := t.g.Out(a), t.g.In(a)
	st.outC, _ = slices.BinarySearch(out, e+1)
	st.inC, _ = slices.BinarySearch(in, e+1)
}

// advance moves an active account past edge e and schedules its next edge, or releases the
// account when it holds no traced money any more.
func (t *tracer) advance(a, e int32) {
	if a < 0 || t.acct[a].led == nil {
		return
	}
	st := &t.acct[a]
	st.ver++
	if st.led.taint == 0 {
		st.led = nil
		return
	}
	out, in := t.g.Out(a), t.g.In(a)
	for st.outC < len(out) && out[st.outC] <= e {
		st.outC++
	}
	for st.inC < len(in) && in[st.inC] <= e {
		st.inC++
	}
	next := int32(-1)
	if st.outC < len(out) {
		next = out[st.outC]
	}
	if st.inC < len(in) && (next < 0 || in[st.inC] < next) {
		next = in[st.inC]
	}
	if st.outC >= len(out) {
		// No outflow left: the money stays. Further inflows change nothing traced.
		next = -1
	}
	if next >= 0 {
		heap.Push(&t.h, event{pos: next, acct: a, ver: st.ver})
	}
}

func key(a, seed int32) int64 { return int64(a)<<32 | int64(uint32(seed)) }

func (t *tracer) stat(a, seed int32) *seedStat {
	k := key(a, seed)
	s := t.perSeed[k]
	if s == nil {
		s = &seedStat{}
		t.perSeed[k] = s
	}
	return s
}

func (t *tracer) addIn(v int32, p part, e int32) {
	st := &t.acct[v]
	t.stat(v, p.seed).in += p.amt
	if st.level == 0 || p.hop < st.level {
		st.level = p.hop
	}
	tm := t.g.Time[e]
	if st.first == 0 || tm < st.first {
		st.first = tm
	}
	st.last = latest(st.last, tm)
	t.maxLevel[p.seed] = max(t.maxLevel[p.seed], p.hop)
	t.reached[p.seed][v] = struct{}{}
	if !t.o.NoFlows {
		from := t.g.From[e]
		t.flows = append(t.flows, t.flow(e, from, v, p))
	}
}

func (t *tracer) flow(e, from, to int32, p part) Flow {
	oe := t.origEdge(e)
	f := Flow{TxID: t.orig.TxID[oe], Time: time.Unix(t.orig.Time[oe], 0).In(t.o.Location),
		Channel: t.orig.ChannelOf(oe), Seed: int(p.seed), Hop: int(p.hop), Amount: Cents(p.amt)}
	f.From, f.To = t.g.Name(from), t.g.Name(to)
	if t.rev {
		f.From, f.To = f.To, f.From
	}
	return f
}

func (t *tracer) origEdge(e int32) int32 {
	if t.rev {
		return int32(t.g.NumEdges()) - 1 - e
	}
	return e
}

func (t *tracer) addOut(u int32, p part, e int32) {
	t.stat(u, p.seed).out += p.amt
	st := &t.acct[u]
	st.last = latest(st.last, t.g.Time[e])
}

// latest is the later of an account's last time so far (0: none yet) and tm. A backward trace
// runs on negated times, so 0 cannot simply lose to max: every time there is below it.
func latest(last, tm int64) int64 {
	if last == 0 || tm > last {
		return tm
	}
	return last
}

// exitAt ends a part that left account u on edge e (u may be -1 for a seed from cash).
func (t *tracer) exitAt(kind string, u, e int32, p part, cp int32) {
	if kind == ExitCashOut && u >= 0 {
		t.cashOut[u] += p.amt
	}
	switch {
	case kind == ExitOutside && cp >= 0:
		// The account outside the data is part of the trace: it is where a statement should
		// be requested next. The money stays there as far as the data can tell.
		if !t.acct[cp].seen {
			t.acct[cp].seen = true
			t.touched = append(t.touched, cp)
		}
		in := part{seed: p.seed, hop: p.hop + 1, amt: p.amt}
		t.addIn(cp, in, e)
		t.retained[key(cp, p.seed)] += p.amt
	case kind == ExitCashOut && !t.o.NoFlows:
		t.flows = append(t.flows, t.flow(e, u, cp, part{seed: p.seed, hop: p.hop + 1, amt: p.amt}))
	}
	t.exit(kind, u, e, p, cp)
}

// exit records where a part stopped. Parts that did not leave the account (on balance, held,
// unseen) count as retained there.
func (t *tracer) exit(kind string, a, e int32, p part, cp int32) {
	t.exitSum[p.seed][kind] += p.amt
	switch kind {
	case ExitOnBalance, ExitHeld, ExitUnseen:
		t.retained[key(a, p.seed)] += p.amt
	case ExitSeedOverlap:
		t.addOut(a, p, e)
	}
	if t.o.NoFlows {
		return
	}
	x := Exit{Kind: kind, Account: t.g.Name(a), Level: int(p.hop), Seed: int(p.seed), Amount: Cents(p.amt),
		Counterparty: t.g.Name(cp)}
	if e >= 0 {
		oe := t.origEdge(e)
		x.TxID, x.Channel = t.orig.TxID[oe], t.orig.ChannelOf(oe)
		x.Time = time.Unix(t.orig.Time[oe], 0).In(t.o.Location)
	}
	t.exits = append(t.exits, x)
}
