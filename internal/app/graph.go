package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"procura/internal/graph"
	"procura/internal/ident"
	"procura/internal/mask"
	"procura/internal/progress"
)

// GraphRequest says which datasets the entity graph is built from.
type GraphRequest struct {
	Datasets []string // empty = every dataset of the workspace
	Progress progress.Reporter
	// IgnoreResolved builds the graph without the latest procura resolve result; by default
	// the identity numbers of one resolved person are one node.
	IgnoreResolved bool
}

// GraphInfo describes the graph an answer was computed on.
type GraphInfo struct {
	graph.Stats
	Datasets    []string `json:"datasets"`
	LoadSeconds float64  `json:"load_seconds"`
	// Resolved names the resolution whose entities the persons were merged by (nil: none).
	Resolved *ResolvedInfo `json:"resolved,omitempty"`
}

// EntityGraph builds the entity graph of the workspace's datasets.
func (a *App) EntityGraph(ctx context.Context, req GraphRequest) (*graph.Graph, GraphInfo, error) {
	g, info, _, err := a.entityGraph(ctx, req)
	return g, info, err
}

// entityGraph builds the graph and also returns the datasets it was read from.
func (a *App) entityGraph(ctx context.Context, req GraphRequest) (*graph.Graph, GraphInfo, []graph.Dataset, error) {
	if _, err := a.authorize(ctx, ActGraphRead); err != nil {
		return nil, GraphInfo{}, nil, err
	}
	t := time.Now()
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return nil, GraphInfo{}, nil, err
	}
	var ds []graph.Dataset
	var names []string
	for _, d := range infos {
		names = append(names, d.Name)
		if len(req.Datasets) > 0 && !slices.Contains(req.Datasets, d.Name) {
			continue
		}
		var sch struct {
			Columns []graph.Column `json:"columns"`
		}
		if d.ColumnsJSON != "" {
			if err := json.Unmarshal([]byte(d.ColumnsJSON), &sch); err != nil {
				return nil, GraphInfo{}, nil, fmt.Errorf("dataset %s: stored schema is unreadable: %w", d.Name, err)
			}
		}
		ds = append(ds, graph.Dataset{Name: d.Name, Kind: d.Kind, Columns: sch.Columns})
	}
	for _, want := range req.Datasets {
		if !slices.Contains(names, want) {
			return nil, GraphInfo{}, nil, fmt.Errorf("dataset %q does not exist; datasets: %s", want, strings.Join(names, ", "))
		}
	}
	opts := graph.Options{Progress: req.Progress}
	var resolved *ResolvedInfo
	if !req.IgnoreResolved {
		r, err := a.latestResolved()
		if err != nil {
			return nil, GraphInfo{}, nil, err
		}
		if r != nil {
			opts.Canonical = r.Canonical
			resolved = &ResolvedInfo{Dataset: r.Dataset, At: r.At, Merged: len(r.Canonical)}
		}
	}
	g, specs, err := graph.Load(ctx, a.st, ds, opts)
	if err != nil {
		return nil, GraphInfo{}, nil, err
	}
	info := GraphInfo{Stats: g.Stats(), LoadSeconds: time.Since(t).Seconds(), Resolved: resolved}
	seen := map[string]bool{}
	for _, s := range specs {
		info.Sources = append(info.Sources, s.Dataset+"."+s.A+"~"+s.B)
		if !seen[s.Dataset] {
			seen[s.Dataset] = true
			info.Datasets = append(info.Datasets, s.Dataset)
		}
	}
	if g.Nodes() == 0 {
		return nil, info, nil, fmt.Errorf("no dataset holds identifiers to link (read: %s); import transactions, calls, accounts or case parties first", strings.Join(names, ", "))
	}
	return g, info, ds, nil
}

// findNode turns what a user typed into a node: "type:key", "node:ID" (the graph's id, which
// the same data always numbers alike: the graph page names the nodes it shows masked this
// way), or a key that is unique across types. Phone numbers are tried in E.164 as the
// importer stores them.
func findNode(g *graph.Graph, s string) (int32, error) {
	s = strings.TrimSpace(s)
	if v, ok := strings.CutPrefix(s, "node:"); ok {
		id, err := strconv.ParseInt(v, 10, 32)
		if err != nil || id < 0 || id >= int64(g.Nodes()) {
			return 0, fmt.Errorf("%w: node:%s is no node of this graph (it has %d); if the datasets changed, search for the entity again", ErrNotFound, v, g.Nodes())
		}
		return int32(id), nil
	}
	if t, key, ok := strings.Cut(s, ":"); ok {
		if nt, err := graph.ParseNodeType(t); err == nil {
			if id, ok := g.Lookup(nt, key); ok {
				return id, nil
			}
			if nt == graph.Phone {
				if p, err := ident.ParsePhone(key, "CN"); err == nil {
					if id, ok := g.Lookup(nt, p); ok {
						return id, nil
					}
				}
			}
			return 0, fmt.Errorf("%w: no %s %q in the graph", ErrNotFound, nt, key)
		}
	}
	ids := g.Find(s)
	if len(ids) == 0 {
		ids = g.Find(strings.ToUpper(s))
	}
	if len(ids) == 0 {
		if p, err := ident.ParsePhone(s, "CN"); err == nil {
			ids = g.Find(p)
		}
	}
	switch len(ids) {
	case 0:
		return 0, fmt.Errorf("%w: %q is no identifier in the graph (persons by ID number, accounts, phones, IMEIs, MACs, IPs, wallets, companies by USCC, cases by number)", ErrNotFound, s)
	case 1:
		return ids[0], nil
	}
	var types []string
	for _, id := range ids {
		types = append(types, g.Type(id).String()+":"+s)
	}
	return 0, fmt.Errorf("%q is several nodes; name one of %s", s, strings.Join(types, ", "))
}

func parseRels(names []string) ([]graph.Rel, error) {
	var out []graph.Rel
	for _, n := range names {
		r, err := graph.ParseRel(n)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CommunitiesRequest asks for communities.
type CommunitiesRequest struct {
	GraphRequest
	Top     int // communities to describe (default 20)
	MinSize int // describe only communities of at least this many nodes (default 3)
	// SeedControllers starts Louvain from the device controllers' groups (the device, the
	// accounts and phones used from it, their holders and its organiser), so that a card
	// dealer stays with his farmers.
	SeedControllers bool
	Resolution      float64 // γ of generalised modularity; 0 = 1 (2 with SeedControllers)
}

// CommunitySummary describes one community.
type CommunitySummary struct {
	ID     int32          `json:"id"`
	Size   int            `json:"size"`
	ByType map[string]int `json:"nodes_by_type"`
	Sample []graph.Ref    `json:"sample"` // persons and companies first, up to 12
}

// CommunitiesResult is the answer of GraphCommunities.
type CommunitiesResult struct {
	Graph       GraphInfo          `json:"graph"`
	Components  int                `json:"components"`
	Largest     int                `json:"largest_component"`
	Communities graph.Communities  `json:"louvain"`
	Seconds     float64            `json:"louvain_seconds"`
	Resolution  float64            `json:"resolution"`
	Seeded      bool               `json:"seeded_by_controllers"`
	Top         []CommunitySummary `json:"top"`
}

// GraphCommunities finds connected components and Louvain communities.
func (a *App) GraphCommunities(ctx context.Context, req CommunitiesRequest) (CommunitiesResult, error) {
	g, info, err := a.EntityGraph(ctx, req.GraphRequest)
	if err != nil {
		return CommunitiesResult{}, err
	}
	if req.Top <= 0 {
		req.Top = 20
	}
	if req.MinSize <= 0 {
		req.MinSize = 3
	}
	csr := g.Undirected()
	comp, k := graph.Components(csr)
	largest := len(graph.Members(comp, 0))
	t := time.Now()
	lo := graph.LouvainOptions{Resolution: req.Resolution}
	if req.SeedControllers {
		lo.Init = g.ControlGroups(g.Controllers(graph.ControllerOptions{}))
		if lo.Resolution <= 0 {
			lo.Resolution = 2
		}
	}
	cs, err := graph.LouvainWith(ctx, csr, lo)
	if err != nil {
		return CommunitiesResult{}, err
	}
	res := CommunitiesResult{Resolution: max(lo.Resolution, 1), Seeded: req.SeedControllers, Graph: info, Components: k, Largest: largest, Communities: cs, Seconds: time.Since(t).Seconds()}
	members := make([][]int32, cs.Count)
	for i, c := range cs.Of {
		members[c] = append(members[c], int32(i))
	}
	for c := 0; c < cs.Count && len(res.Top) < req.Top; c++ {
		if len(members[c]) < req.MinSize {
			break // communities are numbered largest first
		}
		res.Top = append(res.Top, summarise(g, int32(c), members[c]))
	}
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "communities", Rows: len(res.Top)}, basePlan)
}

func summarise(g *graph.Graph, c int32, members []int32) CommunitySummary {
	s := CommunitySummary{ID: c, Size: len(members), ByType: map[string]int{}}
	ordered := slices.Clone(members)
	slices.SortStableFunc(ordered, func(x, y int32) int {
		rank := func(id int32) int {
			switch g.Type(id) {
			case graph.Person, graph.Company:
				return 0
			case graph.Case:
				return 1
			}
			return 2
		}
		return rank(x) - rank(y)
	})
	for _, m := range members {
		s.ByType[g.Type(m).String()]++
	}
	for _, m := range ordered[:min(12, len(ordered))] {
		s.Sample = append(s.Sample, g.Ref(m))
	}
	return s
}

// NeighboursRequest asks for the k-hop neighbourhood of some nodes.
type NeighboursRequest struct {
	GraphRequest
	Seeds     []string // identifiers, optionally "type:key"
	Hops      int      // default 2
	Rels      []string // relations to follow; empty = all
	MaxNodes  int
	MaxDegree int
}

// NeighboursResult is the answer of GraphNeighbours.
type NeighboursResult struct {
	Graph     GraphInfo       `json:"graph"`
	Seeds     []graph.Ref     `json:"seeds"`
	Nodes     []graph.Reached `json:"nodes"`
	Edges     []graph.Edge    `json:"edges"`
	Truncated bool            `json:"truncated"`
}

// GraphNeighbours lists the nodes within k hops of the seeds and the edges among them.
func (a *App) GraphNeighbours(ctx context.Context, req NeighboursRequest) (NeighboursResult, error) {
	if len(req.Seeds) == 0 {
		return NeighboursResult{}, fmt.Errorf("%w: name at least one identifier to start from", ErrInvalid)
	}
	rels, err := parseRels(req.Rels)
	if err != nil {
		return NeighboursResult{}, err
	}
	g, info, err := a.EntityGraph(ctx, req.GraphRequest)
	if err != nil {
		return NeighboursResult{}, err
	}
	var seeds []int32
	res := NeighboursResult{Graph: info}
	for _, s := range req.Seeds {
		id, err := findNode(g, s)
		if err != nil {
			return NeighboursResult{}, err
		}
		seeds = append(seeds, id)
		res.Seeds = append(res.Seeds, g.Ref(id))
	}
	if req.Hops <= 0 {
		req.Hops = 2
	}
	res.Nodes, res.Truncated = g.Neighbourhood(seeds, req.Hops, graph.Walk{Rels: rels, MaxNodes: req.MaxNodes, MaxDegree: req.MaxDegree})
	ids := make([]int32, len(res.Nodes))
	for i, n := range res.Nodes {
		ids[i] = n.ID
	}
	res.Edges = g.Subgraph(ids, nil).Edges
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "neighbours", Rows: len(res.Nodes)}, basePlan)
}

// CollisionsRequest asks for the cross-case analysis.
type CollisionsRequest struct {
	GraphRequest
	Controllers graph.ControllerOptions
	Cases       graph.CaseOptions
}

// CollisionsResult is the answer of GraphCollisions.
type CollisionsResult struct {
	Graph GraphInfo `json:"graph"`
	graph.CaseReport
	Controllers []graph.Controller `json:"controllers"`
}

// GraphCollisions collides the cases' identifiers, proposes what each case missed and ranks
// the controllers (card dealers' devices, SIM farms, persons tied to many others' accounts).
func (a *App) GraphCollisions(ctx context.Context, req CollisionsRequest) (CollisionsResult, error) {
	g, info, err := a.EntityGraph(ctx, req.GraphRequest)
	if err != nil {
		return CollisionsResult{}, err
	}
	res := CollisionsResult{Graph: info, CaseReport: g.Cases(req.Cases), Controllers: g.Controllers(req.Controllers)}
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "collisions", Rows: len(res.Collisions) + len(res.Controllers)}, basePlan)
}

// ExportRequest asks for an export of the graph or a part of it.
type ExportRequest struct {
	GraphRequest
	Format      string   // json, graphml, gexf or ftm
	Seeds       []string // export only the neighbourhood of these identifiers
	Hops        int
	Communities bool   // compute Louvain communities and label the nodes with them
	Dest        string // where the export goes, for the audit log ("" = the caller's stream)
}

// ExportResult says what GraphExport wrote.
type ExportResult struct {
	Format string `json:"format"`
	Nodes  int    `json:"nodes"`
	Edges  int    `json:"edges"`
	// Unmasked says the export holds identifiers in the clear (asked for, allowed, audited).
	Unmasked bool `json:"unmasked"`
}

// GraphExport writes the graph, or the neighbourhood of some identifiers, to w.
func (a *App) GraphExport(ctx context.Context, req ExportRequest, w io.Writer) (ExportResult, error) {
	if _, err := a.authorize(ctx, ActExport); err != nil {
		return ExportResult{}, err
	}
	if !slices.Contains(graph.Formats, req.Format) {
		return ExportResult{}, fmt.Errorf("%w: export format %q is not known; use one of %s", ErrInvalid, req.Format, strings.Join(graph.Formats, ", "))
	}
	g, _, err := a.EntityGraph(ctx, req.GraphRequest)
	if err != nil {
		return ExportResult{}, err
	}
	var nodes []int32
	if len(req.Seeds) > 0 {
		var seeds []int32
		for _, s := range req.Seeds {
			id, err := findNode(g, s)
			if err != nil {
				return ExportResult{}, err
			}
			seeds = append(seeds, id)
		}
		if req.Hops <= 0 {
			req.Hops = 2
		}
		reached, _ := g.Neighbourhood(seeds, req.Hops, graph.Walk{})
		for _, r := range reached {
			nodes = append(nodes, r.ID)
		}
	}
	var of []int32
	if req.Communities {
		cs, err := graph.Louvain(ctx, g.Undirected())
		if err != nil {
			return ExportResult{}, err
		}
		of = cs.Of
	}
	sg := g.Subgraph(nodes, of)
	unmasked, err := a.exported(ctx, exportRecord{Object: "graph", ID: strings.Join(req.Datasets, ","), Rows: len(sg.Nodes),
		Format: req.Format, Dest: req.Dest, Detail: map[string]any{"edges": len(sg.Edges), "seeds": len(req.Seeds)}})
	if err != nil {
		return ExportResult{}, err
	}
	if !unmasked {
		mask.Walk(&sg, basePlan.apply, maskRefs)
	}
	if err := sg.Write(w, req.Format); err != nil {
		return ExportResult{}, err
	}
	return ExportResult{Format: req.Format, Nodes: len(sg.Nodes), Edges: len(sg.Edges), Unmasked: unmasked}, nil
}
