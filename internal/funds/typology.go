package funds

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Typology names.
const (
	FanIn         = "fan_in"
	FanOut        = "fan_out"
	Cycle         = "cycle"
	ScatterGather = "scatter_gather"
	GatherScatter = "gather_scatter"
	FastInOut     = "fast_in_fast_out"
	Bipartite     = "bipartite"
	Stack         = "stack"
	Structuring   = "structuring"
	ManyVictims   = "many_victims"
)

// Typologies lists the typologies Detect knows, in report order.
var Typologies = []string{FanIn, FanOut, Cycle, ScatterGather, GatherScatter, FastInOut, Bipartite, Stack, Structuring, ManyVictims}

// AMLSimTypologies are the typologies AMLSim runs have alerts of, which EvaluateAML scores.
var AMLSimTypologies = []string{FanIn, FanOut, Cycle, ScatterGather, GatherScatter}

// Finding is one detected pattern.
type Finding struct {
	Typology     string   `json:"typology"`
	Accounts     []string `json:"accounts"`
	Transactions []string `json:"transactions"`
	Score        float64  `json:"score"`
	Explanation  string   `json:"explanation"`
}

// TypologyResult holds the findings and the union of their accounts.
type TypologyResult struct {
	Params          TypologyParams `json:"params"`
	Findings        []Finding      `json:"findings"`
	FlaggedAccounts []string       `json:"flagged_accounts"`
	Counts          map[string]int `json:"counts"`
	UnusualEdges    int            `json:"unusual_transfers"`
	Seconds         float64        `json:"seconds"`
	// ReportThresholds are the thresholds structuring looked under, with their legal basis.
	ReportThresholds []ReportThreshold `json:"report_thresholds,omitempty"`
	// VictimAccounts is how many known victims' numbers many_victims found in the data, and
	// VictimsSource where they came from.
	VictimAccounts int    `json:"victim_accounts"`
	VictimsSource  string `json:"victims_source,omitempty"`
	// LoadSeconds and GraphSource say how long loading the graph took and whether it came
	// from its snapshot or the store; the caller that loaded the graph fills them in.
	LoadSeconds float64 `json:"load_seconds,omitempty"`
	GraphSource string  `json:"graph_source,omitempty"`
}

type adj struct {
	peer int32
	edge int32
}

// Detect finds the typologies in only (all when empty) on the graph.
func Detect(ctx context.Context, g *Graph, p TypologyParams, only []string) (*TypologyResult, error) {
	return DetectKnown(ctx, g, p, only, Known{})
}

// DetectKnown is Detect with what the investigation knows beyond the transactions (the
// victims, for many_victims, which finds nothing without them).
func DetectKnown(ctx context.Context, g *Graph, p TypologyParams, only []string, known Known) (*TypologyResult, error) {
	start := time.Now()
	want := map[string]bool{}
	for _, t := range only {
		if !slices.Contains(Typologies, t) {
			return nil, fmt.Errorf("typology %q is unknown: use %s", t, strings.Join(Typologies, ", "))
		}
		want[t] = true
	}
	on := func(t string) bool { return len(want) == 0 || want[t] }
	def := DefaultTypologyParams()
	for _, x := range []struct {
		v *int
		d int
	}{{&p.OneOffMax, def.OneOffMax}, {&p.RhythmMin, def.RhythmMin}, {&p.RhythmMax, def.RhythmMax}, {&p.RhythmTolerancePct, def.RhythmTolerancePct}, {&p.FanMin, def.FanMin}, {&p.FanSharePct, def.FanSharePct}, {&p.FanMoneyPct, def.FanMoneyPct}, {&p.MiddleMin, def.MiddleMin}, {&p.CycleMin, def.CycleMin}, {&p.PassHours, def.PassHours}, {&p.PurchaseMax, def.PurchaseMax}, {&p.FastMin, def.FastMin},
		{&p.BipartiteMin, def.BipartiteMin}, {&p.StructuringBandPct, def.StructuringBandPct}, {&p.StructuringMin, def.StructuringMin},
		{&p.StructuringDays, def.StructuringDays}, {&p.VictimsMin, def.VictimsMin}} {
		if *x.v <= 0 {
			*x.v = x.d
		}
	}
	d := &detector{g: g, p: p, known: known, thresholds: PBoC2016Thresholds,
		res: &TypologyResult{Params: p, Counts: map[string]int{}, VictimsSource: known.Source}}
	d.unusual()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if on(FanIn) || on(FanOut) || on(GatherScatter) {
		d.fans(on)
	}
	if on(ScatterGather) {
		d.scatterGather()
	}
	if on(Cycle) {
		d.cycles()
	}
	if on(FastInOut) {
		d.fastInFastOut()
	}
	if on(Bipartite) || on(Stack) {
		d.bipartiteAndStack(on)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if on(Structuring) {
		d.res.ReportThresholds = d.thresholds
		d.structuring()
	}
	if on(ManyVictims) {
		d.manyVictims()
	}
	flagged := map[string]bool{}
	for _, f := range d.res.Findings {
		d.res.Counts[f.Typology]++
		for _, a := range f.Accounts {
			flagged[a] = true
		}
	}
	d.res.FlaggedAccounts = make([]string, 0, len(flagged))
	for a := range flagged {
		d.res.FlaggedAccounts = append(d.res.FlaggedAccounts, a)
	}
	slices.Sort(d.res.FlaggedAccounts)
	if d.res.Findings == nil {
		d.res.Findings = []Finding{}
	}
	d.res.Seconds = time.Since(start).Seconds()
	return d.res, ctx.Err()
}

type detector struct {
	g       *Graph
	p       TypologyParams
	life    []string        // edge → life kind named by its memo ("" for none)
	living  []bool          // account → made or received a transfer of ordinary life
	strange []bool          // edge → unusual, before living accounts' transfers are judged
	out, in map[int32][]adj // unusual transfers only
	res     *TypologyResult
	known   Known
	// thresholds are the large-value reporting thresholds structuring looks under.
	thresholds []ReportThreshold
}

// unusual keeps the transfers that do not belong to a standing relationship: a sender and a
// receiver with a single transfer in that direction (at most OneOffMax), or a transfer off
// the pair's rhythm (see offRhythm). Laundering moves money between accounts without a
// standing relationship, or slips an extra transfer in between regular ones; salaries, rent
// and regular payments repeat at a steady interval.
func (d *detector) unusual() {
	g := d.g
	key := func(e int32) int64 { return int64(g.From[e])<<32 | int64(uint32(g.To[e])) }
	edges := make([]int32, 0, len(g.From))
	for e := range g.From {
		if f, t := g.From[e], g.To[e]; f >= 0 && t >= 0 && f != t {
			edges = append(edges, int32(e))
		}
	}
	// Group by pair; within a pair edge order is time order.
	slices.SortFunc(edges, func(a, b int32) int {
		if c := cmp.Compare(key(a), key(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	d.out, d.in = map[int32][]adj{}, map[int32][]adj{}
	d.life = lifeOf(g, int64(d.p.PurchaseMax)*100)
	d.living = make([]bool, g.NumAccounts())
	for e, k := range d.life {
		if k == "" {
			continue
		}
		for _, a := range []int32{g.From[e], g.To[e]} {
			// Only a statement shows whether an account passes money on; an account known
			// only as a counterparty is judged by its transfers alone.
			if a >= 0 && g.InData[a] {
				d.living[a] = true
			}
		}
	}
	// Transfers whose memo names ordinary life are explained by it.
	edges = slices.DeleteFunc(edges, func(e int32) bool { return d.life[e] != "" })
	var keep, all []int32
	for i := 0; i < len(edges); {
		j := i + 1
		for j < len(edges) && key(edges[j]) == key(edges[i]) {
			j++
		}
		keep = d.unusualInPair(edges[i:j], keep[:0])
		all = append(all, keep...)
		i = j
	}
	d.strange = make([]bool, len(g.From))
	for _, e := range all {
		d.strange[e] = true
	}
	// A living account takes part through a transfer only when it passes money on.
	for _, e := range all {
		f, t := g.From[e], g.To[e]
		of, it := !d.judged(f) || d.funded(e), !d.judged(t) || d.passedOn(e)
		if of {
			d.out[f] = append(d.out[f], adj{t, e})
		}
		if it {
			d.in[t] = append(d.in[t], adj{f, e})
		}
		if of || it {
			d.res.UnusualEdges++
		}
	}
	// Adjacency in time order, as the detectors expect.
	for _, m := range []map[int32][]adj{d.out, d.in} {
		for _, l := range m {
			slices.SortFunc(l, func(a, b adj) int { return cmp.Compare(a.edge, b.edge) })
		}
	}
}

// unusualInPair appends to keep the unusual transfers among the time-ordered transfers of one
// sender-receiver pair.
func (d *detector) unusualInPair(pair []int32, keep []int32) []int32 {
	n := len(pair)
	switch {
	case n <= d.p.OneOffMax:
		return append(keep, pair...)
	case n < d.p.RhythmMin || n > d.p.RhythmMax:
		return keep
	}
	gaps := make([]int64, n-1)
	for j := range gaps {
		gaps[j] = d.g.Time[pair[j+1]] - d.g.Time[pair[j]]
	}
	sorted := slices.Clone(gaps)
	slices.Sort(sorted)
	// recurs reports whether more than want gaps of the pair lie within the tolerance of g
	// (want 1 for a gap of the pair, which counts itself).
	recurs := func(g int64, want int) bool {
		tol := max(g*int64(d.p.RhythmTolerancePct)/100, rhythmSlack)
		lo, _ := slices.BinarySearch(sorted, g-tol)
		hi, _ := slices.BinarySearch(sorted, g+tol+1)
		return hi-lo > want
	}
	// merged reports whether the gap left by removing transfer i recurs among the other gaps.
	merged := func(i int) bool {
		g := gaps[i-1] + gaps[i]
		tol := max(g*int64(d.p.RhythmTolerancePct)/100, rhythmSlack)
		lo, _ := slices.BinarySearch(sorted, g-tol)
		hi, _ := slices.BinarySearch(sorted, g+tol+1)
		for _, own := range gaps[i-1 : i+1] {
			if own >= g-tol && own <= g+tol {
				hi--
			}
		}
		return hi-lo > 0
	}
	for i := range n {
		before, after := i > 0 && recurs(gaps[i-1], 1), i < n-1 && recurs(gaps[i], 1)
		switch {
		case before || after:
			// On the rhythm.
		case i == 0:
			// The first transfer has one neighbour: it stands out when it lies further from
			// the next transfer than that one from its own next (a payment months before
			// the regular ones start).
			if gaps[0] > gaps[1] {
				keep = append(keep, pair[i])
			}
		case i == n-1:
			if gaps[n-2] > gaps[n-3] {
				keep = append(keep, pair[i])
			}
		case merged(i):
			// Removing this transfer restores the rhythm: it is an extra one.
			keep = append(keep, pair[i])
		}
	}
	return keep
}

// judged reports whether account a takes part in patterns only through transfers that pass
// money on: when its statement gives balances, or shows ordinary life.
func (d *detector) judged(a int32) bool { return d.living[a] || d.g.Balanced[a] }

// passWindow is how soon money must move on through a living account for its unusual
// transfers to count.
func (d *detector) passWindow() int64 { return int64(d.p.PassHours) * 3600 }

// balanceAt is the balance of account a after its last transfer before edge index e (0 when
// it has none): the balance the statement gives, or the one Build reconstructed.
func (d *detector) balanceAt(a int32, e int32) int64 {
	g := d.g
	in, out := g.In(a), g.Out(a)
	i, _ := slices.BinarySearch(in, e)
	o, _ := slices.BinarySearch(out, e)
	switch {
	case i == 0 && o == 0:
		return d.opening(a)
	case o == 0 || (i > 0 && in[i-1] > out[o-1]):
		return max(0, g.BalTo[in[i-1]])
	default:
		return max(0, g.BalFrom[out[o-1]])
	}
}

// opening is the balance of account a before its first transfer in the data.
func (d *detector) opening(a int32) int64 {
	g := d.g
	in, out := g.In(a), g.Out(a)
	switch {
	case len(in) > 0 && (len(out) == 0 || in[0] < out[0]):
		return max(0, g.BalTo[in[0]]-g.Amount[in[0]])
	case len(out) > 0:
		return max(0, g.BalFrom[out[0]]+g.Amount[out[0]])
	}
	return 0
}

// firstAfter is the index of the first edge at or after unix time t.
func (d *detector) firstAfter(t int64) int32 {
	i, _ := slices.BinarySearch(d.g.Time, t)
	return int32(i)
}

// funded reports whether the sender of e paid it out of strangers' money that arrived within
// the pass window before it. The account's own money leaves first (the lowest intermediate
// balance rule, docs/funds.md): what it held when the window opened plus what reached it
// since from anywhere but an unusual transfer (pay, its own wallet, cash it paid in, family
// and other regular relations) must be less than half of e.
func (d *detector) funded(e int32) bool {
	g := d.g
	a, t := g.From[e], g.Time[e]
	w := d.firstAfter(t - d.passWindow())
	own := d.balanceAt(a, w)
	in := g.In(a)
	i, _ := slices.BinarySearch(in, w)
	for ; i < len(in) && in[i] < e; i++ {
		if !d.strange[in[i]] {
			own += g.Amount[in[i]]
		}
	}
	return 2*own < g.Amount[e]
}

// passedOn reports whether the receiver of e passed at least half of it on within the pass
// window: its balance fell below half of e at some point (so, its own money leaving first,
// less than half of e can still be there).
func (d *detector) passedOn(e int32) bool {
	g := d.g
	b, end := g.To[e], g.Time[e]+d.passWindow()
	if 2*max(0, g.BalTo[e]) < g.Amount[e] {
		return true
	}
	out := g.Out(b)
	i, _ := slices.BinarySearch(out, e)
	for ; i < len(out) && g.Time[out[i]] <= end; i++ {
		if 2*max(0, g.BalFrom[out[i]]) < g.Amount[e] {
			return true
		}
	}
	return false
}

// rhythmSlack is the smallest tolerance between two gaps of a pair: bank statements give
// times to the second, and a payment "every Monday" does not leave at the same second.
const rhythmSlack = 3600

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// counterparties counts the distinct accounts at the other end (end[e]) of edges.
func (d *detector) counterparties(edges []int32, end []int32) int {
	seen := map[int32]bool{}
	for _, e := range edges {
		if a := end[e]; a >= 0 {
			seen[a] = true
		}
	}
	return len(seen)
}

func distinct(l []adj) int {
	seen := map[int32]bool{}
	for _, x := range l {
		seen[x.peer] = true
	}
	return len(seen)
}

func (d *detector) add(typ string, accts map[int32]bool, edges []int32, score float64, expl string) {
	f := Finding{Typology: typ, Score: score, Explanation: expl}
	for a := range accts {
		f.Accounts = append(f.Accounts, d.g.Names[a])
	}
	slices.Sort(f.Accounts)
	slices.Sort(edges)
	for _, e := range slices.Compact(edges) {
		f.Transactions = append(f.Transactions, d.g.TxID[e])
	}
	d.res.Findings = append(d.res.Findings, f)
}

func (d *detector) span(edges []int32) (amt int64, first, last time.Time) {
	lo, hi := int64(1<<62), int64(-1<<62)
	for _, e := range edges {
		amt += d.g.Amount[e]
		lo, hi = min(lo, d.g.Time[e]), max(hi, d.g.Time[e])
	}
	return amt, time.Unix(lo, 0).UTC(), time.Unix(hi, 0).UTC()
}

func sortedKeys(m map[int32][]adj) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// strangersShare is the percentage of the money h received from the first of its unusual
// transfers in to the last that these transfers brought, against them and ordinary life:
// transfers whose memo names it (pay, pensions, rent, purchases from a shop, its own wallet)
// and cash paid in. A collection account lives on strangers' money; a busy person or a shop
// whose one-off payers grow with the population lives on its pay and takings: a fan-in needs
// at least FanMoneyPct. Transfers of other pairs (two transfers, or a rhythm without a memo)
// count on neither side: they may be regular relations or more of the same laundering.
func (d *detector) strangersShare(h int32) int {
	l := d.in[h]
	if len(l) == 0 {
		return 0
	}
	var strange, ordinary int64
	for _, x := range l {
		strange += d.g.Amount[x.edge]
	}
	// d.in[h] is in edge order, which is time order.
	in := d.g.In(h)
	i, _ := slices.BinarySearch(in, l[0].edge)
	for ; i < len(in) && in[i] <= l[len(l)-1].edge; i++ {
		if e := in[i]; d.life[e] != "" || d.g.From[e] < 0 {
			ordinary += d.g.Amount[e]
		}
	}
	return int(strange * 100 / max(1, strange+ordinary))
}

// fans finds hubs with many unusual senders (fan-in), receivers (fan-out), or both
// (gather-scatter: the hub collects and redistributes).
func (d *detector) fans(on func(string) bool) {
	hubs := map[int32]bool{}
	for _, h := range sortedKeys(d.in) {
		hubs[h] = true
	}
	for _, h := range sortedKeys(d.out) {
		hubs[h] = true
	}
	ids := make([]int32, 0, len(hubs))
	for h := range hubs {
		ids = append(ids, h)
	}
	slices.Sort(ids)
	for _, h := range ids {
		nin, nout := distinct(d.in[h]), distinct(d.out[h])
		allIn := d.counterparties(d.g.In(h), d.g.From)
		share := 0
		if nin >= d.p.FanMin && nin*100 >= d.p.FanSharePct*allIn {
			share = d.strangersShare(h)
		}
		fin := share > 0 && share >= d.p.FanMoneyPct
		fout := nout >= d.p.FanMin
		name := d.g.Names[h]
		side := func(l []adj) (map[int32]bool, []int32) {
			m, es := map[int32]bool{h: true}, []int32{}
			for _, x := range l {
				m[x.peer] = true
				es = append(es, x.edge)
			}
			return m, es
		}
		if fin && fout && on(GatherScatter) {
			m, es := side(d.in[h])
			m2, es2 := side(d.out[h])
			for a := range m2 {
				m[a] = true
			}
			es = append(es, es2...)
			amt, first, last := d.span(es)
			d.add(GatherScatter, m, es, float64(nin+nout)/float64(2*d.p.FanMin),
				fmt.Sprintf("account %s received from %d accounts and paid %d accounts, none of them in a regular relationship: %d transfers, %s in total, %s to %s",
					name, nin, nout, len(es), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
		}
		if fin && on(FanIn) {
			m, es := side(d.in[h])
			amt, first, last := d.span(es)
			d.add(FanIn, m, es, float64(nin)/float64(d.p.FanMin),
				fmt.Sprintf("account %s received %d transfers from %d accounts outside any regular relationship, %s in total, %s to %s; they brought %d%% of the money it received in that time from them and from ordinary life (pay, purchases, cash paid in)",
					name, len(es), nin, Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly), share))
		}
		if fout && on(FanOut) {
			m, es := side(d.out[h])
			amt, first, last := d.span(es)
			d.add(FanOut, m, es, float64(nout)/float64(d.p.FanMin),
				fmt.Sprintf("account %s paid %d transfers to %d accounts outside any regular relationship, %s in total, %s to %s",
					name, len(es), nout, Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
		}
	}
}

// scatterGather finds a source that pays several intermediaries who all pay one sink, each
// transfer of the middle leg after the first leg reached that intermediary.
func (d *detector) scatterGather() {
	for _, s := range sortedKeys(d.out) {
		mids := map[int32]map[int32][2]int32{} // sink → intermediary → (first-leg edge, second-leg edge)
		for _, x := range d.out[s] {
			for _, y := range d.out[x.peer] {
				if y.peer == s || y.edge < x.edge {
					continue
				}
				if mids[y.peer] == nil {
					mids[y.peer] = map[int32][2]int32{}
				}
				if _, ok := mids[y.peer][x.peer]; !ok {
					mids[y.peer][x.peer] = [2]int32{x.edge, y.edge}
				}
			}
		}
		sinks := make([]int32, 0, len(mids))
		for t := range mids {
			sinks = append(sinks, t)
		}
		slices.Sort(sinks)
		for _, t := range sinks {
			ms := mids[t]
			if len(ms) < d.p.MiddleMin {
				continue
			}
			accts := map[int32]bool{s: true, t: true}
			var es []int32
			for m, pair := range ms {
				accts[m] = true
				es = append(es, pair[0], pair[1])
			}
			amt, first, last := d.span(es)
			d.add(ScatterGather, accts, es, float64(len(ms))/float64(d.p.MiddleMin),
				fmt.Sprintf("account %s paid %d intermediaries who each passed money on to account %s: %d transfers, %s in total, %s to %s",
					d.g.Names[s], len(ms), d.g.Names[t], len(es), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
		}
	}
}

// cycles finds strongly connected groups of the unusual-transfer graph (money that comes back
// to where it started) with Tarjan's algorithm, iteratively.
func (d *detector) cycles() {
	index, low := map[int32]int32{}, map[int32]int32{}
	onStack := map[int32]bool{}
	var stack []int32
	var next int32
	type frame struct {
		v int32
		i int
	}
	for _, root := range sortedKeys(d.out) {
		if _, ok := index[root]; ok {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.i < len(d.out[f.v]) {
				w := d.out[f.v][f.i].peer
				f.i++
				if _, ok := index[w]; !ok {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			comp := map[int32]bool{}
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp[w] = true
				if w == v {
					break
				}
			}
			if len(comp) >= d.p.CycleMin {
				d.addCycle(comp)
			}
		}
	}
}

func (d *detector) addCycle(comp map[int32]bool) {
	var es []int32
	for a := range comp {
		for _, x := range d.out[a] {
			if comp[x.peer] {
				es = append(es, x.edge)
			}
		}
	}
	slices.SortFunc(es, func(a, b int32) int { return cmp.Compare(a, b) })
	amt, first, last := d.span(es)
	d.add(Cycle, comp, es, float64(len(comp))/float64(d.p.CycleMin),
		fmt.Sprintf("%d accounts pass money around and back to each other: %d transfers outside any regular relationship, %s in total, %s to %s",
			len(comp), len(es), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
}
