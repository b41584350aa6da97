package synth

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortKeysOrdersLikeSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var tmp []uint64
	for _, n := range []int{0, 1, 2, 17, 1000, 40_000} {
		d := r.IntN(numDays)
		keys := make([]uint64, n)
		for i := range keys {
			// Times cluster in a few seconds so that many keys tie on time and class.
			tm := int64(d)*day + int64(r.IntN(86400))
			if r.IntN(3) == 0 {
				tm = int64(d)*day + 3600 + int64(r.IntN(4))
			}
			keys[i] = eventKey(tm, d, uint64(r.IntN(3)), i)
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		tmp = sortKeys(keys, tmp)
		if !slices.Equal(keys, want) {
			t.Fatalf("%d keys: sortKeys order differs from slices.Sort", n)
		}
	}
	// A key beyond the time-of-day range still sorts correctly.
	keys := []uint64{1 << 60, 5, 1 << 30}
	sortKeys(keys, nil)
	if !slices.IsSorted(keys) {
		t.Errorf("out-of-range keys not sorted: %v", keys)
	}
}

func TestGuidePicksTheFirstIndexReachingTheDraw(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cum := make([]float64, 5000)
	s := 0.0
	for i := range cum {
		s += paretoWeight(r)
		cum[i] = s
	}
	g := newGuide(cum)
	a, b := rand.New(rand.NewPCG(5, 6)), rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 100_000; n++ {
		got := g.pick(a)
		x := b.Float64() * s
		want, _ := slices.BinarySearch(cum, x)
		want = min(want, len(cum)-1)
		if got != want {
			t.Fatalf("draw %d: pick %d, the first index whose cumulative weight reaches it is %d", n, got, want)
		}
	}
}
