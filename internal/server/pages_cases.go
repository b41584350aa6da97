package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"procura/internal/app"
	"procura/internal/casework"
	"procura/internal/evidence"
	"procura/internal/store"
)

// casePages registers the pages of the case workspace.
func (s *Server) casePages(mux *http.ServeMux) {
	mux.HandleFunc("GET /cases", s.loggedIn(s.casesPage))
	mux.HandleFunc("POST /cases", s.loggedIn(s.caseCreateSubmit))
	mux.HandleFunc("GET /cases/{id}", s.loggedIn(s.casePage))
	mux.HandleFunc("POST /cases/{id}/links", s.loggedIn(s.caseLinkSubmit))
	mux.HandleFunc("POST /cases/{id}/measures/approve", s.loggedIn(s.caseMeasureApprove))
	mux.HandleFunc("POST /cases/{id}/analyses", s.loggedIn(s.caseAnalysisSave))
	mux.HandleFunc("GET /cases/{id}/analyses/{kind}/{name}", s.loggedIn(s.caseAnalysisPage))
	mux.HandleFunc("POST /cases/{id}/evidence", s.loggedIn(s.caseEvidenceUpload))
	mux.HandleFunc("GET /cases/{id}/evidence/{eid}", s.loggedIn(s.caseEvidencePage))
	mux.HandleFunc("GET /cases/{id}/evidence/{eid}/file", s.loggedIn(s.caseEvidenceFile))
	mux.HandleFunc("POST /cases/{id}/evidence/{eid}/transfer", s.loggedIn(s.caseEvidenceTransfer))
}

// caseTabs are the sections of the case workspace, in the order shown.
var caseTabs = []string{"summary", "parties", "accounts", "clues", "timeline", "evidence", "analyses", "measures"}

// pageZone is the time zone pages show times in: the workspace's default zone.
var pageZone = func() *time.Location {
	if loc, err := time.LoadLocation(store.DefaultTimeZone); err == nil {
		return loc
	}
	return time.Local
}()

// formProblem is what a refused form shows: the message, the fields at fault, and for a
// conflict who changed the case first.
type formProblem struct {
	Message  string
	Fields   map[string]string
	Conflict *app.ConflictError
}

// problemOf turns the error of a use case into what the form shows, and its HTTP status.
func problemOf(err error) (formProblem, int) {
	status, _ := statusOf(err)
	p := formProblem{Message: err.Error()}
	var fe *app.FieldError
	if errors.As(err, &fe) {
		p.Fields = fe.Fields
	}
	var ce *app.ConflictError
	if errors.As(err, &ce) {
		p.Conflict = ce
	}
	return p, status
}

// --- the list of cases ---

type casesData struct {
	Page             app.CasePage
	Query            app.CaseQuery
	Statuses, Sorts  []string
	From, To         int
	PrevURL, NextURL string
	Form             url.Values // the new-case form as the user filled it
	Problem          *formProblem
	Zone             *time.Location
}

func caseQueryOf(r *http.Request) (app.CaseQuery, map[string]any) {
	q := queryParams(r)
	cq := app.CaseQuery{Status: q.str("status"), Search: q.str("q"), Sort: q.str("sort"),
		Limit: q.int("limit", 50, 1, 1000), Offset: q.int("offset", 0, 0, 1<<30)}
	return cq, q.errs
}

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request) {
	s.showCases(w, r, http.StatusOK, url.Values{}, nil)
}

// showCases renders the list with the new-case form as given and the problem of its last submit.
func (s *Server) showCases(w http.ResponseWriter, r *http.Request, status int, form url.Values, problem *formProblem) {
	cq, bad := caseQueryOf(r)
	if bad != nil {
		s.pageError(w, r, fmt.Errorf("%w: limit must be a whole number from 1 to 1000 and offset one from 0", app.ErrInvalid))
		return
	}
	pg, err := s.app.CaseList(r.Context(), cq)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if cq.Sort == "" {
		cq.Sort = "-updated"
	}
	d := casesData{Page: pg, Query: cq, Statuses: []string{app.CaseOpen, app.CaseClosed}, Sorts: app.CaseSorts,
		From: pg.Offset + 1, To: pg.Offset + len(pg.Cases), Form: form, Problem: problem, Zone: pageZone}
	link := func(off int) string {
		v := url.Values{"offset": {strconv.Itoa(off)}, "limit": {strconv.Itoa(pg.Limit)}, "sort": {cq.Sort}}
		if cq.Status != "" {
			v.Set("status", cq.Status)
		}
		if cq.Search != "" {
			v.Set("q", cq.Search)
		}
		return "/cases?" + v.Encode()
	}
	if pg.Offset > 0 {
		d.PrevURL = link(max(0, pg.Offset-pg.Limit))
	}
	if pg.Offset+len(pg.Cases) < pg.Total {
		d.NextURL = link(pg.Offset + pg.Limit)
	}
	s.render(w, r, status, "cases", "", "cases.title", d)
}

func (s *Server) caseCreateSubmit(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	nc := app.NewCase{ID: r.PostFormValue("id"), Title: r.PostFormValue("title"), Kind: strings.TrimSpace(r.PostFormValue("kind")),
		Charge: strings.TrimSpace(r.PostFormValue("charge"))}
	ids, err := clueIDs(r.PostFormValue("clues"))
	if err == nil {
		nc.Clues = ids
		_, err = s.app.CreateCase(r.Context(), nc)
	}
	if err != nil {
		p, status := problemOf(err)
		if status == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		s.showCases(w, r, status, r.PostForm, &p)
		return
	}
	http.Redirect(w, r, caseURL(strings.TrimSpace(nc.ID), "summary", false), http.StatusSeeOther)
}

// clueIDs reads clue ids separated by commas or spaces.
func clueIDs(v string) ([]int64, error) {
	var out []int64
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, &app.FieldError{Fields: map[string]string{"clues": "clue ids are whole numbers separated by commas, e.g. 42, 43"}}
		}
		out = append(out, id)
	}
	return out, nil
}

// caseURL is the address of a tab of the case workspace.
func caseURL(id, tab string, unmask bool) string {
	v := url.Values{"tab": {tab}}
	if unmask {
		v.Set("unmask", "1")
	}
	return "/cases/" + url.PathEscape(id) + "?" + v.Encode()
}

// --- the case workspace ---

type caseData struct {
	Case      app.CaseDetail
	Tab       string
	Tabs      []caseTab
	Deadlines []store.Clue
	Parties   []partyRow
	Measures  []measureRow
	Analyses  []analysisRow
	Timeline  []store.WorkflowEvent
	Evidence  []evidence.Item
	Zone      *time.Location
	Unmasked  bool
	CanUnmask bool
	ToggleURL string
	Form      url.Values // the refused form's values, refilled
	FormKind  string     // which form was refused: clue, party, account, analysis, measure, evidence, approve, saved
	Problem   *formProblem
}

type caseTab struct {
	Name, URL string
	Current   bool
}

// analysisRow is an analysis of the case; OpenURL is set for one saved with its result.
type analysisRow struct {
	store.CaseLink
	OpenURL string
}

type partyRow struct {
	store.CaseLink
	Role string
}

// measureRow is a measure of the case: one recorded with it (Text), or the measure stage of
// one of its clues, which a user who may approve measures approves here.
type measureRow struct {
	Text, By   string
	At         time.Time
	Clue       int64
	Status     string
	Version    int64
	Approvable bool
	ClueTitle  string
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) {
	tab := r.URL.Query().Get("tab")
	s.showCase(w, r, http.StatusOK, r.PathValue("id"), tab, "", nil, nil)
}

func unmaskAsked(r *http.Request) bool {
	u := r.URL.Query().Get("unmask")
	return u == "1" || u == "true"
}

// showCase renders one tab of case id; a refused form comes back filled, with its problem.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request, status int, id, tab, formKind string, form url.Values, problem *formProblem) {
	if !slices.Contains(caseTabs, tab) {
		tab = "summary"
	}
	d, err := s.caseData(r, id, tab)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.FormKind, d.Form, d.Problem = formKind, form, problem
	if d.Form == nil {
		d.Form = url.Values{}
	}
	s.render(w, r, status, "case", "", "cases.workspace", d)
}

// caseData gathers what tab shows; only the tab's own data is read (the timeline and the
// evidence are read only when shown).
func (s *Server) caseData(r *http.Request, id, tab string) (caseData, error) {
	ctx := r.Context()
	c, err := s.app.CaseShow(ctx, id)
	if err != nil {
		return caseData{}, err
	}
	unmasked := unmaskAsked(r)
	d := caseData{Case: c, Tab: tab, Zone: pageZone, Unmasked: unmasked, CanUnmask: s.app.Can(ctx, app.ActUnmask) == nil,
		ToggleURL: caseURL(id, tab, !unmasked)}
	for _, t := range caseTabs {
		d.Tabs = append(d.Tabs, caseTab{Name: t, URL: caseURL(id, t, unmasked), Current: t == tab})
	}
	switch tab {
	case "summary":
		d.Deadlines = deadlines(c.Clues)
	case "parties":
		d.Parties = parties(c.Parties)
	case "timeline":
		if d.Timeline, err = s.app.CaseTimeline(ctx, id); err != nil {
			return d, err
		}
	case "evidence":
		if d.Evidence, err = s.app.CaseEvidence(ctx, id); err != nil {
			return d, err
		}
	case "measures":
		d.Measures = measures(c, s.app.Can(ctx, app.ActMeasureApprove) == nil)
	case "analyses":
		for _, l := range c.Analyses {
			row := analysisRow{CaseLink: l}
			if kind, name, ok := strings.Cut(l.Ref, ":"); ok && app.IsSavedAnalysis(l) {
				row.OpenURL = "/cases/" + url.PathEscape(id) + "/analyses/" + url.PathEscape(kind) + "/" + url.PathEscape(name)
				if unmasked {
					row.OpenURL += "?unmask=1"
				}
			}
			d.Analyses = append(d.Analyses, row)
		}
	}
	return d, nil
}

// deadlines are the due dates of the case's clues still open, soonest first.
func deadlines(cs []store.Clue) []store.Clue {
	var out []store.Clue
	for _, c := range cs {
		if !c.DueAt.IsZero() && !slices.Contains([]string{casework.Dismissed, casework.Rectified, casework.Escalated}, c.Status) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y store.Clue) int { return x.DueAt.Compare(y.DueAt) })
	return out
}

func parties(ls []store.CaseLink) []partyRow {
	out := make([]partyRow, len(ls))
	for i, l := range ls {
		var detail struct {
			Role string `json:"role"`
		}
		json.Unmarshal([]byte(l.DetailJSON), &detail) // an empty detail has no role
		out[i] = partyRow{CaseLink: l, Role: detail.Role}
	}
	return out
}

func measures(c app.CaseDetail, canApprove bool) []measureRow {
	clues := map[int64]store.Clue{}
	for _, cl := range c.Clues {
		clues[cl.ID] = cl
	}
	var out []measureRow
	for _, m := range c.Measures {
		row := measureRow{Text: m.Ref, By: m.AddedBy, At: m.AddedAt}
		if n, ok := strings.CutPrefix(m.Ref, "clue:"); ok {
			id, _ := strconv.ParseInt(n, 10, 64)
			cl := clues[id]
			row = measureRow{Clue: id, Status: m.Label, Version: cl.Version, By: m.AddedBy, At: m.AddedAt,
				ClueTitle:  cl.TitleZH,
				Approvable: canApprove && m.Label == casework.MeasureProposed}
		}
		out = append(out, row)
	}
	return out
}

// caseLinkSubmit adds what one of the workspace's forms names (clues, a party, an account, an
// analysis or a measure) to the case, at the version the form was shown with.
func (s *Server) caseLinkSubmit(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, kind := r.PathValue("id"), r.PostFormValue("form")
	req, err := linkRequest(id, kind, r.PostForm)
	if err == nil {
		_, err = s.app.LinkCase(r.Context(), req)
	}
	if err != nil {
		s.refused(w, r, id, tabOfForm(kind), kind, err)
		return
	}
	http.Redirect(w, r, caseURL(id, tabOfForm(kind), unmaskAsked(r)), http.StatusSeeOther)
}

// refused shows the tab again with the form as filled and what was wrong; a conflict shows
// the case as it is now, so the form carries the new version once the user has looked.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, id, tab, kind string, err error) {
	p, status := problemOf(err)
	if status == http.StatusInternalServerError || status == http.StatusForbidden {
		s.pageError(w, r, err)
		return
	}
	s.showCase(w, r, status, id, tab, kind, r.PostForm, &p)
}

func tabOfForm(kind string) string {
	switch kind {
	case "clue":
		return "clues"
	case "party":
		return "parties"
	case "account":
		return "accounts"
	case "analysis":
		return "analyses"
	case "measure", "approve":
		return "measures"
	case "saved":
		return "analyses"
	case "evidence":
		return "evidence"
	}
	return "summary"
}

// linkRequest reads one link form.
func linkRequest(id, kind string, f url.Values) (app.CaseLinkRequest, error) {
	req := app.CaseLinkRequest{CaseID: id}
	v, err := strconv.ParseInt(f.Get("version"), 10, 64)
	if err != nil || v <= 0 {
		return req, &app.FieldError{Fields: map[string]string{"version": "the form lost the case version it was shown with: reload the page"}}
	}
	req.Version = v
	val := strings.TrimSpace(f.Get("value"))
	switch kind {
	case "clue":
		if req.Clues, err = clueIDs(val); err == nil && len(req.Clues) == 0 {
			err = &app.FieldError{Fields: map[string]string{"clues": "give the ids of the clues to link, e.g. 42, 43"}}
		}
	case "party":
		req.Parties = []app.Party{{Key: val, Name: strings.TrimSpace(f.Get("name")), Role: strings.TrimSpace(f.Get("role"))}}
	case "account":
		req.Accounts = []string{val}
	case "analysis":
		req.Analyses = []string{val}
	case "measure":
		req.Measures = []string{val}
	default:
		err = fmt.Errorf("%w: unknown form %q: reload the page", app.ErrInvalid, kind)
	}
	return req, err
}

// caseMeasureApprove approves the measure proposed for a clue of the case (the clue's
// lifecycle step measure_proposed → measure_approved), at the clue version shown.
func (s *Server) caseMeasureApprove(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id := r.PathValue("id")
	clue, err1 := strconv.ParseInt(r.PostFormValue("clue"), 10, 64)
	version, err2 := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err1 != nil || err2 != nil {
		s.refused(w, r, id, "measures", "approve", &app.FieldError{Fields: map[string]string{"clue": "the form lost the clue and its version: reload the page"}})
		return
	}
	c, err := s.app.CaseShow(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !slices.ContainsFunc(c.Clues, func(cl store.Clue) bool { return cl.ID == clue }) {
		s.pageError(w, r, fmt.Errorf("%w: clue %d is not in case %s", app.ErrNotFound, clue, id))
		return
	}
	_, err = s.app.TransitionClues(r.Context(), app.TransitionRequest{Clues: []app.ClueRef{{ID: clue, Version: version}},
		To: casework.MeasureApproved, From: casework.MeasureProposed, Reason: strings.TrimSpace(r.PostFormValue("reason"))})
	if err != nil {
		s.refused(w, r, id, "measures", "approve", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "measures", unmaskAsked(r)), http.StatusSeeOther)
}

// --- saved analyses ---

// caseAnalysisSave keeps an analysis's parameters and summary (JSON, as a trace or typology
// job gives them) with the case.
func (s *Server) caseAnalysisSave(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id := r.PathValue("id")
	req := app.SaveAnalysisRequest{CaseID: id, Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"),
		Params: json.RawMessage(r.PostFormValue("params")), Summary: json.RawMessage(r.PostFormValue("summary"))}
	v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || v <= 0 {
		err = &app.FieldError{Fields: map[string]string{"version": "the form lost the case version it was shown with: reload the page"}}
	} else {
		req.Version = v
		_, err = s.app.SaveAnalysis(r.Context(), req)
	}
	if err != nil {
		s.refused(w, r, id, "analyses", "saved", err)
		return
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(id)+"/analyses/"+url.PathEscape(req.Kind)+"/"+url.PathEscape(strings.TrimSpace(req.Name)), http.StatusSeeOther)
}

type analysisData struct {
	Analysis        app.SavedAnalysis
	Params, Summary string // indented JSON
	Zone            *time.Location
	Unmasked        bool
	CanUnmask       bool
	ToggleURL       string
}

func (s *Server) caseAnalysisPage(w http.ResponseWriter, r *http.Request) {
	sa, err := s.app.CaseAnalysis(r.Context(), r.PathValue("id"), r.PathValue("kind"), r.PathValue("name"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	unmasked := unmaskAsked(r)
	d := analysisData{Analysis: sa, Zone: pageZone, Unmasked: unmasked, CanUnmask: s.app.Can(r.Context(), app.ActUnmask) == nil,
		ToggleURL: r.URL.Path}
	if !unmasked {
		d.ToggleURL += "?unmask=1"
	}
	p, _ := json.MarshalIndent(sa.Params, "", "  ")
	sm, _ := json.MarshalIndent(sa.Summary, "", "  ")
	d.Params, d.Summary = string(p), string(sm)
	s.render(w, r, http.StatusOK, "case_analysis", "", "cases.analysis", d)
}

// --- evidence of the case ---

// caseEvidenceUpload registers an uploaded file as evidence of the case.
func (s *Server) caseEvidenceUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.app.Can(r.Context(), app.ActEvidenceAdd); err != nil {
		s.pageError(w, r, err)
		return
	}
	up, ok := s.readUploadPage(w, r)
	if !ok {
		return
	}
	form := url.Values{}
	for k, v := range up.fields {
		form.Set(k, v)
	}
	r.PostForm = form
	_, bad, err := s.addCaseEvidence(r, up)
	if bad != nil {
		fields := map[string]string{}
		for k, v := range bad {
			fields[k], _ = v.(string)
		}
		err = &app.FieldError{Fields: fields}
	}
	if err != nil {
		s.refused(w, r, id, "evidence", "evidence", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "evidence", false), http.StatusSeeOther)
}

type evidenceData struct {
	CaseID   string
	Detail   app.EvidenceDetail
	Zone     *time.Location
	Form     url.Values
	FormKind string // download or transfer
	Problem  *formProblem
}

func (s *Server) caseEvidencePage(w http.ResponseWriter, r *http.Request) {
	s.showEvidence(w, r, http.StatusOK, "", nil)
}

// caseEvidenceItem reads the item in the path, refusing one that is not of the case in it.
func (s *Server) caseEvidenceItem(r *http.Request) (app.EvidenceDetail, error) {
	eid, err := strconv.ParseInt(r.PathValue("eid"), 10, 64)
	if err != nil || eid <= 0 {
		return app.EvidenceDetail{}, fmt.Errorf("%w: an evidence id is a whole number, like /cases/C-3/evidence/7", app.ErrInvalid)
	}
	d, err := s.app.EvidenceShow(r.Context(), eid)
	if err != nil {
		return d, err
	}
	if d.Item.CaseID != r.PathValue("id") {
		return d, fmt.Errorf("%w: evidence item %d is not in case %s", app.ErrNotFound, eid, r.PathValue("id"))
	}
	return d, nil
}

func (s *Server) showEvidence(w http.ResponseWriter, r *http.Request, status int, kind string, problem *formProblem) {
	d, err := s.caseEvidenceItem(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Path = s.relative(d.Path)
	form := r.PostForm
	if form == nil {
		form = url.Values{}
	}
	if kind == "download" {
		form = r.URL.Query()
	}
	s.render(w, r, status, "case_evidence", "", "cases.evidence_item", evidenceData{CaseID: r.PathValue("id"), Detail: d,
		Zone: pageZone, Form: form, FormKind: kind, Problem: problem})
}

// caseEvidenceFile downloads the item's file; the use case records the export first.
func (s *Server) caseEvidenceFile(w http.ResponseWriter, r *http.Request) {
	d, err := s.caseEvidenceItem(r)
	if err == nil {
		var dl app.EvidenceDownload
		if dl, err = s.app.EvidenceDownload(r.Context(), d.Item.ID, r.URL.Query().Get("purpose")); err == nil {
			s.sendEvidence(w, r, dl)
			return
		}
	}
	s.evidenceRefused(w, r, "download", err)
}

func (s *Server) caseEvidenceTransfer(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	d, err := s.caseEvidenceItem(r)
	if err == nil {
		_, err = s.app.EvidenceTransfer(r.Context(), d.Item.ID, strings.TrimSpace(r.PostFormValue("to")), strings.TrimSpace(r.PostFormValue("purpose")))
	}
	if err != nil {
		s.evidenceRefused(w, r, "transfer", err)
		return
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(r.PathValue("id"))+"/evidence/"+r.PathValue("eid"), http.StatusSeeOther)
}

func (s *Server) evidenceRefused(w http.ResponseWriter, r *http.Request, kind string, err error) {
	p, status := problemOf(err)
	if status != http.StatusBadRequest {
		s.pageError(w, r, err)
		return
	}
	s.showEvidence(w, r, status, kind, &p)
}

// Value is what the user entered in field of form kind when that form was refused, so that
// nothing typed is lost; other forms start empty.
func (d caseData) Value(kind, field string) string {
	if d.FormKind != kind {
		return ""
	}
	return d.Form.Get(field)
}

// ProblemFor is the problem of form kind, if it was the one refused.
func (d caseData) ProblemFor(kind string) *formProblem {
	if d.FormKind != kind {
		return nil
	}
	return d.Problem
}

// FieldError is what is wrong with field of form kind, if anything.
func (d caseData) FieldError(kind, field string) string {
	if p := d.ProblemFor(kind); p != nil {
		return p.Fields[field]
	}
	return ""
}

// Value, ProblemFor and FieldError serve the evidence page's download and transfer forms.
func (d evidenceData) Value(kind, field string) string {
	if d.FormKind != kind {
		return ""
	}
	return d.Form.Get(field)
}

func (d evidenceData) ProblemFor(kind string) *formProblem {
	if d.FormKind != kind {
		return nil
	}
	return d.Problem
}

func (d evidenceData) FieldError(kind, field string) string {
	if p := d.ProblemFor(kind); p != nil {
		return p.Fields[field]
	}
	return ""
}

// Value, FieldError serve the new-case form of the list.
func (d casesData) Value(field string) string { return d.Form.Get(field) }

func (d casesData) FieldError(field string) string {
	if d.Problem != nil {
		return d.Problem.Fields[field]
	}
	return ""
}
