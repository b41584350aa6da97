package funds

import (
	"slices"
	"time"
)

// VictimPayments returns the seed transactions of known victims: every transfer from a
// victim's account to another account at or after after (zero: any time), in time order.
// A card number without a statement of its own stands for the account whose statement names
// it. Transfers between two victims and transfers whose memo names ordinary life (rent,
// bills, purchases: LifeKind) are not the fraud's money and are left out.
func (g *Graph) VictimPayments(numbers []string, after time.Time) []int32 {
	victims := map[int32]bool{}
	for _, n := range numbers {
		if a, ok := g.Account(n); ok {
			victims[g.resolveCard(a)] = true
		}
	}
	var seeds []int32
	for v := range victims {
		for _, e := range g.Out(v) {
			t := g.To[e]
			if t < 0 || victims[t] || (!after.IsZero() && g.Time[e] < after.Unix()) {
				continue
			}
			if len(g.Memos) > 0 && LifeKind(g.Memos[g.Memo[e]]) != "" {
				continue
			}
			seeds = append(seeds, e)
		}
	}
	slices.Sort(seeds)
	return seeds
}

// Transfer is one money movement of the graph, as a page or an API lists it.
type Transfer struct {
	TxID     string    `json:"tx_id"`
	Time     time.Time `json:"time"`
	From     string    `json:"from"`
	To       string    `json:"to"` // "" for cash
	ToHolder string    `json:"to_holder,omitempty"`
	ToInData bool      `json:"to_in_data"`
	Channel  string    `json:"channel,omitempty"`
	Amount   Cents     `json:"amount"`
}

// OutgoingAfter returns the transfers that left account (or the account whose statement
// names the card) at or after after, in time order, at most limit of them (≤ 0: all), and
// how many there are in all. ok is false when the account is not in the graph.
func (g *Graph) OutgoingAfter(account string, after time.Time, limit int, loc *time.Location) (out []Transfer, total int, ok bool) {
	a, ok := g.Account(account)
	if !ok {
		return nil, 0, false
	}
	if loc == nil {
		loc = time.UTC
	}
	a = g.resolveCard(a)
	edges := g.Out(a)
	// Edges are in time order, so the first one at or after the time is found by bisection.
	from, _ := slices.BinarySearchFunc(edges, after.Unix(), func(e int32, t int64) int {
		if g.Time[e] < t {
			return -1
		}
		return 1
	})
	if after.IsZero() {
		from = 0
	}
	edges = edges[from:]
	total = len(edges)
	if limit > 0 && len(edges) > limit {
		edges = edges[:limit]
	}
	out = make([]Transfer, 0, len(edges))
	for _, e := range edges {
		t := Transfer{TxID: g.TxID[e], Time: time.Unix(g.Time[e], 0).In(loc), From: g.Name(g.From[e]), To: g.Name(g.To[e]),
			Channel: g.ChannelOf(e), Amount: Cents(g.Amount[e])}
		if to := g.To[e]; to >= 0 {
			t.ToHolder, t.ToInData = g.Holder[to], g.InData[to]
		}
		out = append(out, t)
	}
	return out, total, true
}
