package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"procura/internal/app"
)

func TestCluesAreListedFilteredAndPagedWithIdentifiersMaskedUnlessUnmasked(t *testing.T) {
	f := worldFixture(t)
	clues := f.runModel()
	c := clues[0]
	if c.ID == 0 || c.Version == 0 || c.Status != "new" {
		t.Fatalf("clue = %+v", c.Clue)
	}
	var pg struct {
		Total  int64 `json:"total"`
		Offset int   `json:"offset"`
		Limit  int   `json:"limit"`
		Clues  []app.ClueView
	}
	if status, b := f.call(app.RoleReviewer, "GET", "/api/v1/clues?status=new&limit=1&offset=0", nil, &pg); status != 200 || pg.Limit != 1 || len(pg.Clues) != 1 {
		t.Fatalf("page = %d %s", status, b)
	}
	if _, b := f.call(app.RoleReviewer, "GET", "/api/v1/clues?status=confirmed", nil, &pg); pg.Total != 0 {
		t.Errorf("confirmed clues = %s, want none", b)
	}
	if _, b := f.call(app.RoleAdmin, "GET", "/api/v1/clues", nil, nil); strings.Contains(string(b), secretID) {
		t.Errorf("clue list shows %s without unmask: %s", secretID, b)
	}
	if _, b := f.call(app.RoleAdmin, "GET", "/api/v1/clues?unmask=1", nil, nil); !strings.Contains(string(b), secretID) {
		t.Errorf("clue list with unmask=1 does not show %s: %s", secretID, b)
	}
	d := f.wantError(app.RoleReviewer, "GET", "/api/v1/clues?limit=0&offset=-1", nil, http.StatusBadRequest, "invalid")
	if d["limit"] == nil || d["offset"] == nil {
		t.Errorf("details = %v, want limit and offset", d)
	}
	f.wantError(app.RoleLiaison, "GET", "/api/v1/clues", nil, http.StatusForbidden, "forbidden")

	var detail app.ClueDetail
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/clues/"+strconv.FormatInt(c.ID, 10), nil, &detail); status != 200 || detail.ID != c.ID {
		t.Fatalf("clue = %d %s", status, b)
	}
	f.wantError(app.RoleAuditor, "GET", "/api/v1/clues/999999", nil, http.StatusNotFound, "not_found")
	f.wantError(app.RoleAuditor, "GET", "/api/v1/clues/abc", nil, http.StatusBadRequest, "invalid")
}

func TestCluesAreAssignedAndTransitionedWithVersionsAndConflictsAre409(t *testing.T) {
	f := worldFixture(t)
	c := f.runModel()[0]
	id := strconv.FormatInt(c.ID, 10)
	ref := []app.ClueRef{{ID: c.ID, Version: c.Version}}

	// An analyst decides nothing; a reviewer does not assign.
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/clues/transition", map[string]any{"clues": ref, "to": "dismissed", "reason": "no"}, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleReviewer, "POST", "/api/v1/clues/assign", map[string]any{"clues": ref, "assignee": "u_reviewer"}, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleProsecutor, "POST", "/api/v1/clues/assign", map[string]any{"clues": ref}, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleProsecutor, "POST", "/api/v1/clues/transition", map[string]any{"clues": ref, "to": "assigned", "bogus": 1}, http.StatusBadRequest, "invalid")

	var res app.TransitionResult
	if status, b := f.call(app.RoleProsecutor, "POST", "/api/v1/clues/assign", map[string]any{"clues": ref, "assignee": "u_reviewer", "due": "2030-01-31"}, &res); status != 200 ||
		len(res.Clues) != 1 || res.Clues[0].Status != "assigned" || res.AuditSeq == 0 {
		t.Fatalf("assign = %d %s", status, b)
	}
	// A second change from the version seen before the assignment is refused, naming who came first.
	d := f.wantError(app.RoleReviewer, "POST", "/api/v1/clues/transition", map[string]any{"clues": ref, "to": "verifying"}, http.StatusConflict, "conflict")
	if d["changed_by"] != "u_prosecutor" || d["status"] != "assigned" {
		t.Errorf("conflict details = %v", d)
	}
	now := []app.ClueRef{{ID: c.ID, Version: res.Clues[0].Version}}
	if status, b := f.call(app.RoleReviewer, "POST", "/api/v1/clues/transition", map[string]any{"clues": now, "to": "verifying"}, &res); status != 200 || res.Clues[0].Status != "verifying" {
		t.Fatalf("transition = %d %s", status, b)
	}
	f.wantError(app.RoleReviewer, "POST", "/api/v1/clues/transition", map[string]any{"clues": []app.ClueRef{{ID: 999999}}, "to": "verifying"}, http.StatusNotFound, "not_found")

	var ev struct {
		Kind string `json:"kind"`
	}
	if status, b := f.call(app.RoleAnalyst, "POST", "/api/v1/clues/"+id+"/comments", map[string]any{"text": "账户开户时间集中"}, &ev); status != http.StatusCreated {
		t.Fatalf("comment = %d %s", status, b)
	}
	f.wantError(app.RoleAuditor, "POST", "/api/v1/clues/"+id+"/comments", map[string]any{"text": "x"}, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/clues/999999/comments", map[string]any{"text": "x"}, http.StatusNotFound, "not_found")
	var att struct {
		Attachments []map[string]any `json:"attachments"`
	}
	if status, b := f.call(app.RoleAnalyst, "POST", "/api/v1/clues/"+id+"/attachments", map[string]any{"evidence": []int64{1}}, &att); status != http.StatusCreated || len(att.Attachments) != 1 {
		t.Fatalf("attach = %d %s", status, b)
	}
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/clues/"+id+"/attachments", map[string]any{"evidence": []int64{999}}, http.StatusNotFound, "not_found")
	var detail app.ClueDetail
	f.call(app.RoleAnalyst, "GET", "/api/v1/clues/"+id, nil, &detail)
	if detail.Status != "verifying" || len(detail.Attachments) != 1 {
		t.Errorf("clue after the changes = %+v, %d attachments", detail.Clue, len(detail.Attachments))
	}
}
