package graph

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// EventSource is what loading dated edges needs of the store: for each row of a dataset with
// both columns set and a time, the two values, the label column's value and the time.
type EventSource interface {
	ScanEvents(ctx context.Context, dataset, a, b, timeCol, label string, fn func(a, b, label string, unix int64) error) error
}

// eventRule says which columns of a kind's row are a dated edge.
type eventRule struct {
	a, b, time, label string
	rel               Rel
	flipIn            bool
}

var eventRules = map[string]eventRule{
	"transactions":    {a: "account", b: "counterparty_account", time: "time", label: "direction", rel: Transfer, flipIn: true},
	"calls":           {a: "caller", b: "callee", time: "start_time", rel: Call},
	"chain_transfers": {a: "from_address", b: "to_address", time: "time", rel: ChainTransfer},
}

// LoadEvents reads the dated edges (transfers, calls, token transfers) of the datasets whose
// ends are nodes of g. Rows of kinds without dates, or whose columns lack a semantic type that
// names a node, give none.
func (g *Graph) LoadEvents(ctx context.Context, src EventSource, datasets []Dataset) ([]Event, error) {
	var out []Event
	for _, d := range datasets {
		r, ok := eventRules[d.Kind]
		if !ok {
			continue
		}
		sem := map[string]string{}
		for _, c := range d.Columns {
			sem[c.Name] = c.Semantic
		}
		sa, sb := sem[r.a], sem[r.b]
		if semanticTypes[sa] == 0 || semanticTypes[sb] == 0 {
			continue
		}
		if _, ok := sem[r.time]; !ok {
			continue
		}
		label := r.label
		if _, ok := sem[label]; !ok {
			label = ""
		}
		err := src.ScanEvents(ctx, d.Name, r.a, r.b, r.time, label, func(va, vb, lab string, unix int64) error {
			ta, ka := classify(sa, va)
			tb, kb := classify(sb, vb)
			u, okU := g.Lookup(ta, ka)
			v, okV := g.Lookup(tb, kb)
			if !okU || !okV || u == v {
				return nil
			}
			if r.flipIn && strings.EqualFold(lab, "in") {
				u, v = v, u
			}
			out = append(out, Event{From: u, To: v, Rel: r.rel, Unix: unix})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("dated edges of %s: %w", d.Name, err)
		}
	}
	return out, nil
}

// Ends widens a path's end: a person or company stands for the accounts, cards, phones and
// wallets it holds (dated edges start and end there); any other node for itself.
func (g *Graph) Ends(id int32) []int32 {
	if t := g.types[id]; t != Person && t != Company {
		return []int32{id}
	}
	out := []int32{id}
	for p := g.off[id]; p < g.off[id+1]; p++ {
		if g.rel[p] == Holds && g.out[p] {
			out = append(out, g.nbr[p])
		}
	}
	return out
}

func unixText(u int64) string { return time.Unix(u, 0).UTC().Format(time.RFC3339) }
