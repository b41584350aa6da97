package funds

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAddColumnsInAnyOrderBuildsTheGraphOfAdd proves the columnar load keeps the merge and
// ordering semantics: rows handed over shuffled, with their place in the dataset's order,
// give the same graph as the rows added in order.
func TestAddColumnsInAnyOrderBuildsTheGraphOfAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	var rows []Row
	accts := []string{"A", "B", "C", "D"}
	for i := range 400 {
		a, c := accts[rng.IntN(4)], accts[rng.IntN(4)]
		amt, tm := int64(100*(1+rng.IntN(5))), t0+int64(rng.IntN(40))*60
		memo := []string{"", "转账", "工资"}[rng.IntN(3)]
		bal := int64(NoBalance)
		if rng.IntN(2) == 0 {
			bal = int64(rng.IntN(100000))
		}
		id := "t" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		// Both sides of a transfer, the incoming one sometimes first; holders, card numbers,
		// counterparty names, channels and memos vary from row to row, so which row names
		// them first (or last, for cards) matters.
		out := Row{TxID: id, Account: a, Counterparty: c, Cents: -amt, Unix: tm, Channel: []string{"网银", "ATM", "柜面"}[rng.IntN(3)],
			Memo: memo, Balance: bal, Holder: []string{"", "h" + a, "H" + a}[rng.IntN(3)], Card: []string{"", "c" + a, "k" + a}[rng.IntN(3)]}
		in := Row{TxID: id + "i", Account: c, Counterparty: a, Cents: amt, Unix: tm, Channel: "网银", Memo: []string{"收", "", fmt.Sprint("m", i%7)}[rng.IntN(3)],
			Balance: NoBalance, CounterpartyName: []string{"", "n" + a, "N" + a}[rng.IntN(3)]}
		if rng.IntN(3) == 0 {
			out.Counterparty = ""
			rows = append(rows, out)
			continue
		}
		if rng.IntN(2) == 0 {
			rows = append(rows, in, out)
		} else {
			rows = append(rows, out, in)
		}
	}
	inOrder := NewBuilder(len(rows))
	for _, r := range rows {
		if err := inOrder.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	want := inOrder.Build()

	perm := rng.Perm(len(rows))
	shuffled := NewBuilder(16)
	for start := 0; start < len(perm); start += 37 {
		var c Columns
		for _, i := range perm[start:min(start+37, len(perm))] {
			r := rows[i]
			c.N++
			card := r.Card
			if card == "" {
				card = r.Account // as the store gives it: card_no is often the account itself
			}
			c.TxID, c.Account, c.Card = append(c.TxID, r.TxID), append(c.Account, r.Account), append(c.Card, card)
			c.Counterparty, c.Channel, c.Memo = append(c.Counterparty, r.Counterparty), append(c.Channel, r.Channel), append(c.Memo, r.Memo)
			c.Holder, c.CounterpartyName = append(c.Holder, r.Holder), append(c.CounterpartyName, r.CounterpartyName)
			c.Cents, c.Unix, c.Balance, c.Order = append(c.Cents, r.Cents), append(c.Unix, r.Unix), append(c.Balance, r.Balance), append(c.Order, int64(i)*3)
		}
		if err := shuffled.AddColumns(&c); err != nil {
			t.Fatal(err)
		}
	}
	got := shuffled.Build()
	if want.MergedRows == 0 || got.MergedRows != want.MergedRows || got.NumEdges() != want.NumEdges() {
		t.Fatalf("merged %d of %d edges, want %d of %d", got.MergedRows, got.NumEdges(), want.MergedRows, want.NumEdges())
	}
	// The same ids, holders, channels and memos: the detectors visit accounts in id order.
	if !slices.Equal(got.Names, want.Names) || !slices.Equal(got.Holder, want.Holder) || !slices.Equal(got.InData, want.InData) ||
		!slices.Equal(got.Channels, want.Channels) || !slices.Equal(got.Memos, want.Memos) || !maps.Equal(got.cardOf, want.cardOf) {
		t.Fatalf("accounts %v holders %v channels %v memos %v cards %v,\nwant %v %v %v %v %v", got.Names, got.Holder, got.Channels, got.Memos, got.cardOf,
			want.Names, want.Holder, want.Channels, want.Memos, want.cardOf)
	}
	for e := range want.NumEdges() {
		if got.From[e] != want.From[e] || got.To[e] != want.To[e] || got.Memo[e] != want.Memo[e] || got.Channel[e] != want.Channel[e] ||
			got.Amount[e] != want.Amount[e] || got.Time[e] != want.Time[e] || got.TxID[e] != want.TxID[e] ||
			got.BalFrom[e] != want.BalFrom[e] || got.BalTo[e] != want.BalTo[e] || got.Memos[got.Memo[e]] != want.Memos[want.Memo[e]] {
			t.Fatalf("edge %d differs: %s→%s %d %s, want %s→%s %d %s", e, got.Name(got.From[e]), got.Name(got.To[e]), got.Amount[e], got.TxID[e],
				want.Name(want.From[e]), want.Name(want.To[e]), want.Amount[e], want.TxID[e])
		}
	}
	for _, n := range want.Names {
		a, _ := want.Account(n)
		b, ok := got.Account(n)
		if !ok || got.Holder[b] != want.Holder[a] || got.InData[b] != want.InData[a] {
			t.Errorf("account %s: holder %q in data %v, want %q %v", n, got.Holder[b], got.InData[b], want.Holder[a], want.InData[a])
		}
	}
}
