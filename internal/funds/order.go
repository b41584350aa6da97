package funds

import (
	"cmp"
	"slices"
	"strings"
)

// setHolder names account a's holder from the row at place key, when no earlier row in the
// dataset's order named it.
func (b *Builder) setHolder(a int32, name string, key int64) {
	if name != "" && key < b.holderKey[a] {
		b.holder[a], b.holderKey[a] = strings.Clone(name), key
	}
}

// sortRows puts rows that were added out of the dataset's order back into it, and numbers
// accounts, channels and memos as adding the rows in order would have (by first
// appearance), so the graph does not depend on the order of reading: its ids decide the
// order in which the detectors visit accounts.
func (b *Builder) sortRows() {
	if !b.unordered {
		return
	}
	idx := make([]int32, len(b.raw))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(x, y int32) int { return cmp.Compare(b.order[x], b.order[y]) })
	raw, txids := make([]rawRow, len(b.raw)), make([]string, len(b.raw))
	for i, j := range idx {
		raw[i], txids[i] = b.raw[j], b.txids[j]
	}
	b.raw, b.txids, b.unordered = raw, txids, false
	for i := range b.order {
		b.order[i] = int64(i)
	}
	b.renumber()
}

// firstSeen numbers ids by their first appearance among the visits, then the rest in order.
type firstSeen struct {
	perm []int32
	next int32
}

func newFirstSeen(n int) *firstSeen {
	f := &firstSeen{perm: make([]int32, n)}
	for i := range f.perm {
		f.perm[i] = -1
	}
	return f
}

func (f *firstSeen) visit(id int32) {
	if id >= 0 && f.perm[id] < 0 {
		f.perm[id] = f.next
		f.next++
	}
}

func (f *firstSeen) finish() []int32 {
	for i := range f.perm {
		f.visit(int32(i))
	}
	return f.perm
}

func permute[T any](s []T, perm []int32) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[perm[i]] = v
	}
	return out
}

// renumber gives accounts, channels and memos the ids that adding the (now ordered) rows one
// by one gives: accounts in the order account, card, counterparty of each row; memo "" first.
func (b *Builder) renumber() {
	acc, ch, memo := newFirstSeen(len(b.names)), newFirstSeen(len(b.channels)), newFirstSeen(len(b.memos))
	if id, ok := b.memoIDs[""]; ok {
		memo.visit(int32(id))
	}
	for _, r := range b.raw {
		acc.visit(r.acct)
		acc.visit(r.card)
		acc.visit(r.cp)
		ch.visit(int32(r.channel))
		memo.visit(int32(r.memo))
	}
	ap, cp, mp := acc.finish(), ch.finish(), memo.finish()
	b.names, b.holder, b.inData, b.holderKey = permute(b.names, ap), permute(b.holder, ap), permute(b.inData, ap), permute(b.holderKey, ap)
	b.ids.renumber(ap)
	cardOf, cardKey := make(map[int32]int32, len(b.cardOf)), make(map[int32]int64, len(b.cardKey))
	for c, a := range b.cardOf {
		cardOf[ap[c]], cardKey[ap[c]] = ap[a], b.cardKey[c]
	}
	b.cardOf, b.cardKey = cardOf, cardKey
	b.channels, b.memos = permute(b.channels, cp), permute(b.memos, mp)
	for k, v := range b.chanIDs {
		b.chanIDs[k] = uint16(cp[v])
	}
	for k, v := range b.memoIDs {
		b.memoIDs[k] = uint16(mp[v])
	}
	for i := range b.raw {
		r := &b.raw[i]
		r.acct, r.channel, r.memo = ap[r.acct], uint16(cp[r.channel]), uint16(mp[r.memo])
		if r.card >= 0 {
			r.card = ap[r.card]
		}
		if r.cp >= 0 {
			r.cp = ap[r.cp]
		}
	}
}
