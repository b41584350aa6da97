package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"procura/internal/graph"
	"procura/internal/mask"
)

// The link graph explorer (the /graph page) asks for pieces of the entity graph to draw: the
// entities a search finds, the neighbourhood of one of them, the details of a node, the
// entities that several cases touch. Each answer is a view: nodes with what the canvas needs
// to colour and size them (community, degree, PageRank) and the edges among them. Node ids
// are the graph's ids, which the same data always numbers alike, so a later request can name
// a node as "node:ID" without sending its identifier (which the page shows masked).

// Limits of a view.
const (
	MaxViewNodes  = 5000 // most nodes a view holds: the canvas stays interactive up to here
	MaxViewDepth  = 3    // most hops from the entity
	MaxSearchHits = 100
)

// ViewNode is a node of a view.
type ViewNode struct {
	graph.Ref
	Hops   int `json:"hops"`   // from the nearest seed (0 for the seeds and for nodes of an analysis)
	Degree int `json:"degree"` // edges in the whole graph
	// Community is the node's Louvain community over the whole graph (largest first), so that
	// pieces loaded by several requests are coloured alike.
	Community int32 `json:"community"`
	// Rank is the node's PageRank over the whole graph times the number of nodes (1 = average).
	Rank float64 `json:"rank"`
}

// ViewEdge is an edge of a view. Rel is a graph relation, or "in_case" for the tie a
// collision view draws from an entity to a case that touches it without naming it directly
// (Label says how).
type ViewEdge struct {
	From  int32  `json:"from"`
	To    int32  `json:"to"`
	Rel   string `json:"rel"`
	Label string `json:"label,omitempty"`
	Rows  int64  `json:"rows,omitempty"`
}

// GraphView is a piece of the entity graph to draw.
type GraphView struct {
	Graph     GraphInfo   `json:"graph"`
	Seeds     []graph.Ref `json:"seeds,omitempty"`
	Nodes     []ViewNode  `json:"nodes"`
	Edges     []ViewEdge  `json:"edges"`
	Truncated bool        `json:"truncated"` // the limit stopped the walk: more nodes are within reach
	Seconds   float64     `json:"seconds"`   // to build the graph and the view
}

// viewCache keeps the graph the explorer last drew from, with its communities and PageRank.
// The page asks for many small pieces (a search, a node's panel, an expansion), and building
// the graph from the workspace costs 0.5 s on the small synth world and about 19 s on the
// medium one: without the cache every click would pay it. The key says what the graph was
// built from (the datasets' names, rows, batches and schemas, and the latest resolution), so
// an import or a new resolution builds it again. One graph is kept, and dropped after
// viewIdle without a request: the medium world's graph holds about 1 GB.
type viewCache struct {
	mu    sync.Mutex
	key   string
	g     *graph.Graph
	info  GraphInfo
	v     *viewer
	timer *time.Timer
}

const viewIdle = 15 * time.Minute

// touch (with mu held) restarts the countdown to dropping the graph.
func (c *viewCache) touch() {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = time.AfterFunc(viewIdle, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.key, c.g, c.info, c.v = "", nil, GraphInfo{}, nil
	})
}

// viewGraph returns the graph of req with its annotations, built or from the cache.
func (a *App) viewGraph(ctx context.Context, req GraphRequest) (*graph.Graph, GraphInfo, *viewer, error) {
	if _, err := a.authorize(ctx, ActGraphRead); err != nil {
		return nil, GraphInfo{}, nil, err
	}
	key, err := a.graphSource(ctx, req)
	if err != nil {
		return nil, GraphInfo{}, nil, err
	}
	c := &a.views
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.g != nil && c.key == key {
		c.touch()
		return c.g, c.info, c.v, nil
	}
	g, info, err := a.EntityGraph(ctx, req)
	if err != nil {
		return nil, GraphInfo{}, nil, err
	}
	v, err := newViewer(ctx, g)
	if err != nil {
		return nil, GraphInfo{}, nil, err
	}
	c.key, c.g, c.info, c.v = key, g, info, v
	c.touch()
	return g, info, v, nil
}

// graphSource describes what the graph of req is built from, to tell when it must be built
// again: each dataset read (name, kind, rows, last change, batches, schema) and the latest
// resolution's file.
func (a *App) graphSource(ctx context.Context, req GraphRequest) (string, error) {
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%q %v\n", req.Datasets, req.IgnoreResolved)
	for _, d := range infos {
		if len(req.Datasets) > 0 && !slices.Contains(req.Datasets, d.Name) {
			continue
		}
		fmt.Fprintf(h, "%s %s %d %d %d %s\n", d.Name, d.Kind, d.Rows, d.UpdatedAt.UnixNano(), len(d.Batches), d.ColumnsJSON)
		for _, b := range d.Batches {
			fmt.Fprintf(h, "%d ", b.ID)
		}
	}
	if !req.IgnoreResolved {
		if fi, err := os.Stat(a.resolvedPath()); err == nil {
			fmt.Fprintf(h, "resolved %d %d", fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// viewer annotates nodes of one graph with their communities and PageRank, both computed
// once per request over the whole graph.
type viewer struct {
	g     *graph.Graph
	comm  []int32
	score []float64
}

func newViewer(ctx context.Context, g *graph.Graph) (*viewer, error) {
	csr := g.Undirected()
	cs, err := graph.Louvain(ctx, csr)
	if err != nil {
		return nil, err
	}
	score, _, err := graph.PageRank(ctx, csr, 0.85, 1e-6, 100)
	if err != nil {
		return nil, err
	}
	return &viewer{g: g, comm: cs.Of, score: score}, nil
}

func (v *viewer) node(id int32, hops int) ViewNode {
	return ViewNode{Ref: v.g.Ref(id), Hops: hops, Degree: v.g.Degree(id), Community: v.comm[id], Rank: v.score[id] * float64(v.g.Nodes())}
}

// edges lists the graph's edges among ids, each once.
func (v *viewer) edges(ids []int32) []ViewEdge {
	sg := v.g.Subgraph(ids, nil)
	out := make([]ViewEdge, len(sg.Edges))
	for i, e := range sg.Edges {
		out[i] = ViewEdge{From: e.From, To: e.To, Rel: e.Rel.String(), Label: e.Label, Rows: e.Rows}
	}
	return out
}

// NeighbourhoodRequest asks for the neighbourhood of one entity, to draw.
type NeighbourhoodRequest struct {
	GraphRequest
	Entity    string // an identifier, type:key, or node:ID
	Depth     int    // hops, 1 to MaxViewDepth (default 1)
	Limit     int    // most nodes, 1 to MaxViewNodes (default 500)
	MaxDegree int    // do not walk through nodes with more edges (default 1,000)
}

// GraphNeighbourhood returns the entity, the nodes within Depth hops of it (at most Limit, the
// nearest first) and the edges among them, annotated for drawing.
func (a *App) GraphNeighbourhood(ctx context.Context, req NeighbourhoodRequest) (GraphView, error) {
	if req.Depth == 0 {
		req.Depth = 1
	}
	if req.Limit == 0 {
		req.Limit = 500
	}
	if req.Depth < 1 || req.Depth > MaxViewDepth {
		return GraphView{}, fmt.Errorf("%w: depth %d: ask for 1 to %d hops", ErrInvalid, req.Depth, MaxViewDepth)
	}
	if req.Limit < 1 || req.Limit > MaxViewNodes {
		return GraphView{}, fmt.Errorf("%w: limit %d: ask for 1 to %d nodes (the canvas stays interactive up to there)", ErrInvalid, req.Limit, MaxViewNodes)
	}
	if strings.TrimSpace(req.Entity) == "" {
		return GraphView{}, fmt.Errorf("%w: name the entity to start from (an identifier, type:key or node:ID)", ErrInvalid)
	}
	t := time.Now()
	g, info, v, err := a.viewGraph(ctx, req.GraphRequest)
	if err != nil {
		return GraphView{}, err
	}
	seed, err := findNode(g, req.Entity)
	if err != nil {
		return GraphView{}, err
	}
	reached, truncated := g.Neighbourhood([]int32{seed}, req.Depth, graph.Walk{MaxNodes: req.Limit, MaxDegree: req.MaxDegree})
	res := GraphView{Graph: info, Seeds: []graph.Ref{g.Ref(seed)}, Truncated: truncated, Nodes: make([]ViewNode, len(reached))}
	ids := make([]int32, len(reached))
	for i, r := range reached {
		ids[i] = r.ID
		res.Nodes[i] = v.node(r.ID, r.Hops)
	}
	res.Edges = v.edges(ids)
	res.Seconds = time.Since(t).Seconds()
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "neighbourhood", Rows: len(res.Nodes)}, basePlan)
}

// SearchRequest asks which entities match what a user typed.
type SearchRequest struct {
	GraphRequest
	Q     string // an identifier (exact), type:key, or part of a name
	Limit int    // most hits (default 20, at most MaxSearchHits)
}

// SearchHit is an entity a search found.
type SearchHit struct {
	ViewNode
	Match string `json:"match"` // "identifier" (the key is what was typed) or "name"
}

// SearchResult is the answer of GraphSearch.
type SearchResult struct {
	Graph     GraphInfo   `json:"graph"`
	Q         string      `json:"q"`
	Hits      []SearchHit `json:"hits"`
	Truncated bool        `json:"truncated"` // more names match than Limit
}

// GraphSearch finds entities by identifier or by name. An identifier must be typed whole
// (as stored, a phone with or without +86, or type:key): matching part of a number would let
// a user who sees identifiers masked recover them digit by digit. Names (persons, companies,
// case titles) match by part, in the form the user sees them.
func (a *App) GraphSearch(ctx context.Context, req SearchRequest) (SearchResult, error) {
	q := strings.TrimSpace(req.Q)
	if q == "" {
		return SearchResult{}, fmt.Errorf("%w: type an identifier (account, card, phone, ID number, device) or part of a name to search for", ErrInvalid)
	}
	if req.Limit <= 0 {
		req.Limit = 20
	}
	if req.Limit > MaxSearchHits {
		return SearchResult{}, fmt.Errorf("%w: limit %d: ask for at most %d hits", ErrInvalid, req.Limit, MaxSearchHits)
	}
	g, info, v, err := a.viewGraph(ctx, req.GraphRequest)
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Graph: info, Q: q, Hits: []SearchHit{}}
	seen := map[int32]bool{}
	for _, id := range keyMatches(g, q) {
		seen[id] = true
		res.Hits = append(res.Hits, SearchHit{ViewNode: v.node(id, 0), Match: "identifier"})
	}
	// A user who sees identifiers masked searches names as shown: an ID number inside a
	// case title must not be found by typing it.
	clear := a.unmaskAsked(ctx)
	needle := strings.ToLower(q)
	var names []int32
	for id := range int32(g.Nodes()) {
		l := g.Label(id)
		if l == "" || seen[id] {
			continue
		}
		if !clear {
			l = mask.Text(l)
		}
		if strings.Contains(strings.ToLower(l), needle) {
			names = append(names, id)
		}
	}
	// The most connected first: a name shared by strangers is found through the one with
	// most ties, which is usually the one under investigation.
	slices.SortStableFunc(names, func(x, y int32) int { return g.Degree(y) - g.Degree(x) })
	for _, id := range names {
		if len(res.Hits) >= req.Limit {
			res.Truncated = true
			break
		}
		res.Hits = append(res.Hits, SearchHit{ViewNode: v.node(id, 0), Match: "name"})
	}
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "search", Rows: len(res.Hits)}, basePlan)
}

// keyMatches finds the nodes whose identifier is q: type:key, node:ID, or a key of any type
// (also in upper case, and a phone in E.164).
func keyMatches(g *graph.Graph, q string) []int32 {
	if id, err := findNode(g, q); err == nil {
		return []int32{id}
	}
	if strings.HasPrefix(q, "node:") {
		return nil
	}
	ids := g.Find(q)
	if up := strings.ToUpper(q); up != q {
		ids = append(ids, g.Find(up)...)
	}
	return ids
}

// EntityRequest asks for the details of one node.
type EntityRequest struct {
	GraphRequest
	Entity string // an identifier, type:key or node:ID
}

// EntityCase is a case an entity is tied to: named in it (Via empty), or through a neighbour
// the case names (an account's holder, a person's phone).
type EntityCase struct {
	Case graph.Ref  `json:"case"`
	Role string     `json:"role,omitempty"` // the party role the case records
	Via  *graph.Ref `json:"via,omitempty"`
}

// EntityDetail is the answer of GraphEntity.
type EntityDetail struct {
	Graph      GraphInfo      `json:"graph"`
	Node       ViewNode       `json:"node"`
	ByRelation map[string]int `json:"edges_by_relation"`
	ByType     map[string]int `json:"neighbours_by_type"`
	Cases      []EntityCase   `json:"cases"`
}

// GraphEntity describes one node: its ties by relation and neighbour type, and the cases
// that name it or one of its neighbours.
func (a *App) GraphEntity(ctx context.Context, req EntityRequest) (EntityDetail, error) {
	if strings.TrimSpace(req.Entity) == "" {
		return EntityDetail{}, fmt.Errorf("%w: name the entity (an identifier, type:key or node:ID)", ErrInvalid)
	}
	g, info, v, err := a.viewGraph(ctx, req.GraphRequest)
	if err != nil {
		return EntityDetail{}, err
	}
	id, err := findNode(g, req.Entity)
	if err != nil {
		return EntityDetail{}, err
	}
	d := EntityDetail{Graph: info, Node: v.node(id, 0), ByRelation: map[string]int{}, ByType: map[string]int{}, Cases: []EntityCase{}}
	d.Cases = entityCases(g, id)
	g.Neighbours(id, func(e graph.Adj) bool {
		d.ByRelation[e.Rel.String()]++
		d.ByType[g.Type(e.Node).String()]++
		return true
	})
	return d, a.conceal(ctx, &d, shown{Object: "graph", ID: "entity", Rows: 1 + len(d.Cases)}, basePlan)
}

// entityCases lists the cases that name id, then those that name a neighbour of id (not
// passing through hubs: a payment platform's account ties everyone to every case).
func entityCases(g *graph.Graph, id int32) []EntityCase {
	out := []EntityCase{}
	seen := map[int32]bool{}
	var near []int32
	g.Neighbours(id, func(e graph.Adj) bool {
		switch {
		case g.Type(e.Node) == graph.Case && !seen[e.Node]:
			seen[e.Node] = true
			out = append(out, EntityCase{Case: g.Ref(e.Node), Role: e.Label})
		case g.Type(id) == graph.Case:
		case g.Degree(e.Node) <= 1000:
			near = append(near, e.Node)
		}
		return true
	})
	for _, n := range near {
		g.Neighbours(n, func(e graph.Adj) bool {
			if g.Type(e.Node) == graph.Case && !seen[e.Node] {
				seen[e.Node] = true
				via := g.Ref(n)
				out = append(out, EntityCase{Case: g.Ref(e.Node), Role: e.Label, Via: &via})
			}
			return true
		})
	}
	return out
}

// CollisionViewRequest asks for the cross-case collisions, to draw.
type CollisionViewRequest struct {
	GraphRequest
	Cases graph.CaseOptions
	Limit int // most colliding entities (default 500, at most MaxViewNodes)
}

// GraphCollisionView draws the entities that two or more cases touch, with their cases: the
// graph's edges among them, and an "in_case" edge (labelled how) where a case touches an
// entity without naming it directly (the holder of a named account, the device it was used
// from).
func (a *App) GraphCollisionView(ctx context.Context, req CollisionViewRequest) (GraphView, error) {
	if req.Limit == 0 {
		req.Limit = 500
	}
	if req.Limit < 1 || req.Limit > MaxViewNodes {
		return GraphView{}, fmt.Errorf("%w: limit %d: ask for 1 to %d entities", ErrInvalid, req.Limit, MaxViewNodes)
	}
	t := time.Now()
	g, info, v, err := a.viewGraph(ctx, req.GraphRequest)
	if err != nil {
		return GraphView{}, err
	}
	rep := g.Cases(req.Cases)
	res := GraphView{Graph: info, Nodes: []ViewNode{}}
	in := map[int32]bool{}
	var ids []int32
	add := func(id int32) {
		if !in[id] {
			in[id] = true
			ids = append(ids, id)
			res.Nodes = append(res.Nodes, v.node(id, 0))
		}
	}
	type tie struct {
		node, kase int32
		how        string
	}
	var ties []tie
	for i, c := range rep.Collisions {
		if i >= req.Limit {
			res.Truncated = true
			break
		}
		add(c.Node.ID)
		for j, k := range c.Cases {
			cid, ok := g.Lookup(graph.Case, k)
			if !ok {
				continue
			}
			add(cid)
			how := ""
			if j < len(c.How) {
				how = c.How[j]
			}
			ties = append(ties, tie{c.Node.ID, cid, how})
		}
	}
	res.Edges = v.edges(ids)
	direct := map[[2]int32]bool{}
	for _, e := range res.Edges {
		direct[[2]int32{e.From, e.To}], direct[[2]int32{e.To, e.From}] = true, true
	}
	for _, t := range ties {
		if !direct[[2]int32{t.kase, t.node}] {
			res.Edges = append(res.Edges, ViewEdge{From: t.kase, To: t.node, Rel: "in_case", Label: t.how})
		}
	}
	res.Seconds = time.Since(t).Seconds()
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "collisions", Rows: len(res.Nodes)}, basePlan)
}

// EdgesRequest asks for the edges among nodes already drawn.
type EdgesRequest struct {
	GraphRequest
	Nodes []int32 // node ids, at most MaxViewNodes
}

// EdgesResult is the answer of GraphEdges.
type EdgesResult struct {
	Graph GraphInfo  `json:"graph"`
	Edges []ViewEdge `json:"edges"`
}

// GraphEdges lists every edge among the nodes. A canvas that grew by several requests (two
// expansions, a path, the collisions) holds nodes that no single answer showed together; this
// fills in the ties between them, so two accounts that paid each other never look unconnected.
func (a *App) GraphEdges(ctx context.Context, req EdgesRequest) (EdgesResult, error) {
	if len(req.Nodes) > MaxViewNodes {
		return EdgesResult{}, fmt.Errorf("%w: %d nodes: ask for the edges among at most %d", ErrInvalid, len(req.Nodes), MaxViewNodes)
	}
	g, info, v, err := a.viewGraph(ctx, req.GraphRequest)
	if err != nil {
		return EdgesResult{}, err
	}
	ids := make([]int32, 0, len(req.Nodes))
	seen := map[int32]bool{}
	for _, id := range req.Nodes {
		if id < 0 || int(id) >= g.Nodes() {
			return EdgesResult{}, fmt.Errorf("%w: node:%d is no node of this graph (it has %d); if the datasets changed, search for the entities again", ErrNotFound, id, g.Nodes())
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	res := EdgesResult{Graph: info, Edges: v.edges(ids)}
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "edges", Rows: len(res.Edges)}, basePlan)
}
