package graph

import (
	"context"
	"fmt"
	"strings"

	"procura/internal/ident"
	"procura/internal/progress"
)

// Column is a dataset column as the graph sees it: its name and semantic type.
type Column struct {
	Name     string `json:"name"`
	Semantic string `json:"semantic"`
}

// Dataset describes one dataset to read: its name, kind ("" for a plain dataset) and columns.
type Dataset struct {
	Name    string
	Kind    string
	Columns []Column
}

// PairSource is what loading needs of the store: the distinct value pairs of two columns.
type PairSource interface {
	ScanPairs(ctx context.Context, dataset, a, b, label string, fn func(a, b, label string, rows int64) error) error
}

// Spec is one pair of columns of one dataset read into edges: every row holding both values
// ties the node of A to the node of B by Rel. With Name set, B is A's display name instead.
type Spec struct {
	Dataset string `json:"dataset"`
	A       string `json:"a"`
	B       string `json:"b"`
	Rel     Rel    `json:"rel,omitempty"`
	Label   string `json:"label_column,omitempty"` // column whose value labels the edge (a party's role)
	Role    string `json:"role,omitempty"`         // a fixed label when there is no label column
	FlipIn  bool   `json:"flip_in,omitempty"`      // a label value of "in" reverses the edge (money came from B)
	Name    bool   `json:"name,omitempty"`
	semA    string
	semB    string
}

// rule is one entry of the table of what each kind's row ties together.
type rule struct {
	a, b   string
	rel    Rel
	label  string
	role   string
	flipIn bool
	name   bool
}

// kindRules says, per dataset kind, which fields of one row tie which entities together. A
// transfer row is read from the account's side: direction "in" means the money came from the
// counterparty, so the edge is turned round.
var kindRules = map[string][]rule{
	"transactions": {
		{a: "holder_id_number", b: "account", rel: Holds},
		{a: "holder_id_number", b: "holder_name", name: true},
		{a: "account", b: "card_no", rel: CardOf},
		{a: "account", b: "counterparty_account", rel: Transfer, label: "direction", flipIn: true},
		{a: "counterparty_id_number", b: "counterparty_account", rel: Holds},
		{a: "counterparty_id_number", b: "counterparty_name", name: true},
		{a: "account", b: "ip", rel: Uses},
		{a: "account", b: "mac", rel: Uses},
		{a: "account", b: "imei", rel: Uses},
	},
	"calls": {
		{a: "caller", b: "callee", rel: Call},
		{a: "caller", b: "imei", rel: Uses},
		{a: "caller", b: "imsi", rel: SIM},
	},
	"ip_sessions": {
		{a: "account", b: "ip", rel: Uses},
		{a: "account", b: "mac", rel: Uses},
		{a: "account", b: "imei", rel: Uses},
	},
	"accounts": {
		{a: "holder_id_number", b: "account", rel: Holds},
		{a: "holder_id_number", b: "holder_name", name: true},
		{a: "account", b: "card_no", rel: CardOf},
		{a: "account", b: "phone", rel: Contact},
		{a: "account", b: "open_ip", rel: Uses},
		{a: "account", b: "open_mac", rel: Uses},
		{a: "account", b: "open_imei", rel: Uses},
	},
	"case_parties": {
		{a: "case_no", b: "id_number", rel: Party, label: "role"},
		{a: "case_no", b: "bank_card", rel: Party, label: "role"},
		{a: "case_no", b: "account", rel: Party, label: "role"},
		{a: "case_no", b: "phone", rel: Party, label: "role"},
		{a: "id_number", b: "bank_card", rel: Holds},
		{a: "id_number", b: "account", rel: Holds},
		{a: "id_number", b: "phone", rel: Holds},
		{a: "id_number", b: "name", name: true},
	},
	"cases":   {{a: "case_no", b: "title", name: true}},
	"persons": {{a: "id_number", b: "phone", rel: Holds}, {a: "id_number", b: "email", rel: Holds}, {a: "id_number", b: "name", name: true}},
	"companies": {
		{a: "uscc", b: "legal_rep_id_number", rel: LegalRep},
		{a: "uscc", b: "phone", rel: Holds},
		{a: "uscc", b: "name", name: true},
		{a: "legal_rep_id_number", b: "legal_rep_name", name: true},
	},
	"chain_transfers": {{a: "from_address", b: "to_address", rel: ChainTransfer}},
	"judgments": {
		{a: "case_no", b: "defendant_id_number", rel: Party, role: "defendant"},
		{a: "defendant_id_number", b: "defendant_name", name: true},
	},
}

// semanticTypes maps the semantic types that identify something to node types.
var semanticTypes = map[string]NodeType{
	"person_id_number": Person, "company_code": Company, "account": Account, "bank_card": Account, "iban": Account,
	"phone": Phone, "imei": IMEI, "imsi": IMSI, "ip": IP, "mac": MAC, "wallet": Wallet, "email": Email, "case_no": Case,
}

// Plan lists the column pairs to read from the datasets: the kind's rules for a kind dataset,
// and for a plain dataset every identifier column tied to the dataset's person or company
// column (or, without one, identifiers pairwise when there are at most four, else to the first).
func Plan(datasets []Dataset) []Spec {
	var out []Spec
	for _, d := range datasets {
		sem := map[string]string{}
		for _, c := range d.Columns {
			sem[c.Name] = c.Semantic
		}
		if rules, ok := kindRules[d.Kind]; ok {
			for _, r := range rules {
				sa, okA := sem[r.a]
				sb, okB := sem[r.b]
				if !okA || !okB || semanticTypes[sa] == 0 || (!r.name && semanticTypes[sb] == 0) {
					continue
				}
				if r.label != "" {
					if _, ok := sem[r.label]; !ok {
						r.label = ""
					}
				}
				out = append(out, Spec{Dataset: d.Name, A: r.a, B: r.b, Rel: r.rel, Label: r.label, Role: r.role, FlipIn: r.flipIn, Name: r.name, semA: sa, semB: sb})
			}
			continue
		}
		if d.Kind != "" {
			continue // a kind that ties nothing (benefits, custody …)
		}
		out = append(out, planPlain(d)...)
	}
	return out
}

func planPlain(d Dataset) []Spec {
	var ids []Column
	hub := -1
	for _, c := range d.Columns {
		if c.Semantic == "text" && idNumberHeader(c.Name) {
			c.Semantic = "person_id_number"
		}
		t := semanticTypes[c.Semantic]
		if t == 0 {
			continue
		}
		if hub < 0 && (t == Person || t == Company) {
			hub = len(ids)
		}
		ids = append(ids, c)
	}
	spec := func(a, b Column, rel Rel) Spec {
		return Spec{Dataset: d.Name, A: a.Name, B: b.Name, Rel: rel, semA: a.Semantic, semB: b.Semantic}
	}
	var out []Spec
	switch {
	case hub >= 0:
		for i, c := range ids {
			if i == hub {
				continue
			}
			rel := Holds
			if semanticTypes[c.Semantic].IsDevice() {
				rel = Uses
			}
			out = append(out, spec(ids[hub], c, rel))
		}
		for _, c := range d.Columns {
			if c.Semantic == "person_name" {
				out = append(out, Spec{Dataset: d.Name, A: ids[hub].Name, B: c.Name, Name: true, semA: ids[hub].Semantic})
				break
			}
		}
	case len(ids) <= 4:
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				out = append(out, spec(ids[i], ids[j], CoOccurs))
			}
		}
	default:
		for _, c := range ids[1:] {
			out = append(out, spec(ids[0], c, CoOccurs))
		}
	}
	return out
}

// idNumberHeader reports whether a plain dataset's text column is named as an identity
// number. Inference types such a column as text when it mixes resident IDs with passport
// numbers (the synth world's sims.csv does), yet it still names the holder.
func idNumberHeader(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, "id_number") || strings.Contains(n, "身份证") || strings.Contains(n, "证件号")
}

// Options tune loading.
type Options struct {
	// Canonical maps a person's identity number to the number of the entity it was resolved
	// to (procura resolve); persons are then one node per resolved entity.
	Canonical map[string]string
	Progress  progress.Reporter
}

// Load reads the planned column pairs of the datasets into a graph.
func Load(ctx context.Context, src PairSource, datasets []Dataset, o Options) (*Graph, []Spec, error) {
	specs := Plan(datasets)
	pr := progress.OrNop(o.Progress)
	pr.Begin("build entity graph", int64(len(specs)), "column pairs")
	defer pr.End()
	b := NewBuilder()
	node := func(sem, v string) (int32, bool) {
		t, key := classify(sem, v)
		if t == 0 {
			return 0, false
		}
		if t == Person && o.Canonical != nil {
			if c, ok := o.Canonical[key]; ok {
				key = c
			}
		}
		return b.Node(t, key), true
	}
	for _, s := range specs {
		err := src.ScanPairs(ctx, s.Dataset, s.A, s.B, s.Label, func(va, vb, lab string, rows int64) error {
			u, ok := node(s.semA, va)
			if !ok {
				return nil
			}
			if s.Name {
				b.SetLabel(u, strings.TrimSpace(vb))
				return nil
			}
			v, ok := node(s.semB, vb)
			if !ok {
				return nil
			}
			if s.Role != "" {
				lab = s.Role
			}
			if s.FlipIn {
				if strings.EqualFold(lab, "in") {
					u, v = v, u
				}
				lab = "" // the direction is in the edge now
			}
			b.Edge(u, v, s.Rel, lab, rows)
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("entity graph: %w", err)
		}
		pr.Add(1)
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
	}
	return b.Build(), specs, nil
}

// classify gives a value's node type and key. Identity-number columns also hold companies'
// USCCs (a corporate account's holder), which become company nodes.
func classify(sem, v string) (NodeType, string) {
	v = strings.TrimSpace(v)
	t := semanticTypes[sem]
	if v == "" || t == 0 {
		return 0, ""
	}
	switch t {
	case Person, Company:
		v = strings.ToUpper(v)
		if len(v) == 18 {
			if _, err := ident.ParseResidentID(v); err != nil {
				if c, err := ident.ParseUSCC(v); err == nil {
					return Company, c
				}
			}
		}
	case MAC:
		v = strings.ToUpper(v)
	}
	return t, v
}
