package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"procura/internal/funds"
)

// TraceView is a trace as the fund-flow page shows it: the trace, its Sankey, the totals per
// victim and the exits added up. Everything that groups or links accounts is computed before
// the identifiers are masked: two accounts whose masked numbers look alike stay two, because
// the Sankey's nodes are named by opaque ids ("n12") and carry the (masked) account apart.
type TraceView struct {
	TraceResult
	Sankey  ViewSankey    `json:"sankey"`
	Victims []VictimTotal `json:"victims"`
	Exits   []ExitTotal   `json:"exit_totals"`
	// Unmasked: the identifiers are in the clear (the user asked, may, and the view was
	// recorded in the audit log).
	Unmasked bool `json:"unmasked"`
	// nodes maps a node id to the account it stands for, in the clear. Pages refer to an
	// account by its node (its number reaches them masked); the server looks it up here. It
	// is unexported, so it is neither masked, nor sent, nor stored.
	nodes map[string]string
}

// ViewSankey is funds.Sankey with nodes named by id: ECharts draws it as it is
// (`series: [{type: 'sankey', data: nodes, links: links}]`, links by node id).
type ViewSankey struct {
	Direction string             `json:"direction"`
	Policy    funds.Policy       `json:"policy"`
	Layered   bool               `json:"layered"`
	Seeded    funds.Cents        `json:"seeded"`
	Nodes     []SankeyViewNode   `json:"nodes"`
	Links     []funds.SankeyLink `json:"links"` // source and target are node ids
}

// SankeyViewNode is a Sankey node with its id, its row in the trace's accounts (-1: none) and, when
// an accounts dataset (开户信息) names it, the bank and branch that hold the account.
type SankeyViewNode struct {
	ID string `json:"id"`
	funds.SankeyNode
	AccountIndex int    `json:"account_index"`
	Bank         string `json:"bank,omitempty"`
	Branch       string `json:"branch,omitempty"`
}

// VictimTotal adds up the seeds of one victim (forward: the payer; backward: the receiver).
type VictimTotal struct {
	Victim string                 `json:"account"`
	Seeds  int                    `json:"seeds"`
	Amount funds.Cents            `json:"amount"`
	Exits  map[string]funds.Cents `json:"exits"`
}

// ExitTotal adds up the exits of one kind, channel and account (and counterparty).
type ExitTotal struct {
	Kind         string      `json:"kind"`
	Channel      string      `json:"channel,omitempty"`
	Account      string      `json:"account"`
	Counterparty string      `json:"counterparty,omitempty"`
	Level        int         `json:"level"`
	Transactions int         `json:"transactions"`
	Amount       funds.Cents `json:"amount"`
}

// TraceView runs a trace and prepares it for the fund-flow page.
func (a *App) TraceView(ctx context.Context, req TraceRequest) (*TraceView, error) {
	res, _, err := a.trace(ctx, req)
	if err != nil {
		return nil, err
	}
	s := funds.SankeyOf(res.Result)
	if err := s.Check(); err != nil {
		// A drawing that does not add up would mislead; the trace itself says why.
		return nil, fmt.Errorf("the Sankey of this trace does not add up (please report this): %w", err)
	}
	v := &TraceView{TraceResult: res, Victims: victimTotals(res.Result), Exits: exitTotals(res.Result), nodes: map[string]string{}}
	v.Sankey = v.viewSankey(s)
	if err := a.addBanks(ctx, &v.Sankey); err != nil {
		return nil, err
	}
	if err := a.conceal(ctx, v, shown{Object: "trace", ID: req.Dataset, Rows: len(res.Result.Accounts)}, basePlan); err != nil {
		return nil, err
	}
	v.Unmasked = a.unmaskAsked(ctx) // conceal refuses a call that asks and may not
	return v, nil
}

// AccountOfNode returns the account (in the clear) that node id stands for.
func (v *TraceView) AccountOfNode(id string) (string, bool) {
	acct, ok := v.nodes[id]
	return acct, ok && acct != ""
}

func (v *TraceView) viewSankey(s *funds.Sankey) ViewSankey {
	row := map[string]int{}
	for i, a := range v.Result.Accounts {
		row[a.Account] = i
	}
	ids := make(map[string]string, len(s.Nodes))
	out := ViewSankey{Direction: s.Direction, Policy: s.Policy, Layered: s.Layered, Seeded: s.Seeded,
		Nodes: make([]SankeyViewNode, 0, len(s.Nodes)), Links: make([]funds.SankeyLink, 0, len(s.Links))}
	for i, n := range s.Nodes {
		id := "n" + strconv.Itoa(i)
		ids[n.Name] = id
		idx, ok := row[n.Account]
		if n.Role == funds.RoleExit || n.Account == "" || !ok {
			idx = -1
		}
		if n.Role != funds.RoleExit {
			v.nodes[id] = n.Account
		}
		out.Nodes = append(out.Nodes, SankeyViewNode{ID: id, SankeyNode: n, AccountIndex: idx})
	}
	for _, l := range s.Links {
		l.Source, l.Target = ids[l.Source], ids[l.Target]
		out.Links = append(out.Links, l)
	}
	return out
}

// addBanks fills in the bank of each account node from the workspace's accounts datasets.
func (a *App) addBanks(ctx context.Context, s *ViewSankey) error {
	var nums []string
	for _, n := range s.Nodes {
		if n.Account != "" && n.Role != funds.RoleExit {
			nums = append(nums, n.Account)
		}
	}
	banks, err := a.st.AccountBanks(ctx, nums)
	if err != nil {
		return err
	}
	for i := range s.Nodes {
		if b, ok := banks[s.Nodes[i].Account]; ok {
			s.Nodes[i].Bank, s.Nodes[i].Branch = b.Bank, b.Branch
		}
	}
	return nil
}

func victimTotals(r *funds.Result) []VictimTotal {
	by := map[string]*VictimTotal{}
	var order []string
	for _, s := range r.Seeds {
		who := s.From
		if r.Direction == funds.Backward {
			who = s.To
		}
		t := by[who]
		if t == nil {
			t = &VictimTotal{Victim: who, Exits: map[string]funds.Cents{}}
			by[who] = t
			order = append(order, who)
		}
		t.Seeds++
		t.Amount += s.Amount
		for k, x := range s.Exits {
			t.Exits[k] += x
		}
	}
	out := make([]VictimTotal, 0, len(order))
	for _, w := range order {
		out = append(out, *by[w])
	}
	return out
}

func exitTotals(r *funds.Result) []ExitTotal {
	type key struct{ kind, channel, account, counterparty string }
	by := map[key]*ExitTotal{}
	for _, x := range r.Exits {
		k := key{x.Kind, x.Channel, x.Account, x.Counterparty}
		t := by[k]
		if t == nil {
			t = &ExitTotal{Kind: x.Kind, Channel: x.Channel, Account: x.Account, Counterparty: x.Counterparty, Level: x.Level}
			by[k] = t
		}
		t.Transactions++
		t.Amount += x.Amount
	}
	out := make([]ExitTotal, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b ExitTotal) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(b.Amount, a.Amount), cmp.Compare(a.Account, b.Account), cmp.Compare(a.Counterparty, b.Counterparty))
	})
	return out
}

// ExpandRequest asks for the transfers that left an account after a time.
type ExpandRequest struct {
	Dataset string
	Account string
	After   time.Time
	Limit   int // default 200
	// Nodes maps accounts (in the clear) to the ids of the nodes that stand for them on the
	// page, so each transfer says which node it reaches (TraceView.NodeOfAccount).
	Nodes map[string]string
}

// ExpandResult lists an account's outgoing transfers: every one, not only traced money.
type ExpandResult struct {
	Dataset   string     `json:"dataset"`
	Account   string     `json:"account"`
	After     time.Time  `json:"after,omitzero"`
	Total     int        `json:"total"`
	Transfers []Transfer `json:"transfers"`
}

// Transfer is an outgoing transfer with the page's node of the receiving account, if any.
type Transfer struct {
	funds.Transfer
	Node string `json:"node,omitempty"`
}

// Expand lists the transfers that left an account at or after a time, to grow a trace by
// hand from one of its accounts.
func (a *App) Expand(ctx context.Context, req ExpandRequest) (ExpandResult, error) {
	if req.Dataset == "" || req.Account == "" {
		return ExpandResult{}, errors.Join(ErrInvalid, errors.New("give the dataset and the account to expand"))
	}
	g, _, err := a.LoadGraph(ctx, req.Dataset, nil)
	if err != nil {
		return ExpandResult{}, err
	}
	if req.Limit <= 0 {
		req.Limit = 200
	}
	ts, total, ok := g.OutgoingAfter(req.Account, req.After, req.Limit, a.st.Location())
	if !ok {
		return ExpandResult{}, errors.Join(ErrNotFound, fmt.Errorf("account %s is not in dataset %s: check the number", req.Account, req.Dataset))
	}
	res := ExpandResult{Dataset: req.Dataset, Account: req.Account, After: req.After, Total: total, Transfers: make([]Transfer, len(ts))}
	for i, t := range ts {
		res.Transfers[i] = Transfer{Transfer: t, Node: req.Nodes[t.To]}
	}
	return res, a.conceal(ctx, &res, shown{Object: "account_transfers", ID: req.Dataset, Rows: len(ts)}, basePlan)
}

// NodeOfAccount maps each account of the view (in the clear) to its node; in a layered view
// an account has a node per hop, and the one nearest the seeds is taken.
func (v *TraceView) NodeOfAccount() map[string]string {
	m := make(map[string]string, len(v.nodes))
	for _, n := range v.Sankey.Nodes {
		if acct, ok := v.nodes[n.ID]; ok && acct != "" {
			if _, seen := m[acct]; !seen {
				m[acct] = n.ID
			}
		}
	}
	return m
}
