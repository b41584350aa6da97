// Package graph is procura's entity graph: persons, companies, accounts and cards, phones,
// devices (IMEI, MAC, IP), SIMs, wallets, e-mail addresses and cases, tied together by what
// the datasets record in one row (a holder and an account, a caller and a callee, a case and
// a party). Nodes get compact integer ids and the edges are kept as CSR arrays, so the
// algorithms (components, Louvain communities, neighbourhoods, paths) and the case analyses
// (cross-case collisions, controllers) run over plain slices.
package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// NodeType is what a node stands for.
type NodeType uint8

// Node types. The names are stable: they appear in JSON, exports and the CLI.
const (
	Person NodeType = iota + 1
	Company
	Account // bank and payment accounts and cards; a card is an account of its own, tied by CardOf
	Phone
	IMEI
	IMSI
	MAC
	IP
	Wallet
	Email
	Case
)

var typeNames = [...]string{"", "person", "company", "account", "phone", "imei", "imsi", "mac", "ip", "wallet", "email", "case"}

// NodeTypes lists every node type.
var NodeTypes = []NodeType{Person, Company, Account, Phone, IMEI, IMSI, MAC, IP, Wallet, Email, Case}

func (t NodeType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type%d", t)
}

// MarshalText writes the type's name.
func (t NodeType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a type's name.
func (t *NodeType) UnmarshalText(b []byte) error {
	x, err := ParseNodeType(string(b))
	*t = x
	return err
}

// ParseNodeType reads a type name (person, account, phone …).
func ParseNodeType(s string) (NodeType, error) {
	for i, n := range typeNames {
		if i > 0 && strings.EqualFold(n, strings.TrimSpace(s)) {
			return NodeType(i), nil
		}
	}
	return 0, fmt.Errorf("node type %q does not exist; use one of %s", s, strings.Join(typeNames[1:], ", "))
}

// IsDevice reports whether t identifies a device or a network location a person acts from.
func (t NodeType) IsDevice() bool { return t == IMEI || t == MAC || t == IP }

// Rel is the relation an edge records.
type Rel uint8

// Relations.
const (
	Holds         Rel = iota + 1 // person or company → account, phone, SIM, e-mail it holds
	CardOf                       // account → a card number of the same account
	Transfer                     // account → account that received money from it
	Call                         // phone → phone it called or texted
	Uses                         // account or phone → device (IMEI, MAC, IP) it was used from
	SIM                          // phone → IMSI of the SIM carrying it
	Party                        // case → person, account, phone named in it (label: the role)
	LegalRep                     // company → its legal representative
	ChainTransfer                // wallet → wallet that received tokens from it
	Contact                      // account → phone registered with it
	CoOccurs                     // two identifiers in one row of a plain dataset
)

var relNames = [...]string{"", "holds", "card_of", "transfer", "call", "uses", "sim", "party", "legal_rep", "chain_transfer", "contact", "co_occurs"}

func (r Rel) String() string {
	if int(r) < len(relNames) {
		return relNames[r]
	}
	return fmt.Sprintf("rel%d", r)
}

// MarshalText writes the relation's name.
func (r Rel) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a relation's name.
func (r *Rel) UnmarshalText(b []byte) error {
	x, err := ParseRel(string(b))
	*r = x
	return err
}

// ParseRel reads a relation name (holds, transfer, call …).
func ParseRel(s string) (Rel, error) {
	for i, n := range relNames {
		if i > 0 && strings.EqualFold(n, strings.TrimSpace(s)) {
			return Rel(i), nil
		}
	}
	return 0, fmt.Errorf("relation %q does not exist; use one of %s", s, strings.Join(relNames[1:], ", "))
}

type nodeKey struct {
	t NodeType
	v string
}

// Builder collects nodes and edges; Build turns them into a Graph. The zero value is not
// ready: use NewBuilder.
type Builder struct {
	ids    map[nodeKey]int32
	types  []NodeType
	keys   []string
	labels []string
	edges  []rawEdge
	labIdx map[string]uint16
	labs   []string
}

type rawEdge struct {
	u, v int32
	rel  Rel
	lab  uint16
	rows int64
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{ids: map[nodeKey]int32{}, labIdx: map[string]uint16{"": 0}, labs: []string{""}}
}

// Node returns the id of the node (t, key), adding it when new. Build renumbers the nodes
// (by type and key); look them up in the Graph with Lookup.
func (b *Builder) Node(t NodeType, key string) int32 {
	k := nodeKey{t, key}
	if id, ok := b.ids[k]; ok {
		return id
	}
	id := int32(len(b.types))
	b.ids[k] = id
	b.types = append(b.types, t)
	b.keys = append(b.keys, key)
	b.labels = append(b.labels, "")
	return id
}

// SetLabel gives a node a display name (a person's or company's name, a case title). Of
// several names the smallest is kept, so the result does not depend on the reading order.
func (b *Builder) SetLabel(id int32, label string) {
	if label != "" && (b.labels[id] == "" || label < b.labels[id]) {
		b.labels[id] = label
	}
}

// canonicalise renumbers nodes by type and key and edge labels alphabetically, so that the
// same data gives the same ids and adjacency order whatever order the store returned it in
// (a parallel GROUP BY has none); communities and ties are then reproducible.
func (b *Builder) canonicalise() {
	n := len(b.types)
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(x, y int32) int {
		return cmp.Or(cmp.Compare(b.types[x], b.types[y]), cmp.Compare(b.keys[x], b.keys[y]))
	})
	newID := make([]int32, n)
	types, keys, labels := make([]NodeType, n), make([]string, n), make([]string, n)
	for to, from := range perm {
		newID[from] = int32(to)
		types[to], keys[to], labels[to] = b.types[from], b.keys[from], b.labels[from]
	}
	b.types, b.keys, b.labels = types, keys, labels
	for k, id := range b.ids {
		b.ids[k] = newID[id]
	}
	labs := slices.Clone(b.labs)
	slices.Sort(labs)
	newLab := make([]uint16, len(b.labs))
	for i, l := range b.labs {
		j, _ := slices.BinarySearch(labs, l)
		newLab[i] = uint16(j)
	}
	b.labs = labs
	for i := range b.edges {
		e := &b.edges[i]
		e.u, e.v, e.lab = newID[e.u], newID[e.v], newLab[e.lab]
	}
}

// Edge records that rows rows tie u to v by rel; label qualifies it (a party's role).
func (b *Builder) Edge(u, v int32, rel Rel, label string, rows int64) {
	if u == v {
		return
	}
	li, ok := b.labIdx[label]
	if !ok {
		li = uint16(len(b.labs))
		if len(b.labs) == 1<<16-1 {
			li = 0 // more than 65,535 distinct labels: a free-text column, not a role
		} else {
			b.labIdx[label] = li
			b.labs = append(b.labs, label)
		}
	}
	b.edges = append(b.edges, rawEdge{u, v, rel, li, rows})
}

// Graph is a built entity graph. Every edge is stored twice, once in the adjacency of each
// end, with Out telling which end it starts from.
type Graph struct {
	ids    map[nodeKey]int32
	types  []NodeType
	keys   []string
	labels []string
	labs   []string

	off  []int64 // adjacency of node i: entries off[i] … off[i+1]-1
	nbr  []int32
	rel  []Rel
	out  []bool // the edge starts at the node whose adjacency holds the entry
	lab  []uint16
	rows []int64
}

// Build merges repeated edges (the same pair, relation, label and direction, summing rows) and
// lays the adjacency out as CSR arrays. The builder must not be used afterwards.
func (b *Builder) Build() *Graph {
	b.canonicalise()
	es := b.edges
	slices.SortFunc(es, func(x, y rawEdge) int {
		return cmp.Or(cmp.Compare(x.u, y.u), cmp.Compare(x.v, y.v), cmp.Compare(x.rel, y.rel), cmp.Compare(x.lab, y.lab))
	})
	k := 0
	for i := range es {
		if k > 0 && es[k-1].u == es[i].u && es[k-1].v == es[i].v && es[k-1].rel == es[i].rel && es[k-1].lab == es[i].lab {
			es[k-1].rows += es[i].rows
			continue
		}
		es[k] = es[i]
		k++
	}
	es = es[:k]
	n := len(b.types)
	g := &Graph{ids: b.ids, types: b.types, keys: b.keys, labels: b.labels, labs: b.labs, off: make([]int64, n+1)}
	for _, e := range es {
		g.off[e.u+1]++
		g.off[e.v+1]++
	}
	for i := 1; i <= n; i++ {
		g.off[i] += g.off[i-1]
	}
	m := g.off[n]
	g.nbr, g.rel, g.out, g.lab, g.rows = make([]int32, m), make([]Rel, m), make([]bool, m), make([]uint16, m), make([]int64, m)
	pos := slices.Clone(g.off[:n])
	put := func(at, other int32, e rawEdge, out bool) {
		p := pos[at]
		pos[at]++
		g.nbr[p], g.rel[p], g.out[p], g.lab[p], g.rows[p] = other, e.rel, out, e.lab, e.rows
	}
	for _, e := range es {
		put(e.u, e.v, e, true)
		put(e.v, e.u, e, false)
	}
	b.edges = nil
	return g
}

// Nodes is the number of nodes.
func (g *Graph) Nodes() int { return len(g.types) }

// Edges is the number of distinct edges (pair, relation, label, direction).
func (g *Graph) Edges() int { return len(g.nbr) / 2 }

// Type, Key and Label describe node id.
func (g *Graph) Type(id int32) NodeType { return g.types[id] }
func (g *Graph) Key(id int32) string    { return g.keys[id] }
func (g *Graph) Label(id int32) string  { return g.labels[id] }

// Lookup finds the node of type t with key.
func (g *Graph) Lookup(t NodeType, key string) (int32, bool) {
	id, ok := g.ids[nodeKey{t, key}]
	return id, ok
}

// Find returns the nodes of any type whose key is key (a card number is an account; a number
// could be a phone and an account).
func (g *Graph) Find(key string) []int32 {
	var out []int32
	for _, t := range NodeTypes {
		if id, ok := g.ids[nodeKey{t, key}]; ok {
			out = append(out, id)
		}
	}
	return out
}

// Degree is the number of adjacency entries of id.
func (g *Graph) Degree(id int32) int { return int(g.off[id+1] - g.off[id]) }

// Adj is one adjacency entry: the neighbour and the edge.
type Adj struct {
	Node  int32
	Rel   Rel
	Out   bool // the edge goes from the node to Node
	Label string
	Rows  int64
}

// Neighbours calls fn for every adjacency entry of id until fn returns false.
func (g *Graph) Neighbours(id int32, fn func(Adj) bool) {
	for p := g.off[id]; p < g.off[id+1]; p++ {
		if !fn(Adj{Node: g.nbr[p], Rel: g.rel[p], Out: g.out[p], Label: g.labs[g.lab[p]], Rows: g.rows[p]}) {
			return
		}
	}
}

// Ref names a node for people and JSON.
type Ref struct {
	ID    int32    `json:"id"`
	Type  NodeType `json:"type"`
	Key   string   `json:"key"`
	Label string   `json:"label,omitempty"`
}

// Ref describes node id.
func (g *Graph) Ref(id int32) Ref {
	return Ref{ID: id, Type: g.types[id], Key: g.keys[id], Label: g.labels[id]}
}

// Stats counts nodes by type and edges by relation.
type Stats struct {
	Nodes   int            `json:"nodes"`
	Edges   int            `json:"edges"`
	ByType  map[string]int `json:"nodes_by_type"`
	ByRel   map[string]int `json:"edges_by_relation"`
	Sources []string       `json:"sources,omitempty"` // dataset.column pairs read
}

// Stats counts the graph.
func (g *Graph) Stats() Stats {
	s := Stats{Nodes: g.Nodes(), Edges: g.Edges(), ByType: map[string]int{}, ByRel: map[string]int{}}
	for _, t := range g.types {
		s.ByType[t.String()]++
	}
	for p, r := range g.rel {
		if g.out[p] {
			s.ByRel[r.String()]++
		}
	}
	return s
}
