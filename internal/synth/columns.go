package synth

import "slices"

// hotColumns copies the few person and account fields that drawing reads for every event and
// call into dense integer columns. The person and account tables are a few hundred bytes a row
// and drawing picks rows at random, so each look-up there was a cache miss; these columns are
// 17 bytes a person and 4 an account.
type hotColumns struct {
	holder    []int32 // per account: the holding person, −1 for a company account
	household []int32 // per person: the first member of the household
	hhSize    []uint8 // per person: the household's size
	firstAcct []int32 // per person: the first account, −1 when none
	sim       []int32 // per person: the person's own SIM
}

func newHotColumns(w *world) hotColumns {
	h := hotColumns{
		holder:    make([]int32, len(w.accounts)),
		household: make([]int32, len(w.persons)),
		hhSize:    make([]uint8, len(w.persons)),
		firstAcct: make([]int32, len(w.persons)),
		sim:       make([]int32, len(w.persons)),
	}
	for i := range w.accounts {
		h.holder[i] = w.accounts[i].holder
	}
	for i := range w.persons {
		p := &w.persons[i]
		h.household[i], h.hhSize[i], h.sim[i], h.firstAcct[i] = p.household, p.hhSize, p.sim, -1
		if len(p.accounts) > 0 {
			h.firstAcct[i] = p.accounts[0]
		}
	}
	return h
}

// sortKeys sorts unique event keys (see eventKey) that were appended in increasing index
// order, using tmp (grown as needed) as scratch, and returns the scratch. It is a stable LSD
// radix sort on the time and class bits above the index, in two passes: because the keys
// arrive in index order and the sort is stable, the result is the keys in increasing order,
// the same as slices.Sort, for a fraction of the comparisons.
func sortKeys(keys, tmp []uint64) []uint64 {
	const lowBits, highBits = 10, 9 // 19 bits: 17 of time of day, 2 of class
	if cap(tmp) < len(keys) {
		tmp = make([]uint64, len(keys))
	}
	tmp = tmp[:len(keys)]
	var lo [1 << lowBits]int32
	var hi [1 << highBits]int32
	var all uint64
	for _, k := range keys {
		all |= k
		lo[k>>keyIndexBits&(1<<lowBits-1)]++
		hi[k>>(keyIndexBits+lowBits)&(1<<highBits-1)]++
	}
	if all>>(keyIndexBits+lowBits+highBits) != 0 { // a key out of range: never made by eventKey
		slices.Sort(keys)
		return tmp
	}
	var s int32
	for i, c := range lo {
		lo[i], s = s, s+c
	}
	s = 0
	for i, c := range hi {
		hi[i], s = s, s+c
	}
	for _, k := range keys {
		b := k >> keyIndexBits & (1<<lowBits - 1)
		tmp[lo[b]] = k
		lo[b]++
	}
	for _, k := range tmp {
		b := k >> (keyIndexBits + lowBits) & (1<<highBits - 1)
		keys[hi[b]] = k
		hi[b]++
	}
	return tmp
}
