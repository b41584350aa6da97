package funds

import (
	"math/rand/v2"
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
		// Both sides of a transfer, the incoming one sometimes first.
		out := Row{TxID: id, Account: a, Counterparty: c, Cents: -amt, Unix: tm, Channel: "网银", Memo: memo, Balance: bal, Holder: "h" + a}
		in := Row{TxID: id + "i", Account: c, Counterparty: a, Cents: amt, Unix: tm, Channel: "网银", Memo: "收", Balance: NoBalance}
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
			c.TxID, c.Account, c.Card = append(c.TxID, r.TxID), append(c.Account, r.Account), append(c.Card, r.Account)
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
	for e := range want.NumEdges() {
		if got.Name(got.From[e]) != want.Name(want.From[e]) || got.Name(got.To[e]) != want.Name(want.To[e]) ||
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
