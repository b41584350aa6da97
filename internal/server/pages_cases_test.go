package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"procura/internal/app"
)

// casesGet GETs a page as role (English) and returns status and HTML.
func (f *fixture) casesGet(role, path string) (int, string) {
	f.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	status, b, _ := f.do(role, "GET", path+sep+"lang=en", nil, "")
	return status, string(b)
}

// casesPost posts a form as role; redirects are followed, so a success ends on the page it names.
func (f *fixture) casesPost(role, path string, form url.Values) (int, string) {
	f.t.Helper()
	status, b, _ := f.do(role, "POST", path+"?lang=en", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	return status, string(b)
}

func casesCount(html, testid string) int {
	return strings.Count(html, `data-testid="`+testid+`"`)
}

func TestTheCaseWorkspaceShowsEachRoleWhatItMaySee(t *testing.T) {
	f := worldFixture(t)
	c := f.runModel()[0]
	f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C-1", Title: "电诈团伙", Clues: []int64{c.ID}}, nil)
	f.call(app.RoleAdmin, "POST", "/api/v1/cases/C-1/links", map[string]any{"accounts": []string{"6222021234567890"},
		"parties": []app.Party{{Key: secretID, Name: "张三", Role: "suspect"}}}, nil)

	// Need-to-know: without a grant the prosecutor neither lists nor opens the case.
	if status, html := f.casesGet(app.RoleProsecutor, "/cases"); status != 200 || casesCount(html, "case-row") != 0 || casesCount(html, "new-case-form") != 1 {
		t.Fatalf("case list of a prosecutor without grant = %d, %d rows", status, casesCount(html, "case-row"))
	}
	if status, _ := f.casesGet(app.RoleProsecutor, "/cases/C-1"); status != http.StatusForbidden {
		t.Fatalf("workspace without a grant = %d, want 403", status)
	}
	f.casesGrant("u_prosecutor", "C-1")
	status, html := f.casesGet(app.RoleProsecutor, "/cases")
	if status != 200 || casesCount(html, "case-row") != 1 || !strings.Contains(html, `href="/cases/C-1"`) {
		t.Fatalf("case list with a grant = %d, %d rows", status, casesCount(html, "case-row"))
	}
	// The auditor sees every case, and may change none.
	status, html = f.casesGet(app.RoleAuditor, "/cases")
	if status != 200 || casesCount(html, "case-row") != 1 || casesCount(html, "new-case-form") != 0 {
		t.Errorf("auditor's case list = %d, %d rows, %d new-case forms", status, casesCount(html, "case-row"), casesCount(html, "new-case-form"))
	}
	for _, tab := range caseTabs {
		for _, role := range []string{app.RoleProsecutor, app.RoleAuditor} {
			status, html := f.casesGet(role, "/cases/C-1?tab="+tab)
			if status != 200 || casesCount(html, "case-tab-"+tab) != 1 || !strings.Contains(html, `aria-current="page">`) {
				t.Errorf("tab %s as %s = %d", tab, role, status)
			}
			forms := casesCount(html, "link-clue-form") + casesCount(html, "measure-form") + casesCount(html, "link-party-form") + casesCount(html, "link-account-form")
			if role == app.RoleAuditor && forms != 0 {
				t.Errorf("tab %s offers the auditor %d forms to change the case", tab, forms)
			}
		}
	}
	_, html = f.casesGet(app.RoleProsecutor, "/cases/C-1?tab=clues")
	if casesCount(html, "link-clue-form") != 1 || !strings.Contains(html, `href="/clues/`+strconv.FormatInt(c.ID, 10)+`"`) {
		t.Errorf("clues tab lacks the link form or the link to clue %d", c.ID)
	}
	// Accounts and identifiers are masked unless the user asks and may see them.
	_, html = f.casesGet(app.RoleProsecutor, "/cases/C-1?tab=accounts")
	if strings.Contains(html, "6222021234567890") || casesCount(html, "account-row") != 1 || casesCount(html, "unmask-toggle") != 1 {
		t.Errorf("accounts tab shows the account in the clear or offers no toggle")
	}
	_, html = f.casesGet(app.RoleProsecutor, "/cases/C-1?tab=accounts&unmask=1")
	if !strings.Contains(html, "6222021234567890") || casesCount(html, "unmask-notice") != 1 {
		t.Errorf("accounts tab with unmask=1 does not show the account")
	}
	_, html = f.casesGet(app.RoleAuditor, "/cases/C-1?tab=parties")
	if strings.Contains(html, secretID) || casesCount(html, "party-row") != 1 || casesCount(html, "unmask-toggle") != 0 {
		t.Errorf("the auditor sees the party's identifier or is offered to unmask it")
	}
	_, html = f.casesGet(app.RoleAuditor, "/cases/C-1?tab=timeline")
	if casesCount(html, "timeline-list") != 1 || casesCount(html, "timeline-event") < 3 {
		t.Errorf("timeline tab has %d events, want the creation, the clue and the links", casesCount(html, "timeline-event"))
	}
}

func TestCasesAreListedFilteredSortedAndPaged(t *testing.T) {
	f := newFixture(t)
	for _, c := range [][2]string{{"C-1", "丙 fraud ring"}, {"C-2", "甲 subsidy"}, {"C-3", "乙 fraud shell"}} {
		f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: c[0], Title: c[1]}, nil)
	}
	ids := func(path string) string {
		t.Helper()
		status, html := f.casesGet(app.RoleAdmin, path)
		if status != 200 {
			t.Fatalf("%s = %d", path, status)
		}
		var out []string
		for _, m := range regexp.MustCompile(`data-testid="case-row" data-case="([^"]+)"`).FindAllStringSubmatch(html, -1) {
			out = append(out, m[1])
		}
		return strings.Join(out, ",")
	}
	for path, want := range map[string]string{
		"/cases?sort=id":                  "C-1,C-2,C-3",
		"/cases?sort=-id":                 "C-3,C-2,C-1",
		"/cases?sort=title":               "C-1,C-3,C-2", // by code point: 丙 U+4E19 < 乙 U+4E59 < 甲 U+7532
		"/cases?q=FRAUD&sort=id":          "C-1,C-3",
		"/cases?q=fraud+shell":            "C-3",
		"/cases?status=closed":            "",
		"/cases?sort=id&limit=2":          "C-1,C-2",
		"/cases?sort=id&limit=2&offset=2": "C-3",
	} {
		if got := ids(path); got != want {
			t.Errorf("%s lists %q, want %q", path, got, want)
		}
	}
	_, html := f.casesGet(app.RoleAdmin, "/cases?sort=id&limit=2")
	if casesCount(html, "case-page-next") != 1 || casesCount(html, "case-page-prev") != 0 {
		t.Errorf("first page of two lacks a next link or has a previous one")
	}
	if status, _ := f.casesGet(app.RoleAdmin, "/cases?sort=sideways"); status != http.StatusBadRequest {
		t.Errorf("unknown sort = %d, want 400", status)
	}
}

func TestTheNewCaseAndLinkFormsReportProblemsAndConflicts(t *testing.T) {
	f := newFixture(t)
	status, html := f.casesPost(app.RoleAdmin, "/cases", url.Values{"id": {"C 7"}, "title": {"电诈"}})
	if status != http.StatusBadRequest || casesCount(html, "new-case-error") != 1 || !strings.Contains(html, `value="电诈"`) {
		t.Errorf("new case with a bad number = %d; want 400 with the error and the title kept", status)
	}
	if status, _ := f.casesPost(app.RoleAnalyst, "/cases", url.Values{"id": {"C-7"}, "title": {"电诈"}}); status != http.StatusForbidden {
		t.Errorf("analyst opening a case = %d, want 403", status)
	}
	status, html = f.casesPost(app.RoleAdmin, "/cases", url.Values{"id": {"C-7"}, "title": {"电诈"}})
	if status != 200 || casesCount(html, "case-heading") != 1 || !strings.Contains(html, "C-7 · 电诈") {
		t.Fatalf("new case = %d, want the new case's workspace", status)
	}
	status, html = f.casesPost(app.RoleAdmin, "/cases/C-7/links", url.Values{"form": {"measure"}, "version": {"1"}, "value": {"检察建议书 京检建〔2025〕3号"}})
	if status != 200 || casesCount(html, "measure-row") != 1 || !strings.Contains(html, `name="version" value="2"`) {
		t.Fatalf("measure = %d, want the measures tab with one measure at version 2", status)
	}
	// A form shown at version 1 is stale now: nothing is saved, the conflict says who changed
	// the case, the entry is kept, and the form carries the version now.
	status, html = f.casesPost(app.RoleAdmin, "/cases/C-7/links", url.Values{"form": {"measure"}, "version": {"1"}, "value": {"督促履职函"}})
	if status != http.StatusConflict || casesCount(html, "form-conflict") != 1 || !strings.Contains(html, "u_admin") ||
		!strings.Contains(html, `value="督促履职函"`) || !strings.Contains(html, `name="version" value="2"`) || casesCount(html, "measure-row") != 1 {
		t.Errorf("stale measure form = %d; want 409 naming who changed the case, the entry kept and version 2", status)
	}
	// A Chinese case number survives the redirect and the forms' addresses.
	cn := "京检刑诉〔2025〕17号"
	status, html = f.casesPost(app.RoleAdmin, "/cases", url.Values{"id": {cn}, "title": {"电诈"}})
	action := regexp.MustCompile(`action="([^"]+)" data-testid="link-clue-form"`)
	if status != 200 || !strings.Contains(html, cn+" · 电诈") {
		t.Fatalf("new case %s = %d", cn, status)
	}
	_, html = f.casesGet(app.RoleAdmin, "/cases/"+url.PathEscape(cn)+"?tab=clues")
	m := action.FindStringSubmatch(html)
	if m == nil {
		t.Fatal("the clues tab has no link-clue form")
	}
	if status, html := f.casesPost(app.RoleAdmin, strings.ReplaceAll(m[1], "&amp;", "&"), url.Values{"form": {"measure"}, "version": {"1"}, "value": {"检察建议"}}); status != 200 || casesCount(html, "measure-row") != 1 {
		t.Errorf("a form of case %s posted to %s = %d", cn, m[1], status)
	}
	status, html = f.casesPost(app.RoleAdmin, "/cases/C-7/links", url.Values{"form": {"clue"}, "version": {"2"}, "value": {"4x"}})
	if status != http.StatusBadRequest || !strings.Contains(html, `class="field-error"`) || casesCount(html, "link-clue-form") != 1 {
		t.Errorf("clue form with a bad id = %d; want 400 with the field's error", status)
	}
}

func TestEvidenceIsUploadedDownloadedAndTransferredFromTheWorkspace(t *testing.T) {
	f := newFixture(t)
	f.casesOpen("C-9")
	f.casesGrant("u_analyst", "C-9")
	content := []byte("通话记录\n13800000000,13900000000\n")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])

	body, ct := casesEvidenceForm("calls.csv", nil, map[string]string{"source": "运营商", "legal_basis": "调证 3"})
	status, b, _ := f.do(app.RoleAnalyst, "POST", "/cases/C-9/evidence?lang=en", body, ct)
	if status != http.StatusBadRequest || !strings.Contains(string(b), `data-field="file"`) || !strings.Contains(string(b), `value="运营商"`) {
		t.Errorf("empty upload = %d; want 400 naming the file, the source kept", status)
	}
	body, ct = casesEvidenceForm("calls.csv", content, map[string]string{"source": "运营商", "legal_basis": "调证 3"})
	status, b, _ = f.do(app.RoleAnalyst, "POST", "/cases/C-9/evidence?lang=en", body, ct)
	html := string(b)
	m := regexp.MustCompile(`data-testid="evidence-row" data-evidence="(\d+)"`).FindStringSubmatch(html)
	if status != 200 || m == nil || !strings.Contains(html, want) || casesCount(html, "evidence-upload") != 1 {
		t.Fatalf("upload = %d; want the evidence tab listing the item with sha256 %s", status, want)
	}
	item := "/cases/C-9/evidence/" + m[1]
	// The analyst may not take a copy out (no export permission) and is not offered it.
	if _, html := f.casesGet(app.RoleAnalyst, item); casesCount(html, "evidence-download") != 0 || casesCount(html, "evidence-transfer") != 1 {
		t.Errorf("the analyst's item page offers %d downloads and %d transfers", casesCount(html, "evidence-download"), casesCount(html, "evidence-transfer"))
	}
	if status, _ := f.casesGet(app.RoleAnalyst, item+"/file?purpose=x"); status != http.StatusForbidden {
		t.Errorf("analyst download = %d, want 403", status)
	}
	if status, html := f.casesGet(app.RoleAdmin, item+"/file"); status != http.StatusBadRequest || !strings.Contains(html, `data-field="purpose"`) {
		t.Errorf("download without purpose = %d, want 400 naming the purpose", status)
	}
	status, got, h := f.do(app.RoleAdmin, "GET", item+"/file?purpose="+url.QueryEscape("庭审"), nil, "")
	gotSum := sha256.Sum256(got)
	if status != 200 || !bytes.Equal(got, content) || hex.EncodeToString(gotSum[:]) != want || !strings.Contains(h.Get("Content-Disposition"), "calls.csv") {
		t.Fatalf("download = %d, %d bytes; want the bytes uploaded as calls.csv", status, len(got))
	}
	status, html = f.casesPost(app.RoleAnalyst, item+"/transfer", url.Values{"to": {"王检察官"}, "purpose": {"移送"}})
	if status != 200 || !strings.Contains(html, `data-testid="evidence-custodian">王检察官`) ||
		!strings.Contains(html, `data-event="transferred"`) || !strings.Contains(html, `data-event="exported"`) {
		t.Errorf("transfer = %d; want the item page with the new custodian and the custody chain", status)
	}
	if status, _ := f.casesGet(app.RoleProsecutor, item); status != http.StatusForbidden {
		t.Errorf("item page for a prosecutor without a grant = %d, want 403", status)
	}
	if status, _ := f.casesGet(app.RoleAuditor, "/cases/C-9/evidence/999"); status != http.StatusNotFound {
		t.Errorf("unknown item = %d, want 404", status)
	}
}

func TestAProposedMeasureIsApprovedFromTheWorkspaceAtTheVersionShown(t *testing.T) {
	f := worldFixture(t)
	c := f.runModel()[0]
	f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C-1", Title: "电诈", Clues: []int64{c.ID}}, nil)
	for _, to := range []string{"verifying", "confirmed", "measure_proposed"} {
		if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/clues/transition", map[string]any{"clues": []map[string]any{{"id": c.ID}}, "to": to}, nil); status != 200 {
			t.Fatalf("transition to %s = %d %s", to, status, b)
		}
	}
	f.casesGrant("u_prosecutor", "C-1")
	f.casesGrant("u_reviewer", "C-1")
	if _, html := f.casesGet(app.RoleReviewer, "/cases/C-1?tab=measures"); casesCount(html, "measure-row") != 1 || casesCount(html, "measure-approve-form") != 0 {
		t.Errorf("the reviewer, who may not approve measures, sees %d approve forms", casesCount(html, "measure-approve-form"))
	}
	_, html := f.casesGet(app.RoleProsecutor, "/cases/C-1?tab=measures")
	m := regexp.MustCompile(`name="clue" value="(\d+)"><input type="hidden" name="version" value="(\d+)"`).FindStringSubmatch(html)
	if m == nil || m[1] != strconv.FormatInt(c.ID, 10) {
		t.Fatalf("the prosecutor is not offered to approve the measure of clue %d", c.ID)
	}
	stale, _ := strconv.Atoi(m[2])
	status, html := f.casesPost(app.RoleProsecutor, "/cases/C-1/measures/approve", url.Values{"clue": {m[1]}, "version": {strconv.Itoa(stale - 1)}})
	if status != http.StatusConflict || casesCount(html, "form-conflict") != 1 {
		t.Errorf("approval at a stale version = %d, want 409 with the conflict", status)
	}
	status, html = f.casesPost(app.RoleProsecutor, "/cases/C-1/measures/approve", url.Values{"clue": {m[1]}, "version": {m[2]}})
	if status != 200 || !strings.Contains(html, "<td>measure_approved</td>") || casesCount(html, "measure-approve-form") != 0 {
		t.Errorf("approval = %d, want the measure approved", status)
	}
}

func TestAnAnalysisIsSavedToACaseOpenedMaskedAndAudited(t *testing.T) {
	f := newFixture(t)
	f.casesOpen("C-5")
	f.casesGrant("u_prosecutor", "C-5")
	save := map[string]any{"version": 1, "kind": "trace", "name": "victim-7",
		"params":  map[string]any{"dataset": "tx", "seed_tx": []string{"T1"}},
		"summary": map[string]any{"accounts": []string{"6222021234567890"}, "total": 1000, "note": "经 6222029876543210 转出"}}
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/cases/C-5/analyses", save, http.StatusForbidden, "forbidden")
	var sa app.SavedAnalysis
	status, b := f.call(app.RoleProsecutor, "POST", "/api/v1/cases/C-5/analyses", save, &sa)
	if status != http.StatusCreated || sa.SavedBy != "u_prosecutor" || strings.Contains(string(b), "6222021234567890") || strings.Contains(string(b), "6222029876543210") {
		t.Fatalf("save = %d %s; want 201 with the summary masked", status, b)
	}
	if d := f.wantError(app.RoleProsecutor, "POST", "/api/v1/cases/C-5/analyses", save, http.StatusConflict, "conflict"); d["version"] != float64(2) {
		t.Errorf("save at a stale version: details %v", d)
	}
	save["version"] = 2
	if d := f.wantError(app.RoleProsecutor, "POST", "/api/v1/cases/C-5/analyses", save, http.StatusBadRequest, "invalid"); d["name"] == nil {
		t.Errorf("the same name again: details %v do not name the name", d)
	}
	save["name"], save["summary"] = "other", "not an object"
	if d := f.wantError(app.RoleProsecutor, "POST", "/api/v1/cases/C-5/analyses", save, http.StatusBadRequest, "invalid"); d["summary"] == nil {
		t.Errorf("a summary that is no object: details %v", d)
	}
	path := "/api/v1/cases/C-5/analyses/trace/victim-7"
	if status, b := f.call(app.RoleProsecutor, "GET", path+"?unmask=1", nil, nil); status != 200 || !strings.Contains(string(b), "6222021234567890") {
		t.Errorf("open unmasked = %d %s", status, b)
	}
	f.wantError(app.RoleAuditor, "GET", path+"?unmask=1", nil, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleReviewer, "GET", path, nil, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAuditor, "GET", "/api/v1/cases/C-5/analyses/trace/nope", nil, http.StatusNotFound, "not_found")
	var log struct {
		Entries []map[string]any `json:"entries"`
	}
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/audit?action=case.analysis_saved", nil, &log); status != 200 || len(log.Entries) != 1 {
		t.Errorf("audit of the save = %d %s", status, b)
	}

	_, html := f.casesGet(app.RoleAuditor, "/cases/C-5?tab=analyses")
	if casesCount(html, "analysis-open") != 1 || casesCount(html, "analysis-save-form") != 0 {
		t.Errorf("analyses tab for the auditor: %d open links, %d save forms", casesCount(html, "analysis-open"), casesCount(html, "analysis-save-form"))
	}
	status, html = f.casesGet(app.RoleAuditor, "/cases/C-5/analyses/trace/victim-7")
	if status != 200 || casesCount(html, "analysis-summary") != 1 || !strings.Contains(html, "total") || strings.Contains(html, "6222021234567890") {
		t.Errorf("analysis page = %d; want the summary, masked", status)
	}
	status, html = f.casesPost(app.RoleProsecutor, "/cases/C-5/analyses", url.Values{"version": {"2"}, "kind": {"typology"}, "name": {"fan-out"},
		"params": {`{"dataset":"tx"}`}, "summary": {`{"hits": 3`}})
	if status != http.StatusBadRequest || !strings.Contains(html, `data-field="summary"`) || !strings.Contains(html, `{&#34;hits&#34;: 3`) {
		t.Errorf("save with broken JSON = %d; want 400 naming the summary, the text kept", status)
	}
	status, html = f.casesPost(app.RoleProsecutor, "/cases/C-5/analyses", url.Values{"version": {"2"}, "kind": {"typology"}, "name": {"fan-out"},
		"params": {`{"dataset":"tx"}`}, "summary": {`{"hits": 3}`}})
	if status != 200 || casesCount(html, "analysis-heading") != 1 || !strings.Contains(html, "typology · fan-out") {
		t.Errorf("save from the page = %d; want the saved analysis", status)
	}
}
