package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"

	"procura/internal/app"
	"procura/internal/mask"
	"procura/internal/store"
	"procura/internal/supervise"
)

// modelPages registers the pages of the model library, editor and run history.
func (s *Server) modelPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /models", s.loggedIn(s.modelsPage))
	mux.HandleFunc("GET /models/{id}", s.loggedIn(s.modelPage))
	mux.HandleFunc("POST /models/validate", s.loggedIn(s.modelValidate))
	mux.HandleFunc("POST /models/try", s.loggedIn(s.modelTry))
	mux.HandleFunc("POST /models/{id}/save", s.loggedIn(s.modelSave))
	mux.HandleFunc("POST /models/{id}/run", s.loggedIn(s.modelRun))
	mux.HandleFunc("POST /models/{id}/backtest", s.loggedIn(s.modelBacktest))
	mux.HandleFunc("POST /models/import", s.loggedIn(s.modelImport))
}

// libraryRow is a model of the library with its numbers as the page shows them.
type libraryRow struct {
	app.LibraryEntry
	Name            string // title in the page's language
	OtherName       string // title in the other language
	ReviewPrecision string // "" until a clue is decided
	BTPrecision     string // of the last backtest, "" when none is recorded
	BTRecall        string
	Needed          []app.InputNeed // Needs with each kind or dataset once (two inputs may read one kind)
}

// newLibraryRow formats a library entry for the page's language.
func newLibraryRow(l string, e app.LibraryEntry) libraryRow {
	other := "en"
	if l == "en" {
		other = "zh"
	}
	row := libraryRow{LibraryEntry: e, Name: titleIn(l, e.Title), OtherName: titleIn(other, e.Title)}
	if e.Precision != nil {
		row.ReviewPrecision = percent(*e.Precision)
	}
	if e.Backtest != nil {
		row.BTPrecision, row.BTRecall = percent(e.Backtest.Precision), percent(e.Backtest.Recall)
	}
	seen := map[string]bool{}
	for _, n := range e.Needs {
		if key := n.Kind + "\x00" + n.Dataset; !seen[key] {
			seen[key] = true
			row.Needed = append(row.Needed, n)
		}
	}
	return row
}

func percent(f float64) string { return strconv.FormatFloat(100*f, 'f', 0, 64) + "%" }

func titleIn(l string, t supervise.Text) string {
	if l == "en" && t.EN != "" || t.ZH == "" {
		return t.EN
	}
	return t.ZH
}

func (s *Server) modelsPage(w http.ResponseWriter, r *http.Request) {
	lib, err := s.app.ModelLibrary(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	l := lang(w, r)
	rows := make([]libraryRow, 0, len(lib))
	for _, e := range lib {
		rows = append(rows, newLibraryRow(l, e))
	}
	s.render(w, r, http.StatusOK, "models", "", "models.title", map[string]any{"Models": rows})
}

// runRow is one run of the history. Fingerprint identifies what the run computed on: the
// model version, its parameters and the datasets and import batches it read; two runs with
// the same fingerprint saw the same data the same way.
type runRow struct {
	store.ModelRun
	Fingerprint string
	Read        string // datasets and batches, for the fingerprint's tooltip
	Params      string
}

func newRunRow(r store.ModelRun) runRow {
	h := sha256.Sum256([]byte(fmt.Sprintf("%d\x1f%s\x1f%s", r.ModelVersion, r.ParamsJSON, r.InputsJSON)))
	row := runRow{ModelRun: r, Fingerprint: hex.EncodeToString(h[:])[:12]}
	var inputs map[string][]supervise.Read
	if json.Unmarshal([]byte(r.InputsJSON), &inputs) == nil {
		var parts []string
		for alias, reads := range inputs {
			for _, rd := range reads {
				parts = append(parts, fmt.Sprintf("%s=%s%v", alias, rd.Dataset, rd.Batches))
			}
		}
		sort.Strings(parts)
		row.Read = strings.Join(parts, " ")
	}
	var params map[string]string
	if json.Unmarshal([]byte(r.ParamsJSON), &params) == nil {
		var parts []string
		for k, v := range params {
			parts = append(parts, k+"="+v)
		}
		sort.Strings(parts)
		row.Params = strings.Join(parts, " ")
	}
	return row
}

type modelPageData struct {
	Model app.ModelDetail
	Entry *libraryRow
	Name  string
	Lines []int // line numbers of the YAML, for the editor's gutter
	Runs  []runRow
}

func (s *Server) modelPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := s.app.Model(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	runs, err := s.app.ModelRunHistory(r.Context(), id, 50)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	lib, err := s.app.ModelLibrary(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	l := lang(w, r)
	pd := modelPageData{Model: d, Name: titleIn(l, d.Title)}
	for _, e := range lib {
		if e.ID == id {
			row := newLibraryRow(l, e)
			pd.Entry = &row
		}
	}
	for i := range strings.Count(d.YAML, "\n") + 1 {
		pd.Lines = append(pd.Lines, i+1)
	}
	for _, run := range runs {
		pd.Runs = append(pd.Runs, newRunRow(run))
	}
	s.render(w, r, http.StatusOK, "model", "", "models.detail", pd)
}

// modelResult is what the editor's calls answer: a fragment for htmx, or the same inside a
// page (model_result.html) for a plain form post.
type modelResult struct {
	Kind    string // validation, try, save, job, error
	Res     any
	Job     Job
	Message string
}

// fragmentError answers an htmx call with its error in place (models.js swaps 4xx answers
// into the target); a plain form post gets the error page.
func (s *Server) fragmentError(w http.ResponseWriter, r *http.Request, err error) {
	status, _ := statusOf(err)
	if status == http.StatusInternalServerError {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, status, "model_result", "modelError", "models.detail", modelResult{Kind: "error", Message: mask.Text(err.Error())})
}

func (s *Server) modelValidate(w http.ResponseWriter, r *http.Request) {
	res, err := s.app.ValidateModelText(r.Context(), r.PostFormValue("yaml"))
	if err != nil {
		s.fragmentError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "model_result", "validation", "models.detail", modelResult{Kind: "validation", Res: res})
}

// tryLimit is the number of clues a dry run from the editor shows.
const tryLimit = 20

func (s *Server) modelTry(w http.ResponseWriter, r *http.Request) {
	res, err := s.app.TryModel(r.Context(), app.TryRequest{YAML: r.PostFormValue("yaml"), Limit: tryLimit})
	if err != nil {
		s.fragmentError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "model_result", "tryResults", "models.detail", modelResult{Kind: "try", Res: res})
}

func (s *Server) modelSave(w http.ResponseWriter, r *http.Request) {
	res, err := s.app.SaveModelVersion(r.Context(), r.PathValue("id"), r.PostFormValue("yaml"))
	if err != nil {
		s.fragmentError(w, r, err)
		return
	}
	status := http.StatusOK
	if !res.Saved {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "model_result", "saveResult", "models.detail", modelResult{Kind: "save", Res: res})
}

func (s *Server) modelRun(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	id := r.PathValue("id")
	if err := s.app.Can(r.Context(), app.ActModelRun); err != nil {
		s.fragmentError(w, r, err)
		return
	}
	if _, err := s.app.Model(r.Context(), id); err != nil {
		s.fragmentError(w, r, err)
		return
	}
	job := s.jobs.start(p, "model_run", "run "+id, func(ctx context.Context, rep *jobReporter) (any, error) {
		res, err := s.app.RunModels(ctx, app.RunRequest{IDs: []string{id}, Progress: rep})
		if err != nil {
			return nil, err
		}
		return map[string]any{"runs": res}, nil
	})
	if r.Header.Get("HX-Request") == "true" {
		s.render(w, r, http.StatusAccepted, "model_result", "modelJob", "models.detail", modelResult{Kind: "job", Job: job})
		return
	}
	http.Redirect(w, r, "/jobs/"+job.ID, http.StatusSeeOther)
}

// modelBacktest scores the saved model against a truth file or folder inside the workspace
// (the API's rule: no file outside it is read); the score is recorded in the audit log and
// the library shows it.
func (s *Server) modelBacktest(w http.ResponseWriter, r *http.Request) {
	rel := r.PostFormValue("truth")
	path, ok := s.workspaceFile(rel)
	if !ok {
		s.fragmentError(w, r, fmt.Errorf("%w: give the truth file or folder as a path inside the workspace, like synth/demo/truth", app.ErrInvalid))
		return
	}
	if _, err := os.Stat(path); err != nil {
		s.fragmentError(w, r, fmt.Errorf("%w: no truth file or folder %s in the workspace", app.ErrNotFound, rel))
		return
	}
	res, err := s.app.Backtest(r.Context(), r.PathValue("id"), path, nil)
	if err != nil {
		s.fragmentError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "model_result", "backtestResult", "models.detail", modelResult{Kind: "backtest", Res: map[string]any{
		"Result": res, "Precision": percent(res.Precision), "Recall": percent(res.Recall), "F1": percent(res.F1)}})
}

// modelImport takes a model package from the library page: its fixture runs in a scratch
// workspace and the model is stored only if the fixture finds exactly its clues.
func (s *Server) modelImport(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Can(r.Context(), app.ActModelWrite); err != nil {
		s.pageError(w, r, err)
		return
	}
	up, ok := s.readUploadPage(w, r)
	if !ok {
		return
	}
	defer up.remove()
	res, err := s.app.ImportModel(r.Context(), up.path)
	if err != nil {
		status, _ := statusOf(err)
		if status == http.StatusInternalServerError {
			err = fmt.Errorf("%w: %v", app.ErrInvalid, err) // an unreadable package is the sender's to fix
		}
		s.pageError(w, r, err)
		return
	}
	status := http.StatusOK
	if !res.Accepted {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "model_result", "", "models.detail", modelResult{Kind: "import", Res: res})
}
