package graph

import (
	"context"
	"testing"
)

func TestBuildMergesRepeatedEdgesAndKeepsBothEnds(t *testing.T) {
	b := NewBuilder()
	p := b.Node(Person, "110101199001011234")
	a := b.Node(Account, "6222000011112222")
	if again := b.Node(Account, "6222000011112222"); again != a {
		t.Fatalf("the same account got two ids: %d and %d", a, again)
	}
	b.Edge(p, a, Holds, "", 3)
	b.Edge(p, a, Holds, "", 2)
	b.Edge(a, a, Transfer, "", 1) // a self-loop ties nothing
	g := b.Build()
	p, _ = g.Lookup(Person, "110101199001011234")
	a, _ = g.Lookup(Account, "6222000011112222")
	if g.Nodes() != 2 || g.Edges() != 1 {
		t.Fatalf("got %d nodes and %d edges, want 2 and 1", g.Nodes(), g.Edges())
	}
	var seen []Adj
	g.Neighbours(a, func(x Adj) bool { seen = append(seen, x); return true })
	if len(seen) != 1 || seen[0].Node != p || seen[0].Out || seen[0].Rows != 5 {
		t.Errorf("the account's adjacency is %+v; want the holder, incoming, 5 rows", seen)
	}
}

func TestPlanReadsKindRulesAndTiesPlainDatasetsToTheirHolder(t *testing.T) {
	cases := []struct {
		name string
		ds   Dataset
		want []string // "a>b rel"
	}{
		{"a statement without counterparties ties holder, account and device",
			Dataset{Name: "tx", Kind: "transactions", Columns: []Column{{"account", "account"}, {"holder_id_number", "person_id_number"}, {"ip", "ip"}, {"amount", "amount"}}},
			[]string{"holder_id_number>account holds", "account>ip uses"}},
		{"a SIM register whose id column was typed as text still ties the holder",
			Dataset{Name: "sims", Columns: []Column{{"phone", "phone"}, {"imsi", "imsi"}, {"holder_id_number", "text"}, {"holder_name", "person_name"}}},
			[]string{"holder_id_number>phone holds", "holder_id_number>imsi holds", "holder_id_number>holder_name name"}},
		{"a kind that ties nothing is skipped",
			Dataset{Name: "b", Kind: "benefits", Columns: []Column{{"id_number", "person_id_number"}, {"account", "account"}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, s := range Plan([]Dataset{c.ds}) {
				r := s.Rel.String()
				if s.Name {
					r = "name"
				}
				got = append(got, s.A+">"+s.B+" "+r)
			}
			if len(got) != len(c.want) {
				t.Fatalf("plan %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("plan[%d] = %s, want %s", i, got[i], c.want[i])
				}
			}
		})
	}
}

// pairs is an in-memory PairSource.
type pairs map[string][][4]string // dataset/a/b/label → rows of a, b, label

func (p pairs) ScanPairs(_ context.Context, ds, a, b, label string, fn func(a, b, label string, rows int64) error) error {
	for _, r := range p[ds+"/"+a+"/"+b] {
		if err := fn(r[0], r[1], r[2], 1); err != nil {
			return err
		}
	}
	return nil
}

func TestLoadTurnsIncomingTransfersRoundAndCompaniesApart(t *testing.T) {
	src := pairs{
		"tx/account/counterparty_account": {{"A1", "A2", "in", ""}},
		"tx/holder_id_number/account":     {{"91340209105822078H", "A1", "", ""}},
	}
	ds := []Dataset{{Name: "tx", Kind: "transactions", Columns: []Column{{"account", "account"}, {"counterparty_account", "account"}, {"direction", "direction"}, {"holder_id_number", "person_id_number"}}}}
	g, _, err := Load(context.Background(), src, ds, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := g.Lookup(Account, "A1")
	a2, _ := g.Lookup(Account, "A2")
	if _, ok := g.Lookup(Company, "91340209105822078H"); !ok {
		t.Errorf("a USCC in the holder's id column is not a company node")
	}
	var out bool
	g.Neighbours(a2, func(x Adj) bool {
		if x.Node == a1 && x.Rel == Transfer {
			out = x.Out
		}
		return true
	})
	if !out {
		t.Errorf("an 'in' row of A1 from A2 should be a transfer A2 → A1")
	}
}
