package graph

import (
	"fmt"
	"slices"
)

// AllShortestPaths returns every path with the fewest edges from a to b, up to limit paths
// (0 = 100), with the same rules as ShortestPath: relations filtered by w, hubs reached but not
// passed through. Truncated reports that more paths exist than were returned. Two nodes tied
// by several relations make one path, stepping over the first relation in adjacency order.
func (g *Graph) AllShortestPaths(a, b int32, maxHops, limit int, w Walk) (paths [][]Step, truncated bool, err error) {
	if maxHops <= 0 {
		maxHops = 8
	}
	if limit <= 0 {
		limit = 100
	}
	if a == b {
		return [][]Step{{}}, false, nil
	}
	da := g.bfsDist(a, b, maxHops, w)
	d, ok := da[b]
	if !ok {
		return nil, false, fmt.Errorf("%w between %s %s and %s %s within %d hops (hubs with more than %d edges are not passed through)",
			ErrNoPath, g.types[a], g.keys[a], g.types[b], g.keys[b], maxHops, w.maxDegree())
	}
	db := g.bfsDist(b, a, d, w)
	// onPath: a node at distance i from a and d-i from b that may be passed through.
	onPath := func(v int32, i int) bool {
		x, okA := da[v]
		y, okB := db[v]
		return okA && okB && x == i && y == d-i && (v == b || g.Degree(v) <= w.maxDegree())
	}
	nodes := []int32{a}
	var walk func(u int32, i int) bool
	walk = func(u int32, i int) bool {
		if u == b {
			if len(paths) == limit {
				truncated = true
				return false
			}
			paths = append(paths, g.stepsOf(nodes, w))
			return true
		}
		seen := map[int32]bool{}
		for p := g.off[u]; p < g.off[u+1]; p++ {
			v := g.nbr[p]
			if seen[v] || !w.follows(g.rel[p]) || !onPath(v, i+1) {
				continue
			}
			seen[v] = true
			nodes = append(nodes, v)
			ok := walk(v, i+1)
			nodes = nodes[:len(nodes)-1]
			if !ok {
				return false
			}
		}
		return true
	}
	walk(a, 0)
	return paths, truncated, nil
}

// bfsDist returns the distance from s of every node within maxHops, hubs other than s not
// expanded; it stops after the level where stop is reached.
func (g *Graph) bfsDist(s, stop int32, maxHops int, w Walk) map[int32]int {
	dist := map[int32]int{s: 0}
	front := []int32{s}
	for hop := 1; hop <= maxHops && len(front) > 0; hop++ {
		var next []int32
		for _, u := range front {
			if u != s && g.Degree(u) > w.maxDegree() {
				continue
			}
			for p := g.off[u]; p < g.off[u+1]; p++ {
				v := g.nbr[p]
				if _, ok := dist[v]; ok || !w.follows(g.rel[p]) {
					continue
				}
				dist[v] = hop
				next = append(next, v)
			}
		}
		if _, ok := dist[stop]; ok {
			break
		}
		front = next
	}
	return dist
}

// stepsOf describes a node sequence as steps, each over the first followed edge between the
// two nodes.
func (g *Graph) stepsOf(nodes []int32, w Walk) []Step {
	steps := make([]Step, 0, len(nodes)-1)
	for i := 1; i < len(nodes); i++ {
		u, v := nodes[i-1], nodes[i]
		for p := g.off[u]; p < g.off[u+1]; p++ {
			if g.nbr[p] == v && w.follows(g.rel[p]) {
				steps = append(steps, Step{From: g.Ref(u), To: g.Ref(v), Rel: g.rel[p], Out: g.out[p], Label: g.labs[g.lab[p]]})
				break
			}
		}
	}
	return steps
}

// Event is one dated edge: money or a call that went From → To at Unix seconds.
type Event struct {
	From, To int32
	Rel      Rel
	Unix     int64
}

// TimedStep is one edge of a time-respecting path.
type TimedStep struct {
	From Ref    `json:"from"`
	To   Ref    `json:"to"`
	Rel  Rel    `json:"rel"`
	Time string `json:"time"` // RFC 3339, UTC
	Unix int64  `json:"unix"`
}

// Timeline holds dated edges by their start node, each node's events in time order.
type Timeline struct {
	off []int64
	ev  []Event
}

// NewTimeline indexes events over a graph of n nodes.
func NewTimeline(n int, events []Event) *Timeline {
	ev := slices.Clone(events)
	slices.SortFunc(ev, func(x, y Event) int {
		if x.From != y.From {
			return int(x.From - y.From)
		}
		if x.Unix != y.Unix {
			if x.Unix < y.Unix {
				return -1
			}
			return 1
		}
		return int(x.To - y.To)
	})
	t := &Timeline{off: make([]int64, n+1), ev: ev}
	for _, e := range ev {
		t.off[e.From+1]++
	}
	for i := 1; i <= n; i++ {
		t.off[i] += t.off[i-1]
	}
	return t
}

// Len is the number of events.
func (t *Timeline) Len() int { return len(t.ev) }

// TimeRespectingPath finds a path from any of the sources to any of the targets along dated
// edges in their direction, each edge no earlier than the one before and at most maxGap
// seconds after it (maxGap ≤ 0: no limit), with the fewest edges, ties to the earliest
// arrival. Such a path is one money or a message could really have taken: a transfer that left
// an account before the money arrived did not carry it. The search is breadth-first over
// events (a state is the edge last taken, since with a gap limit the earliest arrival at a
// node does not dominate later ones); each event is visited once.
func (g *Graph) TimeRespectingPath(t *Timeline, sources, targets []int32, maxGap int64, maxHops int) ([]TimedStep, error) {
	if maxHops <= 0 {
		maxHops = 8
	}
	isTarget := map[int32]bool{}
	for _, x := range targets {
		isTarget[x] = true
	}
	parent := map[int64]int64{} // event index → event index before it (-1 at a source)
	var front []int64
	for _, s := range sources {
		for k := t.off[s]; k < t.off[s+1]; k++ {
			parent[k] = -1
			front = append(front, k)
		}
	}
	for hop := 1; hop <= maxHops && len(front) > 0; hop++ {
		best := int64(-1)
		for _, k := range front {
			if isTarget[t.ev[k].To] && (best < 0 || t.ev[k].Unix < t.ev[best].Unix) {
				best = k
			}
		}
		if best >= 0 {
			return g.timedSteps(t, parent, best), nil
		}
		if hop == maxHops {
			break
		}
		var next []int64
		for _, k := range front {
			e := t.ev[k]
			lo, hi := t.off[e.To], t.off[e.To+1]
			// First event out of e.To at or after e.Unix.
			i, _ := slices.BinarySearchFunc(t.ev[lo:hi], e.Unix, func(x Event, u int64) int {
				if x.Unix < u {
					return -1
				}
				if x.Unix > u {
					return 1
				}
				return 0
			})
			for j := lo + int64(i); j < hi; j++ {
				if maxGap > 0 && t.ev[j].Unix-e.Unix > maxGap {
					break
				}
				if _, seen := parent[j]; seen {
					continue
				}
				parent[j] = k
				next = append(next, j)
			}
		}
		front = next
	}
	return nil, fmt.Errorf("%w: no time-respecting path within %d hops (each dated edge no earlier than the one before%s)",
		ErrNoPath, maxHops, gapText(maxGap))
}

func gapText(gap int64) string {
	if gap <= 0 {
		return ""
	}
	return fmt.Sprintf(" and at most %d s after it", gap)
}

func (g *Graph) timedSteps(t *Timeline, parent map[int64]int64, last int64) []TimedStep {
	var out []TimedStep
	for k := last; k >= 0; k = parent[k] {
		e := t.ev[k]
		out = append(out, TimedStep{From: g.Ref(e.From), To: g.Ref(e.To), Rel: e.Rel, Unix: e.Unix, Time: unixText(e.Unix)})
	}
	slices.Reverse(out)
	return out
}
