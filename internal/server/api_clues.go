package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"procura/internal/app"
)

func (s *Server) clueRoutes() []route {
	return []route{
		{"GET", "/api/v1/clues", s.apiClues},
		{"GET", "/api/v1/clues/counts", s.apiClueCounts},
		{"GET", "/api/v1/clues/{id}", s.apiClue},
		{"GET", "/api/v1/clues/{id}/evidence", s.apiClueEvidence},
		{"POST", "/api/v1/clues/transition", s.apiTransitionClues},
		{"POST", "/api/v1/clues/assign", s.apiAssignClues},
		{"POST", "/api/v1/clues/{id}/comments", s.apiCommentClue},
		{"POST", "/api/v1/clues/{id}/attachments", s.apiAttachEvidence},
	}
}

// apiClues lists one page of the clues the user may see, filtered by model, status, assignee,
// case, severity, evidence dataset and text (q), sorted by sort and order; overdue=1 keeps open
// clues past their due date, gone=1 lists clues that no longer hold, all=1 both.
func (s *Server) apiClues(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	cq := clueQuery(q)
	if !q.ok(s, w) {
		return
	}
	pg, err := s.app.Clues(r.Context(), cq)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": pg.Total, "offset": pg.Offset, "limit": cq.Limit, "clues": pg.Clues})
}

// apiClueCounts counts the clues that match the list's filters in each status.
func (s *Server) apiClueCounts(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	cq := clueQuery(q)
	if !q.ok(s, w) {
		return
	}
	n, err := s.app.ClueStatusCounts(r.Context(), cq)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"counts": n})
}

// apiClueEvidence answers the dataset rows behind a clue, masked unless unmask=1 and allowed.
func (s *Server) apiClueEvidence(w http.ResponseWriter, r *http.Request) {
	id, ok := s.clueID(w, r)
	if !ok {
		return
	}
	sets, truncated, err := s.app.ClueEvidence(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"evidence": sets, "truncated": truncated, "max_rows": app.MaxEvidenceRows})
}

// clueQuery reads the filters, order and page of a clue list, for the API and the queue page;
// sort and order must name a known column and direction.
func clueQuery(q *params) app.ClueQuery {
	cq := app.ClueQuery{ModelID: q.str("model"), Status: q.str("status"), Assignee: q.str("assignee"), CaseID: q.str("case"),
		Overdue: q.bool("overdue"), Gone: q.bool("gone"), All: q.bool("all"), Severity: q.str("severity"),
		Dataset: q.str("dataset"), Text: q.str("q"), Sort: q.str("sort"), Order: strings.ToLower(q.str("order")),
		Limit: q.int("limit", 100, 1, 1000), Offset: q.int("offset", 0, 0, 1<<31-1)}
	if cq.Sort != "" && !slices.Contains(app.ClueSorts(), cq.Sort) {
		q.bad("sort", "one of "+strings.Join(app.ClueSorts(), ", "))
	}
	if cq.Order != "" && cq.Order != "asc" && cq.Order != "desc" {
		q.bad("order", "asc or desc")
	}
	return cq
}

// clueID reads the {id} of the path; a malformed id is a 400 answer.
func (s *Server) clueID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusBadRequest, "invalid", "a clue id is a whole number, like /api/v1/clues/42", map[string]any{"id": r.PathValue("id")})
		return 0, false
	}
	return id, true
}

func (s *Server) apiClue(w http.ResponseWriter, r *http.Request) {
	id, ok := s.clueID(w, r)
	if !ok {
		return
	}
	c, err := s.app.Clue(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// transitionRequest moves clues, all or none; a clue given with the version the person saw is
// refused with 409 and the change that came first when someone changed it since.
type transitionRequest struct {
	Clues    []app.ClueRef `json:"clues"`
	To       string        `json:"to"`
	Reason   string        `json:"reason,omitempty"`
	From     string        `json:"from,omitempty"`
	Assignee string        `json:"assignee,omitempty"`
	Due      string        `json:"due,omitempty"` // YYYY-MM-DD or RFC 3339
	Severity string        `json:"severity,omitempty"`
}

func (s *Server) apiTransitionClues(w http.ResponseWriter, r *http.Request) {
	var req transitionRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if len(req.Clues) == 0 || req.To == "" {
		s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details",
			map[string]any{"clues": "one {\"id\",\"version\"} or more", "to": "the status to move the clues to"})
		return
	}
	due, err := s.app.ParseDue(req.Due)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.app.TransitionClues(r.Context(), app.TransitionRequest{Clues: req.Clues, To: req.To, Reason: req.Reason,
		From: req.From, Assignee: req.Assignee, Due: due, Severity: req.Severity})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

type assignRequest struct {
	Clues    []app.ClueRef `json:"clues"`
	Assignee string        `json:"assignee"`
	Due      string        `json:"due,omitempty"`
	Reason   string        `json:"reason,omitempty"`
}

func (s *Server) apiAssignClues(w http.ResponseWriter, r *http.Request) {
	var req assignRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if len(req.Clues) == 0 || req.Assignee == "" {
		s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details",
			map[string]any{"clues": "one {\"id\",\"version\"} or more", "assignee": "the user who verifies them"})
		return
	}
	due, err := s.app.ParseDue(req.Due)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.app.AssignClues(r.Context(), app.AssignRequest{Clues: req.Clues, Assignee: req.Assignee, Due: due, Reason: req.Reason})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiCommentClue(w http.ResponseWriter, r *http.Request) {
	id, ok := s.clueID(w, r)
	if !ok {
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	ev, err := s.app.CommentClue(r.Context(), id, req.Text)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ev)
}

// apiAttachEvidence attaches registered evidence items (GET /api/v1/evidence) to a clue.
func (s *Server) apiAttachEvidence(w http.ResponseWriter, r *http.Request) {
	id, ok := s.clueID(w, r)
	if !ok {
		return
	}
	var req struct {
		Evidence []int64 `json:"evidence"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	as, err := s.app.AttachEvidence(r.Context(), id, req.Evidence)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"attachments": as})
}
