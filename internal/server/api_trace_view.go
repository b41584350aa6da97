package server

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"

	"procura/internal/app"
	"procura/internal/funds"
)

// traceViewRoutes are the routes the fund-flow page needs beyond starting a trace: growing a
// trace by hand from an account, and exporting a finished trace job.
func (s *Server) traceViewRoutes() []route {
	return []route{
		{"GET", "/api/v1/trace/expand", s.apiTraceExpand},
		{"GET", "/api/v1/traces/{id}/schedules/{file}", s.apiTraceSchedule},
		{"GET", "/api/v1/traces/{id}/sankey", s.apiTraceSankey},
	}
}

// apiTraceExpand lists the transfers that left an account at or after a time. The account
// is named in the clear (account=), or, as the page does, by a node of a finished trace job
// (job=&node=): the page sees account numbers masked and cannot send them back.
func (s *Server) apiTraceExpand(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := app.ExpandRequest{Dataset: q.Get("dataset"), Account: q.Get("account")}
	bad := map[string]any{}
	if v := q.Get("after"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			bad["after"] = "YYYY-MM-DD or RFC 3339"
		}
		req.After = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			bad["limit"] = "a whole number from 1 to 5000 (default 200)"
		}
		req.Limit = n
	}
	if job := q.Get("job"); job != "" {
		p, ok := s.principal(w, r)
		if !ok {
			return
		}
		e, ok := s.jobs.get(p, job)
		v, isView := traceViewOf(e, ok)
		if !isView {
			s.fail(w, r, http.StatusNotFound, "not_found", "no finished trace job "+job+" of yours; run the trace again on /trace", map[string]any{"job": job})
			return
		}
		acct, ok := v.AccountOfNode(q.Get("node"))
		if !ok {
			bad["node"] = "a node of the trace that stands for an account (its id, as n12)"
		}
		req.Dataset, req.Account, req.Nodes = v.Dataset, acct, v.NodeOfAccount()
	} else {
		if req.Dataset == "" {
			bad["dataset"] = "the transactions dataset"
		}
		if req.Account == "" {
			bad["account"] = "the account to expand, or job and node"
		}
	}
	if len(bad) > 0 {
		s.invalid(w, r, bad)
		return
	}
	res, err := s.app.Expand(r.Context(), req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// traceViewOf returns the trace view of a finished page trace job.
func traceViewOf(e *jobEntry, ok bool) (*app.TraceView, bool) {
	if !ok {
		return nil, false
	}
	j := e.snapshot()
	v, isView := j.Result.(*app.TraceView)
	return v, isView && j.Status == jobDone
}

// traceResultOf returns the trace of a finished trace job, started by the page or the API.
func (s *Server) traceResultOf(w http.ResponseWriter, r *http.Request) (*funds.Result, string, bool) {
	e, ok := s.job(w, r)
	if !ok {
		return nil, "", false
	}
	j := e.snapshot()
	var res *funds.Result
	var dataset string
	switch v := j.Result.(type) {
	case *app.TraceView:
		res, dataset = v.Result, v.Dataset
	case app.TraceResult:
		res, dataset = v.Result, v.Dataset
	}
	if j.Status != jobDone || res == nil {
		s.fail(w, r, http.StatusNotFound, "not_found", "job "+j.ID+" is not a finished trace; wait for it to end, or run one with POST /api/v1/traces", nil)
		return nil, "", false
	}
	return res, dataset, true
}

var scheduleWriters = map[string]func(io.Writer, *funds.Result) error{
	funds.ScheduleSeeds: funds.WriteSeedsCSV, funds.ScheduleAccounts: funds.WriteAccountsCSV,
	funds.ScheduleFlows: funds.WriteFlowsCSV, funds.ScheduleExits: funds.WriteExitsCSV,
}

// apiTraceSchedule downloads one CSV schedule of a finished trace (UTF-8 with a byte order
// mark, as procura trace --export csv writes it), audited as trace.exported.
func (s *Server) apiTraceSchedule(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	write, known := scheduleWriters[file]
	if !known {
		s.invalid(w, r, map[string]any{"file": "seeds.csv, accounts.csv, flows.csv or exits.csv"})
		return
	}
	res, dataset, ok := s.traceResultOf(w, r)
	if !ok {
		return
	}
	// The download is the job's result as it ran, masked or not; an unmasked one is exported
	// only by a user who may unmask, and recorded so.
	if _, err := s.app.RecordExport(s.exportContext(r), app.ExportRecord{Object: "trace", ID: dataset, Rows: len(res.Accounts),
		Format: "csv " + file, Dest: "download"}); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "trace-" + dataset + "-" + file}))
	io.WriteString(w, "\ufeff")
	if err := write(w, res); err != nil {
		s.log.Error("trace schedule", "file", file, "err", err)
	}
}

// apiTraceSankey downloads the Sankey of a finished page trace as ECharts draws it (nodes
// named by id, so that accounts whose masked numbers look alike stay apart), audited.
func (s *Server) apiTraceSankey(w http.ResponseWriter, r *http.Request) {
	e, ok := s.job(w, r)
	if !ok {
		return
	}
	v, isView := traceViewOf(e, ok)
	if !isView {
		s.fail(w, r, http.StatusNotFound, "not_found", "job "+r.PathValue("id")+" is not a finished trace of the fund-flow page (/trace); its Sankey is drawn there", nil)
		return
	}
	if _, err := s.app.RecordExport(s.exportContext(r), app.ExportRecord{Object: "trace", ID: v.Dataset, Rows: len(v.Sankey.Nodes),
		Format: "sankey json", Dest: "download"}); err != nil {
		s.apiError(w, r, err)
		return
	}
	b, _ := json.MarshalIndent(v.Sankey, "", " ")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "trace-" + v.Dataset + "-sankey.json"}))
	w.Write(append(b, '\n'))
}

// exportContext is the request's context, asking for identifiers in the clear when the trace
// job being exported holds them so (a page trace run with unmask).
func (s *Server) exportContext(r *http.Request) context.Context {
	p, _ := app.PrincipalFrom(r.Context())
	if v, ok := traceViewOf(s.jobs.get(p, r.PathValue("id"))); ok && v.Unmasked {
		return app.WithUnmask(r.Context())
	}
	return r.Context()
}
