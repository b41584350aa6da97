package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"procura/internal/app"
	"procura/internal/casework"
	"procura/internal/supervise"
)

// cluePages registers the pages of the clue queue and review screen.
func (s *Server) cluePages(mux *http.ServeMux) {
	mux.HandleFunc("GET /clues", s.loggedIn(s.cluesPage))
	mux.HandleFunc("POST /clues/assign", s.loggedIn(s.cluesBulkAssign))
	mux.HandleFunc("POST /clues/transition", s.loggedIn(s.cluesBulkTransition))
	mux.HandleFunc("GET /clues/{id}", s.loggedIn(s.cluePage))
	mux.HandleFunc("POST /clues/{id}/transition", s.loggedIn(s.clueTransition))
	mux.HandleFunc("POST /clues/{id}/comments", s.loggedIn(s.clueComment))
}

// queueLimit is the page size of the queue unless the URL says otherwise.
const queueLimit = 50

// queueData is what the queue shows. Every link keeps the filters, the order and the page in
// the URL's query, so a reload or a shared link shows the same queue.
type queueData struct {
	Query      app.ClueQuery
	Show       string // holds (default), gone or all
	Page       app.CluePage
	Counts     []statusCount
	Columns    []queueColumn
	Shows      []string // the choices of Show
	From, To   int
	PrevURL    string
	NextURL    string
	Back       string // the queue's query string, to come back to after a bulk action
	Statuses   []string
	Severities []string
	Datasets   []string
	Targets    []string // statuses the user's role may move clues to
	Results    []clueResult
	Done       int    // clues a bulk action changed
	Error      string // what is wrong, as the app says it
	ErrorKey   string // or as the catalogue says it
	// Identifiers are masked unless the user asked (unmask=1) and may; ToggleURL switches.
	Unmasked, CanUnmask bool
	ToggleURL           string
}

type statusCount struct {
	Status string
	N      int64
	URL    string
	Active bool
}

// queueColumn is a column of the queue's table; Sort names the order its header links to
// ("" = the column does not sort).
type queueColumn struct {
	Label  string // message key
	Sort   string
	URL    string
	Active bool
	Desc   bool
}

// queueColumns are the queue's columns after the tick box and the id, in order.
var queueColumns = []queueColumn{{Label: "clues.clue"}, {Label: "clues.score", Sort: "score"}, {Label: "clues.model", Sort: "model"},
	{Label: "clues.status", Sort: "status"}, {Label: "clues.assignee", Sort: "assignee"}, {Label: "clues.case"},
	{Label: "clues.due", Sort: "due"}, {Label: "clues.created", Sort: "created"}}

// clueResult is what a bulk action did to one clue.
type clueResult struct {
	ID       int64
	OK       bool
	Status   string
	Version  int64
	Message  string
	Conflict *app.ConflictError
}

// queueURL is /clues with the query v, leaving out empty values.
func queueURL(v url.Values) string {
	for k, vs := range v {
		if len(vs) == 0 || vs[0] == "" {
			delete(v, k)
		}
	}
	if len(v) == 0 {
		return "/clues"
	}
	return "/clues?" + v.Encode()
}

// withParam is a copy of v with name set to value ("" removes it) and the page reset.
func withParam(v url.Values, name, value string) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = slices.Clone(vs)
	}
	c.Del("offset")
	if value == "" {
		c.Del(name)
	} else {
		c.Set(name, value)
	}
	return c
}

func (s *Server) cluesPage(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-History-Restore-Request") == "true" {
		// htmx restoring a pushed URL it no longer holds wants the whole page, not the fragment.
		r.Header.Del("HX-Request")
	}
	s.showQueue(w, r, r.URL.Query(), http.StatusOK, queueData{})
}

// showQueue renders the queue for the query v; d carries the results or the error of a bulk
// action. An htmx request gets the queue's fragment only.
func (s *Server) showQueue(w http.ResponseWriter, r *http.Request, v url.Values, status int, d queueData) {
	ctx := r.Context()
	off := v.Get("offset")
	v = withParam(v, "lang", "") // the language is remembered in a cookie, not carried in links
	if off != "" {
		v.Set("offset", off)
	}
	if err := s.app.Can(ctx, app.ActClueRead); err != nil {
		s.pageError(w, r, err)
		return
	}
	qr := &http.Request{URL: &url.URL{RawQuery: v.Encode()}}
	q := queryParams(qr)
	cq := clueQuery(q)
	if v.Get("limit") == "" {
		cq.Limit = queueLimit
	}
	d.Show = v.Get("show")
	switch d.Show {
	case "", "holds":
		d.Show = "holds"
	case "gone":
		cq.Gone = true
	case "all":
		cq.All = true
	default:
		q.bad("show", "holds, gone or all")
	}
	d.Query = cq
	d.Statuses, d.Severities, d.Shows = casework.Statuses, supervise.Severities, []string{"holds", "gone", "all"}
	d.Unmasked = r.URL.Query().Get("unmask") == "1" || r.URL.Query().Get("unmask") == "true"
	if len(q.errs) > 0 {
		d.Error = paramProblems(q.errs)
		s.render(w, r, http.StatusBadRequest, "clues", "clueQueue", "clues.title", d)
		return
	}
	pg, err := s.app.Clues(ctx, cq)
	if err != nil {
		if st, _ := statusOf(err); st == http.StatusBadRequest {
			d.Error = err.Error()
			s.render(w, r, st, "clues", "clueQueue", "clues.title", d)
			return
		}
		s.pageError(w, r, err)
		return
	}
	counts, err := s.app.ClueStatusCounts(ctx, cq)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Page = pg
	d.Back = v.Encode()
	d.From, d.To = cq.Offset+1, cq.Offset+len(pg.Clues)
	for _, st := range casework.Statuses {
		if n := counts[st]; n > 0 || st == cq.Status {
			next := st
			if st == cq.Status {
				next = "" // a second click on the active status clears the filter
			}
			d.Counts = append(d.Counts, statusCount{Status: st, N: n, URL: queueURL(withParam(v, "status", next)), Active: st == cq.Status})
		}
	}
	for _, col := range queueColumns {
		if col.Sort != "" {
			col.Active = cq.Sort == col.Sort
			order := "asc"
			if col.Active && cq.Order != "desc" {
				order = "desc" // a second click reverses the order
			}
			col.URL = queueURL(withParam(withParam(v, "sort", col.Sort), "order", order))
			col.Desc = col.Active && cq.Order == "desc"
		}
		d.Columns = append(d.Columns, col)
	}
	if cq.Offset > 0 {
		d.PrevURL = queueURL(withParam(v, "offset", strconv.Itoa(max(0, cq.Offset-cq.Limit))))
	}
	if int64(cq.Offset+len(pg.Clues)) < pg.Total {
		d.NextURL = queueURL(withParam(v, "offset", strconv.Itoa(cq.Offset+cq.Limit)))
	}
	d.CanUnmask = s.app.Can(ctx, app.ActUnmask) == nil
	toggle := withParam(v, "unmask", "")
	if !d.Unmasked {
		toggle.Set("unmask", "1")
	}
	if off != "" {
		toggle.Set("offset", off)
	}
	d.ToggleURL = queueURL(toggle)
	if d.Datasets, err = s.app.DatasetNames(ctx); err != nil {
		s.pageError(w, r, err)
		return
	}
	p, _ := app.PrincipalFrom(ctx)
	for _, st := range casework.Statuses {
		if act := app.TransitionAction(st); act != "" && app.Allowed(p.Role, act) {
			d.Targets = append(d.Targets, st)
		}
	}
	s.render(w, r, status, "clues", "clueQueue", "clues.title", d)
}

// paramProblems says what is wrong with the named query parameters.
func paramProblems(errs map[string]any) string {
	names := make([]string, 0, len(errs))
	for k := range errs {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s: %v", k, errs[k]))
	}
	return strings.Join(parts, "; ")
}

// selectedClues reads the clues ticked in the queue: "id:version" each, the version the
// user saw, so that a clue changed since is named as a conflict rather than overwritten.
func selectedClues(r *http.Request) ([]app.ClueRef, error) {
	var refs []app.ClueRef
	for _, v := range r.PostForm["clue"] {
		idS, verS, _ := strings.Cut(v, ":")
		id, err := strconv.ParseInt(idS, 10, 64)
		ver, verr := strconv.ParseInt(verS, 10, 64)
		if err != nil || verr != nil || id <= 0 {
			return nil, fmt.Errorf("%w: %q is not a clue of the queue (id:version)", app.ErrInvalid, v)
		}
		refs = append(refs, app.ClueRef{ID: id, Version: ver})
	}
	return refs, nil
}

// bulk runs change on each ticked clue on its own and shows the queue with what happened to
// each: one clue changed by someone else does not hold back the others, and is named with
// who changed it. The role's permission is checked first, so a refused action is one 403.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request, act app.Action, check func() string,
	change func(ref app.ClueRef) (app.TransitionResult, error)) {
	if err := r.ParseForm(); err != nil {
		s.pageError(w, r, fmt.Errorf("%w: the form is unreadable: %v", app.ErrInvalid, err))
		return
	}
	back, _ := url.ParseQuery(r.PostForm.Get("back"))
	if act == "" {
		s.showQueue(w, r, back, http.StatusBadRequest, queueData{ErrorKey: "clues.err_to"})
		return
	}
	if err := s.app.Can(r.Context(), act); err != nil {
		s.pageError(w, r, err)
		return
	}
	refs, err := selectedClues(r)
	switch {
	case err != nil:
		s.showQueue(w, r, back, http.StatusBadRequest, queueData{Error: err.Error()})
		return
	case len(refs) == 0:
		s.showQueue(w, r, back, http.StatusBadRequest, queueData{ErrorKey: "clues.err_none"})
		return
	}
	if key := check(); key != "" {
		s.showQueue(w, r, back, http.StatusBadRequest, queueData{ErrorKey: key})
		return
	}
	d := queueData{}
	for _, ref := range refs {
		res, err := change(ref)
		cr := clueResult{ID: ref.ID}
		var conflict *app.ConflictError
		switch {
		case err == nil && len(res.Clues) == 1:
			cr.OK, cr.Status, cr.Version = true, res.Clues[0].Status, res.Clues[0].Version
			d.Done++
		case errors.As(err, &conflict):
			cr.Conflict = conflict
		case err != nil:
			if st, _ := statusOf(err); st == http.StatusInternalServerError {
				s.pageError(w, r, err)
				return
			}
			cr.Message = err.Error()
		}
		d.Results = append(d.Results, cr)
	}
	s.showQueue(w, r, back, http.StatusOK, d)
}

func (s *Server) cluesBulkAssign(w http.ResponseWriter, r *http.Request) {
	due, dueErr := s.app.ParseDue(strings.TrimSpace(r.PostFormValue("due")))
	assignee := strings.TrimSpace(r.PostFormValue("assignee"))
	s.bulk(w, r, app.ActClueAssign, func() string {
		switch {
		case assignee == "":
			return "clues.err_assignee"
		case dueErr != nil:
			return "clues.err_due"
		}
		return ""
	}, func(ref app.ClueRef) (app.TransitionResult, error) {
		return s.app.AssignClues(r.Context(), app.AssignRequest{Clues: []app.ClueRef{ref}, Assignee: assignee, Due: due})
	})
}

func (s *Server) cluesBulkTransition(w http.ResponseWriter, r *http.Request) {
	to := r.PostFormValue("to")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	s.bulk(w, r, app.TransitionAction(to), func() string {
		if reason == "" {
			return "clues.err_reason"
		}
		return ""
	}, func(ref app.ClueRef) (app.TransitionResult, error) {
		return s.app.TransitionClues(r.Context(), app.TransitionRequest{Clues: []app.ClueRef{ref}, To: to, Reason: reason,
			Assignee: strings.TrimSpace(r.PostFormValue("assignee"))})
	})
}

// clueData is what the review screen shows.
type clueData struct {
	Clue      app.ClueDetail
	Model     *supervise.Model // nil when the model is no longer in the workspace
	Fields    []clueField
	Evidence  []app.EvidenceRows
	Truncated bool
	MaxRows   int
	Next      []string // the moves the user's role may make from the clue's status
	// AssignTo: one of the moves is to assigned, which needs the person who verifies.
	AssignTo bool
	// The forms' values and what went wrong with them, shown in place.
	To, Reason, Assignee, Comment string
	Error, CommentError           string // as the app says it
	ErrorKey, CommentErrorKey     string // as the catalogue says it
	Conflict                      *app.ConflictError
	Moved                         string // the status the clue just moved to
	Unmasked, CanUnmask           bool
	ToggleURL, Self               string
}

type clueField struct {
	Name   string
	Values []string
}

func (s *Server) cluePage(w http.ResponseWriter, r *http.Request) {
	s.showClue(w, r, http.StatusOK, clueData{Moved: r.URL.Query().Get("moved")})
}

// showClue renders the review screen of the clue of the path, with d's form state.
func (s *Server) showClue(w http.ResponseWriter, r *http.Request, status int, d clueData) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.pageError(w, r, fmt.Errorf("%w: a clue id is a whole number, like /clues/42", app.ErrInvalid))
		return
	}
	if d.Clue, err = s.app.Clue(ctx, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.Evidence, d.Truncated, err = s.app.ClueEvidence(ctx, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	d.MaxRows = app.MaxEvidenceRows
	switch m, err := s.app.Model(ctx, d.Clue.ModelID); {
	case err == nil:
		d.Model = m.Model
	case !errors.Is(err, app.ErrNotFound):
		s.pageError(w, r, err)
		return
	}
	for name, vals := range d.Clue.Fields {
		d.Fields = append(d.Fields, clueField{Name: name, Values: vals})
	}
	sort.Slice(d.Fields, func(i, j int) bool { return d.Fields[i].Name < d.Fields[j].Name })
	p, _ := app.PrincipalFrom(ctx)
	for _, st := range d.Clue.Next {
		if act := app.TransitionAction(st); act != "" && app.Allowed(p.Role, act) {
			d.Next = append(d.Next, st)
			d.AssignTo = d.AssignTo || st == casework.Assigned
		}
	}
	for i := range d.Evidence {
		dropEmptyColumns(&d.Evidence[i])
	}
	d.Unmasked = r.URL.Query().Get("unmask") == "1" || r.URL.Query().Get("unmask") == "true"
	d.CanUnmask = s.app.Can(ctx, app.ActUnmask) == nil
	d.Self = "/clues/" + strconv.FormatInt(id, 10)
	d.ToggleURL = d.Self
	if !d.Unmasked {
		d.ToggleURL += "?unmask=1"
	}
	s.render(w, r, status, "clues_review", "", "clues.review", d)
}

// clueTransition moves one clue from the version the user saw; what goes wrong is shown on
// the review screen beside the form, a conflict with who changed the clue.
func (s *Server) clueTransition(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	d := clueData{To: r.PostFormValue("to"), Reason: strings.TrimSpace(r.PostFormValue("reason")),
		Assignee: strings.TrimSpace(r.PostFormValue("assignee"))}
	version, verr := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	switch {
	case d.To == "":
		d.ErrorKey = "clues.err_to"
	case d.Reason == "":
		d.ErrorKey = "clues.err_reason"
	case verr != nil:
		d.ErrorKey = "clues.err_version"
	}
	if d.ErrorKey != "" {
		s.showClue(w, r, http.StatusBadRequest, d)
		return
	}
	_, err := s.app.TransitionClues(r.Context(), app.TransitionRequest{Clues: []app.ClueRef{{ID: id, Version: version}},
		To: d.To, Reason: d.Reason, Assignee: d.Assignee})
	if err != nil {
		s.clueFormError(w, r, err, &d, &d.Error)
		return
	}
	http.Redirect(w, r, "/clues/"+strconv.FormatInt(id, 10)+"?moved="+url.QueryEscape(d.To), http.StatusSeeOther)
}

// clueFormError shows err beside the form that caused it, or as an error page when it is
// not about the form (a refused role, a missing clue, a failure of the server).
func (s *Server) clueFormError(w http.ResponseWriter, r *http.Request, err error, d *clueData, msg *string) {
	var conflict *app.ConflictError
	st, _ := statusOf(err)
	switch {
	case errors.As(err, &conflict):
		d.Conflict = conflict
		s.showClue(w, r, http.StatusConflict, *d)
	case st == http.StatusBadRequest:
		*msg = err.Error()
		s.showClue(w, r, st, *d)
	default:
		s.pageError(w, r, err)
	}
}

func (s *Server) clueComment(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	d := clueData{Comment: strings.TrimSpace(r.PostFormValue("text"))}
	if d.Comment == "" {
		d.CommentErrorKey = "clues.err_comment"
		s.showClue(w, r, http.StatusBadRequest, d)
		return
	}
	if _, err := s.app.CommentClue(r.Context(), id, d.Comment); err != nil {
		s.clueFormError(w, r, err, &d, &d.CommentError)
		return
	}
	http.Redirect(w, r, "/clues/"+strconv.FormatInt(id, 10)+"#history", http.StatusSeeOther)
}

// dropEmptyColumns leaves out the columns no evidence row has a value in: a dataset's
// schema has every column its kind may hold, and most are empty in any one file.
func dropEmptyColumns(set *app.EvidenceRows) {
	keep := make([]bool, len(set.Columns))
	for i := range set.Columns {
		keep[i] = i < 2 // batch and line
		for _, row := range set.Rows {
			if i < len(row) && row[i] != "" {
				keep[i] = true
				break
			}
		}
	}
	filter := func(vals []string) []string {
		out := vals[:0:0]
		for i, v := range vals {
			if i < len(keep) && keep[i] {
				out = append(out, v)
			}
		}
		return out
	}
	set.Columns = filter(set.Columns)
	for i, row := range set.Rows {
		set.Rows[i] = filter(row)
	}
}
