package server

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"procura/internal/app"
	"procura/internal/casework"
	"procura/internal/supervise"
)

// queueAccounts has three holders who each open cards at four banks within days: the model
// cards_at_many_banks finds one clue for each.
const queueAccounts = `account,bank,holder_name,holder_id_number,opened_at,phone
6222021234567890,工商银行,张三,11010519491231002X,2025-01-01 09:00:00,13812345678
6228481234567891,农业银行,张三,11010519491231002X,2025-01-02 09:00:00,13812345678
6217001234567892,建设银行,张三,11010519491231002X,2025-01-03 09:00:00,13812345678
6216611234567893,中国银行,张三,11010519491231002X,2025-01-03 15:00:00,13812345678
6222021234567000,工商银行,李四,110105198001010016,2025-02-01 09:00:00,13700000001
6228481234567001,农业银行,李四,110105198001010016,2025-02-02 09:00:00,13700000001
6217001234567002,建设银行,李四,110105198001010016,2025-02-03 09:00:00,13700000001
6216611234567003,中国银行,李四,110105198001010016,2025-02-03 15:00:00,13700000001
6222021234567100,工商银行,王五,110105197001010038,2025-03-01 09:00:00,13900000002
6228481234567101,农业银行,王五,110105197001010038,2025-03-02 09:00:00,13900000002
6217001234567102,建设银行,王五,110105197001010038,2025-03-03 09:00:00,13900000002
6216611234567103,中国银行,王五,110105197001010038,2025-03-03 15:00:00,13900000002
`

// queueFixture is newFixture with three clues found, by id.
func queueFixture(t *testing.T) (*fixture, []app.ClueView) {
	t.Helper()
	f := newFixture(t)
	ctx := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	p := filepath.Join(t.TempDir(), "accounts.csv")
	if err := os.WriteFile(p, []byte(queueAccounts), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Import(ctx, app.ImportRequest{Path: p, Dataset: "accounts", Kind: "accounts"}); err != nil {
		t.Fatal(err)
	}
	cs := f.runModel()
	if len(cs) != 3 {
		t.Fatalf("the model found %d clues, want 3", len(cs))
	}
	slices.SortFunc(cs, func(a, b app.ClueView) int { return int(a.ID - b.ID) })
	return f, cs
}

// page gets path as role, with headers given as name, value pairs, and returns status and body.
func (f *fixture) page(role, path string, headers ...string) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	status, body, _ := f.send(req)
	return status, body
}

// post sends a form as role and returns status, body and the redirect, if any.
func (f *fixture) post(role, path string, form url.Values) (int, string, string) {
	f.t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	return f.send(req)
}

// send sends req without following redirects and returns status, body and the redirect, if any.
func (f *fixture) send(req *http.Request) (int, string, string) {
	f.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

var rowRe = regexp.MustCompile(`data-testid="clue-row" data-clue="(\d+)"`)

// rowOrder is the ids of the queue's rows, top to bottom.
func rowOrder(page string) []int64 {
	var out []int64
	for _, m := range rowRe.FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, id)
	}
	return out
}

// untranslated finds a message key of the clue pages shown as itself: a key missing from
// web/messages/clues.json.
func untranslated(page string) string {
	page = strings.NewReplacer("/static/css/clues.css", "", "/static/js/clues.js", "").Replace(page)
	return regexp.MustCompile(`clues\.[a-z_]+`).FindString(page)
}

func ref(c app.ClueView) string {
	return strconv.FormatInt(c.ID, 10) + ":" + strconv.FormatInt(c.Version, 10)
}

func TestTheClueQueueRendersForEveryRoleThatReadsCluesAndRefusesTheLiaison(t *testing.T) {
	f, cs := queueFixture(t)
	for _, role := range []string{app.RoleAdmin, app.RoleProsecutor, app.RoleReviewer, app.RoleAnalyst, app.RoleAuditor} {
		status, page := f.page(role, "/clues?lang=en")
		if status != 200 || len(rowOrder(page)) != len(cs) || !strings.Contains(page, `data-testid="clue-filter"`) ||
			!strings.Contains(page, `data-testid="count-new"`) {
			t.Errorf("queue as %s = %d, %d rows: %.400s", role, status, len(rowOrder(page)), page)
			continue
		}
		if strings.Contains(page, secretID) {
			t.Errorf("queue as %s shows %s unmasked", role, secretID)
		}
		for _, lang := range []string{"en", "zh"} {
			_, page := f.page(role, "/clues?lang="+lang)
			_, review := f.page(role, "/clues/"+strconv.FormatInt(cs[0].ID, 10)+"?lang="+lang)
			if k := untranslated(page + review); k != "" {
				t.Errorf("the clue pages in %s show the key %s", lang, k)
			}
		}
		assign, move := strings.Contains(page, `data-testid="bulk-assign"`), strings.Contains(page, `data-testid="bulk-transition"`)
		if assign != app.Allowed(role, app.ActClueAssign) || move != app.Allowed(role, app.ActClueReview) {
			t.Errorf("queue as %s offers assign %v and transition %v", role, assign, move)
		}
	}
	status, page := f.page(app.RoleLiaison, "/clues?lang=en")
	if status != http.StatusForbidden || strings.Contains(page, `data-testid="clue-row"`) || !strings.Contains(page, "clue.read") {
		t.Errorf("queue as liaison = %d %.300s, want the 403 page", status, page)
	}
	if status, _ := f.page(app.RoleLiaison, "/clues/"+strconv.FormatInt(cs[0].ID, 10)); status != http.StatusForbidden {
		t.Errorf("review screen as liaison = %d, want 403", status)
	}
}

func TestTheClueQueueFiltersAndSortsByTheURL(t *testing.T) {
	f, cs := queueFixture(t)
	// The first clue goes to the reviewer, the second to the analyst; the third stays new.
	for i, who := range []string{"u_reviewer", "u_analyst"} {
		if status, b := f.call(app.RoleProsecutor, "POST", "/api/v1/clues/assign",
			map[string]any{"clues": []app.ClueRef{{ID: cs[i].ID}}, "assignee": who}, nil); status != 200 {
			t.Fatalf("assign = %d %s", status, b)
		}
	}
	a, b, c := cs[0].ID, cs[1].ID, cs[2].ID
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"sort=assignee&order=asc", []int64{c, b, a}},
		{"sort=assignee&order=desc", []int64{a, b, c}},
		{"sort=status&order=asc", []int64{c, a, b}}, // new before assigned, as in the lifecycle
		{"sort=created&order=desc", []int64{c, b, a}},
		{"status=assigned&sort=assignee&order=desc", []int64{a, b}},
		{"assignee=u_analyst", []int64{b}},
		{"q=" + url.QueryEscape(cs[2].SubjectName), []int64{c}},
		{"severity=medium&dataset=accounts&sort=score&order=desc", []int64{c, b, a}}, // ties by id, the same way
		{"severity=high", nil},
		{"limit=2&offset=2&sort=created", []int64{c}},
	} {
		status, page := f.page(app.RoleReviewer, "/clues?lang=en&"+tc.query, "HX-Request", "true")
		if status != 200 || strings.Contains(page, "<html") {
			t.Errorf("%s = %d (htmx gets the fragment): %.300s", tc.query, status, page)
		}
		if got := rowOrder(page); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rows %v, want %v", tc.query, got, tc.want)
		}
	}
	// htmx restoring a pushed URL from the server gets the whole page.
	if _, page := f.page(app.RoleReviewer, "/clues?sort=assignee", "HX-Request", "true", "HX-History-Restore-Request", "true"); !strings.Contains(page, "<html") {
		t.Error("a history restore got the fragment, not the page")
	}
	// Links keep the filters: the active sort header reverses, the others start ascending.
	_, page := f.page(app.RoleReviewer, "/clues?status=assigned&sort=assignee&order=asc")
	if !strings.Contains(page, `href="/clues?order=desc&amp;sort=assignee&amp;status=assigned"`) ||
		!strings.Contains(page, `href="/clues?order=asc&amp;sort=score&amp;status=assigned"`) {
		t.Errorf("sort links lose the filter or the order: %s", regexp.MustCompile(`data-testid="sort-[a-z]+"`).FindAllString(page, -1))
	}
	if !strings.Contains(page, `data-testid="count-new"`) || !strings.Contains(page, `class="count active" data-status="assigned"`) {
		t.Error("the counts per status do not show every status with the filtered one active")
	}
	status, page := f.page(app.RoleReviewer, "/clues?lang=en&sort=title")
	if status != http.StatusBadRequest || !strings.Contains(page, "sort: one of assignee, created, due, id, model, score, status, updated") {
		t.Errorf("unknown sort = %d, want 400 naming the sorts: %.2000s", status, page)
	}
}

func TestBulkAssignOnTheQueueIsPerClueNamesConflictsAndIsRefusedToTheReviewer(t *testing.T) {
	f, cs := queueFixture(t)
	// Someone assigns the last clue after the queue was shown.
	if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/clues/assign",
		map[string]any{"clues": []app.ClueRef{{ID: cs[2].ID}}, "assignee": "u_analyst"}, nil); status != 200 {
		t.Fatalf("assign = %d %s", status, b)
	}
	form := url.Values{"clue": {ref(cs[0]), ref(cs[1]), ref(cs[2])}, "assignee": {"u_reviewer"}, "back": {"sort=id"}}
	if status, page, _ := f.post(app.RoleReviewer, "/clues/assign?lang=en", form); status != http.StatusForbidden || strings.Contains(page, "bulk-result") {
		t.Fatalf("bulk assign as reviewer = %d, want 403: %.300s", status, page)
	}
	status, page, _ := f.post(app.RoleProsecutor, "/clues/assign?lang=en", form)
	if status != 200 || !strings.Contains(page, "Changed: 2 / 3") {
		t.Fatalf("bulk assign = %d: %.3000s", status, page)
	}
	conflict := regexp.MustCompile(`(?s)data-clue="` + strconv.FormatInt(cs[2].ID, 10) + `" class="failed".*?</li>`).FindString(page)
	if !strings.Contains(conflict, "u_admin") || !strings.Contains(conflict, "assigned (v2)") {
		t.Errorf("the conflict on clue %d does not name who changed it: %q", cs[2].ID, conflict)
	}
	var detail app.ClueDetail
	f.call(app.RoleProsecutor, "GET", "/api/v1/clues/"+strconv.FormatInt(cs[0].ID, 10), nil, &detail)
	if detail.Assignee != "u_reviewer" || detail.Status != "assigned" {
		t.Errorf("clue after bulk assign = %s %s", detail.Status, detail.Assignee)
	}
	f.call(app.RoleProsecutor, "GET", "/api/v1/clues/"+strconv.FormatInt(cs[2].ID, 10), nil, &detail)
	if detail.Assignee != "u_analyst" {
		t.Errorf("the conflicting clue was reassigned to %s", detail.Assignee)
	}
	if got := rowOrder(page); !slices.Equal(got, []int64{cs[0].ID, cs[1].ID, cs[2].ID}) {
		t.Errorf("the queue after the action lost its order: %v", got)
	}
}

func TestATransitionWithoutAReasonIsA400WithTheMessageInPlace(t *testing.T) {
	f, cs := queueFixture(t)
	form := url.Values{"clue": {ref(cs[0])}, "to": {"dismissed"}, "reason": {"  "}}
	status, page, _ := f.post(app.RoleReviewer, "/clues/transition?lang=en", form)
	if status != http.StatusBadRequest || !regexp.MustCompile(`data-testid="clue-error">Say why \(reason\)`).MatchString(page) {
		t.Errorf("bulk transition without reason = %d: %.2000s", status, page)
	}
	id := strconv.FormatInt(cs[0].ID, 10)
	status, page, _ = f.post(app.RoleReviewer, "/clues/"+id+"/transition?lang=en",
		url.Values{"to": {"dismissed"}, "version": {strconv.FormatInt(cs[0].Version, 10)}})
	if status != http.StatusBadRequest || !regexp.MustCompile(`data-testid="clue-transition-error">Say why \(reason\)`).MatchString(page) ||
		!strings.Contains(page, `data-testid="clue-transition"`) {
		t.Errorf("transition without reason = %d: %.3000s", status, page)
	}
	var detail app.ClueDetail
	if f.call(app.RoleReviewer, "GET", "/api/v1/clues/"+id, nil, &detail); detail.Status != "new" {
		t.Errorf("clue moved to %s without a reason", detail.Status)
	}
	// With a reason it moves, and the history shows it.
	status, _, loc := f.post(app.RoleReviewer, "/clues/"+id+"/transition?lang=en",
		url.Values{"to": {"dismissed"}, "reason": {"开户人已核实"}, "version": {strconv.FormatInt(cs[0].Version, 10)}})
	if status != http.StatusSeeOther {
		t.Fatalf("transition = %d", status)
	}
	if _, page := f.page(app.RoleReviewer, loc+"&lang=en"); !strings.Contains(page, "开户人已核实") || !strings.Contains(page, `data-testid="clue-moved"`) {
		t.Errorf("review screen after the move lacks the reason in its history: %.3000s", page)
	}
}

func TestTheReviewScreenMasksEvidenceRowsUnlessTheUserMayAndAsks(t *testing.T) {
	f, cs := queueFixture(t)
	path := "/clues/" + strconv.FormatInt(cs[0].ID, 10) + "?lang=en"
	status, page := f.page(app.RoleAnalyst, path)
	if status != 200 || strings.Count(page, `data-testid="evidence-row"`) != 4 || strings.Contains(page, secretID) ||
		!strings.Contains(page, "110105********002X") {
		t.Errorf("review as analyst = %d, want 4 masked evidence rows: %.4000s", status, page)
	}
	if !strings.Contains(page, "<th>holder_id_number</th>") || strings.Contains(page, "<th>card_no</th>") {
		t.Error("the evidence rows do not show the columns with values, or show the empty ones")
	}
	if strings.Contains(page, `data-testid="unmask-toggle"`) || strings.Contains(page, `data-testid="clue-transition"`) ||
		!strings.Contains(page, `data-testid="clue-comment"`) {
		t.Error("the analyst is offered unmasking or a transition, or no comment")
	}
	if !strings.Contains(page, "opened 4 cards at") || !strings.Contains(page, "What the model looks for") {
		t.Error("the review screen does not explain the clue in English")
	}
	if status, _ := f.page(app.RoleAnalyst, path+"&unmask=1"); status != http.StatusForbidden {
		t.Errorf("unmask as analyst = %d, want 403", status)
	}
	_, page = f.page(app.RoleProsecutor, path)
	if strings.Contains(page, secretID) || !strings.Contains(page, `data-testid="unmask-toggle"`) {
		t.Error("the prosecutor sees identifiers without asking, or is not offered to")
	}
	_, page = f.page(app.RoleProsecutor, path+"&unmask=1")
	if strings.Count(page, secretID) < 4 || strings.Count(page, `data-testid="evidence-row"`) != 4 {
		t.Errorf("review as prosecutor with unmask=1 does not show %s in the evidence rows", secretID)
	}
	if _, zh := f.page(app.RoleProsecutor, strings.TrimSuffix(path, "?lang=en")+"?lang=zh"); !strings.Contains(zh, "开立4张银行卡") {
		t.Error("the review screen does not explain the clue in Chinese")
	}
}

func TestAStaleVersionOnTheReviewScreenShowsWhoChangedTheClue(t *testing.T) {
	f, cs := queueFixture(t)
	id := strconv.FormatInt(cs[1].ID, 10)
	if status, b := f.call(app.RoleProsecutor, "POST", "/api/v1/clues/assign",
		map[string]any{"clues": []app.ClueRef{{ID: cs[1].ID}}, "assignee": "u_reviewer"}, nil); status != 200 {
		t.Fatalf("assign = %d %s", status, b)
	}
	status, page, _ := f.post(app.RoleReviewer, "/clues/"+id+"/transition?lang=en",
		url.Values{"to": {"verifying"}, "reason": {"start"}, "version": {strconv.FormatInt(cs[1].Version, 10)}})
	conflict := regexp.MustCompile(`(?s)data-testid="clue-conflict">.*?</p>`).FindString(page)
	if status != http.StatusConflict || !strings.Contains(conflict, "u_prosecutor") || !strings.Contains(conflict, "assigned (v2)") ||
		!strings.Contains(conflict, "you saw v1") {
		t.Errorf("stale transition = %d, conflict %q", status, conflict)
	}
	if !strings.Contains(page, `name="version" value="2"`) || !strings.Contains(page, ">start</textarea>") {
		t.Error("the form after a conflict does not carry the current version and the reason typed")
	}
	status, page, _ = f.post(app.RoleReviewer, "/clues/"+id+"/comments?lang=en", url.Values{"text": {""}})
	if status != http.StatusBadRequest || !strings.Contains(page, `data-testid="clue-comment-error">Write the comment first.`) {
		t.Errorf("empty comment = %d", status)
	}
	if status, _, loc := f.post(app.RoleReviewer, "/clues/"+id+"/comments", url.Values{"text": {"已电话核实"}}); status != http.StatusSeeOther ||
		!strings.HasSuffix(loc, "#history") {
		t.Errorf("comment = %d → %s", status, loc)
	}
}

func TestTheClueListAPISortsValidatesTheSortCountsAndShowsEvidence(t *testing.T) {
	f, cs := queueFixture(t)
	f.call(app.RoleProsecutor, "POST", "/api/v1/clues/assign", map[string]any{"clues": []app.ClueRef{{ID: cs[1].ID}}, "assignee": "u_reviewer"}, nil)
	var pg struct {
		Clues []app.ClueView `json:"clues"`
	}
	if status, b := f.call(app.RoleReviewer, "GET", "/api/v1/clues?sort=assignee&order=desc", nil, &pg); status != 200 || len(pg.Clues) != 3 ||
		pg.Clues[0].ID != cs[1].ID {
		t.Errorf("sorted by assignee desc = %d %s", status, b)
	}
	d := f.wantError(app.RoleReviewer, "GET", "/api/v1/clues?sort=title&order=up", nil, http.StatusBadRequest, "invalid")
	if !strings.Contains(d["sort"].(string), "assignee, created, due, id, model, score, status, updated") || d["order"] != "asc or desc" {
		t.Errorf("details = %v, want the allowed sorts and orders", d)
	}
	var counts struct {
		Counts map[string]int64 `json:"counts"`
	}
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/clues/counts?status=new", nil, &counts); status != 200 ||
		counts.Counts["new"] != 2 || counts.Counts["assigned"] != 1 {
		t.Errorf("counts = %d %s", status, b)
	}
	var ev struct {
		Evidence []app.EvidenceRows `json:"evidence"`
	}
	id := strconv.FormatInt(cs[0].ID, 10)
	if status, b := f.call(app.RoleReviewer, "GET", "/api/v1/clues/"+id+"/evidence", nil, &ev); status != 200 || len(ev.Evidence) != 1 ||
		len(ev.Evidence[0].Rows) != 4 || strings.Contains(string(b), secretID) {
		t.Errorf("evidence = %d %s", status, b)
	}
	if _, b := f.call(app.RoleReviewer, "GET", "/api/v1/clues/"+id+"/evidence?unmask=1", nil, nil); !strings.Contains(string(b), secretID) {
		t.Errorf("evidence with unmask=1 = %s", b)
	}
	f.wantError(app.RoleLiaison, "GET", "/api/v1/clues/"+id+"/evidence", nil, http.StatusForbidden, "forbidden")
}

func TestTheClueCatalogueHasEveryKeyTheCluePagesUseInBothLanguages(t *testing.T) {
	msgs, err := loadMessages()
	if err != nil {
		t.Fatal(err)
	}
	var used []string
	for _, file := range []string{"web/templates/clues.html", "web/templates/clues_review.html", "pages_clues.go"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(clues\.[a-z_]+)"`).FindAllStringSubmatch(string(b), -1) {
			used = append(used, m[1])
		}
	}
	// Keys the templates build: statuses, severities, event kinds, queue choices.
	for _, st := range casework.Statuses {
		used = append(used, "clues.status_"+st)
	}
	for _, sv := range supervise.Severities {
		used = append(used, "clues.severity_"+sv)
	}
	for _, k := range []string{"transition", "assign", "comment", "attach", "due", "case", "link", "create"} {
		used = append(used, "clues.event_"+k)
	}
	for _, k := range []string{"holds", "gone", "all"} {
		used = append(used, "clues.show_"+k)
	}
	for _, key := range used {
		for _, lang := range languages {
			if msgs[lang][key] == "" {
				t.Errorf("%s has no %s text", key, lang)
			}
		}
	}
}
