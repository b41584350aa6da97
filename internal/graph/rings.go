package graph

import (
	"cmp"
	"context"
	"slices"
)

// Ring is a set of device controllers' groups that money ties together: the card dealers of
// one fraud ring, the cards they operate and the farmers who sold them.
type Ring struct {
	ID        int         `json:"id"`
	Persons   []Ref       `json:"persons"`   // holders and organisers
	Devices   []Ref       `json:"devices"`   // the controllers' IPs, MACs and IMEIs
	Accounts  int         `json:"accounts"`  // accounts and cards in the ring's groups
	Transfers int         `json:"transfers"` // transfers between the ring's groups
	Organiser []Organiser `json:"organisers,omitempty"`
}

// RingOptions tune Rings.
type RingOptions struct {
	Resolution float64 // γ of the Louvain run over the groups (default 2)
}

// Rings groups the device controllers by the money that flows between the accounts they
// operate: every controller's group (ControlGroups) is a node, two groups are tied by the
// number of transfers between their accounts, and Louvain (resolution γ, default 2) finds
// which groups belong together. A ring's mule cards pass money from one layer to the next,
// and the layers are cards of the ring's several dealers, so its groups are tied by many
// transfers; another ring's cards are reached by few (a card sold twice, a shared trader).
// Louvain over the whole entity graph cannot tell the two apart: the rings' neighbourhoods
// (victims, cases, traders, payment platforms) join them into a few large communities.
// It returns the rings of two or more persons, largest first, and each node's ring (-1: none).
func (g *Graph) Rings(ctx context.Context, cs []Controller, o RingOptions) ([]Ring, []int32, error) {
	if o.Resolution <= 0 {
		o.Resolution = 2
	}
	groupOf := make([]int32, g.Nodes())
	for i := range groupOf {
		groupOf[i] = -1
	}
	var groups []Controller
	for _, c := range cs {
		if c.Kind != "device" || len(c.members) == 0 {
			continue
		}
		k := int32(len(groups))
		n := 0
		for _, m := range c.members {
			if groupOf[m] < 0 {
				groupOf[m] = k
				n++
			}
		}
		if n > 0 {
			groups = append(groups, c)
		} else {
			continue
		}
	}
	var from, to []int32
	for u := range groupOf {
		gu := groupOf[u]
		if gu < 0 || g.types[u] != Account {
			continue
		}
		for p := g.off[u]; p < g.off[u+1]; p++ {
			if g.rel[p] != Transfer || !g.out[p] {
				continue
			}
			if gv := groupOf[g.nbr[p]]; gv >= 0 && gv != gu {
				from, to = append(from, gu), append(to, gv)
			}
		}
	}
	comm, err := LouvainWith(ctx, NewCSR(len(groups), from, to), LouvainOptions{Resolution: o.Resolution})
	if err != nil {
		return nil, nil, err
	}
	of := make([]int32, g.Nodes())
	for i, x := range groupOf {
		of[i] = -1
		if x >= 0 {
			of[i] = comm.Of[x]
		}
	}
	rings := make([]Ring, comm.Count)
	for i := range rings {
		rings[i].ID = i
	}
	for i, r := range of {
		if r < 0 {
			continue
		}
		switch t := g.types[i]; {
		case t == Person || t == Company:
			rings[r].Persons = append(rings[r].Persons, g.Ref(int32(i)))
		case t == Account:
			rings[r].Accounts++
		}
	}
	for k, c := range groups {
		r := comm.Of[k]
		rings[r].Devices = append(rings[r].Devices, c.Nodes...)
		if len(c.Behind) > 0 {
			rings[r].Organiser = append(rings[r].Organiser, c.Behind[0])
		}
	}
	for i := range from {
		if comm.Of[from[i]] == comm.Of[to[i]] {
			rings[comm.Of[from[i]]].Transfers++
		}
	}
	out := rings[:0]
	for _, r := range rings {
		if len(r.Persons) >= 2 {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Ring) int { return cmp.Compare(len(b.Persons), len(a.Persons)) })
	return out, of, nil
}
