package graph

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// planted builds k groups of size s, dense inside (each node tied to din random members) and
// with dout random ties outside; it returns the graph and the true group of each node.
func planted(k, s, din, dout int, seed uint64) (*CSR, []int32) {
	r := rand.New(rand.NewPCG(seed, 1))
	n := k * s
	var from, to []int32
	truth := make([]int32, n)
	for i := range n {
		g := i / s
		truth[i] = int32(g)
		for range din {
			from = append(from, int32(i))
			to = append(to, int32(g*s+r.IntN(s)))
		}
		for range dout {
			from = append(from, int32(i))
			to = append(to, int32(r.IntN(n)))
		}
	}
	return NewCSR(n, from, to), truth
}

// agreement is the share of node pairs (sampled) on which two partitions agree.
func agreement(a, b []int32, seed uint64) float64 {
	r := rand.New(rand.NewPCG(seed, 2))
	same := 0
	const pairs = 20000
	for range pairs {
		i, j := r.IntN(len(a)), r.IntN(len(a))
		if (a[i] == a[j]) == (b[i] == b[j]) {
			same++
		}
	}
	return float64(same) / pairs
}

func TestLouvainRecoversPlantedGroups(t *testing.T) {
	cases := []struct {
		name            string
		k, s, din, dout int
		minAgree, minQ  float64
	}{
		{"clear groups", 20, 50, 8, 1, 0.99, 0.7},
		{"noisy groups", 50, 40, 6, 2, 0.95, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, truth := planted(c.k, c.s, c.din, c.dout, 3)
			res, err := Louvain(context.Background(), g)
			if err != nil {
				t.Fatal(err)
			}
			ag := agreement(res.Of, truth, 5)
			t.Logf("%d communities (true %d), modularity %.3f, pair agreement %.3f, %d levels", res.Count, c.k, res.Modularity, ag, res.Levels)
			if ag < c.minAgree || res.Modularity < c.minQ {
				t.Errorf("agreement %.3f (want ≥ %.2f), modularity %.3f (want ≥ %.2f)", ag, c.minAgree, res.Modularity, c.minQ)
			}
		})
	}
}

func TestLouvainKeepsTwoTrianglesApartAndEmptyGraphsWork(t *testing.T) {
	g := NewCSR(6, []int32{0, 1, 2, 3, 4, 5, 2}, []int32{1, 2, 0, 4, 5, 3, 3})
	res, _ := Louvain(context.Background(), g)
	if res.Count != 2 || res.Of[0] != res.Of[1] || res.Of[0] == res.Of[3] {
		t.Errorf("two triangles joined by one edge: got %d communities %v", res.Count, res.Of)
	}
	empty, _ := Louvain(context.Background(), NewCSR(3, nil, nil))
	if empty.Count != 3 || empty.Modularity != 0 {
		t.Errorf("three isolated nodes: %d communities, modularity %v", empty.Count, empty.Modularity)
	}
}

func TestComponentsAndPaths(t *testing.T) {
	b := NewBuilder()
	p1 := b.Node(Person, "P1")
	a1 := b.Node(Account, "A1")
	a2 := b.Node(Account, "A2")
	p2 := b.Node(Person, "P2")
	_ = a2
	lone := b.Node(Phone, "+8613800000000")
	b.Edge(p1, a1, Holds, "", 1)
	b.Edge(a1, a2, Transfer, "", 1)
	b.Edge(p2, a2, Holds, "", 1)
	g := b.Build()
	p1, _ = g.Lookup(Person, "P1")
	p2, _ = g.Lookup(Person, "P2")
	a1, _ = g.Lookup(Account, "A1")
	lone, _ = g.Lookup(Phone, "+8613800000000")
	of, k := Components(g.Undirected())
	if k != 2 || of[p1] != of[p2] || of[lone] == of[p1] {
		t.Errorf("components %v (%d), want the four tied nodes together and the phone alone", of, k)
	}
	path, err := g.ShortestPath(p1, p2, 0, Walk{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"P1>A1 holds fwd", "A1>A2 transfer fwd", "A2>P2 holds back"}
	if len(path) != len(want) {
		t.Fatalf("path %+v, want %v", path, want)
	}
	for i, s := range path {
		dir := "fwd"
		if !s.Out {
			dir = "back"
		}
		if got := s.From.Key + ">" + s.To.Key + " " + s.Rel.String() + " " + dir; got != want[i] {
			t.Errorf("step %d = %s, want %s", i, got, want[i])
		}
	}
	if _, err := g.ShortestPath(p1, lone, 0, Walk{}); err == nil {
		t.Errorf("a path to an isolated phone was found")
	}
	if _, err := g.ShortestPath(p1, p2, 0, Walk{Rels: []Rel{Holds}}); err == nil {
		t.Errorf("a path was found without following transfers")
	}
	nb, trunc := g.Neighbourhood([]int32{a1}, 1, Walk{})
	if len(nb) != 3 || trunc || nb[0].Hops != 0 {
		t.Errorf("one hop from A1: %+v (truncated %v), want A1, P1 and A2", nb, trunc)
	}
}

// BenchmarkLouvain runs communities on a planted-partition graph; LOUVAIN_EDGES sets the size
// (default 1 M edges; docs/BENCHMARKS.md reports 5 M).
func BenchmarkLouvain(b *testing.B) {
	edges := envInt("LOUVAIN_EDGES", 1_000_000)
	const din, dout = 8, 2
	nodes := edges / (din + dout)
	g, truth := planted(nodes/100, 100, din, dout, 11)
	b.ResetTimer()
	for b.Loop() {
		res, err := Louvain(context.Background(), g)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Count), "communities")
		b.ReportMetric(res.Modularity, "modularity")
		b.ReportMetric(agreement(res.Of, truth, 1), "agreement")
	}
	b.ReportMetric(float64(len(g.Adj)/2), "edges")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestLouvainWithKeepsTheStartingGroupsAndResolutionSplitsFiner(t *testing.T) {
	g, truth := planted(20, 50, 8, 1, 3)
	// Start with nodes 0 and 999 (two different planted groups) in one group: they must end
	// in one community, whatever modularity says.
	init := make([]int32, g.Nodes())
	for i := range init {
		init[i] = int32(i)
	}
	init[999] = 0
	res, err := LouvainWith(context.Background(), g, LouvainOptions{Init: init})
	if err != nil {
		t.Fatal(err)
	}
	if res.Of[0] != res.Of[999] {
		t.Errorf("nodes 0 and 999 started in one group and ended in communities %d and %d", res.Of[0], res.Of[999])
	}
	if a := agreement(res.Of, truth, 1); a < 0.95 {
		t.Errorf("a seeded run agrees with the planted groups on %.3f of pairs", a)
	}
	// A ring of 60 triangles, each tied to the next by one edge: modularity's resolution limit
	// (Fortunato and Barthélemy 2007) merges neighbouring triangles; resolution 4 merges fewer.
	var from, to []int32
	for k := range int32(60) {
		a, b, c := 3*k, 3*k+1, 3*k+2
		from, to = append(from, a, b, c, c), append(to, b, c, a, (3*k+3)%180)
	}
	ring := NewCSR(180, from, to)
	coarse, _ := Louvain(context.Background(), ring)
	fine, err := LouvainWith(context.Background(), ring, LouvainOptions{Resolution: 4})
	if err != nil {
		t.Fatal(err)
	}
	if fine.Count <= coarse.Count || fine.Count > 60 {
		t.Errorf("a ring of 60 triangles: %d communities at resolution 1, %d at resolution 4; want more at 4, at most 60", coarse.Count, fine.Count)
	}
}
