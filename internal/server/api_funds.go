package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"procura/internal/app"
	"procura/internal/calls"
	"procura/internal/funds"
)

func (s *Server) fundRoutes() []route {
	return []route{
		{"POST", "/api/v1/traces", s.apiTrace},
		{"POST", "/api/v1/typologies", s.apiTypologies},
		{"POST", "/api/v1/transfer-matches", s.apiMatchTransfers},
		{"POST", "/api/v1/calls/analyze", s.apiCalls},
		{"POST", "/api/v1/screen", s.apiScreen},
		{"POST", "/api/v1/resolve", s.apiResolve},
	}
}

// invalid answers 400 naming the fields in details.
func (s *Server) invalid(w http.ResponseWriter, r *http.Request, details map[string]any) {
	s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details", details)
}

// startJob checks the action before the job starts, so a refusal is the answer to the request
// rather than a failed job, then runs f in the background and answers 202 with the job.
func (s *Server) startJob(w http.ResponseWriter, r *http.Request, act app.Action, kind, title string, f func(ctx context.Context, rep *jobReporter) (any, error)) {
	p, ok := s.principal(w, r)
	if !ok {
		return
	}
	if err := s.app.Can(r.Context(), act); err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, s.jobs.start(p, kind, title, f))
}

type traceRequest struct {
	Dataset     string   `json:"dataset"`
	SeedTx      []string `json:"seed_tx,omitempty"`
	FromAccount string   `json:"from_account,omitempty"`
	// Victims seeds the trace with the known victims' payments (case_parties datasets).
	Victims         bool     `json:"victims,omitempty"`
	VictimsDatasets []string `json:"victims_datasets,omitempty"`
	After           string   `json:"after,omitempty"`     // with from_account: YYYY-MM-DD or RFC 3339
	Direction       string   `json:"direction,omitempty"` // forward (default) or backward
	Policy          string   `json:"policy,omitempty"`    // fifo (default), libr, proportional
	MaxHops         int      `json:"max_hops,omitempty"`  // default 6
	HopWindow       string   `json:"hop_window,omitempty"`
	MinAmount       *float64 `json:"min_amount,omitempty"` // default 100
}

func (s *Server) apiTrace(w http.ResponseWriter, r *http.Request) {
	var req traceRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	bad := map[string]any{}
	if req.Dataset == "" {
		bad["dataset"] = "the transactions dataset to trace in"
	}
	if len(req.SeedTx) == 0 && req.FromAccount == "" && !req.Victims {
		bad["seed_tx"] = "seed transaction ids, or from_account, or victims"
	}
	policy, err := funds.ParsePolicy(req.Policy)
	if err != nil {
		bad["policy"] = "fifo, libr or proportional"
	}
	after, err := optTime(req.After)
	if err != nil {
		bad["after"] = "YYYY-MM-DD or RFC 3339"
	}
	window := 72 * time.Hour
	if req.HopWindow != "" {
		if window, err = parseSpan(req.HopWindow); err != nil {
			bad["hop_window"] = "a duration like 72h or 3d (0 = no limit)"
		}
	}
	if req.Direction == "" {
		req.Direction = funds.Forward
	}
	minAmount := 100.0
	if req.MinAmount != nil {
		minAmount = *req.MinAmount
	}
	if len(bad) > 0 {
		s.invalid(w, r, bad)
		return
	}
	tr := app.TraceRequest{Dataset: req.Dataset, SeedTxIDs: req.SeedTx, FromAccount: req.FromAccount, After: after,
		Victims: req.Victims, VictimsDatasets: req.VictimsDatasets,
		Options: funds.TraceOptions{Direction: req.Direction, Policy: policy, MaxHops: req.MaxHops, HopWindow: window,
			MinCents: int64(minAmount*100 + 0.5)}}
	s.startJob(w, r, app.ActTraceRun, "trace", "trace "+req.Dataset, func(ctx context.Context, rep *jobReporter) (any, error) {
		tr.Progress = rep
		return s.app.Trace(ctx, tr)
	})
}

func optTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	return parseTime(v)
}

type typologyRequest struct {
	Dataset         string         `json:"dataset"`
	Only            []string       `json:"only,omitempty"`
	Params          map[string]any `json:"params,omitempty"` // name → number, as procura typologies --param
	VictimsDatasets []string       `json:"victims_datasets,omitempty"`
}

func (s *Server) apiTypologies(w http.ResponseWriter, r *http.Request) {
	var req typologyRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Dataset == "" {
		s.invalid(w, r, map[string]any{"dataset": "the transactions dataset to scan"})
		return
	}
	tr := app.TypologyRequest{Dataset: req.Dataset, Only: req.Only, Params: funds.DefaultTypologyParams(), VictimsDatasets: req.VictimsDatasets}
	names := make([]string, 0, len(req.Params))
	for k := range req.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := tr.Params.Set(fmt.Sprintf("%s=%v", k, req.Params[k])); err != nil {
			s.invalid(w, r, map[string]any{"params." + k: err.Error()})
			return
		}
	}
	s.startJob(w, r, app.ActTraceRun, "typologies", "typologies "+req.Dataset, func(ctx context.Context, rep *jobReporter) (any, error) {
		tr.Progress = rep
		return s.app.Typologies(ctx, tr)
	})
}

// knownDatasets answers 404 unless every non-empty name is a dataset of the workspace. (Some
// engines report a missing dataset without app.ErrNotFound; the server asks first.)
func (s *Server) knownDatasets(w http.ResponseWriter, r *http.Request, names ...string) bool {
	ds, err := s.app.Datasets(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return false
	}
	have := make([]string, len(ds))
	for i, d := range ds {
		have[i] = d.Name
	}
	for _, n := range names {
		if n != "" && !slices.Contains(have, n) {
			s.fail(w, r, http.StatusNotFound, "not_found", fmt.Sprintf("no dataset %q; the workspace has: %s (GET /api/v1/datasets)", n, strings.Join(have, ", ")),
				map[string]any{"dataset": n})
			return false
		}
	}
	return true
}

type matchRequest struct {
	Out             string   `json:"out"`
	In              string   `json:"in"`
	MaxDelay        string   `json:"max_delay,omitempty"`        // default 5d
	AmountTolerance *float64 `json:"amount_tolerance,omitempty"` // percent; default 2
}

func (s *Server) apiMatchTransfers(w http.ResponseWriter, r *http.Request) {
	var req matchRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	bad := map[string]any{}
	if req.Out == "" || req.In == "" {
		bad["out"], bad["in"] = "dataset of bank A (money leaving)", "dataset of bank B (money arriving)"
	}
	delay, err := parseSpan(req.MaxDelay)
	if err != nil {
		bad["max_delay"] = "a duration like 5d, 36h or 90m"
	}
	var tol float64
	if req.AmountTolerance != nil {
		tol = *req.AmountTolerance
		if tol == 0 {
			tol = -1 // exact
		}
	}
	if len(bad) > 0 {
		s.invalid(w, r, bad)
		return
	}
	if !s.knownDatasets(w, r, req.Out, req.In) {
		return
	}
	res, err := s.app.MatchTransfers(r.Context(), app.MatchTransfersRequest{Out: req.Out, In: req.In,
		Options: funds.MatchOptions{MaxDelay: delay, TolerancePct: tol}})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

type callsRequest struct {
	Dataset      string   `json:"dataset,omitempty"`
	Transactions string   `json:"transactions,omitempty"`
	Numbers      []string `json:"numbers,omitempty"`
	Suspicious   []string `json:"suspicious,omitempty"`
	Top          int      `json:"top,omitempty"`
}

func (s *Server) apiCalls(w http.ResponseWriter, r *http.Request) {
	var req callsRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if err := s.app.Can(r.Context(), app.ActGraphRead); err != nil {
		s.apiError(w, r, err)
		return
	}
	if !s.knownDatasets(w, r, req.Dataset, req.Transactions) {
		return
	}
	res, err := s.app.CallsAnalyze(r.Context(), app.CallsRequest{Dataset: req.Dataset, Transactions: req.Transactions,
		Numbers: req.Numbers, Suspicious: req.Suspicious, Options: calls.Options{Top: req.Top}})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// screenRequest screens names or identifiers. Lists are "workspace" (the default) or
// "ofac:PATH", "un:PATH", "ftm:PATH", "csv:PATH" with PATH inside the workspace.
type screenRequest struct {
	Lists    []string `json:"lists,omitempty"`
	Queries  []string `json:"queries"`
	Top      int      `json:"top,omitempty"`
	MinScore float64  `json:"min_score,omitempty"`
	Types    []string `json:"types,omitempty"`
}

func (s *Server) apiScreen(w http.ResponseWriter, r *http.Request) {
	var req screenRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	bad := map[string]any{}
	if len(req.Queries) == 0 {
		bad["queries"] = "one name or identifier or more"
	}
	if len(req.Lists) == 0 {
		req.Lists = []string{"workspace"}
	}
	for i, l := range req.Lists {
		if l == "workspace" {
			continue
		}
		kind, path, _ := strings.Cut(l, ":")
		p, ok := s.workspaceFile(path)
		if !ok {
			bad["lists"] = "workspace, or KIND:PATH with PATH inside the workspace (ofac, un, ftm, csv)"
			break
		}
		req.Lists[i] = kind + ":" + p
	}
	if len(bad) > 0 {
		s.invalid(w, r, bad)
		return
	}
	res, err := s.app.Screen(r.Context(), app.ScreenRequest{Lists: req.Lists, Queries: req.Queries, Top: req.Top,
		MinScore: req.MinScore, Types: req.Types})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

type resolveRequest struct {
	Dataset   string   `json:"dataset"`
	IDColumn  string   `json:"id_column,omitempty"`
	Fields    []string `json:"fields,omitempty"`
	Threshold float64  `json:"threshold,omitempty"` // default 0.9
}

func (s *Server) apiResolve(w http.ResponseWriter, r *http.Request) {
	var req resolveRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Dataset == "" {
		s.invalid(w, r, map[string]any{"dataset": "the persons dataset to resolve"})
		return
	}
	rr := app.ResolveRequest{Dataset: req.Dataset, IDColumn: req.IDColumn, Fields: req.Fields, Threshold: req.Threshold}
	s.startJob(w, r, app.ActResolveRun, "resolve", "resolve "+req.Dataset, func(ctx context.Context, rep *jobReporter) (any, error) {
		rr.Progress = rep
		return s.app.Resolve(ctx, rr)
	})
}
