package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"procura/internal/graph"
	"procura/internal/store"
)

// RankRequest asks for the most central nodes.
type RankRequest struct {
	GraphRequest
	By      string   // pagerank or betweenness
	Top     int      // nodes to list (default 20)
	Types   []string // node types to list (default all)
	Samples int      // betweenness: source nodes to sample (0 = exact up to 20,000 nodes, else 1,000)
	Seed    uint64   // betweenness sampling seed
}

// RankResult is the answer of GraphRank.
type RankResult struct {
	Graph      GraphInfo      `json:"graph"`
	By         string         `json:"by"`
	Samples    int            `json:"samples,omitempty"` // betweenness sources searched; 0 = all (exact)
	Iterations int            `json:"iterations,omitempty"`
	Seconds    float64        `json:"seconds"`
	Top        []graph.Ranked `json:"top"`
}

// Rankings lists the centralities GraphRank computes.
var Rankings = []string{"pagerank", "betweenness"}

// GraphRank ranks the nodes of the entity graph by PageRank or (sampled) betweenness.
func (a *App) GraphRank(ctx context.Context, req RankRequest) (RankResult, error) {
	var types []graph.NodeType
	for _, t := range req.Types {
		nt, err := graph.ParseNodeType(t)
		if err != nil {
			return RankResult{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		types = append(types, nt)
	}
	if req.By == "" {
		req.By = "pagerank"
	}
	if req.By != "pagerank" && req.By != "betweenness" {
		return RankResult{}, fmt.Errorf("%w: ranking %q is not known; use one of %s", ErrInvalid, req.By, strings.Join(Rankings, ", "))
	}
	g, info, err := a.EntityGraph(ctx, req.GraphRequest)
	if err != nil {
		return RankResult{}, err
	}
	if req.Top <= 0 {
		req.Top = 20
	}
	csr := g.Undirected()
	res := RankResult{Graph: info, By: req.By}
	t := time.Now()
	var score []float64
	if req.By == "pagerank" {
		score, res.Iterations, err = graph.PageRank(ctx, csr, 0.85, 1e-9, 100)
	} else {
		if req.Samples <= 0 && g.Nodes() > 20_000 {
			req.Samples = 1000
		}
		if req.Samples >= g.Nodes() {
			req.Samples = 0
		}
		res.Samples = req.Samples
		score, err = graph.Betweenness(ctx, csr, req.Samples, req.Seed)
	}
	if err != nil {
		return RankResult{}, err
	}
	res.Seconds = time.Since(t).Seconds()
	res.Top = g.Top(score, req.Top, types)
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "rank", Rows: len(res.Top)}, basePlan)
}

// PathRequest asks for a shortest path, every shortest path, or a time-respecting path.
type PathRequest struct {
	GraphRequest
	From, To  string
	MaxHops   int
	Rels      []string
	MaxDegree int
	All       bool // every shortest path, up to Limit
	Limit     int  // most paths to list with All (default 100)
	// TimeRespecting follows dated edges (transfers, calls, token transfers) in their
	// direction, each no earlier than the one before and at most MaxGap after it.
	TimeRespecting bool
	MaxGap         time.Duration // 0 = no limit
}

// PathResult is the answer of GraphPath.
type PathResult struct {
	Graph     GraphInfo         `json:"graph"`
	From      graph.Ref         `json:"from"`
	To        graph.Ref         `json:"to"`
	Steps     []graph.Step      `json:"steps"`
	Paths     [][]graph.Step    `json:"paths,omitempty"`     // with All
	Truncated bool              `json:"truncated,omitempty"` // more shortest paths exist than listed
	Timed     []graph.TimedStep `json:"timed_steps,omitempty"`
	Events    int               `json:"dated_edges,omitempty"` // dated edges searched
}

// GraphPath finds a shortest chain of relations between two identifiers, every shortest
// chain, or the shortest chain of dated edges that respects time.
func (a *App) GraphPath(ctx context.Context, req PathRequest) (PathResult, error) {
	rels, err := parseRels(req.Rels)
	if err != nil {
		return PathResult{}, err
	}
	if req.MaxGap > 0 && !req.TimeRespecting {
		return PathResult{}, fmt.Errorf("%w: --max-gap limits a time-respecting path; add --time-respecting", ErrInvalid)
	}
	if req.TimeRespecting && (req.All || len(rels) > 0) {
		return PathResult{}, fmt.Errorf("%w: a time-respecting path follows transfers, calls and token transfers; it takes neither --all nor --rels", ErrInvalid)
	}
	g, info, ds, err := a.entityGraph(ctx, req.GraphRequest)
	if err != nil {
		return PathResult{}, err
	}
	from, err := findNode(g, req.From)
	if err != nil {
		return PathResult{}, err
	}
	to, err := findNode(g, req.To)
	if err != nil {
		return PathResult{}, err
	}
	res := PathResult{Graph: info, From: g.Ref(from), To: g.Ref(to)}
	w := graph.Walk{Rels: rels, MaxDegree: req.MaxDegree}
	switch {
	case req.TimeRespecting:
		ev, err := g.LoadEvents(ctx, storeEvents{a.st}, ds)
		if err != nil {
			return PathResult{}, err
		}
		res.Events = len(ev)
		res.Timed, err = g.TimeRespectingPath(graph.NewTimeline(g.Nodes(), ev), g.Ends(from), g.Ends(to), int64(req.MaxGap/time.Second), req.MaxHops)
		if err != nil {
			return PathResult{}, err
		}
	case req.All:
		res.Paths, res.Truncated, err = g.AllShortestPaths(from, to, req.MaxHops, req.Limit, w)
		if err != nil {
			return PathResult{}, err
		}
		if len(res.Paths) > 0 {
			res.Steps = res.Paths[0]
		}
	default:
		res.Steps, err = g.ShortestPath(from, to, req.MaxHops, w)
		if err != nil {
			return PathResult{}, err
		}
	}
	return res, a.conceal(ctx, &res, shown{Object: "graph", ID: "path", Rows: len(res.Steps) + len(res.Timed)}, basePlan)
}

// storeEvents reads dated edges from the workspace's dataset tables.
type storeEvents struct{ st *store.Store }

// ScanEvents implements graph.EventSource with one SELECT of the rows holding both ends and a time.
func (s storeEvents) ScanEvents(ctx context.Context, dataset, a, b, timeCol, label string, fn func(a, b, label string, unix int64) error) error {
	if err := store.ValidateDatasetName(dataset); err != nil {
		return err
	}
	q := s.st.Dialect().Quote
	text := func(c string) string { return "CAST(" + q(c) + " AS TEXT)" }
	lab := "''"
	if label != "" {
		lab = "COALESCE(" + text(label) + ", '')"
	}
	sql := "SELECT " + text(a) + ", " + text(b) + ", " + lab + ", CAST(floor(EXTRACT(EPOCH FROM " + q(timeCol) + ")) AS BIGINT) FROM " +
		q(store.DatasetTable(dataset)) + " WHERE " + q(a) + " IS NOT NULL AND " + q(b) + " IS NOT NULL AND " + q(timeCol) + " IS NOT NULL"
	rows, err := s.st.DB().QueryContext(ctx, sql)
	if err != nil {
		return fmt.Errorf("read dated edges %s.%s → %s: %w", dataset, a, b, err)
	}
	defer rows.Close()
	var va, vb, vl string
	var unix int64
	for rows.Next() {
		if err := rows.Scan(&va, &vb, &vl, &unix); err != nil {
			return fmt.Errorf("read dated edges of %s: %w", dataset, err)
		}
		if err := fn(va, vb, vl, unix); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RingsRequest asks for the rings behind the device controllers.
type RingsRequest struct {
	GraphRequest
	Resolution float64 // γ of the Louvain run over the controllers' groups (default 2)
}

// RingsResult is the answer of GraphRings.
type RingsResult struct {
	Graph       GraphInfo    `json:"graph"`
	Controllers int          `json:"device_controllers"`
	Rings       []graph.Ring `json:"rings"`
	Seconds     float64      `json:"seconds"`
}

// GraphRings groups the device controllers (card dealers' devices with the cards they operate
// and their holders) into rings by the transfers between their cards.
func (a *App) GraphRings(ctx context.Context, req RingsRequest) (RingsResult, error) {
	g, info, err := a.EntityGraph(ctx, req.GraphRequest)
	if err != nil {
		return RingsResult{}, err
	}
	t := time.Now()
	cs := g.Controllers(graph.ControllerOptions{})
	rings, _, err := g.Rings(ctx, cs, graph.RingOptions{Resolution: req.Resolution})
	if err != nil {
		return RingsResult{}, err
	}
	n := 0
	for _, c := range cs {
		if c.Kind == "device" {
			n++
		}
	}
	return RingsResult{Graph: info, Controllers: n, Rings: rings, Seconds: time.Since(t).Seconds()}, nil
}
