package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"procura/internal/app"
)

// page sends a page request as role, as htmx does when htmx is set.
func (f *fixture) fundsPage(role, method, path string, form url.Values, htmx bool) (int, string, http.Header) {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// traceForm is a valid trace form from seed T1 of the world fixture.
func traceFormValues() url.Values {
	return url.Values{"dataset": {"tx"}, "seed": {"tx"}, "seed_tx": {"T1"}, "direction": {"forward"}, "policy": {"fifo"},
		"max_hops": {"6"}, "hop_window": {"72h"}, "min_amount": {"1"}}
}

// submitTrace posts the trace form as role and returns the job the page follows.
func (f *fixture) submitTrace(role string) Job {
	f.t.Helper()
	return f.submitTraceForm(role, traceFormValues())
}

func (f *fixture) submitTraceForm(role string, form url.Values) Job {
	f.t.Helper()
	status, body, _ := f.fundsPage(role, "POST", "/trace?lang=en", form, true)
	m := regexp.MustCompile(`data-job="([0-9a-f]+)"`).FindStringSubmatch(body)
	if status != http.StatusAccepted || m == nil || strings.Contains(body, "<html") {
		f.t.Fatalf("trace form as %s = %d, want 202 and a job card fragment: %s", role, status, body)
	}
	return Job{ID: m[1]}
}

type traceViewJSON struct {
	ConservationOK bool `json:"conservation_ok"`
	Sankey         struct {
		Nodes []struct {
			ID, Name, Role, Account string
			Level                   int
		} `json:"nodes"`
		Links []struct {
			Source, Target string
		} `json:"links"`
	} `json:"sankey"`
	Victims []struct {
		Account string      `json:"account"`
		Amount  json.Number `json:"amount"`
	} `json:"victims"`
}

func TestTheTracePageRendersForAnAnalystAndIsRefusedToAnAuditor(t *testing.T) {
	f := worldFixture(t)
	status, body, _ := f.fundsPage(app.RoleAnalyst, "GET", "/trace?lang=en", nil, false)
	if status != http.StatusOK {
		t.Fatalf("trace page = %d %s", status, body)
	}
	for _, want := range []string{`data-testid="trace-form"`, `data-testid="trace-submit"`, ">tx</option>", `/static/js/funds.js`, "Attribution rule"} {
		if !strings.Contains(body, want) {
			t.Errorf("trace page lacks %s", want)
		}
	}
	// Only transactions datasets can be traced.
	if strings.Contains(body, "<option>accounts</option>") || strings.Contains(body, "<option>persons</option>") {
		t.Errorf("the form offers a dataset that is not transactions")
	}
	if status, body, _ := f.fundsPage(app.RoleAuditor, "GET", "/trace?lang=en", nil, false); status != http.StatusForbidden || strings.Contains(body, `data-testid="trace-form"`) {
		t.Errorf("trace page as auditor = %d, want 403 without the form", status)
	}
	if status, _, _ := f.fundsPage(app.RoleAuditor, "POST", "/trace", traceFormValues(), true); status != http.StatusForbidden {
		t.Errorf("trace submitted by an auditor = %d, want 403", status)
	}
}

func TestSubmittingTheTraceFormRunsAJobWhoseResultHoldsAConservedSankey(t *testing.T) {
	f := worldFixture(t)
	job := f.submitTrace(app.RoleAnalyst)
	b := f.finish(app.RoleAnalyst, job)
	var v traceViewJSON
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if !v.ConservationOK || len(v.Sankey.Nodes) == 0 || len(v.Sankey.Links) == 0 {
		t.Fatalf("trace view = %s, want conservation_ok and a Sankey", b)
	}
	ids := map[string]bool{}
	for _, n := range v.Sankey.Nodes {
		ids[n.ID] = true
	}
	for _, l := range v.Sankey.Links {
		if !ids[l.Source] || !ids[l.Target] {
			t.Errorf("link %s → %s names a node that is not there", l.Source, l.Target)
		}
	}
	if len(v.Victims) != 1 || v.Victims[0].Amount.String() != "1000" {
		t.Errorf("victims = %+v, want one victim who paid 1000 (the finished job is decoded and encoded again)", v.Victims)
	}
	if strings.Contains(string(b), "6222029876543210") || strings.Contains(string(b), "6222021234567890") {
		t.Errorf("the trace view shows an account in the clear: %s", b)
	}
	// The accounts dataset (开户信息) says where the victim's account is held.
	if !strings.Contains(string(b), `"bank":"工商银行"`) {
		t.Errorf("the trace view does not give the bank of the victim's account: %s", b)
	}
	// When the job has ended, the page asks for the result and gets the charts and tables.
	status, page, _ := f.fundsPage(app.RoleAnalyst, "GET", "/trace/jobs/"+job.ID+"?lang=en", nil, true)
	if status != http.StatusOK || strings.Contains(page, "<html") {
		t.Fatalf("result fragment = %d %s", status, page)
	}
	for _, want := range []string{`data-testid="trace-sankey"`, `data-testid="trace-layered"`, `data-testid="view-toggle"`,
		`data-testid="account-panel"`, `data-testid="exits-table"`, `data-testid="conservation" data-ok="true"`, "Outside the data"} {
		if !strings.Contains(page, want) {
			t.Errorf("result lacks %s", want)
		}
	}
	if strings.Contains(page, `data-testid="export-csv"`) {
		t.Errorf("the analyst (no export permission) is offered the CSV export")
	}
	// Another user cannot see the job.
	if status, _, _ := f.fundsPage(app.RoleProsecutor, "GET", "/trace/jobs/"+job.ID, nil, false); status != http.StatusNotFound {
		t.Errorf("another user's trace job = %d, want 404", status)
	}
}

func TestTheExpandRouteListsTheAccountsTransfersAfterTheTimeMasked(t *testing.T) {
	f := worldFixture(t)
	var res struct {
		Account   string `json:"account"`
		Total     int    `json:"total"`
		Transfers []struct {
			TxID string `json:"tx_id"`
			To   string `json:"to"`
			Node string `json:"node"`
		} `json:"transfers"`
	}
	status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/trace/expand?dataset=tx&account=6222029876543210&after=2025-03-01", nil, &res)
	if status != 200 || res.Total != 1 || len(res.Transfers) != 1 || res.Transfers[0].TxID != "T3" {
		t.Fatalf("expand = %d %s, want T3 alone", status, b)
	}
	if strings.Contains(string(b), "6222029876543210") || strings.Contains(string(b), "6222025555666677") || !strings.Contains(res.Transfers[0].To, "*") {
		t.Errorf("expand shows an account in the clear: %s", b)
	}
	if status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/trace/expand?dataset=tx&account=6222029876543210&after=2025-03-02", nil, &res); status != 200 || res.Total != 0 {
		t.Errorf("expand after the last transfer = %d %s, want none", status, b)
	}
	f.wantError(app.RoleAuditor, "GET", "/api/v1/trace/expand?dataset=tx&account=6222029876543210", nil, http.StatusForbidden, "forbidden")
	d := f.wantError(app.RoleAnalyst, "GET", "/api/v1/trace/expand?after=soon", nil, http.StatusBadRequest, "invalid")
	for _, k := range []string{"dataset", "account", "after"} {
		if d[k] == nil {
			t.Errorf("details %v do not name %s", d, k)
		}
	}
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/trace/expand?dataset=tx&account=6229999999999999", nil, http.StatusNotFound, "not_found")
	// The page names the account by its node in a finished trace: it sees numbers masked.
	job := f.submitTrace(app.RoleAnalyst)
	var v traceViewJSON
	json.Unmarshal(f.finish(app.RoleAnalyst, job), &v)
	node := ""
	for _, n := range v.Sankey.Nodes {
		if n.Role == "account" && n.Level == 1 {
			node = n.ID
		}
	}
	if node == "" {
		t.Fatalf("the trace has no level-1 account: %+v", v.Sankey.Nodes)
	}
	status, b = f.call(app.RoleAnalyst, "GET", "/api/v1/trace/expand?job="+job.ID+"&node="+node, nil, &res)
	if status != 200 || len(res.Transfers) != 1 || res.Transfers[0].TxID != "T3" || res.Transfers[0].Node == "" {
		t.Errorf("expand by node = %d %s, want T3 reaching a node of the trace", status, b)
	}
	f.wantError(app.RoleProsecutor, "GET", "/api/v1/trace/expand?job="+job.ID+"&node="+node, nil, http.StatusNotFound, "not_found")
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/trace/expand?job="+job.ID+"&node=n999", nil, http.StatusBadRequest, "invalid")
	// The graph is kept between expansions, but not past a change of the dataset.
	more := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(more, []byte("tx_id,account,time,amount,counterparty_account\nT4,6222029876543210,2025-03-01 12:00:00,-50.00,6222025555666677\n"), 0o600)
	admin := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	if _, err := f.app.Import(admin, app.ImportRequest{Path: more, Dataset: "tx", Kind: "transactions"}); err != nil {
		t.Fatal(err)
	}
	if status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/trace/expand?dataset=tx&account=6222029876543210&after=2025-03-01", nil, &res); status != 200 || res.Total != 2 {
		t.Errorf("expand after an import = %d %s, want T3 and T4", status, b)
	}

}

func TestATraceExportsItsSchedulesAndItsSankeyToRolesThatMayExport(t *testing.T) {
	f := worldFixture(t)
	job := f.submitTrace(app.RoleProsecutor)
	f.finish(app.RoleProsecutor, job)
	status, b, h := f.do(app.RoleProsecutor, "GET", "/api/v1/traces/"+job.ID+"/schedules/accounts.csv", nil, "")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(b), "\ufefflevel,account,holder,in_data,seed,seed_tx,attributed_in") {
		t.Fatalf("accounts schedule = %d %s %s", status, h, b)
	}
	if strings.Contains(string(b), "6222029876543210") {
		t.Errorf("the schedule shows an account in the clear: %s", b)
	}
	if status, b, _ := f.do(app.RoleProsecutor, "GET", "/api/v1/traces/"+job.ID+"/schedules/secrets.csv", nil, ""); status != http.StatusBadRequest {
		t.Errorf("unknown schedule = %d %s, want 400", status, b)
	}
	status, b, _ = f.do(app.RoleProsecutor, "GET", "/api/v1/traces/"+job.ID+"/sankey", nil, "")
	var sk struct {
		Nodes []any `json:"nodes"`
		Links []any `json:"links"`
	}
	if status != 200 || json.Unmarshal(b, &sk) != nil || len(sk.Nodes) == 0 || len(sk.Links) == 0 {
		t.Errorf("sankey download = %d %s", status, b)
	}
	_, page, _ := f.fundsPage(app.RoleProsecutor, "GET", "/trace/jobs/"+job.ID+"?lang=en", nil, false)
	for _, want := range []string{`data-testid="export-csv"`, `data-testid="export-png"`, "/api/v1/traces/" + job.ID + "/schedules/accounts.csv"} {
		if !strings.Contains(page, want) {
			t.Errorf("result page for a prosecutor lacks %s", want)
		}
	}
	// The analyst may trace but not export; the audit log records the prosecutor's exports.
	ajob := f.submitTrace(app.RoleAnalyst)
	f.finish(app.RoleAnalyst, ajob)
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/traces/"+ajob.ID+"/schedules/accounts.csv", nil, http.StatusForbidden, "forbidden")
	if _, b := f.call(app.RoleAdmin, "GET", "/api/v1/audit?action=trace.exported", nil, nil); !strings.Contains(string(b), "sankey json") || !strings.Contains(string(b), "accounts.csv") {
		t.Errorf("audit of trace exports = %s", b)
	}
}

func TestAWrongTraceFormAnswers400NamingEachField(t *testing.T) {
	f := worldFixture(t)
	form := traceFormValues()
	form.Set("max_hops", "0")
	form.Set("policy", "x")
	status, body, h := f.fundsPage(app.RoleAnalyst, "POST", "/trace?lang=en", form, true)
	if status != http.StatusBadRequest || h.Get("HX-Retarget") != "#trace-form" {
		t.Fatalf("wrong form = %d (retarget %q), want 400 retargeted to the form", status, h.Get("HX-Retarget"))
	}
	for _, want := range []string{`data-field="max_hops"`, `data-field="policy"`, "from 1 to 50", "Choose fifo, libr or proportional", `value="0"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form shown back lacks %s: %s", want, body)
		}
	}
	if strings.Contains(body, `data-field="dataset"`) || strings.Contains(body, "data-job=") {
		t.Errorf("the form names a right field or started a job: %s", body)
	}
	// Without htmx, the whole page comes back with the form.
	if status, body, _ := f.fundsPage(app.RoleAnalyst, "POST", "/trace?lang=en", form, false); status != http.StatusBadRequest || !strings.Contains(body, "<html") || !strings.Contains(body, `data-field="policy"`) {
		t.Errorf("wrong form without htmx = %d", status)
	}
	form = traceFormValues()
	form.Set("dataset", "accounts")
	if _, body, _ := f.fundsPage(app.RoleAnalyst, "POST", "/trace", form, true); !strings.Contains(body, `data-field="dataset"`) {
		t.Errorf("a dataset that is not transactions is not named: %s", body)
	}
}

func TestTheFormTracesTheKnownVictimsPaymentsFromCaseParties(t *testing.T) {
	f := worldFixture(t)
	form := traceFormValues()
	form.Set("seed", "victims")
	// Without case parties the form does not offer victims, and a forged submission fails
	// as a job that says what to import.
	if states := f.follow(app.RoleAnalyst, f.submitTraceForm(app.RoleAnalyst, form)); !strings.Contains(states[len(states)-1].Error, "case parties") {
		t.Errorf("a trace of victims without case parties ended %+v", states[len(states)-1])
	}
	parties := filepath.Join(t.TempDir(), "parties.csv")
	os.WriteFile(parties, []byte("case_no,role,name,account\nC1,victim,张三,6222021234567890\n"), 0o600)
	admin := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	if _, err := f.app.Import(admin, app.ImportRequest{Path: parties, Dataset: "parties", Kind: "case_parties"}); err != nil {
		t.Fatal(err)
	}
	if _, page, _ := f.fundsPage(app.RoleAnalyst, "GET", "/trace?lang=en", nil, false); !strings.Contains(page, "<option>parties</option>") {
		t.Errorf("the form does not offer the case parties")
	}
	form.Set("victims_datasets", "parties")
	job := f.submitTraceForm(app.RoleAnalyst, form)
	b := f.finish(app.RoleAnalyst, job)
	if !strings.Contains(string(b), `"tx_id":"T1"`) || !strings.Contains(string(b), `"conservation_ok":true`) {
		t.Errorf("victims trace = %s, want the victim's payment T1 as the seed", b)
	}
	form.Set("victims_datasets", "tx")
	if status, body, _ := f.fundsPage(app.RoleAnalyst, "POST", "/trace", form, true); status != http.StatusBadRequest || !strings.Contains(body, `data-field="victims_datasets"`) {
		t.Errorf("victims from a dataset that is not case parties = %d", status)
	}
}

func TestATraceIsShownUnmaskedOnlyToRolesThatMayAndTheViewIsAudited(t *testing.T) {
	f := worldFixture(t)
	form := traceFormValues()
	form.Set("unmask", "1")
	if status, body, _ := f.fundsPage(app.RoleAnalyst, "POST", "/trace", form, true); status != http.StatusBadRequest || !strings.Contains(body, `data-field="unmask"`) {
		t.Errorf("unmask asked by an analyst = %d, want 400 naming unmask", status)
	}
	if _, page, _ := f.fundsPage(app.RoleAnalyst, "GET", "/trace", nil, false); strings.Contains(page, `data-testid="trace-unmask"`) {
		t.Errorf("the analyst is offered to unmask")
	}
	job := f.submitTraceForm(app.RoleProsecutor, form)
	b := f.finish(app.RoleProsecutor, job)
	if !strings.Contains(string(b), "6222029876543210") || !strings.Contains(string(b), `"unmasked":true`) {
		t.Fatalf("unmasked trace = %s", b)
	}
	_, page, _ := f.fundsPage(app.RoleProsecutor, "GET", "/trace/jobs/"+job.ID, nil, true)
	if !strings.Contains(page, `data-unmasked="true"`) {
		t.Errorf("the result does not say it is unmasked, so expansions would be masked")
	}
	status, csv, _ := f.do(app.RoleProsecutor, "GET", "/api/v1/traces/"+job.ID+"/schedules/accounts.csv", nil, "")
	if status != 200 || !strings.Contains(string(csv), "6222029876543210") {
		t.Errorf("schedule of an unmasked trace = %d %s", status, csv)
	}
	_, audit := f.call(app.RoleAdmin, "GET", "/api/v1/audit", nil, nil)
	if !strings.Contains(string(audit), "identifiers.unmasked") || !strings.Contains(string(audit), `"unmasked":true`) {
		t.Errorf("the unmasked view and export are not in the audit log: %s", audit)
	}
}

func TestATraceIsAuditedAndCountedOnTheDashboardOfThoseWhoTrace(t *testing.T) {
	f := worldFixture(t)
	_, page := f.page(app.RoleAnalyst, "/?lang=en")
	if !strings.Contains(page, `data-testid="dash-traced"`) || !strings.Contains(page, "No trace in the last 30 days") {
		t.Fatalf("before any trace the analyst's dashboard lacks the empty money-traced panel")
	}
	f.finish(app.RoleAnalyst, f.submitTrace(app.RoleAnalyst))
	_, page = f.page(app.RoleAnalyst, "/?lang=en")
	panel := page[strings.Index(page, `data-testid="dash-traced"`):]
	panel = panel[:strings.Index(panel, "</section>")]
	if !strings.Contains(panel, "1000.00 yuan") || !strings.Contains(panel, "Traces run: 1") || !strings.Contains(panel, "u_analyst") {
		t.Errorf("after one trace of 1000 yuan the panel says: %s", panel)
	}
	var log struct {
		Entries []struct {
			Action   string         `json:"action"`
			ObjectID string         `json:"object_id"`
			New      map[string]any `json:"new"`
		} `json:"entries"`
	}
	f.call(app.RoleAuditor, "GET", "/api/v1/audit?action=trace.run", nil, &log)
	if len(log.Entries) != 1 || log.Entries[0].ObjectID != "tx" || log.Entries[0].New["seeded_cents"] != float64(100000) {
		t.Errorf("trace.run entries = %+v, want one for tx with 100000 cents seeded", log.Entries)
	}
	// A reviewer does not trace, so the panel is not shown.
	if _, page := f.page(app.RoleReviewer, "/?lang=en"); strings.Contains(page, "dash-traced") {
		t.Errorf("the reviewer's dashboard shows money traced")
	}
}

func TestAFinishedTraceIsSavedToACaseFromItsPage(t *testing.T) {
	f := worldFixture(t)
	if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C-7", Title: "电诈"}, nil); status != http.StatusCreated {
		t.Fatalf("create case = %d %s", status, b)
	}
	job := f.submitTrace(app.RoleAdmin)
	f.finish(app.RoleAdmin, job)
	_, page := f.page(app.RoleAdmin, "/trace/jobs/"+job.ID+"?lang=en")
	if !strings.Contains(page, `data-testid="trace-save"`) {
		t.Fatalf("the trace result offers no save to a case")
	}
	status, _, to := f.post(app.RoleAdmin, "/trace/jobs/"+job.ID+"/save", url.Values{"case": {"C-7"}, "name": {"victim-1"}})
	if status != http.StatusSeeOther || to != "/cases/C-7?tab=analyses" {
		_, body, _ := f.post(app.RoleAdmin, "/trace/jobs/"+job.ID+"/save?lang=en", url.Values{"case": {"C-7"}, "name": {"victim-2"}})
		t.Fatalf("save = %d → %q: %s", status, to, body)
	}
	_, tab := f.page(app.RoleAdmin, "/cases/C-7?tab=analyses&lang=en")
	if !strings.Contains(tab, "victim-1") {
		t.Errorf("the case's analyses tab lacks the saved trace")
	}
	// Saving twice under one name is refused; an analyst (no case.write) is refused too.
	if status, _, _ := f.post(app.RoleAdmin, "/trace/jobs/"+job.ID+"/save", url.Values{"case": {"C-7"}, "name": {"victim-1"}}); status < 400 {
		t.Errorf("saving twice under one name = %d, want a refusal", status)
	}
	if status, _, _ := f.post(app.RoleAnalyst, "/trace/jobs/"+job.ID+"/save", url.Values{"case": {"C-7"}, "name": {"x"}}); status != http.StatusNotFound {
		t.Errorf("another user's job = %d, want 404", status)
	}
}
