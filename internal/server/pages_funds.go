package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"procura/internal/app"
	"procura/internal/funds"
)

// fundPages registers the pages of fund-flow tracing.
func (s *Server) fundPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /trace", s.loggedIn(s.tracePage))
	mux.HandleFunc("POST /trace", s.loggedIn(s.traceSubmit))
	mux.HandleFunc("GET /trace/jobs/{id}", s.loggedIn(s.traceJobPage))
	mux.HandleFunc("POST /trace/jobs/{id}/save", s.loggedIn(s.traceSave))
}

// traceSave keeps a finished trace with a case (its settings and totals, as the case's
// analyses tab shows them) and opens that tab. The app checks case.write and the case grant.
func (s *Server) traceSave(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	e, ok := s.jobs.get(p, r.PathValue("id"))
	v, done := traceViewOf(e, ok && e.snapshot().Kind == "trace")
	if !done {
		s.pageError(w, r, errors.Join(app.ErrNotFound, errors.New("no finished trace job of yours: run the trace again on /trace (jobs end with the server)")))
		return
	}
	caseID := strings.TrimSpace(r.PostFormValue("case"))
	params, _ := json.Marshal(map[string]any{"dataset": v.Dataset, "direction": v.Direction, "policy": v.Policy,
		"max_hops": v.MaxHops, "hop_window": v.HopWindow, "min_amount": v.MinAmount, "seeds": len(v.Seeds)})
	summary, _ := json.Marshal(map[string]any{"conservation_ok": v.ConservationOK, "totals": v.Totals,
		"accounts": len(v.Result.Accounts), "victims": v.Victims, "exits": v.Exits})
	_, err := s.app.SaveAnalysis(r.Context(), app.SaveAnalysisRequest{CaseID: caseID, Kind: "trace",
		Name: r.PostFormValue("name"), Params: params, Summary: summary})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(caseID)+"?tab=analyses", http.StatusSeeOther)
}

// traceForm is the trace form as the user filled it in; it is shown back as it was when a
// field is wrong.
type traceForm struct {
	Dataset, Seed, SeedTx, Account, After        string
	Direction, Policy, MaxHops, HopWindow, MinAm string
	Victims                                      []string // case_parties datasets; none = every one
	Unmask                                       bool     // show identifiers in the clear (audited)
}

type tracePageData struct {
	Datasets []string // transactions datasets
	Parties  []string // case_parties datasets (known victims)
	Form     traceForm
	Errors   map[string]string // field → message key
	Job      Job
}

// maxExitRows bounds the exits table: the rest is in the exits schedule (CSV).
const maxExitRows = 200

type traceResultData struct {
	Job       Job
	View      *app.TraceView
	ExitRows  []app.ExitTotal
	MoreExits int
	Links     int // links per level the charts show before adding the rest up as "other"
}

// tracePage shows the trace form; only roles that may trace see it.
func (s *Server) tracePage(w http.ResponseWriter, r *http.Request) {
	d, err := s.traceFormData(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Form = traceForm{Seed: "tx", Direction: funds.Forward, Policy: string(funds.FIFO), MaxHops: "6", HopWindow: "72h", MinAm: "100",
		Dataset: r.URL.Query().Get("dataset"), SeedTx: r.URL.Query().Get("seed_tx")}
	if d.Form.Dataset == "" && len(d.Datasets) > 0 {
		d.Form.Dataset = d.Datasets[0]
	}
	s.render(w, r, http.StatusOK, "trace", "", "funds.title", d)
}

// traceFormData lists the datasets the form offers, after checking that the user may trace.
func (s *Server) traceFormData(ctx context.Context) (tracePageData, error) {
	if err := s.app.Can(ctx, app.ActTraceRun); err != nil {
		return tracePageData{}, err
	}
	ds, err := s.app.Datasets(ctx)
	if err != nil {
		return tracePageData{}, err
	}
	var d tracePageData
	for _, x := range ds {
		switch x.Kind {
		case "transactions":
			d.Datasets = append(d.Datasets, x.Name)
		case "case_parties":
			d.Parties = append(d.Parties, x.Name)
		}
	}
	return d, nil
}

// traceSubmit checks the form and starts the trace as a job. A wrong field answers 400 with
// the form, each wrong field marked; htmx puts it in place of the form.
func (s *Server) traceSubmit(w http.ResponseWriter, r *http.Request) {
	d, err := s.traceFormData(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	r.ParseForm()
	f := r.PostForm
	d.Form = traceForm{Dataset: f.Get("dataset"), Seed: f.Get("seed"), SeedTx: f.Get("seed_tx"), Account: strings.TrimSpace(f.Get("account")),
		After: strings.TrimSpace(f.Get("after")), Direction: f.Get("direction"), Policy: f.Get("policy"), MaxHops: f.Get("max_hops"),
		HopWindow: f.Get("hop_window"), MinAm: f.Get("min_amount"), Victims: f["victims_datasets"], Unmask: f.Get("unmask") == "1"}
	req, errs := d.Form.request(d.Datasets, d.Parties)
	if d.Form.Unmask && s.app.Can(r.Context(), app.ActUnmask) != nil {
		errs["unmask"] = "funds.err.unmask"
	}
	if len(errs) > 0 {
		d.Errors = errs
		w.Header().Set("HX-Retarget", "#trace-form")
		w.Header().Set("HX-Reswap", "outerHTML")
		s.render(w, r, http.StatusBadRequest, "trace", "traceForm", "funds.title", d)
		return
	}
	p, _ := app.PrincipalFrom(r.Context())
	d.Job = s.jobs.start(p, "trace", "trace "+req.Dataset, func(ctx context.Context, rep *jobReporter) (any, error) {
		req.Progress = rep
		if d.Form.Unmask {
			ctx = app.WithUnmask(ctx) // the job runs apart from the request that asked
		}
		return s.app.TraceView(ctx, req)
	})
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, "/trace/jobs/"+d.Job.ID, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusAccepted, "trace", "traceJob", "funds.title", d)
}

// request turns the form into a trace request, or names each wrong field (message keys).
func (f traceForm) request(datasets, parties []string) (app.TraceRequest, map[string]string) {
	errs := map[string]string{}
	req := app.TraceRequest{Dataset: f.Dataset}
	if !slices.Contains(datasets, f.Dataset) {
		errs["dataset"] = "funds.err.dataset"
	}
	switch f.Seed {
	case "tx":
		req.SeedTxIDs = strings.FieldsFunc(f.SeedTx, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
		if len(req.SeedTxIDs) == 0 {
			errs["seed_tx"] = "funds.err.seed_tx"
		}
	case "account":
		if req.FromAccount = f.Account; req.FromAccount == "" {
			errs["account"] = "funds.err.account"
		}
	case "victims":
		req.Victims = true
		for _, v := range f.Victims {
			if !slices.Contains(parties, v) {
				errs["victims_datasets"] = "funds.err.victims"
			}
		}
		req.VictimsDatasets = f.Victims
	default:
		errs["seed"] = "funds.err.seed"
	}
	if f.After != "" {
		t, err := parseTime(f.After)
		if err != nil {
			errs["after"] = "funds.err.after"
		}
		req.After = t
	}
	o := &req.Options
	switch f.Direction {
	case funds.Forward, funds.Backward:
		o.Direction = f.Direction
	default:
		errs["direction"] = "funds.err.direction"
	}
	var err error
	if o.Policy, err = funds.ParsePolicy(f.Policy); err != nil || f.Policy == "" {
		errs["policy"] = "funds.err.policy"
	}
	if o.MaxHops, err = strconv.Atoi(strings.TrimSpace(f.MaxHops)); err != nil || o.MaxHops < 1 || o.MaxHops > 50 {
		errs["max_hops"] = "funds.err.max_hops"
	}
	if o.HopWindow, err = parseSpan(f.HopWindow); err != nil {
		errs["hop_window"] = "funds.err.hop_window"
	}
	minAmount, err := strconv.ParseFloat(strings.TrimSpace(f.MinAm), 64)
	if err != nil || !(minAmount >= 0 && minAmount <= 1e12) {
		errs["min_amount"] = "funds.err.min_amount"
	}
	o.MinCents = int64(minAmount*100 + 0.5)
	return req, errs
}

// traceJobPage shows a trace job: its progress while it runs, its result when it is done.
// The page is safe to reload; htmx asks for the result alone when the job ends.
func (s *Server) traceJobPage(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	e, ok := s.jobs.get(p, r.PathValue("id"))
	if !ok || e.snapshot().Kind != "trace" {
		s.pageError(w, r, errors.Join(app.ErrNotFound, errors.New("no such trace job of yours: run the trace again on /trace (jobs end with the server)")))
		return
	}
	d := traceResultData{Job: e.snapshot(), Links: 20}
	if v, ok := traceViewOf(e, true); ok {
		d.View = v
		d.ExitRows = v.Exits
		if len(d.ExitRows) > maxExitRows {
			d.MoreExits = len(d.ExitRows) - maxExitRows
			d.ExitRows = d.ExitRows[:maxExitRows]
		}
	}
	s.render(w, r, http.StatusOK, "trace_result", "traceResult", "funds.title", d)
}
