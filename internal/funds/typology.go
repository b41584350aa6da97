package funds

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
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
)

// Typologies lists the typologies Detect knows, in report order.
var Typologies = []string{FanIn, FanOut, Cycle, ScatterGather, GatherScatter}

// TypologyParams are the detection thresholds. The defaults are one setting for all data;
// docs/funds.md explains each.
type TypologyParams struct {
	// OneOffMax: a transfer counts as unusual when its sender and receiver exchange at most
	// this many transfers in that direction in the whole dataset. Laundering patterns move
	// money between accounts that have no standing relationship; salaries, rent and regular
	// payments repeat. Default 1.
	OneOffMax int
	// FanMin: a fan-in (fan-out) hub has at least this many distinct unusual senders
	// (receivers). Default 3.
	FanMin int
	// MiddleMin: a scatter-gather has at least this many distinct intermediaries between one
	// source and one sink. Default 3.
	MiddleMin int
	// CycleMin: a cycle joins at least this many accounts. Default 3.
	CycleMin int
}

// DefaultTypologyParams returns the documented defaults.
func DefaultTypologyParams() TypologyParams {
	return TypologyParams{OneOffMax: 1, FanMin: 3, MiddleMin: 3, CycleMin: 3}
}

// Set changes one parameter from its name in docs ("fan_min=4").
func (p *TypologyParams) Set(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if !ok || err != nil || n < 1 {
		return fmt.Errorf("parameter %q: write name=N with N ≥ 1 (one_off_max, fan_min, middle_min, cycle_min)", kv)
	}
	switch strings.TrimSpace(k) {
	case "one_off_max":
		p.OneOffMax = n
	case "fan_min":
		p.FanMin = n
	case "middle_min":
		p.MiddleMin = n
	case "cycle_min":
		p.CycleMin = n
	default:
		return fmt.Errorf("parameter %q is unknown: use one_off_max, fan_min, middle_min or cycle_min", k)
	}
	return nil
}

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
}

type adj struct {
	peer int32
	edge int32
}

// Detect finds the typologies in only (all when empty) on the graph.
func Detect(ctx context.Context, g *Graph, p TypologyParams, only []string) (*TypologyResult, error) {
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
	}{{&p.OneOffMax, def.OneOffMax}, {&p.FanMin, def.FanMin}, {&p.MiddleMin, def.MiddleMin}, {&p.CycleMin, def.CycleMin}} {
		if *x.v <= 0 {
			*x.v = x.d
		}
	}
	d := &detector{g: g, p: p, res: &TypologyResult{Params: p, Counts: map[string]int{}}}
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
	out, in map[int32][]adj // unusual transfers only
	res     *TypologyResult
}

// unusual keeps the transfers between accounts that exchange at most OneOffMax transfers in
// that direction.
func (d *detector) unusual() {
	g := d.g
	count := map[int64]int32{}
	for e := range g.From {
		if f, t := g.From[e], g.To[e]; f >= 0 && t >= 0 && f != t {
			count[int64(f)<<32|int64(t)]++
		}
	}
	d.out, d.in = map[int32][]adj{}, map[int32][]adj{}
	for e := range g.From {
		f, t := g.From[e], g.To[e]
		if f < 0 || t < 0 || f == t || int(count[int64(f)<<32|int64(t)]) > d.p.OneOffMax {
			continue
		}
		d.out[f] = append(d.out[f], adj{t, int32(e)})
		d.in[t] = append(d.in[t], adj{f, int32(e)})
		d.res.UnusualEdges++
	}
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
		fin, fout := nin >= d.p.FanMin, nout >= d.p.FanMin
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
				fmt.Sprintf("account %s received from %d accounts and paid %d accounts, none of them regular counterparties: %d transfers, %s in total, %s to %s",
					name, nin, nout, len(es), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
		}
		if fin && on(FanIn) {
			m, es := side(d.in[h])
			amt, first, last := d.span(es)
			d.add(FanIn, m, es, float64(nin)/float64(d.p.FanMin),
				fmt.Sprintf("account %s received %d transfers from %d accounts it has no other dealings with, %s in total, %s to %s",
					name, len(es), nin, Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
		}
		if fout && on(FanOut) {
			m, es := side(d.out[h])
			amt, first, last := d.span(es)
			d.add(FanOut, m, es, float64(nout)/float64(d.p.FanMin),
				fmt.Sprintf("account %s paid %d transfers to %d accounts it has no other dealings with, %s in total, %s to %s",
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
		fmt.Sprintf("%d accounts pass money around and back to each other: %d transfers between accounts with no other dealings, %s in total, %s to %s",
			len(comp), len(es), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
}
