package funds

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// reachByPaths enumerates every chain of transfers from the seeds (depth-first), the
// definition Reach implements in one pass.
func reachByPaths(g *Graph, seeds []int32, maxHops int, window int64) map[int32]int {
	out := map[int32]int{}
	var walk func(e int32, h int)
	walk = func(e int32, h int) {
		b := g.To[e]
		if b < 0 {
			return
		}
		if old, ok := out[b]; !ok || h < old {
			out[b] = h
		}
		if h == maxHops || !g.InData[b] {
			return
		}
		for _, f := range g.Out(b) {
			if f > e && (window <= 0 || g.Time[f]-g.Time[e] <= window) {
				walk(f, h+1)
			}
		}
	}
	for _, s := range seeds {
		walk(s, 1)
	}
	return out
}

func TestReachIsEveryChainWithinHopsAndWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := range 300 {
		g := randomGraph(rng, 2+rng.IntN(12), 1+rng.IntN(60))
		var seeds []int32
		for range 1 + rng.IntN(4) {
			seeds = append(seeds, int32(rng.IntN(g.NumEdges())))
		}
		hops, window := 1+rng.IntN(5), int64(rng.IntN(3))*1000
		got, err := Reach(g, seeds, hops, time.Duration(window)*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if want := reachByPaths(g, seeds, hops, window); !maps.Equal(got, want) {
			t.Fatalf("iteration %d (hops %d, window %d s): Reach %v, chains %v", iter, hops, window, got, want)
		}
		// A trace follows amounts too: the accounts it reaches within the hops are among
		// these (it also lists where money went at the last hop, as a max_hops exit).
		r, err := Trace(context.Background(), g, TraceOptions{Seeds: seeds, MaxHops: hops, HopWindow: time.Duration(window) * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Accounts {
			if a.Level > hops {
				continue
			}
			id, _ := g.Account(a.Account)
			if _, ok := got[id]; !ok {
				t.Fatalf("iteration %d: the trace reached %s, Reach did not (reached %v)", iter, a.Account, slices.Sorted(maps.Keys(got)))
			}
		}
	}
}
