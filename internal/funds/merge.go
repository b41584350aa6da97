package funds

import (
	"cmp"
	"slices"
)

// keyed is a row that may be one side of a transfer recorded twice: its key and its index
// (an edge index for outgoing rows, a row index for incoming ones).
type keyed struct {
	k   mergeKey
	idx int32
}

func compareKeyed(x, y keyed) int {
	if c := cmp.Compare(x.k.unix, y.k.unix); c != 0 {
		return c
	}
	if c := cmp.Compare(x.k.from, y.k.from); c != 0 {
		return c
	}
	if c := cmp.Compare(x.k.to, y.k.to); c != 0 {
		return c
	}
	if c := cmp.Compare(x.k.cents, y.k.cents); c != 0 {
		return c
	}
	return cmp.Compare(x.idx, y.idx)
}

// pairTransfers pairs incoming rows with the outgoing rows of the same transfer: among the
// rows of one key, the j-th incoming row (by index) takes the j-th outgoing one (by index),
// as long as there are outgoing ones left. That is what taking, for each incoming row in
// order, the oldest outgoing row not yet taken does, without a hash map: both lists are
// sorted and walked together. It returns, per incoming row index (below rows), the outgoing
// row's index or -1.
func pairTransfers(outs, ins []keyed, rows int) []int32 {
	match := make([]int32, rows)
	for i := range match {
		match[i] = -1
	}
	slices.SortFunc(outs, compareKeyed)
	slices.SortFunc(ins, compareKeyed)
	i, j := 0, 0
	for i < len(outs) && j < len(ins) {
		switch c := compareKeyed(keyed{k: outs[i].k}, keyed{k: ins[j].k}); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			match[ins[j].idx] = outs[i].idx
			i++
			j++
		}
	}
	return match
}
