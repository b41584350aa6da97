package server

import (
	"net/http"

	"procura/internal/app"
)

func (s *Server) caseRoutes() []route {
	return []route{
		{"GET", "/api/v1/cases", s.apiCases},
		{"POST", "/api/v1/cases", s.apiCreateCase},
		{"GET", "/api/v1/cases/{id}", s.apiCase},
		{"POST", "/api/v1/cases/{id}/links", s.apiLinkCase},
		{"GET", "/api/v1/cases/{id}/timeline", s.apiCaseTimeline},
		{"POST", "/api/v1/cases/{id}/analyses", s.apiSaveAnalysis},
		{"GET", "/api/v1/cases/{id}/analyses/{kind}/{name}", s.apiCaseAnalysis},
		{"GET", "/api/v1/ai/report", s.apiAIReport},
	}
}

// apiCases lists one page of the cases the user may see (status, q, sort, limit, offset).
func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	cq := app.CaseQuery{Status: q.str("status"), Search: q.str("q"), Sort: q.str("sort"),
		Limit: q.int("limit", 50, 1, 1000), Offset: q.int("offset", 0, 0, 1<<30)}
	if !q.ok(s, w) {
		return
	}
	pg, err := s.app.CaseList(r.Context(), cq)
	s.answer(w, r, pg, err)
}

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request) {
	var req app.NewCase
	if !s.readJSON(w, r, &req) {
		return
	}
	c, err := s.app.CreateCase(r.Context(), req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.CaseShow(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// caseLinkRequest adds to a case in one change; version, when set, is the case version the
// person saw (409 when someone changed the case since).
type caseLinkRequest struct {
	Version  int64       `json:"version,omitempty"`
	Clues    []int64     `json:"clues,omitempty"`
	Evidence []int64     `json:"evidence,omitempty"`
	Parties  []app.Party `json:"parties,omitempty"`
	Accounts []string    `json:"accounts,omitempty"`
	Analyses []string    `json:"analyses,omitempty"` // model_run:ID, trace:NAME, graph:FILE
	Measures []string    `json:"measures,omitempty"`
}

func (s *Server) apiLinkCase(w http.ResponseWriter, r *http.Request) {
	var req caseLinkRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	c, err := s.app.LinkCase(r.Context(), app.CaseLinkRequest{CaseID: r.PathValue("id"), Version: req.Version, Clues: req.Clues,
		Evidence: req.Evidence, Parties: req.Parties, Accounts: req.Accounts, Analyses: req.Analyses, Measures: req.Measures})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) apiCaseTimeline(w http.ResponseWriter, r *http.Request) {
	evs, err := s.app.CaseTimeline(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
}

// apiAIReport is the AI-assistance ledger report: suggestions, decisions and acceptance per feature.
func (s *Server) apiAIReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.app.AIReport(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// apiSaveAnalysis keeps a trace's or typology run's parameters and summary with the case.
func (s *Server) apiSaveAnalysis(w http.ResponseWriter, r *http.Request) {
	var req app.SaveAnalysisRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	req.CaseID = r.PathValue("id")
	sa, err := s.app.SaveAnalysis(r.Context(), req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sa)
}

func (s *Server) apiCaseAnalysis(w http.ResponseWriter, r *http.Request) {
	sa, err := s.app.CaseAnalysis(r.Context(), r.PathValue("id"), r.PathValue("kind"), r.PathValue("name"))
	s.answer(w, r, sa, err)
}
