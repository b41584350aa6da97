package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	_ "embed"

	"procura/internal/app"
	"procura/internal/graph"
	"procura/internal/ingest"
	"procura/internal/mask"
	"procura/internal/store"
	"procura/internal/synth"
)

// route is one API endpoint; the OpenAPI document must list exactly these (openapi_test.go).
type route struct {
	method, path string
	handler      http.HandlerFunc
}

//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) apiRoutes() []route {
	rs := []route{
		{"GET", "/api/v1/openapi.json", s.openAPI},
		{"POST", "/api/v1/login", s.apiLogin},
		{"POST", "/api/v1/logout", s.apiLogout},
		{"GET", "/api/v1/me", s.apiMe},
		{"POST", "/api/v1/me/password", s.apiPassword},
		{"GET", "/api/v1/me/tokens", s.apiTokens},
		{"POST", "/api/v1/me/tokens", s.apiCreateToken},
		{"DELETE", "/api/v1/me/tokens/{id}", s.apiRevokeToken},
		{"GET", "/api/v1/users", s.apiUsers},
		{"POST", "/api/v1/users", s.apiAddUser},
		{"GET", "/api/v1/datasets", s.apiDatasets},
		{"GET", "/api/v1/datasets/{name}/rejects", s.apiRejects},
		{"POST", "/api/v1/imports", s.apiImport},
		{"POST", "/api/v1/imports/dry-run", s.apiDryRun},
		{"POST", "/api/v1/synth", s.apiSynth},
		{"GET", "/api/v1/jobs", s.apiJobs},
		{"GET", "/api/v1/jobs/{id}", s.apiJob},
		{"DELETE", "/api/v1/jobs/{id}", s.apiCancelJob},
		{"GET", "/api/v1/jobs/{id}/events", s.apiJobEvents},
		{"POST", "/api/v1/backup", s.apiBackup},
	}
	for _, group := range [][]route{s.modelRoutes(), s.clueRoutes(), s.caseRoutes(), s.fundRoutes(), s.traceViewRoutes(), s.graphRoutes(), s.auditRoutes(), s.evidenceRoutes(), s.userRoutes()} {
		rs = append(rs, group...)
	}
	return rs
}

// apiErr is the body of every error answer: {"error":{"code","message","details"}}.
type apiErr struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string, details map[string]any) {
	writeJSON(w, status, map[string]apiErr{"error": {Code: code, Message: msg, Details: details}})
}

// apiError maps an error of internal/app to a status and code. Unknown errors are internal:
// logged in full, answered without details.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := statusOf(err)
	var te *app.ThrottledError
	var details map[string]any
	var ce *app.ConflictError
	var fe *app.FieldError
	switch {
	case errors.As(err, &te):
		secs := int(te.RetryAfter.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		details = map[string]any{"retry_after_seconds": secs}
	case errors.As(err, &ce):
		details = map[string]any{"object": ce.Object, "expected_version": ce.Expected, "version": ce.Version,
			"status": ce.Status, "changed_by": ce.By, "changed_at": ce.At, "show": ce.Show}
	case errors.As(err, &fe):
		details = map[string]any{}
		for k, v := range fe.Fields {
			details[k] = v
		}
	}
	// Messages may quote identifiers (a path "between account 6222…"): they leave masked.
	msg := mask.Text(err.Error())
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
		msg = "the server could not complete the request; the administrator finds the cause in the server log"
	}
	s.fail(w, r, status, code, msg, details)
}

func statusOf(err error) (int, string) {
	switch {
	case errors.Is(err, app.ErrUnauthenticated), errors.Is(err, app.ErrInvalidCredentials):
		return http.StatusUnauthorized, "unauthenticated"
	case errors.Is(err, app.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, app.ErrThrottled):
		return http.StatusTooManyRequests, "throttled"
	case errors.Is(err, graph.ErrNoPath):
		return http.StatusNotFound, "no_path"
	case errors.Is(err, app.ErrNotFound), errors.Is(err, store.ErrNoUser), errors.Is(err, store.ErrNoCredential),
		errors.Is(err, store.ErrNoEvidence), errors.Is(err, store.ErrNoCase), errors.Is(err, store.ErrNoClue), errors.Is(err, store.ErrNoSuggestion):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, store.ErrUserExists), errors.Is(err, app.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, app.ErrInvalid), errors.Is(err, store.ErrNotTransactions):
		return http.StatusBadRequest, "invalid"
	}
	return http.StatusInternalServerError, "internal"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// readJSON decodes a request body of at most 1 MiB into v, refusing unknown fields.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.fail(w, r, http.StatusBadRequest, "invalid", "the request body is not the JSON this endpoint takes: "+err.Error(), nil)
		return false
	}
	return true
}

// principal returns the logged-in user, or answers 401.
func (s *Server) principal(w http.ResponseWriter, r *http.Request) (app.Principal, bool) {
	p, ok := app.PrincipalFrom(r.Context())
	if !ok {
		s.fail(w, r, http.StatusUnauthorized, "unauthenticated", "log in first: POST /api/v1/login, or send Authorization: Bearer TOKEN", nil)
	}
	return p, ok
}

// page reads limit and offset: limit 1..1000 (default 100), offset ≥ 0.
func page(r *http.Request) (limit, offset int, errs map[string]any) {
	limit, offset = 100, 0
	errs = map[string]any{}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs["limit"] = "a whole number from 1 to 1000"
		}
		limit = n
	}
	if v := r.URL.Query().Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs["offset"] = "a whole number from 0"
		}
		offset = n
	}
	if len(errs) == 0 {
		errs = nil
	}
	return
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	sess, err := s.app.Login(r.Context(), req.Name, req.Password)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.setSession(w, sess)
	logUser(r, req.Name)
	writeJSON(w, http.StatusOK, map[string]any{"user": req.Name, "role": sess.Role, "expires_at": sess.Credential.ExpiresAt,
		"must_change_password": sess.MustChangePassword, "csrf_token": s.csrfToken(sess.Credential.ID)})
}

func (s *Server) setSession(w http.ResponseWriter, sess app.Session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Secret, Path: "/", Expires: sess.Credential.ExpiresAt,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.principal(w, r); !ok {
		return
	}
	if err := s.app.Logout(r.Context()); err != nil {
		s.apiError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	p, ok := s.principal(w, r)
	if !ok {
		return
	}
	var allowed []app.Action
	for _, a := range app.Actions() {
		if app.Allowed(p.Role, a) {
			allowed = append(allowed, a)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": p.Name, "role": p.Role, "actions": allowed,
		"csrf_token": s.csrfToken(p.CredentialID)})
}

func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Old string `json:"old_password"`
		New string `json:"new_password"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if err := s.app.ChangeOwnPassword(r.Context(), req.Old, req.New); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) {
	p, ok := s.principal(w, r)
	if !ok {
		return
	}
	cs, err := s.app.Credentials(r.Context(), p.Name)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"credentials": cs})
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Label string `json:"label"`
		Days  int    `json:"days"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	tok, err := s.app.CreateToken(r.Context(), req.Label, time.Duration(req.Days)*24*time.Hour)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok.Secret, "credential": tok.Credential})
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.app.RevokeCredential(r.Context(), r.PathValue("id")); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	us, err := s.app.Users(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": us})
}

func (s *Server) apiAddUser(w http.ResponseWriter, r *http.Request) {
	var req app.NewUser
	if !s.readJSON(w, r, &req) {
		return
	}
	res, err := s.app.AddUser(r.Context(), req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (s *Server) apiDatasets(w http.ResponseWriter, r *http.Request) {
	ds, err := s.app.Datasets(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"datasets": ds})
}

func (s *Server) apiRejects(w http.ResponseWriter, r *http.Request) {
	limit, offset, errs := page(r)
	var batch int64
	if v := r.URL.Query().Get("batch"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			if errs == nil {
				errs = map[string]any{}
			}
			errs["batch"] = "an import batch id (a whole number)"
		}
		batch = n
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		if errs == nil {
			errs = map[string]any{}
		}
		errs["format"] = "json (a page) or csv (every rejected row, as a download)"
	}
	if errs != nil {
		s.fail(w, r, http.StatusBadRequest, "invalid", "fix the query parameters named in details", errs)
		return
	}
	if format == "csv" {
		s.rejectsCSV(w, r, r.PathValue("name"), batch)
		return
	}
	pg, err := s.app.Rejects(r.Context(), r.PathValue("name"), batch, limit, offset)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pg)
}

// rejectsCSV sends every rejected row of a dataset as a CSV download, streamed. The use case
// checks permissions and records the export before it writes a byte, so a refusal still
// answers with a JSON error.
func (s *Server) rejectsCSV(w http.ResponseWriter, r *http.Request, dataset string, batch int64) {
	dw := &downloadWriter{w: w, name: dataset + "-rejects.csv", contentType: "text/csv; charset=utf-8"}
	if _, err := s.app.ExportRejects(r.Context(), dataset, batch, dw); err != nil {
		if !dw.started {
			s.apiError(w, r, err)
			return
		}
		s.log.Error("rejects download broke off", "dataset", dataset, "err", err)
	}
}

// downloadWriter sets a download's headers when its first byte is written.
type downloadWriter struct {
	w                 http.ResponseWriter
	name, contentType string
	started           bool
}

func (d *downloadWriter) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		d.w.Header().Set("Content-Type", d.contentType)
		d.w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.name}))
	}
	return d.w.Write(p)
}

// importRequest reads the options of an import from the upload's form fields.
func importRequest(f map[string]string) (app.ImportRequest, map[string]any) {
	req := app.ImportRequest{Dataset: f["dataset"], Kind: f["kind"], Profile: f["profile"],
		SourceAgency: f["source_agency"], RequestNo: f["request_no"]}
	req.Read.Encoding = f["encoding"]
	errs := map[string]any{}
	if m := strings.TrimSpace(f["map"]); m != "" {
		req.Map = map[string]string{}
		for _, kv := range strings.Split(m, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.TrimSpace(k) == "" {
				errs["map"] = "field=column pairs separated by commas, e.g. amount=交易金额,account=账号"
				break
			}
			req.Map[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if len(errs) == 0 {
		errs = nil
	}
	return req, errs
}

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) {
	job, ok := s.startImport(w, r)
	if ok {
		writeJSON(w, http.StatusAccepted, job)
	}
}

// startImport receives an upload and starts its import as a background job.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) (Job, bool) {
	p, ok := s.principal(w, r)
	if !ok {
		return Job{}, false
	}
	if err := s.app.Can(r.Context(), app.ActDatasetImport); err != nil {
		s.apiError(w, r, err)
		return Job{}, false
	}
	up, ok := s.readUpload(w, r)
	if !ok {
		return Job{}, false
	}
	req, errs := importRequest(up.fields)
	if store.ValidateDatasetName(req.Dataset) != nil {
		if errs == nil {
			errs = map[string]any{}
		}
		errs["dataset"] = "a lower-case letter followed by lower-case letters, digits or _ (at most 60)"
	}
	if errs != nil {
		up.remove()
		s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details", errs)
		return Job{}, false
	}
	return s.runImport(p, up, req), true
}

func (s *Server) runImport(p app.Principal, up upload, req app.ImportRequest) Job {
	req.Path = up.path
	return s.jobs.start(p, "import", up.name+" → "+req.Dataset, func(ctx context.Context, rep *jobReporter) (any, error) {
		defer up.remove()
		req.Progress = rep
		return s.app.Import(ctx, req)
	})
}

func (s *Server) apiDryRun(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.principal(w, r); !ok {
		return
	}
	up, ok := s.readUpload(w, r)
	if !ok {
		return
	}
	defer up.remove()
	pv, status, err := s.dryRun(r.Context(), up)
	if err != nil {
		if status == 0 {
			s.apiError(w, r, err)
		} else {
			s.fail(w, r, status, "unreadable_file", err.Error(), nil)
		}
		return
	}
	writeJSON(w, http.StatusOK, pv)
}

// dryRun previews an upload; a file that cannot be read is 422 with ingest's message.
func (s *Server) dryRun(ctx context.Context, up upload) (ingest.Preview, int, error) {
	req, errs := importRequest(up.fields)
	if errs != nil {
		return ingest.Preview{}, http.StatusBadRequest, fmt.Errorf("map: %v", errs["map"])
	}
	req.Path = up.path
	rows := 10
	if n, err := strconv.Atoi(up.fields["rows"]); err == nil && n > 0 && n <= 200 {
		rows = n
	}
	pv, err := s.app.DryRun(ctx, req, rows)
	if err != nil {
		if st, _ := statusOf(err); st != http.StatusInternalServerError {
			return pv, 0, err
		}
		return pv, http.StatusUnprocessableEntity, err
	}
	pv.File = up.name // never the server's path
	return pv, 0, nil
}

func (s *Server) apiSynth(w http.ResponseWriter, r *http.Request) {
	p, ok := s.principal(w, r)
	if !ok {
		return
	}
	var req struct {
		Name  string `json:"name"`
		Seed  int64  `json:"seed"`
		Scale string `json:"scale"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Scale == "" {
		req.Scale = "small"
	}
	// Permission and name are checked before the job starts, so the answer says what is wrong.
	if err := s.app.Can(r.Context(), app.ActSynthGenerate); err != nil {
		s.apiError(w, r, err)
		return
	}
	if store.ValidateDatasetName(req.Name) != nil {
		s.fail(w, r, http.StatusBadRequest, "invalid", "fix the fields named in details", map[string]any{"name": "a lower-case letter followed by lower-case letters, digits or _"})
		return
	}
	job := s.jobs.start(p, "synth", "synth "+req.Name, func(ctx context.Context, rep *jobReporter) (any, error) {
		return s.app.Synthesize(ctx, req.Name, synth.Options{Seed: req.Seed, Scale: req.Scale,
			Formats: []string{"canonical"}, Progress: app.SynthProgress(rep, "generate")})
	})
	writeJSON(w, http.StatusAccepted, job)
}

func (s *Server) apiJobs(w http.ResponseWriter, r *http.Request) {
	p, ok := s.principal(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": s.jobs.list(p)})
}

func (s *Server) job(w http.ResponseWriter, r *http.Request) (*jobEntry, bool) {
	p, ok := s.principal(w, r)
	if !ok {
		return nil, false
	}
	e, ok := s.jobs.get(p, r.PathValue("id"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "not_found", "no job "+r.PathValue("id")+" of yours; list them with GET /api/v1/jobs", nil)
	}
	return e, ok
}

func (s *Server) apiJob(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.job(w, r); ok {
		writeJSON(w, http.StatusOK, e.snapshot())
	}
}

func (s *Server) apiCancelJob(w http.ResponseWriter, r *http.Request) {
	e, ok := s.job(w, r)
	if !ok {
		return
	}
	if j := e.snapshot(); j.Status != jobRunning {
		s.fail(w, r, http.StatusConflict, "conflict", "job "+j.ID+" has already ended ("+j.Status+")", nil)
		return
	}
	e.cancel()
	w.WriteHeader(http.StatusAccepted)
}

// apiJobEvents streams the job's state as Server-Sent Events ("event: job") whenever it
// changes, and ends after the final state. A reconnecting browser gets the current state first.
func (s *Server) apiJobEvents(w http.ResponseWriter, r *http.Request) {
	e, ok := s.job(w, r)
	if !ok {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		s.fail(w, r, http.StatusInternalServerError, "internal", "streaming is not supported here", nil)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	for {
		j, changed := e.watch()
		b, _ := json.Marshal(j)
		fmt.Fprintf(w, "id: %d\nevent: job\ndata: %s\n\n", j.Version, b)
		fl.Flush()
		if j.Status != jobRunning {
			return
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
	}
}
