package funds

import (
	"fmt"
	"slices"
	"time"
)

// Reach returns the accounts that money of the seed transactions can reach forward, without
// amounts: account b is reached when a chain of transfers e1 (a seed), e2, …, ek with k ≤
// maxHops leads to it, each transfer leaving the account the previous one arrived at, later
// in time (or at the same second, later in the statement), within window of that arrival (0
// = no limit), and every account it leaves has a statement (is in the data). This is the
// set Trace's accounts lie in: a trace also follows amounts, so it reaches only part of it
// when money runs out, is held past the window or falls below the minimum amount. The value
// is each reached account's hop count (1 = received a seed directly), the fewest over its
// chains.
//
// One pass over the edges in time order suffices: an account keeps, per hop count, the time
// of its latest arrival so far, and an edge leaving it continues the chain of the fewest hops
// whose latest arrival lies within the window.
func Reach(g *Graph, seeds []int32, maxHops int, window time.Duration) (map[int32]int, error) {
	if maxHops <= 0 {
		return nil, fmt.Errorf("max hops %d: give at least 1", maxHops)
	}
	if len(seeds) == 0 {
		return map[int32]int{}, nil
	}
	sorted := slices.Clone(seeds)
	for _, s := range sorted {
		if s < 0 || int(s) >= g.NumEdges() {
			return nil, fmt.Errorf("seed edge %d is outside the graph of %d transactions", s, g.NumEdges())
		}
	}
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	const none = int64(-1 << 62)
	win := int64(window / time.Second)
	// slot[a] is 1 + the place of account a's arrivals in last, 0 before it is reached;
	// last[p*maxHops+h-1] is the latest arrival at it with h hops.
	slot := make([]int32, g.NumAccounts())
	var last []int64
	reached := map[int32]int{}
	arrive := func(b int32, h int, t int64) {
		if b < 0 {
			return
		}
		if slot[b] == 0 {
			last = append(last, make([]int64, maxHops)...)
			for i := len(last) - maxHops; i < len(last); i++ {
				last[i] = none
			}
			slot[b] = int32(len(last) / maxHops)
		}
		last[int(slot[b]-1)*maxHops+h-1] = t
		if old, ok := reached[b]; !ok || h < old {
			reached[b] = h
		}
	}
	next := 0
	for e := sorted[0]; e < int32(g.NumEdges()); e++ {
		t := g.Time[e]
		if next < len(sorted) && sorted[next] == e {
			next++
			arrive(g.To[e], 1, t)
			continue
		}
		a := g.From[e]
		if a < 0 || slot[a] == 0 || !g.InData[a] {
			continue
		}
		p := int(slot[a]-1) * maxHops
		for h := 1; h < maxHops; h++ {
			if at := last[p+h-1]; at != none && (win <= 0 || t-at <= win) {
				arrive(g.To[e], h+1, t)
				break
			}
		}
	}
	return reached, nil
}
