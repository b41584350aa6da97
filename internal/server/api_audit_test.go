package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"procura/internal/app"
)

func TestTheAuditLogIsReadFilteredAndVerifiedByAuditorsOnly(t *testing.T) {
	f := worldFixture(t)
	var log struct {
		Entries []struct {
			Seq    int64  `json:"seq"`
			Action string `json:"action"`
		} `json:"entries"`
	}
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/audit?limit=1000", nil, &log); status != 200 || len(log.Entries) == 0 {
		t.Fatalf("audit = %d %s", status, b)
	}
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/audit?newest=1&limit=2", nil, &log); status != 200 || len(log.Entries) != 2 {
		t.Fatalf("newest 2 = %d %s", status, b)
	}
	action := log.Entries[0].Action
	f.call(app.RoleAuditor, "GET", "/api/v1/audit?action="+action, nil, &log)
	for _, e := range log.Entries {
		if e.Action != action {
			t.Errorf("filtered by %s, got %s", action, e.Action)
		}
	}
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/audit", nil, http.StatusForbidden, "forbidden")
	d := f.wantError(app.RoleAuditor, "GET", "/api/v1/audit?since=yesterday&limit=x", nil, http.StatusBadRequest, "invalid")
	if d["since"] == nil || d["limit"] == nil {
		t.Errorf("details = %v", d)
	}
	var v map[string]any
	if status, b := f.call(app.RoleAuditor, "POST", "/api/v1/audit/verify", map[string]any{"sign": true}, &v); status != 200 ||
		strings.HasPrefix(v["key_path"].(string), "/") || v["signed"] == nil {
		t.Fatalf("verify = %d %s", status, b)
	}
	f.wantError(app.RoleProsecutor, "POST", "/api/v1/audit/verify", nil, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAuditor, "POST", "/api/v1/audit/verify", map[string]any{"sign": "yes"}, http.StatusBadRequest, "invalid")
}

func TestEvidenceIsListedShownWithoutServerPathsAndVerified(t *testing.T) {
	f := worldFixture(t)
	var list struct {
		Evidence []struct {
			ID int64 `json:"id"`
		} `json:"evidence"`
	}
	if status, b := f.call(app.RoleLiaison, "GET", "/api/v1/evidence", nil, &list); status != 200 || len(list.Evidence) == 0 {
		t.Fatalf("evidence = %d %s", status, b)
	}
	var d app.EvidenceDetail
	status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/evidence/"+strconv.FormatInt(list.Evidence[0].ID, 10), nil, &d)
	if status != 200 || d.Item.ID != list.Evidence[0].ID || len(d.Custody) == 0 {
		t.Fatalf("evidence item = %d %s", status, b)
	}
	if strings.Contains(string(b), f.app.Workspace()) {
		t.Errorf("the answer shows the server's workspace path: %s", b)
	}
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/evidence/999999", nil, http.StatusNotFound, "not_found")
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/evidence/x", nil, http.StatusBadRequest, "invalid")
	// Every role reads evidence metadata (the auditor through audit.read); nobody unauthenticated.
	f.wantError("", "GET", "/api/v1/evidence", nil, http.StatusUnauthorized, "unauthenticated")
	if status, b := f.call(app.RoleAnalyst, "POST", "/api/v1/evidence/verify", nil, nil); status != 200 {
		t.Fatalf("verify = %d %s", status, b)
	}
}
