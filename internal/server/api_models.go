package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"procura/internal/app"
)

func (s *Server) modelRoutes() []route {
	return []route{
		{"GET", "/api/v1/models", s.apiModels},
		{"GET", "/api/v1/models/{id}", s.apiModel},
		{"GET", "/api/v1/models/{id}/runs", s.apiModelRuns},
		{"POST", "/api/v1/models/{id}/runs", s.apiRunModel},
		{"POST", "/api/v1/models/{id}/backtest", s.apiBacktest},
		{"POST", "/api/v1/model-runs", s.apiRunModels},
		{"GET", "/api/v1/models/{id}/export", s.apiExportModel},
		{"POST", "/api/v1/models/import", s.apiImportModel},
		{"POST", "/api/v1/models/try", s.apiTryModel},
	}
}

func (s *Server) apiModels(w http.ResponseWriter, r *http.Request) {
	ms, err := s.app.Models(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": ms})
}

// knownModel answers 403 or 404 unless the user may read models and model id exists.
// (internal/app's "no model" error does not wrap app.ErrNotFound, so the server asks first.)
func (s *Server) knownModel(w http.ResponseWriter, r *http.Request, id string) bool {
	ms, err := s.app.Models(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return false
	}
	for _, m := range ms {
		if m.ID == id {
			return true
		}
	}
	s.fail(w, r, http.StatusNotFound, "not_found", fmt.Sprintf("no model %q: list the models with GET /api/v1/models (%d known)", id, len(ms)), nil)
	return false
}

// apiModel shows a model with its source and its latest runs (the run history).
func (s *Server) apiModel(w http.ResponseWriter, r *http.Request) {
	if !s.knownModel(w, r, r.PathValue("id")) {
		return
	}
	m, err := s.app.Model(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// apiModelRuns is the run history of a model: its latest runs, newest first.
func (s *Server) apiModelRuns(w http.ResponseWriter, r *http.Request) {
	if !s.knownModel(w, r, r.PathValue("id")) {
		return
	}
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details", map[string]any{"limit": "a whole number from 1 to 1000"})
			return
		}
		limit = n
	}
	runs, err := s.app.ModelRunHistory(r.Context(), r.PathValue("id"), limit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
}

// apiExportModel answers the model's package: model.yaml and its fixture, as a zip that
// POST /api/v1/models/import (or procura model import) takes back.
func (s *Server) apiExportModel(w http.ResponseWriter, r *http.Request) {
	if !s.knownModel(w, r, r.PathValue("id")) {
		return
	}
	var buf bytes.Buffer
	if err := s.app.ExportModel(r.Context(), r.PathValue("id"), &buf); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+r.PathValue("id")+`.procura-model.zip"`)
	w.Write(buf.Bytes())
}

// apiImportModel takes a model package (multipart, part "file"), runs its fixture in a
// scratch workspace and stores the model only when the fixture finds exactly its clues.
func (s *Server) apiImportModel(w http.ResponseWriter, r *http.Request) {
	// Refuse before reading the upload: the package is small, but nobody else need send it.
	if err := s.app.Can(r.Context(), app.ActModelWrite); err != nil {
		s.apiError(w, r, err)
		return
	}
	up, ok := s.readUpload(w, r)
	if !ok {
		return
	}
	defer up.remove()
	res, err := s.app.ImportModel(r.Context(), up.path)
	if err != nil {
		s.apiError(w, r, fmt.Errorf("%w: %v", app.ErrInvalid, err))
		return
	}
	if !res.Accepted {
		s.fail(w, r, http.StatusUnprocessableEntity, "rejected", "the package was not imported: fix the problems or the fixture named in details",
			map[string]any{"id": res.ID, "version": res.Version, "problems": res.Problems, "fixture": res.Fixture})
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

// apiTryModel runs model YAML once on the workspace and answers the first clues it would
// produce; nothing is stored.
func (s *Server) apiTryModel(w http.ResponseWriter, r *http.Request) {
	var req app.TryRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.YAML) == "" {
		s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details", map[string]any{"yaml": "the model definition as YAML text"})
		return
	}
	res, err := s.app.TryModel(r.Context(), req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !res.Valid {
		s.fail(w, r, http.StatusBadRequest, "invalid", "the model has problems: each is in details with its line",
			map[string]any{"problems": res.Problems})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// runRequest is the body of a model run: parameters name=value applied to every model that
// declares the name.
type runRequest struct {
	IDs    []string          `json:"ids,omitempty"`
	All    bool              `json:"all,omitempty"`
	Params map[string]string `json:"params,omitempty"`
}

func (s *Server) apiRunModel(w http.ResponseWriter, r *http.Request) {
	var req runRequest
	if !s.readOptionalJSON(w, r, &req) {
		return
	}
	if len(req.IDs) > 0 || req.All {
		s.fail(w, r, http.StatusBadRequest, "invalid", "this endpoint runs the model of its path; run several with POST /api/v1/model-runs",
			map[string]any{"ids": "not taken here"})
		return
	}
	// Unknown models are 404 now rather than a failed job.
	if err := s.app.Can(r.Context(), app.ActModelRun); err != nil {
		s.apiError(w, r, err)
		return
	}
	if !s.knownModel(w, r, r.PathValue("id")) {
		return
	}
	req.IDs = []string{r.PathValue("id")}
	s.startRun(w, r, req)
}

func (s *Server) apiRunModels(w http.ResponseWriter, r *http.Request) {
	var req runRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if len(req.IDs) == 0 && !req.All {
		s.fail(w, r, http.StatusBadRequest, "invalid", "name the models to run in ids, or set all: true", map[string]any{"ids": "one model id or more, or all: true"})
		return
	}
	if err := s.app.Can(r.Context(), app.ActModelRun); err != nil {
		s.apiError(w, r, err)
		return
	}
	for _, id := range req.IDs {
		if !s.knownModel(w, r, id) {
			return
		}
	}
	s.startRun(w, r, req)
}

// startRun runs models as a background job: progress over GET /api/v1/jobs/{id}/events,
// cancellable with DELETE /api/v1/jobs/{id}.
func (s *Server) startRun(w http.ResponseWriter, r *http.Request, req runRequest) {
	p, ok := s.principal(w, r)
	if !ok {
		return
	}
	if err := s.app.Can(r.Context(), app.ActModelRun); err != nil {
		s.apiError(w, r, err)
		return
	}
	title := "run " + strings.Join(req.IDs, ", ")
	if req.All {
		title = "run all models"
	}
	job := s.jobs.start(p, "model_run", title, func(ctx context.Context, rep *jobReporter) (any, error) {
		res, err := s.app.RunModels(ctx, app.RunRequest{IDs: req.IDs, All: req.All, Params: req.Params, Progress: rep})
		if err != nil {
			return nil, err
		}
		return map[string]any{"runs": res}, nil
	})
	writeJSON(w, http.StatusAccepted, job)
}

// backtestRequest names the truth file by its path inside the workspace (e.g.
// synth/demo/truth): the API reads no file outside it.
type backtestRequest struct {
	Truth  string            `json:"truth"`
	Params map[string]string `json:"params,omitempty"`
}

func (s *Server) apiBacktest(w http.ResponseWriter, r *http.Request) {
	var req backtestRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	path, ok := s.workspaceFile(req.Truth)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details",
			map[string]any{"truth": "the truth file or folder as a path inside the workspace, like synth/demo/truth"})
		return
	}
	if err := s.app.Can(r.Context(), app.ActModelRun); err != nil {
		s.apiError(w, r, err)
		return
	}
	if !s.knownModel(w, r, r.PathValue("id")) {
		return
	}
	if _, err := os.Stat(path); err != nil {
		s.fail(w, r, http.StatusNotFound, "not_found", "no truth file or folder "+req.Truth+" in the workspace; generate one with POST /api/v1/synth", map[string]any{"truth": req.Truth})
		return
	}
	res, err := s.app.Backtest(r.Context(), r.PathValue("id"), path, req.Params)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
