package server

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"procura/internal/app"
	"procura/internal/evidence"
)

func (s *Server) evidenceRoutes() []route {
	return []route{
		{"GET", "/api/v1/cases/{id}/evidence", s.apiCaseEvidence},
		{"POST", "/api/v1/cases/{id}/evidence", s.apiAddCaseEvidence},
		{"GET", "/api/v1/evidence/{id}/file", s.apiEvidenceFile},
		{"POST", "/api/v1/evidence/{id}/transfer", s.apiEvidenceTransfer},
	}
}

func (s *Server) apiCaseEvidence(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.CaseEvidence(r.Context(), r.PathValue("id"))
	s.answer(w, r, map[string]any{"evidence": items}, err)
}

// evidenceIntake reads the facts of a receipt from an upload's form fields; a received_at
// that is not a time is named in the returned map.
func evidenceIntake(caseID string, up upload) (app.EvidenceAddRequest, map[string]any) {
	f := up.fields
	req := app.EvidenceAddRequest{Path: up.path}
	req.Intake = evidence.Intake{FileName: strings.TrimSpace(f["name"]), Source: strings.TrimSpace(f["source"]),
		ReceivedBy: strings.TrimSpace(f["received_by"]), LegalBasis: strings.TrimSpace(f["legal_basis"]),
		CaseID: caseID, Note: strings.TrimSpace(f["note"])}
	if req.FileName == "" {
		req.FileName = up.name
	}
	if v := strings.TrimSpace(f["received_at"]); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return req, map[string]any{"received_at": "a time as 2006-01-02 or 2006-01-02T15:04:05+08:00 (RFC 3339)"}
		}
		req.ReceivedAt = t
	}
	return req, nil
}

// addCaseEvidence stores an uploaded file as evidence of the case in the path; the upload's
// temporary copy is removed whatever happens (the evidence store keeps its own).
func (s *Server) addCaseEvidence(r *http.Request, up upload) (app.EvidenceAdded, map[string]any, error) {
	defer up.remove()
	req, bad := evidenceIntake(r.PathValue("id"), up)
	if bad != nil {
		return app.EvidenceAdded{}, bad, nil
	}
	res, err := s.app.AddCaseEvidence(r.Context(), req)
	res.Path = s.relative(res.Path)
	return res, nil, err
}

// apiAddCaseEvidence registers an uploaded file (multipart part "file") as evidence of the
// case: 201 with the item, or 200 when the same content was held already (the receipt joins
// its custody).
func (s *Server) apiAddCaseEvidence(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.principal(w, r); !ok {
		return
	}
	// Refuse before reading a large body that could not be stored anyway.
	if err := s.app.Can(r.Context(), app.ActEvidenceAdd); err != nil {
		s.apiError(w, r, err)
		return
	}
	up, ok := s.readUpload(w, r)
	if !ok {
		return
	}
	res, bad, err := s.addCaseEvidence(r, up)
	switch {
	case bad != nil:
		s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details", bad)
	case err != nil:
		s.apiError(w, r, err)
	case res.Existing:
		writeJSON(w, http.StatusOK, res)
	default:
		writeJSON(w, http.StatusCreated, res)
	}
}

// evidenceID reads the {id} of an evidence path, answering 400 when it is not a number.
func (s *Server) evidenceID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusBadRequest, "invalid", "an evidence id is a whole number, like /api/v1/evidence/3", map[string]any{"id": r.PathValue("id")})
		return 0, false
	}
	return id, true
}

// apiEvidenceFile sends the file of an item as a download. internal/app checks the export
// permission and the grant, verifies the hash and records the export before a byte is sent.
func (s *Server) apiEvidenceFile(w http.ResponseWriter, r *http.Request) {
	id, ok := s.evidenceID(w, r)
	if !ok {
		return
	}
	d, err := s.app.EvidenceDownload(r.Context(), id, r.URL.Query().Get("purpose"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.sendEvidence(w, r, d)
}

// sendEvidence streams an opened evidence file with its name, size and SHA-256.
func (s *Server) sendEvidence(w http.ResponseWriter, r *http.Request, d app.EvidenceDownload) {
	defer d.File.Close()
	h := w.Header()
	// Evidence is served as bytes to save, never rendered: a stored HTML file runs no script here.
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Item.FileName}))
	h.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	h.Set("X-Procura-SHA256", d.Item.SHA256)
	h.Set("X-Procura-Custody-Event", strconv.FormatInt(d.Event.ID, 10))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, d.File); err != nil {
		s.log.Error("evidence download broke off", "evidence", d.Item.ID, "err", err)
	}
}

type transferRequest struct {
	To      string `json:"to"`
	Purpose string `json:"purpose"`
}

// apiEvidenceTransfer hands custody of an item to another officer or agency.
func (s *Server) apiEvidenceTransfer(w http.ResponseWriter, r *http.Request) {
	id, ok := s.evidenceID(w, r)
	if !ok {
		return
	}
	var req transferRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	it, err := s.app.EvidenceTransfer(r.Context(), id, req.To, req.Purpose)
	s.answer(w, r, it, err)
}
