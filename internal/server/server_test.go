package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"procura/internal/app"
)

var cheapHash = &app.HashParams{Time: 1, MemoryKiB: 1024, Threads: 1}

// fixture is a served workspace with one user per role, each logged in through the API.
type fixture struct {
	t      *testing.T
	srv    *httptest.Server
	app    *app.App
	s      *Server
	tokens map[string]string // role → bearer token
}

const testPassword = "a long test passphrase"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	c := app.Config{Workspace: filepath.Join(t.TempDir(), "ws"), Actor: "tester", HashParams: cheapHash}
	if _, err := app.Init(ctx, c); err != nil {
		t.Fatal(err)
	}
	local, err := app.Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, tokens: map[string]string{}}
	for _, role := range app.Roles {
		if _, err := local.AddUser(ctx, app.NewUser{Name: "u_" + role, Role: role, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		tok, err := local.CreateTokenFor(ctx, "u_"+role, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok.Secret
	}
	// The example file has 4 rejects among 44 rows.
	if _, err := local.Import(ctx, app.ImportRequest{Path: "../../docs/examples/bank-statement-cn.csv", Dataset: "bank_tx", Profile: "cn-bank-inquiry"}); err != nil {
		t.Fatal(err)
	}
	local.Close()
	c.RequireLogin = true
	f.app, err = app.Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(f.app, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		f.srv.Close()
		s.jobs.cancelAll()
		s.jobs.wait(context.Background())
		f.app.Close()
	})
	return f
}

// do sends a request as role ("" = nobody) and returns status and body.
func (f *fixture) do(role, method, path string, body io.Reader, contentType string) (int, []byte, http.Header) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func errorCode(t *testing.T, b []byte) string {
	t.Helper()
	var e struct {
		Error apiErr `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error body %s is not {\"error\":{\"code\",\"message\"}}", b)
	}
	return e.Error.Code
}

func uploadBody(t *testing.T, path string, fields map[string]string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if path != "" {
		fw, _ := mw.CreateFormFile("file", filepath.Base(path))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(b)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

const example = "../../docs/examples/bank-statement-cn.csv"

func TestEveryAPIRouteAnswersEachRoleAsThePermissionTableSays(t *testing.T) {
	f := newFixture(t)
	allowed := func(act app.Action) map[string]bool {
		m := map[string]bool{}
		for _, r := range app.Roles {
			m[r] = app.Allowed(r, act)
		}
		return m
	}
	cases := []struct {
		name, method, path string
		body               func() (io.Reader, string)
		act                app.Action
		okStatus           int
	}{
		{"datasets", "GET", "/api/v1/datasets", nil, app.ActDatasetRead, 200},
		{"rejects", "GET", "/api/v1/datasets/bank_tx/rejects?limit=2", nil, app.ActDatasetRead, 200},
		{"users", "GET", "/api/v1/users", nil, app.ActUserManage, 200},
		{"dry-run", "POST", "/api/v1/imports/dry-run", func() (io.Reader, string) {
			return uploadBody(t, example, map[string]string{"profile": "cn-bank-inquiry"})
		}, app.ActDatasetImport, 200},
		{"tokens", "GET", "/api/v1/me/tokens", nil, app.ActUserSelf, 200},
		{"models", "GET", "/api/v1/models", nil, app.ActModelRead, 200},
		{"clues", "GET", "/api/v1/clues?limit=5", nil, app.ActClueRead, 200},
		{"cases", "GET", "/api/v1/cases", nil, app.ActCaseRead, 200},
		{"audit", "GET", "/api/v1/audit?newest=1&limit=5", nil, app.ActAuditRead, 200},
		{"graph rank", "GET", "/api/v1/graph/rank?datasets=bank_tx&top=3", nil, app.ActGraphRead, 200},
		{"graph export", "GET", "/api/v1/graph/export?datasets=bank_tx&format=json", nil, app.ActExport, 200},
		{"screen", "POST", "/api/v1/screen", func() (io.Reader, string) {
			return strings.NewReader(`{"queries":["张三"]}`), "application/json"
		}, app.ActScreeningRun, 200},
		{"transfer matches", "POST", "/api/v1/transfer-matches", func() (io.Reader, string) {
			return strings.NewReader(`{"out":"bank_tx","in":"bank_tx"}`), "application/json"
		}, app.ActTraceRun, 200},
		{"audit verify", "POST", "/api/v1/audit/verify", nil, app.ActAuditVerify, 200},
	}
	for _, tc := range cases {
		for role, ok := range allowed(tc.act) {
			t.Run(tc.name+"/"+role, func(t *testing.T) {
				var body io.Reader
				ct := ""
				if tc.body != nil {
					body, ct = tc.body()
				}
				status, b, _ := f.do(role, tc.method, tc.path, body, ct)
				if ok && status != tc.okStatus {
					t.Errorf("%s as %s = %d %s, want %d", tc.path, role, status, b, tc.okStatus)
				}
				if !ok && (status != http.StatusForbidden || errorCode(t, b) != "forbidden") {
					t.Errorf("%s as %s = %d %s, want 403 forbidden", tc.path, role, status, b)
				}
			})
		}
		t.Run(tc.name+"/anonymous", func(t *testing.T) {
			var body io.Reader
			ct := ""
			if tc.body != nil {
				body, ct = tc.body()
			}
			status, b, _ := f.do("", tc.method, tc.path, body, ct)
			if status != http.StatusUnauthorized || errorCode(t, b) != "unauthenticated" {
				t.Errorf("%s without login = %d %s, want 401", tc.path, status, b)
			}
		})
	}
}

func TestRejectsArePagedAndBadParametersAreNamed(t *testing.T) {
	f := newFixture(t)
	var pages []int
	for off := 0; off < 6; off += 3 {
		status, b, _ := f.do(app.RoleReviewer, "GET", "/api/v1/datasets/bank_tx/rejects?limit=3&offset="+strconv.Itoa(off), nil, "")
		if status != 200 {
			t.Fatalf("page at %d = %d %s", off, status, b)
		}
		var pg app.RejectPage
		json.Unmarshal(b, &pg)
		if pg.Total != 4 || pg.Offset != off {
			t.Errorf("page at %d: total %d offset %d", off, pg.Total, pg.Offset)
		}
		pages = append(pages, len(pg.Rejects))
	}
	if pages[0] != 3 || pages[1] != 1 {
		t.Errorf("page sizes = %v, want [3 1]", pages)
	}
	for _, q := range []string{"limit=0", "limit=abc", "offset=-1", "limit=5000", "batch=x"} {
		status, b, _ := f.do(app.RoleReviewer, "GET", "/api/v1/datasets/bank_tx/rejects?"+q, nil, "")
		if status != 400 || errorCode(t, b) != "invalid" || !strings.Contains(string(b), "details") {
			t.Errorf("?%s = %d %s, want 400 invalid with details", q, status, b)
		}
	}
	if status, b, _ := f.do(app.RoleReviewer, "GET", "/api/v1/datasets/nope/rejects", nil, ""); status != 404 || errorCode(t, b) != "not_found" {
		t.Errorf("rejects of a missing dataset = %d %s, want 404", status, b)
	}
}

func TestRejectsDownloadAsCSVForWhoMayExportAndTheExportIsAudited(t *testing.T) {
	f := newFixture(t)
	status, b, h := f.do(app.RoleProsecutor, "GET", "/api/v1/datasets/bank_tx/rejects?format=csv", nil, "")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "bank_tx-rejects.csv") {
		t.Fatalf("download = %d %v %s", status, h, b)
	}
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Errorf("the CSV has no byte-order mark, so Excel would garble its Chinese")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || strings.Join(recs[0], ",") != "batch_id,file,line,column_no,column,code,reason,raw" {
		t.Fatalf("the download holds %d records (want the header and the 4 rejects): %v", len(recs), recs)
	}
	for _, rec := range recs[1:] {
		if rec[2] == "" || rec[5] == "" || rec[6] == "" {
			t.Errorf("a reject lacks its line, code or reason: %v", rec)
		}
	}
	entries, err := f.app.AuditLog(app.WithPrincipal(context.Background(), app.Principal{Name: "u_auditor", Role: app.RoleAuditor}), app.AuditQuery{Action: "rejects.exported"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit entries of the download = %d, %v; want 1", len(entries), err)
	}
	if status, b, _ := f.do(app.RoleReviewer, "GET", "/api/v1/datasets/bank_tx/rejects?format=csv", nil, ""); status != http.StatusForbidden || errorCode(t, b) != "forbidden" {
		t.Errorf("a reviewer (no export right) downloading = %d %s, want 403", status, b)
	}
	if status, b, _ := f.do(app.RoleProsecutor, "GET", "/api/v1/datasets/bank_tx/rejects?format=xml", nil, ""); status != 400 || !strings.Contains(string(b), "format") {
		t.Errorf("format=xml = %d %s, want 400 naming format", status, b)
	}
}

func TestAnImportUploadRunsAsAJobWhoseEventsEndWithTheResult(t *testing.T) {
	f := newFixture(t)
	body, ct := uploadBody(t, example, map[string]string{"dataset": "web_tx", "profile": "cn-bank-inquiry"})
	status, b, _ := f.do(app.RoleAnalyst, "POST", "/api/v1/imports", body, ct)
	if status != http.StatusAccepted {
		t.Fatalf("import = %d %s", status, b)
	}
	var job Job
	json.Unmarshal(b, &job)
	if job.ID == "" || job.Owner != "u_analyst" {
		t.Fatalf("job = %+v", job)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/jobs/"+job.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[app.RoleAnalyst])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events content type %q", ct)
	}
	var last Job
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			json.Unmarshal([]byte(d), &last)
		}
	}
	if last.Status != jobDone {
		t.Fatalf("last event = %+v, want done", last)
	}
	res, _ := json.Marshal(last.Result)
	if !strings.Contains(string(res), `"rows_imported":40`) || !strings.Contains(string(res), `"importer"`) && !strings.Contains(string(res), `"rows_rejected":4`) {
		t.Errorf("result = %s, want 40 imported and 4 rejected", res)
	}
	// Another user does not see the job; an admin does.
	if status, _, _ := f.do(app.RoleProsecutor, "GET", "/api/v1/jobs/"+job.ID, nil, ""); status != 404 {
		t.Errorf("another user's job = %d, want 404", status)
	}
	if status, _, _ := f.do(app.RoleAdmin, "GET", "/api/v1/jobs/"+job.ID, nil, ""); status != 200 {
		t.Errorf("admin reading a job = %d, want 200", status)
	}
	if status, b, _ := f.do(app.RoleAnalyst, "DELETE", "/api/v1/jobs/"+job.ID, nil, ""); status != 409 {
		t.Errorf("cancelling a finished job = %d %s, want 409", status, b)
	}
}

func TestImportValidationNamesTheBadFields(t *testing.T) {
	f := newFixture(t)
	body, ct := uploadBody(t, example, map[string]string{"dataset": "Bad Name", "map": "nonsense"})
	status, b, _ := f.do(app.RoleAnalyst, "POST", "/api/v1/imports", body, ct)
	if status != 400 || !strings.Contains(string(b), `"dataset"`) || !strings.Contains(string(b), `"map"`) {
		t.Errorf("bad import = %d %s, want 400 naming dataset and map", status, b)
	}
	body, ct = uploadBody(t, "", map[string]string{"dataset": "x"})
	if status, b, _ := f.do(app.RoleAnalyst, "POST", "/api/v1/imports", body, ct); status != 400 || !strings.Contains(string(b), "file") {
		t.Errorf("import without a file = %d %s", status, b)
	}
	if status, _, _ := f.do(app.RoleAnalyst, "POST", "/api/v1/imports", strings.NewReader("{}"), "application/json"); status != 400 {
		t.Errorf("import as JSON = %d, want 400", status)
	}
	// An auditor is refused before anything is uploaded or started.
	body, ct = uploadBody(t, example, map[string]string{"dataset": "audit_tx"})
	if status, b, _ := f.do(app.RoleAuditor, "POST", "/api/v1/imports", body, ct); status != http.StatusForbidden || errorCode(t, b) != "forbidden" {
		t.Errorf("auditor import = %d %s, want 403", status, b)
	}
	for _, role := range []string{app.RoleAuditor, app.RoleReviewer} {
		if status, _, _ := f.do(role, "POST", "/api/v1/synth", strings.NewReader(`{"name":"w"}`), "application/json"); status != http.StatusForbidden {
			t.Errorf("synth as %s = %d, want 403", role, status)
		}
	}
	if status, b, _ := f.do(app.RoleAnalyst, "POST", "/api/v1/synth", strings.NewReader(`{"name":"Bad Name"}`), "application/json"); status != 400 || errorCode(t, b) != "invalid" {
		t.Errorf("synth with a bad name = %d %s, want 400", status, b)
	}
}

func TestLoginSetsAnHttpOnlyCookieAndCookieRequestsNeedTheCSRFToken(t *testing.T) {
	f := newFixture(t)
	status, b, h := f.do("", "POST", "/api/v1/login", strings.NewReader(`{"name":"u_analyst","password":"`+testPassword+`"}`), "application/json")
	if status != 200 {
		t.Fatalf("login = %d %s", status, b)
	}
	cookie := h.Get("Set-Cookie")
	for _, want := range []string{sessionCookie + "=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(b, &login)
	session := strings.SplitN(strings.SplitN(cookie, ";", 2)[0], "=", 2)[1]
	send := func(csrf string) int {
		req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/me/tokens", strings.NewReader(`{"label":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := send(""); got != http.StatusForbidden {
		t.Errorf("cookie POST without CSRF token = %d, want 403", got)
	}
	if got := send("forged"); got != http.StatusForbidden {
		t.Errorf("cookie POST with a forged token = %d, want 403", got)
	}
	if got := send(login.CSRF); got != http.StatusCreated {
		t.Errorf("cookie POST with the token = %d, want 201", got)
	}
}

func TestAPILoginIsThrottledWithRetryAfter(t *testing.T) {
	f := newFixture(t)
	var status int
	var h http.Header
	var b []byte
	for range 6 {
		status, b, h = f.do("", "POST", "/api/v1/login", strings.NewReader(`{"name":"u_admin","password":"wrong"}`), "application/json")
	}
	if status != http.StatusTooManyRequests || errorCode(t, b) != "throttled" || h.Get("Retry-After") == "" {
		t.Errorf("sixth failed login = %d %s Retry-After %q, want 429 with Retry-After", status, b, h.Get("Retry-After"))
	}
	if status, b, _ := f.do("", "POST", "/api/v1/login", strings.NewReader(`{"name":1}`), "application/json"); status != 400 {
		t.Errorf("malformed login = %d %s, want 400", status, b)
	}
}

func TestRevokedTokensAreRefused(t *testing.T) {
	f := newFixture(t)
	status, b, _ := f.do(app.RoleReviewer, "GET", "/api/v1/me/tokens", nil, "")
	if status != 200 {
		t.Fatalf("tokens = %d %s", status, b)
	}
	var list struct {
		Credentials []struct{ ID string } `json:"credentials"`
	}
	json.Unmarshal(b, &list)
	if len(list.Credentials) != 1 {
		t.Fatalf("credentials = %s", b)
	}
	if status, b, _ := f.do(app.RoleReviewer, "DELETE", "/api/v1/me/tokens/"+list.Credentials[0].ID, nil, ""); status != 204 {
		t.Fatalf("revoke = %d %s", status, b)
	}
	if status, b, _ := f.do(app.RoleReviewer, "GET", "/api/v1/me", nil, ""); status != 401 || !strings.Contains(string(b), "revoked") {
		t.Errorf("revoked token = %d %s, want 401 saying revoked", status, b)
	}
}

func TestResponsesCarryTheSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/login", "/api/v1/openapi.json", "/static/app.js"} {
		status, _, h := f.do("", "GET", path, nil, "")
		if status != 200 {
			t.Errorf("%s = %d", path, status)
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
			t.Errorf("%s CSP = %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s lacks nosniff or frame denial: %v", path, h)
		}
	}
}

func TestPagesRedirectVisitorsToLoginAndRenderForUsersInBothLanguages(t *testing.T) {
	f := newFixture(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(f.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("dashboard without login = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, tc := range []struct{ path, lang, want string }{
		{"/?lang=en", "en", "Recent imports"},
		{"/?lang=zh", "zh", "最近导入"},
		{"/datasets?lang=en", "en", "bank_tx"},
		{"/datasets/bank_tx/rejects?limit=2&lang=en", "en", "Next"},
		{"/import?lang=zh", "zh", "导入文件"},
		{"/jobs?lang=en", "en", "No jobs."},
	} {
		req, _ := http.NewRequest("GET", f.srv.URL+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens[app.RoleProsecutor])
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), tc.want) || !strings.Contains(string(b), `lang="`+tc.lang+`"`) {
			t.Errorf("%s = %d, want %q in %s", tc.path, resp.StatusCode, tc.want, tc.lang)
		}
		if strings.Contains(string(b), "<script>") || strings.Contains(string(b), "https://") {
			t.Errorf("%s has an inline script or another origin", tc.path)
		}
	}
}

func TestTheLoginFormNeedsItsCookieAndLogsIn(t *testing.T) {
	f := newFixture(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(f.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var pre *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == loginCookie {
			pre = c
		}
	}
	if pre == nil || !strings.Contains(string(b), pre.Value) {
		t.Fatal("the login page set no double-submit token")
	}
	post := func(withCookie bool) *http.Response {
		form := "csrf=" + pre.Value + "&name=u_admin&password=" + strings.ReplaceAll(testPassword, " ", "+")
		req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withCookie {
			req.AddCookie(pre)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post(false); r.StatusCode != http.StatusForbidden {
		t.Errorf("login form without its cookie = %d, want 403", r.StatusCode)
	}
	if r := post(true); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Errorf("login form = %d → %s, want 303 → /", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestTheMessageCataloguesHaveTheSameKeysAndEveryTemplateKeyIsInThem(t *testing.T) {
	u, err := newUI()
	if err != nil {
		t.Fatal(err)
	}
	for k := range u.messages["en"] {
		if _, ok := u.messages["zh"][k]; !ok {
			t.Errorf("zh lacks %s", k)
		}
	}
	for k := range u.messages["zh"] {
		if _, ok := u.messages["en"][k]; !ok {
			t.Errorf("en lacks %s", k)
		}
	}
	// Templates write {{t "key"}}; the pages' scripts write procura.t("key").
	files, _ := filepath.Glob("web/templates/*.html")
	scripts, _ := filepath.Glob("web/static/*.js")
	more, _ := filepath.Glob("web/static/js/*.js")
	for _, file := range append(append(files, scripts...), more...) {
		b, _ := os.ReadFile(file)
		for _, m := range regexp.MustCompile(`(?:\{\{t |procura\.t\()"([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
			if _, ok := u.messages["en"][m[1]]; !ok {
				t.Errorf("%s uses %q, which the catalogue lacks", file, m[1])
			}
		}
	}
	for _, st := range []string{jobRunning, jobDone, jobFailed, jobCancelled} {
		if _, ok := u.messages["en"]["job."+st]; !ok {
			t.Errorf("no message for job status %s", st)
		}
	}
}
