package server

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"procura/internal/app"
)

// form posts url-encoded values as role and returns status and page.
func (f *fixture) form(role, path string, v url.Values) (int, string) {
	f.t.Helper()
	status, body, _ := f.post(role, path, v)
	return status, body
}

func TestTheScreeningPageFindsAPersonAndSaysWhy(t *testing.T) {
	f := worldFixture(t)
	if status, _ := f.page(app.RoleAuditor, "/screen"); status != http.StatusForbidden {
		t.Errorf("auditor opens /screen = %d, want 403", status)
	}
	// A list file in the workspace's lists folder is offered beside the workspace's persons.
	os.MkdirAll(filepath.Join(f.app.Workspace(), "lists"), 0o700)
	os.WriteFile(filepath.Join(f.app.Workspace(), "lists", "watch.csv"), []byte("id,name,id_number\nW1,Osama Bin Laden,J287011\n"), 0o600)
	status, page := f.page(app.RoleLiaison, "/screen?lang=en")
	if status != 200 || !strings.Contains(page, `data-testid="screen-form"`) || !strings.Contains(page, `value="workspace"`) ||
		!strings.Contains(page, `value="csv:lists/watch.csv"`) {
		t.Fatalf("screen page = %d %s", status, page)
	}
	status, page = f.form(app.RoleLiaison, "/screen?lang=en", url.Values{"name": {"BIN LADEN, Osama"}, "id_number": {"J-287011"}, "list": {"csv:lists/watch.csv"}})
	if status != 200 || strings.Count(page, `data-testid="screen-match"`) != 2 || !strings.Contains(page, "identifier") || strings.Contains(page, f.app.Workspace()) {
		t.Fatalf("screening against the CSV list = %d %s", status, page)
	}
	status, page = f.form(app.RoleLiaison, "/screen?lang=en", url.Values{"name": {"Zhang San"}, "list": {"workspace"}})
	if status != 200 || !strings.Contains(page, `data-testid="screen-results"`) || !strings.Contains(page, `data-testid="screen-match"`) {
		t.Fatalf("screening 张三 in pinyin = %d %s", status, page)
	}
	// The explanation pairs the words screened with the words listed.
	if !regexp.MustCompile(`class="explanation">[^<]*=`).MatchString(page) {
		t.Errorf("explanation column lacks word pairs: %s", page)
	}
	// Settings: keeping only vessels drops the person; a minimum score must be a number.
	status, page = f.form(app.RoleLiaison, "/screen?lang=en", url.Values{"name": {"Zhang San"}, "list": {"workspace"}, "type": {"vessel"}})
	if status != 200 || strings.Contains(page, `data-testid="screen-match"`) || !strings.Contains(page, "No match") {
		t.Errorf("screening for vessels only = %d, want no match", status)
	}
	if status, page := f.form(app.RoleLiaison, "/screen?lang=en", url.Values{"name": {"Zhang San"}, "list": {"workspace"}, "min_score": {"high"}}); status != http.StatusBadRequest ||
		!strings.Contains(page, "not a number") {
		t.Errorf("a minimum score that is not a number = %d", status)
	}
	status, page = f.form(app.RoleLiaison, "/screen?lang=en", url.Values{"name": {"Nobody Atall"}, "list": {"lists/../../etc"}})
	if status != http.StatusBadRequest || !strings.Contains(page, "not one of this workspace") {
		t.Errorf("a list outside the workspace's = %d, want 400 naming it", status)
	}

	// A batch: a CSV with a name column; the result downloads as CSV.
	names := filepath.Join(t.TempDir(), "names.csv")
	os.WriteFile(names, []byte("name,id_number\n李四,\nNobody Known,\n"), 0o600)
	body, ct := uploadBody(t, names, map[string]string{"list.0": "workspace"})
	status, b, _ := f.do(app.RoleAnalyst, "POST", "/screen/batch?lang=en", body, ct)
	page = string(b)
	m := regexp.MustCompile(`href="(/screen/results/[0-9a-f]+)"`).FindStringSubmatch(page)
	if status != 200 || m == nil || strings.Count(page, `data-testid="screen-match"`) != 1 || !strings.Contains(page, "No match") {
		t.Fatalf("batch screening = %d %s", status, page)
	}
	if status, _, _ := f.do(app.RoleLiaison, "GET", m[1], nil, ""); status != http.StatusNotFound {
		t.Errorf("another user downloads the batch result = %d, want 404", status)
	}
	status, b, h := f.do(app.RoleAnalyst, "GET", m[1], nil, "")
	if status != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || !bytes.Contains(b, []byte("李四")) ||
		!bytes.HasPrefix(b, []byte("query,list_id,name,primary_name,type,score,explanation\n")) {
		t.Errorf("batch CSV = %d %s", status, b)
	}
}

func TestTheAuditPageIsForAuditorsMasksIdentifiersAndVerifiesTheChain(t *testing.T) {
	f := worldFixture(t)
	// A screening by ID number puts the number into the audit log.
	if status, page := f.form(app.RoleAnalyst, "/screen", url.Values{"name": {"张三"}, "id_number": {secretID}, "list": {"workspace"}}); status != 200 {
		t.Fatalf("screen = %d %s", status, page)
	}
	if status, _ := f.page(app.RoleProsecutor, "/audit"); status != http.StatusForbidden {
		t.Errorf("prosecutor opens /audit = %d, want 403", status)
	}
	status, page := f.page(app.RoleAuditor, "/audit?lang=en&action=screening")
	if status != 200 || strings.Count(page, `data-testid="audit-row"`) != 1 || !strings.Contains(page, `data-testid="audit-filter"`) {
		t.Fatalf("audit page filtered on screening = %d %s", status, page)
	}
	if strings.Contains(page, secretID) {
		t.Error("the auditor sees an ID number in the audit log")
	}
	if status, page := f.page(app.RoleAuditor, "/audit?since=yesterday"); status != http.StatusBadRequest || !strings.Contains(page, "since") {
		t.Errorf("a bad time = %d, want 400 naming since", status)
	}
	status, b, _ := f.do(app.RoleAuditor, "GET", "/audit/export?action=screening", nil, "")
	if status != 200 || bytes.Contains(b, []byte(secretID)) || bytes.Count(b, []byte("\n")) != 2 {
		t.Errorf("audit export = %d %s", status, b)
	}
	status, page = f.form(app.RoleAuditor, "/audit/verify?lang=en", nil)
	if status != 200 || !strings.Contains(page, `data-ok="true"`) || !strings.Contains(page, "The chain holds") {
		t.Errorf("verify = %d %s", status, page)
	}
	// The export was recorded; paging shows the newest first and links older entries.
	status, page = f.page(app.RoleAdmin, "/audit?lang=en")
	if status != 200 || !strings.Contains(page, "audit_log.exported") {
		t.Errorf("the export is not in the log: %s", page)
	}
}

func TestTheAdminAddsAUserWhoLogsInAndGrantsACase(t *testing.T) {
	f := newFixture(t)
	if status, _ := f.page(app.RoleProsecutor, "/users"); status != http.StatusForbidden {
		t.Errorf("prosecutor opens /users = %d, want 403", status)
	}
	status, page := f.page(app.RoleAdmin, "/users?lang=en")
	if status != 200 || strings.Count(page, `data-testid="user-row"`) < len(app.Roles) || !strings.Contains(page, `data-testid="user-create"`) {
		t.Fatalf("users page = %d %s", status, page)
	}
	status, page = f.form(app.RoleAdmin, "/users?lang=en", url.Values{"name": {"Bad Name"}, "role": {app.RoleAnalyst}})
	if status != http.StatusBadRequest || !strings.Contains(page, "is not allowed") {
		t.Errorf("bad user name = %d, want 400 shown in place", status)
	}
	status, page = f.form(app.RoleAdmin, "/users?lang=en", url.Values{"name": {"newbie"}, "role": {app.RoleAnalyst}})
	m := regexp.MustCompile(`data-testid="user-password">([^<]+)<`).FindStringSubmatch(page)
	if status != 200 || m == nil {
		t.Fatalf("create user = %d %s", status, page)
	}
	var sess struct {
		User string `json:"user"`
	}
	if status, b := f.call("", "POST", "/api/v1/login", map[string]string{"name": "newbie", "password": m[1]}, &sess); status != 200 || sess.User != "newbie" {
		t.Fatalf("the new user logs in = %d %s", status, b)
	}
	if status, page := f.page(app.RoleAdmin, "/users/newbie?lang=en"); status != 200 || !strings.Contains(page, `data-testid="token-row"`) {
		t.Errorf("the new user's page lacks the session: %d %s", status, page)
	}
	_, page = f.page(app.RoleAdmin, "/users?lang=en")
	if row := regexp.MustCompile(`data-user="newbie">.*?</tr>`).FindString(page); row == "" || strings.Contains(row, "never") || !strings.Contains(row, "must change the password") {
		t.Errorf("the new user's row shows no login or no pending password change: %q", row)
	}

	// Need-to-know: the prosecutor sees the case only after the grant.
	if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C-9", Title: "洗钱"}, nil); status != http.StatusCreated {
		t.Fatalf("create case = %d %s", status, b)
	}
	f.wantError(app.RoleProsecutor, "GET", "/api/v1/cases/C-9", nil, http.StatusForbidden, "forbidden")
	status, page = f.form(app.RoleAdmin, "/users/u_prosecutor/grants?lang=en", url.Values{"case": {"C-9"}})
	if status != 200 || !strings.Contains(page, `data-testid="grant-row"`) || !strings.Contains(page, "may now see the case") {
		t.Fatalf("grant = %d %s", status, page)
	}
	if status, b := f.call(app.RoleProsecutor, "GET", "/api/v1/cases/C-9", nil, nil); status != 200 {
		t.Errorf("prosecutor after the grant = %d %s", status, b)
	}
	status, page = f.form(app.RoleAdmin, "/users/u_prosecutor/grants/revoke?lang=en", url.Values{"case": {"C-9"}})
	if status != 200 {
		t.Fatalf("revoke = %d %s", status, page)
	}
	f.wantError(app.RoleProsecutor, "GET", "/api/v1/cases/C-9", nil, http.StatusForbidden, "forbidden")

	// Disabling ends the user's access at once; each change is in the audit log.
	if status, page := f.form(app.RoleAdmin, "/users/u_analyst/enabled", url.Values{"enabled": {"0"}}); status != 200 {
		t.Fatalf("disable = %d %s", status, page)
	}
	if status, _ := f.page(app.RoleAnalyst, "/api/v1/me"); status != http.StatusUnauthorized {
		t.Errorf("a disabled user's token = %d, want 401", status)
	}
	_, page = f.page(app.RoleAuditor, "/audit?lang=en")
	for _, action := range []string{"user.added", "case.granted", "case.revoked", "user.disabled"} {
		if !strings.Contains(page, action) {
			t.Errorf("the audit log lacks %s", action)
		}
	}
}

func TestTheAuditPagePagesBackAndForthBySeq(t *testing.T) {
	f := newFixture(t)
	ctx := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	for i := 0; i < auditPageSize+5; i++ {
		if err := f.app.GrantCase(ctx, "u_analyst", fmt.Sprintf("C-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(page string) []int {
		var out []int
		for _, m := range regexp.MustCompile(`data-testid="audit-row" data-seq="(\d+)"`).FindAllStringSubmatch(page, -1) {
			n, _ := strconv.Atoi(m[1])
			out = append(out, n)
		}
		return out
	}
	status, first := f.page(app.RoleAuditor, "/audit?action=case.granted")
	older := regexp.MustCompile(`href="(/audit\?[^"]*before=\d+[^"]*)"`).FindStringSubmatch(first)
	if status != 200 || len(seqs(first)) != auditPageSize || older == nil || strings.Contains(first, `data-testid="audit-newer"`) {
		t.Fatalf("first page = %d, %d rows, older link %v", status, len(seqs(first)), older)
	}
	status, second := f.page(app.RoleAuditor, html.UnescapeString(older[1]))
	newer := regexp.MustCompile(`href="(/audit\?[^"]*after=\d+[^"]*)"`).FindStringSubmatch(second)
	if status != 200 || len(seqs(second)) != 5 || newer == nil || strings.Contains(second, `data-testid="audit-older"`) {
		t.Fatalf("second page = %d, rows %v, newer link %v", status, seqs(second), newer)
	}
	if a, b := seqs(first), seqs(second); a[len(a)-1] <= b[0] {
		t.Errorf("the older page overlaps the first: %v then %v", a, b)
	}
	if status, _ := f.page(app.RoleAuditor, "/audit?before=x"); status != http.StatusBadRequest {
		t.Errorf("a cursor that is not a number = %d, want 400", status)
	}
	_, back := f.page(app.RoleAuditor, html.UnescapeString(newer[1]))
	if got := seqs(back); len(got) != auditPageSize || got[0] != seqs(first)[0] {
		t.Errorf("newer from the second page = %v, want the first page again", got)
	}
}
