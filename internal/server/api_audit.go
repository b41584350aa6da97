package server

import (
	"net/http"
	"path/filepath"
	"strconv"

	"procura/internal/app"
)

func (s *Server) auditRoutes() []route {
	return []route{
		{"GET", "/api/v1/audit", s.apiAudit},
		{"POST", "/api/v1/audit/verify", s.apiAuditVerify},
		{"GET", "/api/v1/evidence", s.apiEvidenceList},
		{"GET", "/api/v1/evidence/{id}", s.apiEvidence},
		{"POST", "/api/v1/evidence/verify", s.apiEvidenceVerify},
	}
}

// apiAudit lists audit entries, oldest first (newest=1: the newest limit entries).
func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	q := queryParams(r)
	aq := app.AuditQuery{Case: q.str("case"), Actor: q.str("actor"), Action: q.str("action"), ObjectType: q.str("object_type"),
		ObjectID: q.str("object_id"), Since: q.time("since"), Until: q.time("until"), Limit: q.int("limit", 1000, 1, 100000),
		Newest: q.bool("newest")}
	if !q.ok(s, w) {
		return
	}
	es, err := s.app.AuditLog(r.Context(), aq)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
}

// apiAuditVerify recomputes the chain; {"sign":true} adds a checkpoint on a chain that holds.
func (s *Server) apiAuditVerify(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Sign bool `json:"sign"`
	}
	if !s.readOptionalJSON(w, r, &req) {
		return
	}
	res, err := s.app.AuditVerify(r.Context(), req.Sign)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	res.KeyPath = s.relative(res.KeyPath)
	writeJSON(w, http.StatusOK, res)
}

// relative shows a path of the workspace relative to it: answers do not reveal the server's layout.
func (s *Server) relative(p string) string {
	if p == "" {
		return ""
	}
	if rel, err := filepath.Rel(s.app.Workspace(), p); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(p)
}

func (s *Server) apiEvidenceList(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.EvidenceList(r.Context())
	s.answer(w, r, map[string]any{"evidence": items}, err)
}

func (s *Server) apiEvidence(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusBadRequest, "invalid", "an evidence id is a whole number, like /api/v1/evidence/3", map[string]any{"id": r.PathValue("id")})
		return
	}
	d, err := s.app.EvidenceShow(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	d.Path = s.relative(d.Path)
	writeJSON(w, http.StatusOK, d)
}

// apiEvidenceVerify re-hashes every evidence file against its registered digest.
func (s *Server) apiEvidenceVerify(w http.ResponseWriter, r *http.Request) {
	rep, err := s.app.EvidenceVerify(r.Context())
	s.answer(w, r, rep, err)
}
