package funds

import (
	"testing"
	"time"
)

// seedWorld: victim V (card C names V's statement) pays mule M twice, pays rent, and pays the
// other victim W; M passes money on to N and withdraws cash.
func seedWorld(t *testing.T) *Graph {
	t.Helper()
	b := NewBuilder(8)
	day := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC).Unix()
	for _, r := range []Row{
		{TxID: "V1", Account: "V", Card: "C", Counterparty: "M", Cents: -100000, Unix: day, Balance: NoBalance},
		{TxID: "V2", Account: "V", Card: "C", Counterparty: "L", Cents: -300000, Unix: day + 60, Memo: "房租", Balance: NoBalance},
		{TxID: "V3", Account: "V", Card: "C", Counterparty: "W", Cents: -5000, Unix: day + 120, Balance: NoBalance},
		{TxID: "V4", Account: "V", Card: "C", Counterparty: "M", Cents: -200000, Unix: day + 86400, Balance: NoBalance},
		{TxID: "W1", Account: "W", Counterparty: "M", Cents: -70000, Unix: day + 200, Balance: NoBalance},
		{TxID: "M1", Account: "M", Counterparty: "N", Cents: -90000, Unix: day + 3600, Balance: NoBalance},
		{TxID: "M2", Account: "M", Cents: -50000, Unix: day + 7200, Channel: "ATM", Balance: NoBalance},
		{TxID: "M3", Account: "M", Counterparty: "N", Cents: -10000, Unix: day + 90000, Balance: NoBalance},
	} {
		if err := b.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Build()
}

func txids(g *Graph, edges []int32) []string {
	var out []string
	for _, e := range edges {
		out = append(out, g.TxID[e])
	}
	return out
}

func TestVictimPaymentsAreTheVictimsTransfersToOthersButNotOrdinaryLife(t *testing.T) {
	g := seedWorld(t)
	cases := []struct {
		name    string
		victims []string
		after   time.Time
		want    []string
	}{
		{"by account", []string{"V", "W"}, time.Time{}, []string{"V1", "W1", "V4"}},
		{"by card", []string{"C"}, time.Time{}, []string{"V1", "V3", "V4"}},
		{"after a time", []string{"V"}, time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), []string{"V4"}},
		{"unknown numbers", []string{"nobody"}, time.Time{}, nil},
	}
	for _, c := range cases {
		got := txids(g, g.VictimPayments(c.victims, c.after))
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

func TestOutgoingAfterListsAnAccountsTransfersFromATimeUpToTheLimit(t *testing.T) {
	g := seedWorld(t)
	day := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	ts, total, ok := g.OutgoingAfter("M", day.Add(time.Hour), 0, nil)
	if !ok || total != 3 || len(ts) != 3 || ts[0].TxID != "M1" || ts[1].To != "" || ts[1].Channel != "ATM" || ts[0].Amount != 90000 {
		t.Fatalf("from an hour on = %+v (total %d)", ts, total)
	}
	if ts, total, _ := g.OutgoingAfter("M", day.Add(2*time.Hour+time.Second), 0, nil); total != 1 || ts[0].TxID != "M3" {
		t.Errorf("after the cash withdrawal = %+v", ts)
	}
	if ts, total, _ := g.OutgoingAfter("M", time.Time{}, 2, nil); total != 3 || len(ts) != 2 {
		t.Errorf("limit 2 = %d of %d", len(ts), total)
	}
	if ts, _, _ := g.OutgoingAfter("C", time.Time{}, 0, nil); len(ts) != 4 {
		t.Errorf("a card stands for its account: %d transfers, want V's 4", len(ts))
	}
	if _, _, ok := g.OutgoingAfter("nobody", time.Time{}, 0, nil); ok {
		t.Errorf("an unknown account was found")
	}
}
