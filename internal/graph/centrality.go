package graph

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// PageRank scores the nodes of c by the stationary distribution of a random walk that follows
// an edge with probability damping and jumps to a random node otherwise (Page et al. 1999);
// weights, when c has them, bias the walk. The walk leaves a node without edges by jumping.
// Iteration stops when the scores move by less than tol in total (L1) or after maxIter sweeps.
// The scores sum to 1.
func PageRank(ctx context.Context, c *CSR, damping, tol float64, maxIter int) ([]float64, int, error) {
	n := c.Nodes()
	if n == 0 {
		return nil, 0, nil
	}
	if damping <= 0 || damping >= 1 {
		damping = 0.85
	}
	if tol <= 0 {
		tol = 1e-9
	}
	if maxIter <= 0 {
		maxIter = 100
	}
	out := make([]float64, n) // weighted out-degree
	for i := range n {
		for p := c.Off[i]; p < c.Off[i+1]; p++ {
			out[i] += c.weight(p)
		}
	}
	pr := make([]float64, n)
	next := make([]float64, n)
	for i := range pr {
		pr[i] = 1 / float64(n)
	}
	it := 0
	for it < maxIter {
		if err := ctx.Err(); err != nil {
			return nil, it, err
		}
		it++
		dangling := 0.0
		for i := range n {
			if out[i] == 0 {
				dangling += pr[i]
			}
		}
		base := (1-damping)/float64(n) + damping*dangling/float64(n)
		// Pull form: every node gathers from its neighbours (c is symmetric), no write races.
		for i := range n {
			s := 0.0
			for p := c.Off[i]; p < c.Off[i+1]; p++ {
				j := c.Adj[p]
				s += pr[j] * c.weight(p) / out[j]
			}
			next[i] = base + damping*s
		}
		diff := 0.0
		for i := range n {
			diff += math.Abs(next[i] - pr[i])
		}
		pr, next = next, pr
		if diff < tol {
			break
		}
	}
	return pr, it, nil
}

func (c *CSR) weight(p int64) float64 {
	if c.W == nil {
		return 1
	}
	return float64(c.W[p])
}

// Betweenness scores each node by the share of shortest paths between other nodes that pass
// through it (Brandes 2001, "A faster algorithm for betweenness centrality"), edges unweighted.
// With samples > 0 and fewer than the nodes, only that many source nodes, drawn at random
// with seed, are searched and the sums scaled by n/samples (Brandes and Pich 2007): an
// unbiased estimate whose error shrinks with the square root of the samples, at a cost of
// samples breadth-first searches instead of n. Pairs are unordered, as in an undirected graph:
// exact scores are each pair counted once. Sources are split among the processors.
func Betweenness(ctx context.Context, c *CSR, samples int, seed uint64) ([]float64, error) {
	n := c.Nodes()
	sources := make([]int32, n)
	for i := range sources {
		sources[i] = int32(i)
	}
	scale := 0.5 // each unordered pair is reached from both of its ends
	if samples > 0 && samples < n {
		r := rand.New(rand.NewPCG(seed, 0x6265747765656e))
		r.Shuffle(n, func(i, j int) { sources[i], sources[j] = sources[j], sources[i] })
		sources = sources[:samples]
		slices.Sort(sources)
		scale *= float64(n) / float64(samples)
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(sources)/16))
	parts := make([][]float64, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBrandes(n)
			for k := w; k < len(sources); k += workers {
				if k%64 == 0 && ctx.Err() != nil {
					mu.Lock()
					firstErr = ctx.Err()
					mu.Unlock()
					return
				}
				b.accumulate(c, sources[k])
			}
			parts[w] = b.cb
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	cb := parts[0]
	for _, p := range parts[1:] {
		for i, x := range p {
			cb[i] += x
		}
	}
	for i := range cb {
		cb[i] *= scale
	}
	return cb, nil
}

// brandes is one worker's scratch space, reused for every source.
type brandes struct {
	cb    []float64
	sigma []float64
	delta []float64
	dist  []int32
	order []int32 // nodes in the order breadth-first search reached them
}

func newBrandes(n int) *brandes {
	b := &brandes{cb: make([]float64, n), sigma: make([]float64, n), delta: make([]float64, n), dist: make([]int32, n)}
	for i := range b.dist {
		b.dist[i] = -1
	}
	return b
}

// accumulate adds the dependencies of source s to cb. Predecessors are not stored: a node's
// predecessors are its neighbours one step nearer, found again in the backward sweep.
func (b *brandes) accumulate(c *CSR, s int32) {
	b.order = append(b.order[:0], s)
	b.dist[s], b.sigma[s] = 0, 1
	for head := 0; head < len(b.order); head++ {
		u := b.order[head]
		for p := c.Off[u]; p < c.Off[u+1]; p++ {
			v := c.Adj[p]
			if b.dist[v] < 0 {
				b.dist[v] = b.dist[u] + 1
				b.order = append(b.order, v)
			}
			if b.dist[v] == b.dist[u]+1 {
				b.sigma[v] += b.sigma[u]
			}
		}
	}
	for k := len(b.order) - 1; k > 0; k-- {
		w := b.order[k]
		coeff := (1 + b.delta[w]) / b.sigma[w]
		for p := c.Off[w]; p < c.Off[w+1]; p++ {
			v := c.Adj[p]
			if b.dist[v] == b.dist[w]-1 {
				b.delta[v] += b.sigma[v] * coeff
			}
		}
		b.cb[w] += b.delta[w]
	}
	for _, v := range b.order {
		b.dist[v], b.sigma[v], b.delta[v] = -1, 0, 0
	}
}

// Ranked is a node with its score.
type Ranked struct {
	Ref
	Score  float64 `json:"score"`
	Degree int     `json:"degree"`
}

// Top returns the k nodes of highest score, ties broken by node id; only nodes of the given
// types when types is not empty.
func (g *Graph) Top(score []float64, k int, types []NodeType) []Ranked {
	ids := make([]int32, 0, len(score))
	for i := range score {
		if len(types) == 0 || slices.Contains(types, g.types[i]) {
			ids = append(ids, int32(i))
		}
	}
	slices.SortFunc(ids, func(a, b int32) int {
		if score[a] != score[b] {
			if score[a] > score[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	out := make([]Ranked, 0, min(k, len(ids)))
	for _, id := range ids[:min(k, len(ids))] {
		out = append(out, Ranked{Ref: g.Ref(id), Score: score[id], Degree: g.Degree(id)})
	}
	return out
}
