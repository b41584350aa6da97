package funds

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPairTransfersTakesTheOldestOutgoingRowLeft compares the sort-based pairing with the
// rule it implements, followed row by row through a map.
func TestPairTransfersTakesTheOldestOutgoingRowLeft(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := range 500 {
		n := 1 + rng.IntN(60)
		key := func() mergeKey {
			return mergeKey{int32(rng.IntN(3)), int32(rng.IntN(3)), int64(rng.IntN(3)), int64(rng.IntN(3))}
		}
		var outs, ins []keyed
		for i := range n {
			if rng.IntN(2) == 0 {
				outs = append(outs, keyed{key(), int32(len(outs) * 2)})
			} else {
				ins = append(ins, keyed{key(), int32(i)})
			}
		}
		want := make([]int32, n)
		queue := map[mergeKey][]int32{}
		for _, o := range outs {
			queue[o.k] = append(queue[o.k], o.idx)
		}
		for i := range want {
			want[i] = -1
		}
		for _, in := range ins {
			if q := queue[in.k]; len(q) > 0 {
				want[in.idx], queue[in.k] = q[0], q[1:]
			}
		}
		if got := pairTransfers(slices.Clone(outs), slices.Clone(ins), n); !slices.Equal(got, want) {
			t.Fatalf("iteration %d: pairs %v, want %v", iter, got, want)
		}
	}
}
