package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"procura/internal/app"
	"procura/internal/ingest/schema"
	"procura/internal/store"
)

func (s *Server) pageRoutes(mux *http.ServeMux) {
	mux.Handle("GET /static/", s.ui.static)
	mux.HandleFunc("GET /messages/{lang}", func(w http.ResponseWriter, r *http.Request) {
		r.SetPathValue("lang", strings.TrimSuffix(r.PathValue("lang"), ".js"))
		s.messagesScript(w, r)
	})
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("POST /logout", s.logoutSubmit)
	mux.HandleFunc("GET /password", s.loggedIn(s.passwordPage))
	mux.HandleFunc("POST /password", s.loggedIn(s.passwordSubmit))
	mux.HandleFunc("GET /{$}", s.loggedIn(s.dashboardPage))
	mux.HandleFunc("GET /datasets", s.loggedIn(s.datasetsPage))
	mux.HandleFunc("GET /datasets/{name}/rejects", s.loggedIn(s.rejectsPage))
	mux.HandleFunc("GET /import", s.loggedIn(s.importPage))
	mux.HandleFunc("POST /import/preview", s.loggedIn(s.importPreview))
	mux.HandleFunc("POST /import/run", s.loggedIn(s.importRun))
	mux.HandleFunc("GET /jobs", s.loggedIn(s.jobsPage))
	mux.HandleFunc("GET /jobs/{id}", s.loggedIn(s.jobPage))
	mux.HandleFunc("POST /jobs/{id}/cancel", s.loggedIn(s.jobCancel))
	// Each area of the product registers its own pages (pages_<area>.go).
	s.modelPages(mux)
	s.cluePages(mux)
	s.casePages(mux)
	s.fundPages(mux)
	s.graphPages(mux)
	s.adminPages(mux)
}

// loggedIn sends visitors without a session to the login page; a user who must change the
// password goes to the password page first.
func (s *Server) loggedIn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := app.PrincipalFrom(r.Context()); !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		h(w, r)
	}
}

// pageError shows an app error as a page with the matching status.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	status, _ := statusOf(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		s.log.Error("page failed", "path", r.URL.Path, "err", err)
		msg = "the server could not complete the request; the administrator finds the cause in the server log"
	}
	s.render(w, r, status, "error", "", "error.title", map[string]string{"Message": msg})
}

type loginData struct {
	Error, Name, LoginCSRF string
}

// loginPage sets a random double-submit token: the login form has no session to bind a CSRF
// token to, so the form must echo the cookie, which another site can neither read nor set.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.showLogin(w, r, http.StatusOK, loginData{})
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	d.LoginCSRF = randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: d.LoginCSRF, Path: "/login", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteStrictMode})
	s.render(w, r, status, "login", "", "login.title", d)
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	form := r.PostFormValue("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		s.showLogin(w, r, http.StatusForbidden, loginData{Error: "login.csrf"})
		return
	}
	name := r.PostFormValue("name")
	sess, err := s.app.Login(r.Context(), name, r.PostFormValue("password"))
	if err != nil {
		status, _ := statusOf(err)
		key := "login.failed"
		switch {
		case errors.Is(err, app.ErrThrottled):
			key = "login.throttled"
			var te *app.ThrottledError
			if errors.As(err, &te) {
				w.Header().Set("Retry-After", strconv.Itoa(int(te.RetryAfter.Seconds()+0.999)))
			}
		case errors.Is(err, app.ErrForbidden):
			key = "login.disabled"
		case status == http.StatusInternalServerError:
			s.pageError(w, r, err)
			return
		}
		s.showLogin(w, r, status, loginData{Error: key, Name: name})
		return
	}
	s.setSession(w, sess)
	logUser(r, name)
	to := "/"
	if sess.MustChangePassword {
		to = "/password"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	if _, ok := app.PrincipalFrom(r.Context()); ok {
		if err := s.app.Logout(r.Context()); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type passwordData struct {
	Must, Done bool
	Error      string
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password", "", "password.title", passwordData{Must: r.URL.Query().Has("must")})
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) {
	err := s.app.ChangeOwnPassword(r.Context(), r.PostFormValue("old"), r.PostFormValue("new"))
	if err != nil {
		status, _ := statusOf(err)
		if status == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		s.render(w, r, status, "password", "", "password.title", passwordData{Error: err.Error()})
		return
	}
	s.render(w, r, http.StatusOK, "password", "", "password.title", passwordData{Done: true})
}

type dashboardData struct {
	Datasets                 []app.Dataset
	Recent                   []store.Batch
	ChartLabels, ChartValues string // JSON arrays for the chart's data attributes
	// Panels shown only to roles that may read what they count (nil = not shown).
	CluesByModel *chartData
	Cases        []caseCount
	CasesShown   bool
	Deadlines    []deadline
	DeadlineShow bool
	Traced       *app.MoneyTraced // trace.run
}

// chartData is a bar chart's labels and values as JSON arrays, with the total.
type chartData struct {
	Labels, Values string
	Total          int64
}

type caseCount struct {
	Status string
	Count  int
}

type deadline struct {
	Clue    app.ClueView
	Title   string
	Overdue bool
}

// clueChartDays is the span of the dashboard's new-clues chart.
const clueChartDays = 30

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ds, err := s.app.Datasets(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := dashboardData{Datasets: ds}
	var labels []string
	var values []int64
	for _, x := range ds {
		labels = append(labels, x.Name)
		values = append(values, x.Rows)
		d.Recent = append(d.Recent, x.Batches...)
	}
	slices.SortFunc(d.Recent, func(a, b store.Batch) int { return b.FinishedAt.Compare(a.FinishedAt) })
	d.Recent = d.Recent[:min(len(d.Recent), 10)]
	d.ChartLabels, d.ChartValues = jsonArray(labels), jsonArray(values)
	if err := s.dashboardPanels(w, r, &d); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", "", "dash.title", d)
}

func jsonArray[T any](v []T) string {
	if v == nil {
		v = []T{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// dashboardPanels fills the panels the user's role may read: new clues by model and clue
// deadlines (clue.read), money traced (trace.run), cases by status (case.read).
func (s *Server) dashboardPanels(w http.ResponseWriter, r *http.Request, d *dashboardData) error {
	ctx := r.Context()
	l := lang(w, r)
	if s.app.Can(ctx, app.ActClueRead) == nil {
		counts, err := s.app.NewCluesByModel(ctx, clueChartDays)
		if err != nil {
			return err
		}
		names := map[string]string{}
		if ms, err := s.app.Models(ctx); err == nil { // a role may read clues and not models
			for _, m := range ms {
				names[m.ID] = titleIn(l, m.Title)
			}
		}
		var labels []string
		var values []int64
		cd := &chartData{}
		for _, c := range counts {
			label := c.ModelID
			if n := names[c.ModelID]; n != "" {
				label = n
			}
			labels, values = append(labels, label), append(values, c.Clues)
			cd.Total += c.Clues
		}
		cd.Labels, cd.Values = jsonArray(labels), jsonArray(values)
		d.CluesByModel = cd
		due, err := s.app.ClueDeadlines(ctx, 10)
		if err != nil {
			return err
		}
		d.DeadlineShow = true
		for _, c := range due {
			title := c.TitleZH
			if l == "en" && c.TitleEN != "" {
				title = c.TitleEN
			}
			d.Deadlines = append(d.Deadlines, deadline{Clue: c, Title: title, Overdue: s.app.Overdue(c.DueAt)})
		}
	}
	if s.app.Can(ctx, app.ActTraceRun) == nil {
		mt, err := s.app.TracedMoney(ctx, clueChartDays)
		if err != nil {
			return err
		}
		d.Traced = &mt
	}
	if s.app.Can(ctx, app.ActCaseRead) == nil {
		cases, err := s.app.Cases(ctx)
		if err != nil {
			return err
		}
		d.CasesShown = true
		byStatus := map[string]int{}
		for _, c := range cases {
			byStatus[c.Status]++
		}
		for st, n := range byStatus {
			d.Cases = append(d.Cases, caseCount{st, n})
		}
		slices.SortFunc(d.Cases, func(a, b caseCount) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Status, b.Status)
		})
	}
	return nil
}

func (s *Server) datasetsPage(w http.ResponseWriter, r *http.Request) {
	ds, err := s.app.Datasets(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "datasets", "", "datasets.title", dashboardData{Datasets: ds})
}

type rejectsData struct {
	Page             app.RejectPage
	From, To         int
	PrevURL, NextURL string
	// Identifiers are masked unless the user asked (unmask=1) and may; ToggleURL switches.
	Unmasked, CanUnmask bool
	ToggleURL           string
}

func (s *Server) rejectsPage(w http.ResponseWriter, r *http.Request) {
	limit, offset, errs := page(r)
	batch, berr := strconv.ParseInt(r.URL.Query().Get("batch"), 10, 64)
	if r.URL.Query().Get("batch") == "" {
		batch, berr = 0, nil
	}
	if errs != nil || berr != nil {
		s.pageError(w, r, errors.Join(app.ErrInvalid, errors.New("limit, offset and batch must be whole numbers")))
		return
	}
	pg, err := s.app.Rejects(r.Context(), r.PathValue("name"), batch, limit, offset)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	unmasked := r.URL.Query().Get("unmask") == "1" || r.URL.Query().Get("unmask") == "true"
	d := rejectsData{Page: pg, From: offset + 1, To: offset + len(pg.Rejects), Unmasked: unmasked,
		CanUnmask: s.app.Can(r.Context(), app.ActUnmask) == nil}
	linkAs := func(off int, unmask bool) string {
		q := url.Values{"offset": {strconv.Itoa(off)}, "limit": {strconv.Itoa(limit)}}
		if batch > 0 {
			q.Set("batch", strconv.FormatInt(batch, 10))
		}
		if unmask {
			q.Set("unmask", "1")
		}
		return "?" + q.Encode()
	}
	link := func(off int) string { return linkAs(off, unmasked) }
	d.ToggleURL = linkAs(offset, !unmasked)
	if offset > 0 {
		d.PrevURL = link(max(0, offset-limit))
	}
	if int64(offset+len(pg.Rejects)) < pg.Total {
		d.NextURL = link(offset + limit)
	}
	s.render(w, r, http.StatusOK, "rejects", "", "rejects.title", d)
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "import", "", "import.title", map[string]any{"Kinds": schema.KindNames(), "Dataset": r.URL.Query().Get("dataset")})
}

// pendingUploads are previewed files waiting for the user's "Import": by upload id, with the
// owner, so only the user who uploaded a file can import it.
type pendingUpload struct {
	owner string
	up    upload
}

type previewData struct {
	Preview any
	Mapping any
	Columns []string
	Rows    [][]string
	Upload  string
	Error   string
}

func (s *Server) importPreview(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	up, ok := s.readUploadPage(w, r)
	if !ok {
		return
	}
	pv, status, err := s.dryRun(r.Context(), up)
	if err != nil {
		up.remove()
		if status == 0 {
			status, _ = statusOf(err)
		}
		s.render(w, r, status, "preview", "preview", "import.preview", previewData{Preview: map[string]string{"File": up.name}, Error: err.Error()})
		return
	}
	s.pendingMu.Lock()
	s.pending[up.id] = pendingUpload{owner: p.Name, up: up}
	s.pendingMu.Unlock()
	d := previewData{Preview: pv, Mapping: pv.Mapping, Upload: up.id}
	for _, m := range pv.Mapping {
		d.Columns = append(d.Columns, m.Column)
	}
	for _, row := range pv.Rows {
		cells := []string{strconv.FormatInt(row.Line, 10)}
		for _, c := range d.Columns {
			cells = append(cells, row.Values[c])
		}
		d.Rows = append(d.Rows, cells)
	}
	s.render(w, r, http.StatusOK, "preview", "preview", "import.preview", d)
}

// readUploadPage is readUpload for pages: errors come back as a page, not JSON.
func (s *Server) readUploadPage(w http.ResponseWriter, r *http.Request) (upload, bool) {
	rec := &errorCatcher{ResponseWriter: w}
	up, ok := s.readUpload(rec, r)
	if !ok {
		var body struct{ Error apiErr }
		json.Unmarshal(rec.body, &body)
		s.render(w, r, rec.status, "error", "", "error.title", map[string]string{"Message": body.Error.Message})
	}
	return up, ok
}

// errorCatcher holds back an error answer so that it can be shown as a page.
type errorCatcher struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (e *errorCatcher) WriteHeader(code int) { e.status = code }
func (e *errorCatcher) Write(b []byte) (int, error) {
	e.body = append(e.body, b...)
	return len(b), nil
}
func (e *errorCatcher) Header() http.Header { return http.Header{} }

func (s *Server) importRun(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	id := r.PostFormValue("upload")
	s.pendingMu.Lock()
	pu, ok := s.pending[id]
	if ok && pu.owner == p.Name {
		delete(s.pending, id)
	}
	s.pendingMu.Unlock()
	if !ok || pu.owner != p.Name {
		s.pageError(w, r, errors.Join(app.ErrNotFound, errors.New("this upload is gone (imported already, or the server restarted): upload the file again")))
		return
	}
	if _, err := os.Stat(pu.up.path); err != nil {
		s.pageError(w, r, errors.Join(app.ErrNotFound, errors.New("the uploaded file is gone: upload it again")))
		return
	}
	req, _ := importRequest(pu.up.fields)
	job := s.runImport(p, pu.up, req)
	if r.Header.Get("HX-Request") == "true" {
		s.render(w, r, http.StatusAccepted, "job", "jobCard", "job.title", jobData{Job: job, Dataset: req.Dataset})
		return
	}
	http.Redirect(w, r, "/jobs/"+job.ID, http.StatusSeeOther)
}

type jobData struct {
	Job     Job
	Dataset string
}

func (s *Server) jobsPage(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	s.render(w, r, http.StatusOK, "jobs", "", "nav.jobs", map[string]any{"Jobs": s.jobs.list(p)})
}

func (s *Server) jobPage(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	e, ok := s.jobs.get(p, r.PathValue("id"))
	if !ok {
		s.pageError(w, r, errors.Join(app.ErrNotFound, errors.New("no such job of yours")))
		return
	}
	j := e.snapshot()
	d := jobData{Job: j, Dataset: datasetOfJob(j)}
	s.render(w, r, http.StatusOK, "job", "jobCard", "job.title", d)
}

// datasetOfJob reads the dataset from an import job's title ("file → dataset").
func datasetOfJob(j Job) string {
	if j.Kind != "import" {
		return ""
	}
	for i := len(j.Title) - 1; i >= 0; i-- {
		if j.Title[i] == ' ' {
			return j.Title[i+1:]
		}
	}
	return ""
}

func (s *Server) jobCancel(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	if e, ok := s.jobs.get(p, r.PathValue("id")); ok {
		e.cancel()
	}
	http.Redirect(w, r, "/jobs/"+r.PathValue("id"), http.StatusSeeOther)
}

func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
