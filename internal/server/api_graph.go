package server

import (
	"bytes"
	"net/http"
	"strconv"

	"procura/internal/app"
	"procura/internal/graph"
)

// The link graph is built from the datasets named in ?datasets= (default all) for each query;
// ?ignore_resolved=1 keeps a resolved person's identity numbers apart.
func (s *Server) graphRoutes() []route {
	return []route{
		{"GET", "/api/v1/graph/communities", s.apiCommunities},
		{"GET", "/api/v1/graph/neighbours", s.apiNeighbours},
		{"GET", "/api/v1/graph/path", s.apiPath},
		{"GET", "/api/v1/graph/rank", s.apiRank},
		{"GET", "/api/v1/graph/collisions", s.apiCollisions},
		{"GET", "/api/v1/graph/export", s.apiGraphExport},
		{"GET", "/api/v1/graph/search", s.apiGraphSearch},
		{"GET", "/api/v1/graph/neighbourhood", s.apiNeighbourhood},
		{"GET", "/api/v1/graph/entity", s.apiGraphEntity},
		{"GET", "/api/v1/graph/collision-view", s.apiCollisionView},
		{"POST", "/api/v1/graph/edges", s.apiGraphEdges},
	}
}

func graphRequest(q *params) app.GraphRequest {
	return app.GraphRequest{Datasets: q.list("datasets"), IgnoreResolved: q.bool("ignore_resolved")}
}

// answer writes v, or the app's error.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiCommunities(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.CommunitiesRequest{GraphRequest: graphRequest(q), Top: q.int("top", 20, 1, 10000),
		MinSize: q.int("min_size", 3, 1, 1<<30), SeedControllers: q.bool("seed_controllers"), Resolution: q.float("resolution", 0)}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphCommunities(r.Context(), req)
	s.answer(w, r, res, err)
}

func (s *Server) apiNeighbours(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.NeighboursRequest{GraphRequest: graphRequest(q), Seeds: q.list("seed"), Hops: q.int("hops", 2, 1, 10),
		Rels: q.list("rels"), MaxNodes: q.int("max_nodes", 0, 0, 1<<30), MaxDegree: q.int("max_degree", 0, 0, 1<<30)}
	if len(req.Seeds) == 0 {
		q.bad("seed", "one identifier or more, optionally type:key (comma-separated)")
	}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphNeighbours(r.Context(), req)
	s.answer(w, r, res, err)
}

// apiPath finds the shortest path (all=1: every shortest path up to limit; time_respecting=1:
// dated edges in order, each at most max_gap after the one before).
func (s *Server) apiPath(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.PathRequest{GraphRequest: graphRequest(q), From: q.str("from"), To: q.str("to"),
		MaxHops: q.int("max_hops", 0, 0, 100), Rels: q.list("rels"), MaxDegree: q.int("max_degree", 0, 0, 1<<30),
		All: q.bool("all"), Limit: q.int("limit", 0, 0, 10000), TimeRespecting: q.bool("time_respecting"), MaxGap: q.duration("max_gap")}
	if req.From == "" {
		q.bad("from", "an identifier, optionally type:key")
	}
	if req.To == "" {
		q.bad("to", "an identifier, optionally type:key")
	}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphPath(r.Context(), req)
	s.answer(w, r, res, err)
}

func (s *Server) apiRank(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.RankRequest{GraphRequest: graphRequest(q), By: q.str("by"), Top: q.int("top", 20, 1, 10000),
		Types: q.list("types"), Samples: q.int("samples", 0, 0, 1<<30)}
	if v := q.str("seed"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			q.bad("seed", "a whole number ≥ 0")
		}
		req.Seed = n
	}
	if req.By == "" {
		req.By = "pagerank"
	}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphRank(r.Context(), req)
	s.answer(w, r, res, err)
}

func (s *Server) apiCollisions(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.CollisionsRequest{GraphRequest: graphRequest(q),
		Controllers: graph.ControllerOptions{MinHolders: q.int("min_holders", 0, 0, 1<<30), MinPhones: q.int("min_phones", 0, 0, 1<<30),
			MaxUsers: q.int("max_users", 0, 0, 1<<30)},
		Cases: graph.CaseOptions{MaxDeviceAccounts: q.int("max_device_accounts", 0, 0, 1<<30)}}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphCollisions(r.Context(), req)
	s.answer(w, r, res, err)
}

var exportTypes = map[string]string{"json": "application/json", "graphml": "application/graphml+xml",
	"gexf": "application/gexf+xml", "ftm": "application/x-ndjson"}

// apiGraphExport downloads the graph (or the neighbourhood of ?seed=) as json, graphml, gexf or
// ftm. The export is audited; X-Procura-Nodes/-Edges/-Unmasked describe it.
func (s *Server) apiGraphExport(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.ExportRequest{GraphRequest: graphRequest(q), Format: q.str("format"), Seeds: q.list("seed"),
		Hops: q.int("hops", 2, 1, 10), Communities: q.bool("communities"), Dest: "http download"}
	if req.Format == "" {
		req.Format = "json"
	}
	if !q.ok(s, w) {
		return
	}
	var buf bytes.Buffer
	res, err := s.app.GraphExport(r.Context(), req, &buf)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ct := exportTypes[res.Format]
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="graph.`+res.Format+`"`)
	h.Set("X-Procura-Nodes", strconv.Itoa(res.Nodes))
	h.Set("X-Procura-Edges", strconv.Itoa(res.Edges))
	h.Set("X-Procura-Unmasked", strconv.FormatBool(res.Unmasked))
	w.Write(buf.Bytes())
}

// The graph explorer's routes answer views (nodes with community, degree and PageRank, and
// the edges among them); a node is named as an identifier, type:key or node:ID.

func (s *Server) apiGraphSearch(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.SearchRequest{GraphRequest: graphRequest(q), Q: q.str("q"), Limit: q.int("limit", 20, 1, app.MaxSearchHits)}
	if req.Q == "" {
		q.bad("q", "an identifier (typed whole, or type:key) or part of a name")
	}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphSearch(r.Context(), req)
	s.answer(w, r, res, err)
}

func (s *Server) apiNeighbourhood(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.NeighbourhoodRequest{GraphRequest: graphRequest(q), Entity: q.str("entity"),
		Depth: q.int("depth", 1, 1, app.MaxViewDepth), Limit: q.int("limit", 500, 1, app.MaxViewNodes),
		MaxDegree: q.int("max_degree", 0, 0, 1<<30)}
	if req.Entity == "" {
		q.bad("entity", "an identifier, type:key or node:ID")
	}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphNeighbourhood(r.Context(), req)
	s.answer(w, r, res, err)
}

func (s *Server) apiGraphEntity(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.EntityRequest{GraphRequest: graphRequest(q), Entity: q.str("entity")}
	if req.Entity == "" {
		q.bad("entity", "an identifier, type:key or node:ID")
	}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphEntity(r.Context(), req)
	s.answer(w, r, res, err)
}

func (s *Server) apiCollisionView(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	req := app.CollisionViewRequest{GraphRequest: graphRequest(q), Limit: q.int("limit", 500, 1, app.MaxViewNodes),
		Cases: graph.CaseOptions{MaxDeviceAccounts: q.int("max_device_accounts", 0, 0, 1<<30)}}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphCollisionView(r.Context(), req)
	s.answer(w, r, res, err)
}

// apiGraphEdges answers the edges among the node ids posted ({"nodes":[…]}): a read, posted
// because 5,000 ids do not fit in a URL.
func (s *Server) apiGraphEdges(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	var body struct {
		Nodes []int32 `json:"nodes"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	if len(body.Nodes) > app.MaxViewNodes {
		q.bad("nodes", "at most 5000 node ids")
	}
	req := app.EdgesRequest{GraphRequest: graphRequest(q), Nodes: body.Nodes}
	if !q.ok(s, w) {
		return
	}
	res, err := s.app.GraphEdges(r.Context(), req)
	s.answer(w, r, res, err)
}
