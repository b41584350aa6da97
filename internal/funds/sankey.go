package funds

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Sankey is a trace drawn as a flow graph. Its JSON is what an ECharts `sankey` series takes
// as `data` (Nodes) and `links` (Links): every node has a unique `name`, every link a
// `source`, `target` and `value`; the other fields are there for tooltips and legends.
// ECharts draws only acyclic graphs, so when traced money comes back to an account it
// passed through, every node stands for an account at one hop (Layered is true).
type Sankey struct {
	Direction string       `json:"direction"`
	Policy    Policy       `json:"policy"`
	Layered   bool         `json:"layered"`
	Seeded    Cents        `json:"seeded"`
	Nodes     []SankeyNode `json:"nodes"`
	Links     []SankeyLink `json:"links"`
}

// Node roles in a Sankey.
const (
	RoleSeed    = "seed"    // where seed money starts: the victim (forward) or the seed's receiver (backward)
	RoleAccount = "account" // an account the traced money passed through
	RoleExit    = "exit"    // where traced money stopped being followed: cash-out, on balance …
)

// SankeyNode is an account or an exit. Amounts are those of the account in the whole trace
// (not only at this hop when the graph is layered).
type SankeyNode struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Account  string `json:"account,omitempty"`
	Holder   string `json:"holder,omitempty"`
	InData   bool   `json:"in_data"`
	Level    int    `json:"level"` // hops from a seed; exits have -1
	Exit     string `json:"exit,omitempty"`
	Channel  string `json:"channel,omitempty"`
	In       Cents  `json:"attributed_in"`
	Out      Cents  `json:"attributed_out"`
	CashOut  Cents  `json:"cash_out"`
	Retained Cents  `json:"retained"`
}

// SankeyLink is traced money between two nodes, added up over transactions and seeds.
type SankeyLink struct {
	Source       string `json:"source"`
	Target       string `json:"target"`
	Value        Cents  `json:"value"`
	Transactions int    `json:"transactions"`
	Seeds        []int  `json:"seeds"`
}

// cashNode names the node of money with no account on its side (a seed paid in as cash).
const cashNode = "(cash)"

// SankeyOf turns a trace result into a Sankey. Flows between accounts become links (added
// up per pair); exits become links into exit nodes (out of them for backward traces, whose
// exits are where money came from). Money paid to an account outside the data ends at that
// account's node, which has no links out.
func SankeyOf(r *Result) *Sankey {
	s := buildSankey(r, false)
	if s.cyclic() {
		s = buildSankey(r, true)
	}
	return s
}

type sankeyBuilder struct {
	r       *Result
	layered bool
	acct    map[string]*AccountResult
	nodes   map[string]*SankeyNode
	order   []string
	links   map[[2]string]*SankeyLink
	seedSet map[[2]string]map[int]bool
}

func buildSankey(r *Result, layered bool) *Sankey {
	b := &sankeyBuilder{r: r, layered: layered, acct: map[string]*AccountResult{}, nodes: map[string]*SankeyNode{},
		links: map[[2]string]*SankeyLink{}, seedSet: map[[2]string]map[int]bool{}}
	for i := range r.Accounts {
		b.acct[r.Accounts[i].Account] = &r.Accounts[i]
	}
	back := r.Direction == Backward
	seeds := map[string]bool{}
	for _, sd := range r.Seeds {
		a := sd.From
		if back {
			a = sd.To
		}
		seeds[a] = true
	}
	// Cash-out flows are drawn through their exits (split by channel).
	type fkey struct {
		tx     string
		seed   int
		amount Cents
	}
	cashOut := map[fkey]int{}
	for _, x := range r.Exits {
		if x.Kind == ExitCashOut {
			cashOut[fkey{x.TxID, x.Seed, x.Amount}]++
		}
	}
	for _, f := range r.Flows {
		k := fkey{f.TxID, f.Seed, f.Amount}
		if cashOut[k] > 0 {
			cashOut[k]--
			continue
		}
		// Forward, the receiver is at hop f.Hop and the sender one before; backward the
		// hops count from the receiving end.
		fromHop, toHop := f.Hop-1, f.Hop
		if back {
			fromHop, toHop = f.Hop, f.Hop-1
		}
		b.link(b.node(f.From, fromHop, seeds), b.node(f.To, toHop, seeds), f.Amount, f.Seed)
	}
	for _, x := range r.Exits {
		if x.Kind == ExitOutside && x.Counterparty != "" {
			continue // drawn as the flow into the outside account
		}
		a := b.node(x.Account, x.Level, seeds)
		e := b.exitNode(x)
		if back {
			b.link(e, a, x.Amount, x.Seed)
		} else {
			b.link(a, e, x.Amount, x.Seed)
		}
	}
	s := &Sankey{Direction: r.Direction, Policy: r.Policy, Layered: layered, Seeded: r.Totals["seeded"]}
	for _, n := range b.order {
		s.Nodes = append(s.Nodes, *b.nodes[n])
	}
	for k, l := range b.links {
		for sd := range b.seedSet[k] {
			l.Seeds = append(l.Seeds, sd)
		}
		slices.Sort(l.Seeds)
		s.Links = append(s.Links, *l)
	}
	slices.SortFunc(s.Links, func(x, y SankeyLink) int {
		return cmp.Or(cmp.Compare(x.Source, y.Source), cmp.Compare(x.Target, y.Target))
	})
	if s.Nodes == nil {
		s.Nodes = []SankeyNode{}
	}
	if s.Links == nil {
		s.Links = []SankeyLink{}
	}
	return s
}

func (b *sankeyBuilder) node(account string, hop int, seeds map[string]bool) string {
	name := account
	if account == "" {
		name = cashNode
	}
	if b.layered {
		name += " @" + strconv.Itoa(hop)
	}
	if _, ok := b.nodes[name]; ok {
		return name
	}
	n := &SankeyNode{Name: name, Role: RoleAccount, Account: account, Level: hop}
	if a := b.acct[account]; a != nil && account != "" {
		n.Holder, n.InData, n.In, n.Out, n.CashOut, n.Retained = a.Holder, a.InData, a.In, a.Out, a.CashOut, a.Retained
		if !b.layered {
			n.Level = a.Level
		}
	}
	if seeds[account] && (!b.layered || hop == 0) {
		n.Role = RoleSeed
		if b.acct[account] == nil {
			n.Level = 0
		}
	}
	b.nodes[name] = n
	b.order = append(b.order, name)
	return name
}

func (b *sankeyBuilder) exitNode(x Exit) string {
	name := "exit: " + x.Kind
	ch := ""
	if x.Kind == ExitCashOut && x.Channel != "" {
		ch = x.Channel
		name += " (" + ch + ")"
	}
	if _, ok := b.nodes[name]; !ok {
		b.nodes[name] = &SankeyNode{Name: name, Role: RoleExit, Exit: x.Kind, Channel: ch, Level: -1}
		b.order = append(b.order, name)
	}
	return name
}

func (b *sankeyBuilder) link(from, to string, amt Cents, seed int) {
	k := [2]string{from, to}
	l := b.links[k]
	if l == nil {
		l = &SankeyLink{Source: from, Target: to}
		b.links[k] = l
		b.seedSet[k] = map[int]bool{}
	}
	l.Value += amt
	l.Transactions++
	b.seedSet[k][seed] = true
}

// cyclic reports whether the links contain a cycle (Kahn's algorithm).
func (s *Sankey) cyclic() bool {
	indeg := map[string]int{}
	next := map[string][]string{}
	for _, l := range s.Links {
		if l.Source == l.Target {
			return true
		}
		indeg[l.Target]++
		next[l.Source] = append(next[l.Source], l.Target)
	}
	var queue []string
	for _, n := range s.Nodes {
		if indeg[n.Name] == 0 {
			queue = append(queue, n.Name)
		}
	}
	seen := 0
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		seen++
		for _, m := range next[n] {
			if indeg[m]--; indeg[m] == 0 {
				queue = append(queue, m)
			}
		}
	}
	return seen < len(s.Nodes)
}

// Check verifies that the Sankey is drawable and adds up: links name existing nodes, the
// graph has no cycle, what leaves the seed nodes (enters them, backward) is the seeded
// total, and every account in the data that is not a seed passes on exactly what it gets.
func (s *Sankey) Check() error {
	names := map[string]*SankeyNode{}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if names[n.Name] != nil {
			return fmt.Errorf("sankey: node %q appears twice", n.Name)
		}
		names[n.Name] = n
	}
	in, out := map[string]Cents{}, map[string]Cents{}
	for _, l := range s.Links {
		if names[l.Source] == nil || names[l.Target] == nil {
			return fmt.Errorf("sankey: link %s → %s names a missing node", l.Source, l.Target)
		}
		if l.Value <= 0 {
			return fmt.Errorf("sankey: link %s → %s carries %s", l.Source, l.Target, l.Value)
		}
		out[l.Source] += l.Value
		in[l.Target] += l.Value
	}
	if s.cyclic() {
		return fmt.Errorf("sankey: the links form a cycle, which ECharts cannot draw")
	}
	var seeded Cents
	for _, n := range s.Nodes {
		// A seed's node may also be an account outside the data that traced money reached
		// (another seed's): that money stays there, with no link.
		kept := Cents(0)
		if n.Role == RoleSeed && !n.InData && !s.Layered {
			kept = n.Retained
		}
		switch {
		case n.Role == RoleSeed && s.Direction == Backward:
			seeded += in[n.Name] - out[n.Name] + kept
		case n.Role == RoleSeed:
			seeded += out[n.Name] - in[n.Name] + kept
		case n.Role == RoleAccount && n.InData && !s.Layered && in[n.Name] != out[n.Name]:
			return fmt.Errorf("sankey: account %s receives %s but passes on %s", n.Name, in[n.Name], out[n.Name])
		}
	}
	if seeded != s.Seeded {
		return fmt.Errorf("sankey: the seed nodes send %s but the trace seeded %s", seeded, s.Seeded)
	}
	return nil
}
