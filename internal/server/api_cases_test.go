package server

import (
	"net/http"
	"testing"

	"procura/internal/app"
)

func TestCasesAreCreatedLinkedShownAndKeepTheirTimeline(t *testing.T) {
	f := worldFixture(t)
	c := f.runModel()[0]
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/cases", app.NewCase{ID: "C-1", Title: "电诈"}, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C 1", Title: "电诈"}, http.StatusBadRequest, "invalid")

	var cd app.CaseDetail
	if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C-1", Title: "电诈", Clues: []int64{c.ID}}, &cd); status != http.StatusCreated ||
		cd.ID != "C-1" || len(cd.Clues) != 1 {
		t.Fatalf("create = %d %s", status, b)
	}
	var list struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
	}
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/cases", nil, &list); status != 200 || len(list.Cases) != 1 {
		t.Fatalf("cases = %d %s", status, b)
	}
	// Need-to-know: a prosecutor without a grant does not see the case.
	f.wantError(app.RoleProsecutor, "GET", "/api/v1/cases/C-1", nil, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAdmin, "GET", "/api/v1/cases/NOPE", nil, http.StatusNotFound, "not_found")

	link := map[string]any{"version": cd.Version, "accounts": []string{"6222021234567890"},
		"parties": []app.Party{{Key: secretID, Name: "张三", Role: "suspect"}}}
	if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/cases/C-1/links", link, &cd); status != 200 || len(cd.Accounts) != 1 || len(cd.Parties) != 1 {
		t.Fatalf("link = %d %s", status, b)
	}
	// The same version again: someone (we) changed the case since.
	d := f.wantError(app.RoleAdmin, "POST", "/api/v1/cases/C-1/links", map[string]any{"version": 1, "measures": []string{"检察建议"}}, http.StatusConflict, "conflict")
	if d["object"] != "case C-1" {
		t.Errorf("conflict details = %v", d)
	}
	f.wantError(app.RoleAdmin, "POST", "/api/v1/cases/C-1/links", map[string]any{"clues": "not a list"}, http.StatusBadRequest, "invalid")

	var tl struct {
		Events []map[string]any `json:"events"`
	}
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/cases/C-1/timeline", nil, &tl); status != 200 || len(tl.Events) == 0 {
		t.Fatalf("timeline = %d %s", status, b)
	}
}

func TestTheAIReportIsForThoseWhoReadModels(t *testing.T) {
	f := worldFixture(t)
	var rep map[string]any
	if status, b := f.call(app.RoleAdmin, "GET", "/api/v1/ai/report", nil, &rep); status != 200 || len(rep) == 0 {
		t.Fatalf("report = %d %s", status, b)
	}
	for _, role := range app.Roles {
		want := http.StatusForbidden
		if app.Allowed(role, app.ActModelRead) || app.Allowed(role, app.ActAuditRead) {
			want = 200
		}
		if status, b := f.call(role, "GET", "/api/v1/ai/report", nil, nil); status != want {
			t.Errorf("report as %s = %d %s, want %d", role, status, b, want)
		}
	}
	f.wantError("", "GET", "/api/v1/ai/report", nil, http.StatusUnauthorized, "unauthenticated")
}
