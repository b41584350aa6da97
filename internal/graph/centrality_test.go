package graph

import (
	"cmp"
	"context"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
)

// gonumOf copies a CSR into gonum's undirected and directed (both ways) graphs.
func gonumOf(c *CSR) (*simple.UndirectedGraph, *simple.DirectedGraph) {
	u, d := simple.NewUndirectedGraph(), simple.NewDirectedGraph()
	for i := range c.Nodes() {
		u.AddNode(simple.Node(i))
		d.AddNode(simple.Node(i))
	}
	for i := range c.Nodes() {
		for p := c.Off[i]; p < c.Off[i+1]; p++ {
			j := int(c.Adj[p])
			if i != j {
				u.SetEdge(simple.Edge{F: simple.Node(i), T: simple.Node(j)})
				d.SetEdge(simple.Edge{F: simple.Node(i), T: simple.Node(j)})
			}
		}
	}
	return u, d
}

// simpleCSR drops repeated edges of a planted graph so that gonum and we see the same graph.
func simpleCSR(c *CSR) *CSR {
	var from, to []int32
	for i := range c.Nodes() {
		seen := map[int32]bool{}
		for p := c.Off[i]; p < c.Off[i+1]; p++ {
			if j := c.Adj[p]; j > int32(i) && !seen[j] {
				seen[j] = true
				from, to = append(from, int32(i)), append(to, j)
			}
		}
	}
	return NewCSR(c.Nodes(), from, to)
}

func TestPageRankAgreesWithGonum(t *testing.T) {
	c, _ := planted(10, 30, 4, 1, 5)
	c = simpleCSR(c)
	pr, it, err := PageRank(context.Background(), c, 0.85, 1e-12, 200)
	if err != nil {
		t.Fatal(err)
	}
	_, d := gonumOf(c)
	want := network.PageRank(d, 0.85, 1e-12)
	sum, worst := 0.0, 0.0
	for i, x := range pr {
		sum += x
		worst = max(worst, math.Abs(x-want[int64(i)])/want[int64(i)])
	}
	t.Logf("%d iterations; largest relative difference from gonum %.2g", it, worst)
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("scores sum to %g, want 1", sum)
	}
	if worst > 1e-4 {
		t.Errorf("PageRank differs from gonum's by up to %.3g (relative)", worst)
	}
}

func TestPageRankRanksTheHubOfAStarFirst(t *testing.T) {
	var from, to []int32
	for i := int32(1); i < 20; i++ {
		from, to = append(from, 0), append(to, i)
	}
	from, to = append(from, 20), append(to, 21) // a pair apart from the star
	pr, _, err := PageRank(context.Background(), NewCSR(22, from, to), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 22; i++ {
		if pr[i] >= pr[0] {
			t.Fatalf("node %d scores %g, the hub %g", i, pr[i], pr[0])
		}
	}
}

func TestBetweennessIsExactWithoutSamplesAndAgreesWithGonum(t *testing.T) {
	cases := []struct {
		name string
		c    *CSR
		want map[int]float64 // known values, checked besides gonum
	}{
		{"a path of five nodes", NewCSR(5, []int32{0, 1, 2, 3}, []int32{1, 2, 3, 4}), map[int]float64{0: 0, 1: 3, 2: 4, 3: 3}},
		{"a diamond splits the paths between its sides", NewCSR(4, []int32{0, 0, 1, 2}, []int32{1, 2, 3, 3}), map[int]float64{1: 0.5, 2: 0.5}},
		{"planted groups", simpleCSR(func() *CSR { c, _ := planted(6, 20, 3, 1, 9); return c }()), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Betweenness(context.Background(), tc.c, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tc.want {
				if math.Abs(got[i]-w) > 1e-9 {
					t.Errorf("node %d: betweenness %g, want %g", i, got[i], w)
				}
			}
			u, _ := gonumOf(tc.c)
			ref := network.Betweenness(u)
			// gonum counts each unordered pair from both ends in an undirected graph.
			for i, x := range got {
				if math.Abs(x-ref[int64(i)]/2) > 1e-6*max(1, x) {
					t.Errorf("node %d: betweenness %g, gonum %g/2", i, x, ref[int64(i)])
				}
			}
		})
	}
}

func TestSampledBetweennessEstimatesTheTopNodes(t *testing.T) {
	// Groups tied by ten brokers, each with ties into many groups: the brokers and the
	// groups' gatekeepers carry the paths.
	pl, _ := planted(20, 50, 4, 0, 11)
	var from, to []int32
	for i := range pl.Nodes() {
		for p := pl.Off[i]; p < pl.Off[i+1]; p++ {
			from, to = append(from, int32(i)), append(to, pl.Adj[p])
		}
	}
	for k := range 10 {
		for j := range 12 {
			from, to = append(from, int32(1000+k)), append(to, int32((k*37+j*83)%1000))
		}
	}
	c := NewCSR(1010, from, to)
	exact, err := Betweenness(context.Background(), c, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	est, err := Betweenness(context.Background(), c, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	g := rankOnly(exact)
	top := map[int32]bool{}
	for _, id := range g[:20] {
		top[id] = true
	}
	hit := 0
	for _, id := range rankOnly(est)[:20] {
		if top[id] {
			hit++
		}
	}
	relErr := 0.0
	for _, id := range g[:20] {
		relErr += math.Abs(est[id]-exact[id]) / exact[id]
	}
	relErr /= 20
	t.Logf("200 of 1010 sources: %d of the exact top 20 in the estimated top 20; mean relative error on them %.3f", hit, relErr)
	if hit < 12 || relErr > 0.2 {
		t.Errorf("sampled betweenness: %d of the top 20 found, mean relative error %.3f", hit, relErr)
	}
}

func rankOnly(score []float64) []int32 {
	out := make([]int32, len(score))
	for i := range out {
		out[i] = int32(i)
	}
	slices.SortStableFunc(out, func(a, b int32) int { return cmp.Compare(score[b], score[a]) })
	return out
}

// BenchmarkCentrality compares our PageRank with gonum's on a graph of 20,000 nodes, and our
// exact and sampled betweenness with gonum's exact one on 2,000 nodes (gonum's takes minutes on
// 20,000).
func BenchmarkCentrality(b *testing.B) {
	c, _ := planted(400, 50, 5, 1, 13)
	c = simpleCSR(c)
	_, d := gonumOf(c)
	small, _ := planted(40, 50, 5, 1, 13)
	small = simpleCSR(small)
	su, _ := gonumOf(small)
	ctx := context.Background()
	b.Run("pagerank-20k/csr", func(b *testing.B) {
		for b.Loop() {
			PageRank(ctx, c, 0.85, 1e-9, 100)
		}
	})
	b.Run("pagerank-20k/gonum", func(b *testing.B) {
		for b.Loop() {
			network.PageRankSparse(d, 0.85, 1e-9)
		}
	})
	b.Run("betweenness-2k-exact/csr", func(b *testing.B) {
		for b.Loop() {
			Betweenness(ctx, small, 0, 1)
		}
	})
	b.Run("betweenness-2k-exact/gonum", func(b *testing.B) {
		for b.Loop() {
			network.Betweenness(su)
		}
	})
	b.Run("betweenness-20k-1000-sources/csr", func(b *testing.B) {
		for b.Loop() {
			Betweenness(ctx, c, 1000, 1)
		}
	})
}
