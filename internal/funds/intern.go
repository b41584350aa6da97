package funds

import "hash/maphash"

// internTable maps account numbers to ids while the builder reads rows: three lookups a row
// among some hundred thousand numbers, most of a store load's Go time. A Go map keeps each key
// as a pointer to its bytes elsewhere, so a lookup touches the map's group and then the key;
// here a number of up to inlineKey bytes (bank card and account numbers are 16–19 digits)
// sits in its slot with its hash, and a lookup touches one slot (linear probing, at most 3/4
// full). Longer keys go to a plain map.
type internTable struct {
	seed  maphash.Seed
	slots []internSlot // a power of two of them
	n     int          // slots in use
	long  map[string]int32
}

const inlineKey = 19

type internSlot struct {
	hash uint64 // 0: empty (hashes are stored with the lowest bit set)
	id   int32
	klen uint8
	key  [inlineKey]byte
}

func newInternTable() *internTable {
	return &internTable{seed: maphash.MakeSeed(), slots: make([]internSlot, 1<<12), long: map[string]int32{}}
}

// get returns the id of s, or where to put it (slot index and hash) when s is absent.
func (t *internTable) get(s string) (id int32, slot int, h uint64, ok bool) {
	if len(s) > inlineKey {
		id, ok = t.long[s]
		return id, -1, 0, ok
	}
	h = maphash.String(t.seed, s) | 1
	mask := len(t.slots) - 1
	for i := int(h>>1) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.hash == 0 {
			return 0, i, h, false
		}
		if sl.hash == h && int(sl.klen) == len(s) && string(sl.key[:len(s)]) == s {
			return sl.id, i, h, true
		}
	}
}

// put adds s (absent, at the slot and with the hash get gave) with id.
func (t *internTable) put(s string, slot int, h uint64, id int32) {
	if slot < 0 {
		t.long[s] = id
		return
	}
	sl := &t.slots[slot]
	sl.hash, sl.id, sl.klen = h, id, uint8(len(s))
	copy(sl.key[:], s)
	t.n++
	if t.n*4 > len(t.slots)*3 {
		t.grow()
	}
}

func (t *internTable) grow() {
	old := t.slots
	t.slots = make([]internSlot, 2*len(old))
	mask := len(t.slots) - 1
	for _, sl := range old {
		if sl.hash == 0 {
			continue
		}
		i := int(sl.hash>>1) & mask
		for t.slots[i].hash != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// renumber gives every id its new value perm[id].
func (t *internTable) renumber(perm []int32) {
	for i := range t.slots {
		if t.slots[i].hash != 0 {
			t.slots[i].id = perm[t.slots[i].id]
		}
	}
	for k, v := range t.long {
		t.long[k] = perm[v]
	}
}
