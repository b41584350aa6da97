package funds

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// biclique is a set of senders that each made an unusual transfer to each of a set of
// receivers (a complete bipartite group), with those transfers.
type biclique struct {
	senders, receivers []int32
	edges              []int32
}

// bipartiteDegreeMax bounds the receivers of one sender that the biclique search pairs up.
// A sender with more distinct unusual receivers is a fan-out hub (reported as such); pairing
// all its receivers would cost the square of that number.
const bipartiteDegreeMax = 1000

// peers returns the distinct peers of the adjacency lists, sorted.
func peers(l []adj) []int32 {
	out := make([]int32, 0, len(l))
	for _, x := range l {
		out = append(out, x.peer)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// intersect returns the members of sorted a that are in sorted b.
func intersect(a, b []int32) []int32 {
	var out []int32
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// bicliques finds groups of at least BipartiteMin senders and BipartiteMin receivers in which
// every sender made an unusual transfer to every receiver. The search is greedy: from each
// receiver not yet in a group, it adds the receivers that share the most senders with it while
// at least BipartiteMin senders remain common to all. Senders and receivers are disjoint.
func (d *detector) bicliques() []biclique {
	m := d.p.BipartiteMin
	senders := map[int32][]int32{}
	for r, l := range d.in {
		senders[r] = peers(l)
	}
	receivers := map[int32][]int32{}
	for s, l := range d.out {
		receivers[s] = peers(l)
	}
	used := map[int32]bool{}
	var out []biclique
	common := map[int32]int{}
	for _, r1 := range sortedKeys(d.in) {
		s1 := senders[r1]
		if used[r1] || len(s1) < m {
			continue
		}
		clear(common)
		for _, s := range s1 {
			if rs := receivers[s]; len(rs) <= bipartiteDegreeMax {
				for _, r2 := range rs {
					if r2 != r1 && !used[r2] {
						common[r2]++
					}
				}
			}
		}
		var cand []int32
		for r2, n := range common {
			if n >= m {
				cand = append(cand, r2)
			}
		}
		if len(cand)+1 < m {
			continue
		}
		slices.SortFunc(cand, func(a, b int32) int {
			if c := cmp.Compare(common[b], common[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		S, R := s1, []int32{r1}
		for _, r2 := range cand {
			if in := intersect(S, senders[r2]); len(in) >= m {
				S, R = in, append(R, r2)
			}
		}
		slices.Sort(R)
		S = slices.DeleteFunc(slices.Clone(S), func(s int32) bool { _, ok := slices.BinarySearch(R, s); return ok })
		if len(S) < m || len(R) < m {
			continue
		}
		b := biclique{senders: S, receivers: R}
		for _, r := range R {
			used[r] = true
			for _, x := range d.in[r] {
				if _, ok := slices.BinarySearch(S, x.peer); ok {
					b.edges = append(b.edges, x.edge)
				}
			}
		}
		out = append(out, b)
	}
	return out
}

// feeds reports whether the second group passes on what the first paid: each account in
// both (the middle layer) received a transfer of the first before it made one of the second.
func (d *detector) feeds(first, second biclique, middle []int32) bool {
	for _, a := range middle {
		firstIn, lastOut := int32(-1), int32(-1)
		for _, x := range d.in[a] {
			if _, ok := slices.BinarySearch(first.senders, x.peer); ok && (firstIn < 0 || x.edge < firstIn) {
				firstIn = x.edge
			}
		}
		for _, x := range d.out[a] {
			if _, ok := slices.BinarySearch(second.receivers, x.peer); ok && x.edge > lastOut {
				lastOut = x.edge
			}
		}
		if firstIn < 0 || lastOut < firstIn {
			return false
		}
	}
	return true
}

// bipartiteAndStack reports the bicliques: those that chain into layers (the receivers of one
// are, at least BipartiteMin of them, the senders of the next, and pass its money on after it
// arrived) as one stack finding per chain, the others as bipartite findings.
func (d *detector) bipartiteAndStack(on func(string) bool) {
	bs := d.bicliques()
	parent := make([]int, len(bs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// A receiver belongs to one biclique (the search marks them), so index bicliques by
	// receiver and look up each biclique's senders.
	byReceiver := map[int32]int{}
	for i, b := range bs {
		for _, r := range b.receivers {
			byReceiver[r] = i
		}
	}
	for j, b := range bs {
		mids := map[int][]int32{}
		for _, s := range b.senders {
			if i, ok := byReceiver[s]; ok && i != j {
				mids[i] = append(mids[i], s)
			}
		}
		for i, mid := range mids {
			if len(mid) >= d.p.BipartiteMin && d.feeds(bs[i], b, mid) {
				parent[find(i)] = find(j)
			}
		}
	}
	groups := map[int][]int{}
	for i := range bs {
		groups[find(i)] = append(groups[find(i)], i)
	}
	roots := make([]int, 0, len(groups))
	for r := range groups {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	for _, r := range roots {
		g := groups[r]
		accts := map[int32]bool{}
		var es []int32
		for _, i := range g {
			for _, a := range bs[i].senders {
				accts[a] = true
			}
			for _, a := range bs[i].receivers {
				accts[a] = true
			}
			es = append(es, bs[i].edges...)
		}
		amt, first, last := d.span(es)
		if len(g) == 1 {
			if !on(Bipartite) {
				continue
			}
			b := bs[g[0]]
			d.add(Bipartite, accts, es, float64(min(len(b.senders), len(b.receivers)))/float64(d.p.BipartiteMin),
				fmt.Sprintf("%d accounts each paid every one of %d other accounts, outside any regular relationship: %d transfers, %s in total, %s to %s",
					len(b.senders), len(b.receivers), len(es), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
			continue
		}
		if !on(Stack) {
			continue
		}
		d.add(Stack, accts, es, float64(len(g)+1)/3,
			fmt.Sprintf("%d accounts in %d layers: each account of a layer paid every account of the next after its own money arrived, outside any regular relationship: %d transfers, %s in total, %s to %s",
				len(accts), len(g)+1, len(es), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
	}
}
