package funds

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestInternTableAgreesWithAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	tab, want := newInternTable(), map[string]int32{}
	var keys []string
	for range 60_000 {
		var s string
		if len(keys) > 0 && rng.IntN(3) == 0 {
			s = keys[rng.IntN(len(keys))] // seen before
		} else {
			// Lengths around the inline limit, so that both the slots and the map for long
			// keys are used; short keys collide on their hash slots often.
			s = strings.Repeat("6", rng.IntN(4)) + strings.Repeat(string(rune('0'+rng.IntN(10))), rng.IntN(inlineKey+6))
			s += string(rune('a' + rng.IntN(26)))
		}
		id, slot, h, ok := tab.get(s)
		wid, wok := want[s]
		if ok != wok || (ok && id != wid) {
			t.Fatalf("get(%q) = %d, %v; want %d, %v", s, id, ok, wid, wok)
		}
		if !ok {
			want[s] = int32(len(keys))
			tab.put(s, slot, h, int32(len(keys)))
			keys = append(keys, s)
		}
	}
	if len(tab.slots) <= 1<<12 || len(tab.long) == 0 {
		t.Fatalf("the test should grow the table and use long keys: %d slots, %d long", len(tab.slots), len(tab.long))
	}
	perm := rng.Perm(len(keys))
	p := make([]int32, len(perm))
	for i, v := range perm {
		p[i] = int32(v)
	}
	tab.renumber(p)
	for s, id := range want {
		if got, _, _, ok := tab.get(s); !ok || got != p[id] {
			t.Fatalf("after renumbering %q is %d (%v), want %d", s, got, ok, p[id])
		}
	}
}
