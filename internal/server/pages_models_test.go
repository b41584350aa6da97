package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"procura/internal/app"
)

// htmx posts a form as htmx does (HX-Request), as role, and answers the status and the body.
func (f *fixture) htmx(role, path string, form url.Values) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL+path+"?lang=en", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// pageEN gets a page as role, in English.
func (f *fixture) pageEN(role, path string) (int, string) {
	f.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return f.page(role, path+sep+"lang=en")
}

// modelYAML is the stored definition of a model, as the editor opens it.
func (f *fixture) modelYAML(id string) string {
	f.t.Helper()
	var m struct {
		YAML string `json:"yaml"`
	}
	if status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/models/"+id, nil, &m); status != 200 {
		f.t.Fatalf("model %s = %d %s", id, status, b)
	}
	return m.YAML
}

// clueAndRunCount is how many clues and runs of cards_at_many_banks the workspace holds.
func (f *fixture) clueAndRunCount() (int64, int) {
	f.t.Helper()
	var pg struct {
		Total int64 `json:"total"`
	}
	f.call(app.RoleAdmin, "GET", "/api/v1/clues?model=cards_at_many_banks&all=1", nil, &pg)
	var runs struct {
		Runs []any `json:"runs"`
	}
	f.call(app.RoleAdmin, "GET", "/api/v1/models/cards_at_many_banks/runs", nil, &runs)
	return pg.Total, len(runs.Runs)
}

func TestTheEditorShowsValidationProblemsNextToTheirLines(t *testing.T) {
	f := newFixture(t)
	src := f.modelYAML("cards_at_many_banks")
	// Line 3 gets an unknown field; the file's other lines stay as they are.
	lines := strings.Split(src, "\n")
	broken := strings.Join(append(append(append([]string{}, lines[:2]...), "colour: blue"), lines[2:]...), "\n")
	status, frag := f.htmx(app.RoleReviewer, "/models/validate", url.Values{"yaml": {broken}})
	if status != 200 || strings.Contains(frag, "<html") {
		t.Fatalf("validate = %d, want a 200 fragment: %s", status, frag)
	}
	if !strings.Contains(frag, `data-valid="false"`) || !strings.Contains(frag, `data-line="3"`) || !strings.Contains(frag, "line 3") ||
		!strings.Contains(frag, "colour") {
		t.Errorf("the fragment does not name line 3 and the unknown field: %s", frag)
	}
	// A problem of meaning (an unknown kind) names the line of the input.
	bad := strings.Replace(src, "a: {kind: accounts}", "a: {kind: no_such_kind}", 1)
	want := 1 + strings.Count(src[:strings.Index(src, "a: {kind: accounts}")], "\n")
	_, frag = f.htmx(app.RoleReviewer, "/models/validate", url.Values{"yaml": {bad}})
	if !regexp.MustCompile(`data-line="` + regexp.QuoteMeta(itoa(want)) + `"[^>]*>line ` + itoa(want)).MatchString(frag) {
		t.Errorf("the unknown kind is not shown at line %d: %s", want, frag)
	}
	if _, frag = f.htmx(app.RoleReviewer, "/models/validate", url.Values{"yaml": {src}}); !strings.Contains(frag, `data-valid="true"`) {
		t.Errorf("the built-in model does not validate: %s", frag)
	}
	if status, _ := f.htmx(app.RoleLiaison, "/models/validate", url.Values{"yaml": {src}}); status != http.StatusForbidden {
		t.Errorf("a liaison (no model.read) validating = %d, want 403", status)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestTryingAModelShowsItsCluesAndStoresNothing(t *testing.T) {
	f := worldFixture(t)
	src := f.modelYAML("cards_at_many_banks")
	clues, runs := f.clueAndRunCount()
	status, frag := f.htmx(app.RoleAnalyst, "/models/try", url.Values{"yaml": {src}})
	if status != 200 || !strings.Contains(frag, `data-found="1"`) || strings.Count(frag, `data-testid="try-clue"`) != 1 {
		t.Fatalf("try = %d %s, want one clue", status, frag)
	}
	if strings.Contains(frag, secretID) || !strings.Contains(frag, "张三") {
		t.Errorf("the tried clue shows the resident ID in the clear or lacks the name: %s", frag)
	}
	// An edit that asks for more banks than anyone used finds nothing.
	stricter := strings.Replace(src, `default: "4"`, `default: "5"`, 1)
	if _, frag := f.htmx(app.RoleAnalyst, "/models/try", url.Values{"yaml": {stricter}}); !strings.Contains(frag, `data-found="0"`) {
		t.Errorf("the edited, unsaved model was not the one tried: %s", frag)
	}
	var res app.TryResult
	if status, b := f.call(app.RoleAnalyst, "POST", "/api/v1/models/try", map[string]any{"yaml": src, "limit": 5}, &res); status != 200 ||
		res.Found != 1 || len(res.Clues) != 1 || strings.Contains(string(b), secretID) {
		t.Errorf("API try = %d %s, want one masked clue", status, b)
	}
	if d := f.wantError(app.RoleAnalyst, "POST", "/api/v1/models/try", map[string]any{"yaml": "id: x\nversion: one\n"}, 400, "invalid"); d["problems"] == nil {
		t.Errorf("an invalid model's problems are not in details: %v", d)
	}
	f.wantError(app.RoleReviewer, "POST", "/api/v1/models/try", map[string]any{"yaml": src}, 403, "forbidden")
	if c, r := f.clueAndRunCount(); c != clues || r != runs {
		t.Errorf("trying stored something: clues %d → %d, runs %d → %d", clues, c, runs, r)
	}
}

func TestSavingAModelMakesANewVersionWithAnAuditEntry(t *testing.T) {
	f := newFixture(t)
	src := f.modelYAML("cards_at_many_banks")
	v2 := strings.Replace(src, "version: 1", "version: 2", 1)
	if status, frag := f.htmx(app.RoleReviewer, "/models/cards_at_many_banks/save", url.Values{"yaml": {v2}}); status != http.StatusForbidden {
		t.Fatalf("a reviewer saving = %d %s, want 403", status, frag)
	}
	// Saving without raising the version is refused at the version's line.
	status, frag := f.htmx(app.RoleAnalyst, "/models/cards_at_many_banks/save", url.Values{"yaml": {src}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(frag, `data-saved="false"`) || !strings.Contains(frag, `data-line="2"`) {
		t.Fatalf("saving version 1 again = %d %s, want a refusal at line 2", status, frag)
	}
	// The editor of one model does not save over another.
	other := strings.Replace(v2, "id: cards_at_many_banks", "id: pension_paid_during_custody", 1)
	if status, frag := f.htmx(app.RoleAnalyst, "/models/cards_at_many_banks/save", url.Values{"yaml": {other}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(frag, `data-line="1"`) {
		t.Fatalf("saving another model's id from this editor = %d %s, want a refusal at line 1", status, frag)
	}
	// An edit that breaks the fixture is not saved either.
	broken := strings.Replace(v2, `default: "4"`, `default: "5"`, 1)
	if status, frag := f.htmx(app.RoleAnalyst, "/models/cards_at_many_banks/save", url.Values{"yaml": {broken}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(frag, "fixture") {
		t.Fatalf("saving a model its fixture refutes = %d %s", status, frag)
	}
	status, frag = f.htmx(app.RoleAnalyst, "/models/cards_at_many_banks/save", url.Values{"yaml": {v2}})
	if status != 200 || !strings.Contains(frag, `data-saved="true"`) {
		t.Fatalf("saving version 2 = %d %s", status, frag)
	}
	var m struct {
		Version int    `json:"version"`
		Source  string `json:"source"`
	}
	if f.call(app.RoleReviewer, "GET", "/api/v1/models/cards_at_many_banks", nil, &m); m.Version != 2 || m.Source != "imported" {
		t.Errorf("after saving, the model is version %d from %s; want 2, stored in the workspace", m.Version, m.Source)
	}
	entries, err := f.app.AuditLog(app.WithPrincipal(context.Background(), app.Principal{Name: "u_auditor", Role: app.RoleAuditor}),
		app.AuditQuery{Action: "model.saved"})
	if err != nil || len(entries) != 1 || entries[0].Actor != "u_analyst" || entries[0].ObjectID != "cards_at_many_banks" {
		t.Fatalf("audit entries of the save = %+v, %v; want one by u_analyst", entries, err)
	}
	if !strings.Contains(string(entries[0].New), `"version":2`) || !strings.Contains(string(entries[0].Old), `"version":1`) {
		t.Errorf("the audit entry does not say 1 → 2: old %s new %s", entries[0].Old, entries[0].New)
	}
}

func TestRunningAModelFromItsPageEndsWithCluesInTheHistory(t *testing.T) {
	f := worldFixture(t)
	if status, _ := f.htmx(app.RoleReviewer, "/models/cards_at_many_banks/run", nil); status != http.StatusForbidden {
		t.Errorf("a reviewer running = %d, want 403", status)
	}
	status, frag := f.htmx(app.RoleAnalyst, "/models/cards_at_many_banks/run", nil)
	m := regexp.MustCompile(`data-job="([0-9a-f]+)"`).FindStringSubmatch(frag)
	if status != http.StatusAccepted || m == nil || !strings.Contains(frag, `data-testid="run-clues"`) {
		t.Fatalf("run = %d %s, want 202 and a job card", status, frag)
	}
	var res struct {
		Runs []struct {
			CluesFound int `json:"clues_found"`
			CluesNew   int `json:"clues_new"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(f.finish(app.RoleAnalyst, Job{ID: m[1]}), &res); err != nil || len(res.Runs) != 1 || res.Runs[0].CluesFound != 1 || res.Runs[0].CluesNew != 1 {
		t.Fatalf("the job's result = %+v, %v; want one run with one new clue", res, err)
	}
	status, page := f.pageEN(app.RoleReviewer, "/models/cards_at_many_banks")
	if status != 200 || !strings.Contains(page, `data-testid="run-history"`) || !strings.Contains(page, "u_analyst") {
		t.Fatalf("model page = %d, want the run in its history: %s", status, page)
	}
	// A reviewer sees the definition but none of the controls that change or run it.
	for _, id := range []string{"model-save", "model-run", "model-try"} {
		if strings.Contains(page, `data-testid="`+id+`"`) {
			t.Errorf("the reviewer's page offers %s", id)
		}
	}
	if !strings.Contains(page, `data-testid="model-editor"`) || !strings.Contains(page, `data-testid="model-validate"`) {
		t.Errorf("the reviewer's page lacks the editor or validate")
	}
}

func TestTheLibraryShowsNeedsLastRunsAndBacktestScores(t *testing.T) {
	f := worldFixture(t)
	f.runModel()
	dir := filepath.Join(f.app.Workspace(), "truth")
	os.MkdirAll(dir, 0o700)
	truth := `[{"type":"cards_at_many_banks","id_number":"` + secretID + `"},{"type":"cards_at_many_banks","id_number":"110105198001010016"}]`
	if err := os.WriteFile(filepath.Join(dir, "violations.json"), []byte(truth), 0o600); err != nil {
		t.Fatal(err)
	}
	if status, frag := f.htmx(app.RoleAnalyst, "/models/cards_at_many_banks/backtest", url.Values{"truth": {"../outside"}}); status != 400 {
		t.Errorf("a backtest reading outside the workspace = %d %s, want 400", status, frag)
	}
	status, frag := f.htmx(app.RoleAnalyst, "/models/cards_at_many_banks/backtest", url.Values{"truth": {"truth"}})
	if status != 200 || !strings.Contains(frag, `data-testid="backtest-result"`) || !strings.Contains(frag, "50%") {
		t.Fatalf("backtest from the page = %d %s, want recall 50%%", status, frag)
	}
	status, page := f.pageEN(app.RoleAuditor, "/models")
	if status != 200 || strings.Count(page, `data-testid="model-row"`) < 10 || strings.Contains(page, `data-testid="model-import"`) {
		t.Fatalf("library = %d, want every model as a row", status)
	}
	row := page[strings.Index(page, `data-model="cards_at_many_banks"`):]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{"accounts ✓", "1 clues found", "100%", "50%"} {
		if !strings.Contains(row, want) {
			t.Errorf("the library row of cards_at_many_banks lacks %q: %s", want, row)
		}
	}
	pension := page[strings.Index(page, `data-model="pension_paid_during_custody"`):]
	if pension = pension[:strings.Index(pension, "</tr>")]; !strings.Contains(pension, "✗") || !strings.Contains(pension, "never run") {
		t.Errorf("a model whose datasets are missing does not say so: %s", pension)
	}
	if status, _ := f.pageEN(app.RoleLiaison, "/models"); status != http.StatusForbidden {
		t.Errorf("a liaison's library = %d, want 403", status)
	}
}

func TestAModelExportedThenImportedRoundTrips(t *testing.T) {
	f := newFixture(t)
	status, pkg, h := f.do(app.RoleReviewer, "GET", "/api/v1/models/cards_at_many_banks/export", nil, "")
	if status != 200 || h.Get("Content-Type") != "application/zip" || !strings.Contains(h.Get("Content-Disposition"), "cards_at_many_banks.procura-model.zip") {
		t.Fatalf("export = %d %v", status, h)
	}
	f.wantError(app.RoleReviewer, "GET", "/api/v1/models/nope/export", nil, 404, "not_found")
	send := func(role string, pkg []byte) (int, []byte) {
		body, ct := multipartFile(t, "cards_at_many_banks.procura-model.zip", pkg)
		status, b, _ := f.do(role, "POST", "/api/v1/models/import", body, ct)
		return status, b
	}
	if status, b := send(app.RoleReviewer, pkg); status != http.StatusForbidden {
		t.Errorf("a reviewer importing = %d %s, want 403", status, b)
	}
	// A package whose model no longer finds its fixture's clues is refused, with the difference.
	if status, b := send(app.RoleAnalyst, rewriteModel(t, pkg, `default: "4"`, `default: "5"`)); status != http.StatusUnprocessableEntity ||
		errorCode(t, b) != "rejected" || !strings.Contains(string(b), `"passed":false`) {
		t.Errorf("importing a package its fixture refutes = %d %s, want 422 rejected", status, b)
	}
	// The library page imports a package too, and says what its fixture found.
	body, ct := multipartFile(t, "cards_at_many_banks.procura-model.zip", pkg)
	if status, page, _ := f.do(app.RoleAnalyst, "POST", "/models/import?lang=en", body, ct); status != 200 || !strings.Contains(string(page), `data-accepted="true"`) {
		t.Fatalf("import from the library page = %d %s", status, page)
	}
	status, b := send(app.RoleAnalyst, pkg)
	var res app.ModelImport
	if json.Unmarshal(b, &res); status != http.StatusCreated || !res.Accepted || res.ID != "cards_at_many_banks" || !res.Fixture.Passed {
		t.Fatalf("import = %d %s", status, b)
	}
	// The imported model exports byte for byte as it was exported.
	if _, again, _ := f.do(app.RoleReviewer, "GET", "/api/v1/models/cards_at_many_banks/export", nil, ""); !bytes.Equal(again, pkg) {
		t.Errorf("the imported model exports differently (%d bytes, was %d)", len(again), len(pkg))
	}
}

// rewriteModel replaces old with new in the model.yaml of a package.
func rewriteModel(t *testing.T, pkg []byte, old, new string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if zf.Name == "model.yaml" {
			b = []byte(strings.Replace(string(b), old, new, 1))
		}
		w, _ := zw.Create(zf.Name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

func TestTheDashboardShowsOnlyThePanelsTheRoleMayRead(t *testing.T) {
	f := worldFixture(t)
	clues := f.runModel()
	// A clue due yesterday leads the deadlines, marked overdue.
	if status, b := f.call(app.RoleProsecutor, "POST", "/api/v1/clues/assign", map[string]any{
		"clues": []map[string]any{{"id": clues[0].ID}}, "assignee": "u_analyst", "due": "2020-01-31"}, nil); status != 200 {
		t.Fatalf("assign = %d %s", status, b)
	}
	status, page := f.pageEN(app.RoleAnalyst, "/")
	if status != 200 {
		t.Fatalf("dashboard = %d", status)
	}
	for _, id := range []string{"dash-clues-by-model", "dash-cases", "dash-deadlines"} {
		if !strings.Contains(page, `data-testid="`+id+`"`) {
			t.Errorf("the analyst's dashboard lacks %s", id)
		}
	}
	panel := page[strings.Index(page, `data-testid="dash-clues-by-model"`):]
	panel = panel[:strings.Index(panel, "</section>")]
	if !strings.Contains(panel, `data-chart="hbar"`) || !strings.Contains(panel, "[1]") {
		t.Errorf("the new-clues chart does not count the one clue: %s", panel)
	}
	deadlines := page[strings.Index(page, `data-testid="dash-deadlines"`):]
	deadlines = deadlines[:strings.Index(deadlines, "</section>")]
	if !strings.Contains(deadlines, "2020-01-31") || !strings.Contains(deadlines, "overdue") || !strings.Contains(deadlines, "/clues/"+itoa(int(clues[0].ID))) {
		t.Errorf("the deadlines panel does not list the overdue clue: %s", deadlines)
	}
	// A liaison reads cases but not clues.
	_, page = f.pageEN(app.RoleLiaison, "/")
	if strings.Contains(page, "dash-clues-by-model") || strings.Contains(page, "dash-deadlines") || !strings.Contains(page, "dash-cases") {
		t.Errorf("the liaison's dashboard shows the wrong panels")
	}
}

// multipartFile is a multipart body with one file part named "file".
func multipartFile(t *testing.T, name string, content []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return &buf, mw.FormDataContentType()
}
