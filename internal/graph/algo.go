package graph

import (
	"errors"
	"fmt"
	"slices"
)

// Components labels the connected components of c, 0 being the largest, and returns how many
// there are.
func Components(c *CSR) ([]int32, int) {
	n := c.Nodes()
	of := make([]int32, n)
	for i := range of {
		of[i] = -1
	}
	var queue []int32
	k := int32(0)
	for s := range n {
		if of[s] >= 0 {
			continue
		}
		of[s] = k
		queue = append(queue[:0], int32(s))
		for len(queue) > 0 {
			u := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			for p := c.Off[u]; p < c.Off[u+1]; p++ {
				if v := c.Adj[p]; of[v] < 0 {
					of[v] = k
					queue = append(queue, v)
				}
			}
		}
		k++
	}
	return bySize(of)
}

// Walk limits a traversal of the entity graph.
type Walk struct {
	Rels      []Rel // relations to follow; empty = all
	MaxDegree int   // do not pass through nodes with more edges than this (a payment platform, a gateway IP); 0 = 1,000
	MaxNodes  int   // stop after this many nodes; 0 = 5,000
}

func (w Walk) follows(r Rel) bool { return len(w.Rels) == 0 || slices.Contains(w.Rels, r) }

func (w Walk) maxDegree() int {
	if w.MaxDegree <= 0 {
		return 1000
	}
	return w.MaxDegree
}

// Reached is a node found by Neighbourhood with its distance from the nearest seed.
type Reached struct {
	Ref
	Hops int `json:"hops"`
}

// Neighbourhood returns the nodes within k hops of the seeds (the seeds at 0 hops), in order
// of distance. A hub (more edges than MaxDegree) is reached but not passed through, so one
// payment platform does not pull in half the population. Truncated reports hitting MaxNodes.
func (g *Graph) Neighbourhood(seeds []int32, k int, w Walk) (nodes []Reached, truncated bool) {
	maxNodes := w.MaxNodes
	if maxNodes <= 0 {
		maxNodes = 5000
	}
	dist := map[int32]int{}
	frontier := []int32{}
	for _, s := range seeds {
		if _, ok := dist[s]; !ok {
			dist[s] = 0
			frontier = append(frontier, s)
			nodes = append(nodes, Reached{g.Ref(s), 0})
		}
	}
	for hop := 1; hop <= k && len(frontier) > 0; hop++ {
		var next []int32
		for _, u := range frontier {
			if hop > 1 && g.Degree(u) > w.maxDegree() {
				continue
			}
			for p := g.off[u]; p < g.off[u+1]; p++ {
				v := g.nbr[p]
				if _, ok := dist[v]; ok || !w.follows(g.rel[p]) {
					continue
				}
				if len(nodes) >= maxNodes {
					return nodes, true
				}
				dist[v] = hop
				next = append(next, v)
				nodes = append(nodes, Reached{g.Ref(v), hop})
			}
		}
		frontier = next
	}
	return nodes, false
}

// Step is one edge of a path.
type Step struct {
	From  Ref    `json:"from"`
	To    Ref    `json:"to"`
	Rel   Rel    `json:"rel"`
	Out   bool   `json:"forward"` // the edge runs From → To (money or a call went that way)
	Label string `json:"label,omitempty"`
}

// ErrNoPath is returned when the nodes are not connected within the walk's limits.
var ErrNoPath = errors.New("no path")

// ShortestPath finds a path with the fewest edges from a to b by breadth-first search from
// both ends, not passing through hubs (the ends may be hubs).
func (g *Graph) ShortestPath(a, b int32, maxHops int, w Walk) ([]Step, error) {
	if maxHops <= 0 {
		maxHops = 8
	}
	if a == b {
		return nil, nil
	}
	// Parents on each side: node → the adjacency entry it was reached through.
	parA := map[int32]int64{a: -1}
	parB := map[int32]int64{b: -1}
	fa, fb := []int32{a}, []int32{b}
	expand := func(front []int32, par, other map[int32]int64, origin int32) ([]int32, int32) {
		var next []int32
		for _, u := range front {
			if u != origin && g.Degree(u) > w.maxDegree() {
				continue
			}
			for p := g.off[u]; p < g.off[u+1]; p++ {
				v := g.nbr[p]
				if _, seen := par[v]; seen || !w.follows(g.rel[p]) {
					continue
				}
				par[v] = p
				if _, met := other[v]; met {
					return nil, v
				}
				next = append(next, v)
			}
		}
		return next, -1
	}
	for hops := 0; hops < maxHops && len(fa) > 0 && len(fb) > 0; hops++ {
		var meet int32
		if len(fa) <= len(fb) {
			fa, meet = expand(fa, parA, parB, a)
		} else {
			fb, meet = expand(fb, parB, parA, b)
		}
		if meet >= 0 {
			return g.joinPath(meet, parA, parB), nil
		}
	}
	return nil, fmt.Errorf("%w between %s %s and %s %s within %d hops (hubs with more than %d edges are not passed through)",
		ErrNoPath, g.types[a], g.keys[a], g.types[b], g.keys[b], maxHops, w.maxDegree())
}

// owner finds the node whose adjacency holds entry p.
func (g *Graph) owner(p int64) int32 {
	i, found := slices.BinarySearch(g.off, p)
	if found {
		for i+1 < len(g.off) && g.off[i+1] == p {
			i++
		}
		return int32(i)
	}
	return int32(i - 1)
}

func (g *Graph) joinPath(meet int32, parA, parB map[int32]int64) []Step {
	var left []Step
	for v := meet; parA[v] >= 0; {
		p := parA[v]
		u := g.owner(p)
		left = append(left, Step{From: g.Ref(u), To: g.Ref(v), Rel: g.rel[p], Out: g.out[p], Label: g.labs[g.lab[p]]})
		v = u
	}
	slices.Reverse(left)
	for v := meet; parB[v] >= 0; {
		p := parB[v]
		u := g.owner(p)
		// The entry is in u's adjacency pointing at v; the step runs v → u.
		left = append(left, Step{From: g.Ref(v), To: g.Ref(u), Rel: g.rel[p], Out: !g.out[p], Label: g.labs[g.lab[p]]})
		v = u
	}
	return left
}
