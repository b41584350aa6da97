package server

import (
	"net/http"
	"testing"

	"procura/internal/app"
)

func TestTheAdminManagesUsersGrantsAndPasswordsThroughTheAPI(t *testing.T) {
	f := newFixture(t)
	analyst := "/api/v1/users/u_" + app.RoleAnalyst
	f.wantError(app.RoleProsecutor, "PATCH", analyst, map[string]any{"role": "reviewer"}, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAdmin, "PATCH", analyst, map[string]any{}, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAdmin, "PATCH", analyst, map[string]any{"role": "chief"}, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAdmin, "PATCH", "/api/v1/users/nobody", map[string]any{"role": "reviewer"}, http.StatusNotFound, "not_found")

	// A role change applies to the user's live token at once.
	var u struct {
		Role string `json:"role"`
	}
	if status, b := f.call(app.RoleAdmin, "PATCH", analyst, map[string]any{"role": "reviewer"}, &u); status != 200 || u.Role != app.RoleReviewer {
		t.Fatalf("role change = %d %s", status, b)
	}
	var me struct {
		Role string `json:"role"`
	}
	if status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/me", nil, &me); status != 200 || me.Role != app.RoleReviewer {
		t.Errorf("the changed user's token acts as %q (%d %s), want reviewer", me.Role, status, b)
	}

	// Grants: the prosecutor sees a case only once granted, and not after it is withdrawn.
	if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C-9", Title: "电诈"}, nil); status != http.StatusCreated {
		t.Fatalf("create case = %d %s", status, b)
	}
	prosecutor := "/api/v1/users/u_" + app.RoleProsecutor
	f.wantError(app.RoleProsecutor, "GET", "/api/v1/cases/C-9", nil, http.StatusForbidden, "forbidden")
	if status, b := f.call(app.RoleAdmin, "PUT", prosecutor+"/grants/C-9", nil, nil); status != http.StatusNoContent {
		t.Fatalf("grant = %d %s", status, b)
	}
	if status, b := f.call(app.RoleProsecutor, "GET", "/api/v1/cases/C-9", nil, nil); status != 200 {
		t.Errorf("granted case = %d %s", status, b)
	}
	var gs struct {
		Grants []struct {
			CaseID string `json:"case_id"`
		} `json:"grants"`
	}
	if status, b := f.call(app.RoleProsecutor, "GET", prosecutor+"/grants", nil, &gs); status != 200 || len(gs.Grants) != 1 {
		t.Errorf("own grants = %d %s, want the one grant", status, b)
	}
	f.wantError(app.RoleProsecutor, "GET", analyst+"/grants", nil, http.StatusForbidden, "forbidden")
	if status, b := f.call(app.RoleAdmin, "DELETE", prosecutor+"/grants/C-9", nil, nil); status != http.StatusNoContent {
		t.Fatalf("withdraw = %d %s", status, b)
	}
	f.wantError(app.RoleProsecutor, "GET", "/api/v1/cases/C-9", nil, http.StatusForbidden, "forbidden")

	// Credentials are listed without secrets; disabling revokes them, so the token stops working.
	var cs struct {
		Credentials []map[string]any `json:"credentials"`
	}
	if status, b := f.call(app.RoleAdmin, "GET", "/api/v1/users/u_"+app.RoleLiaison+"/credentials", nil, &cs); status != 200 || len(cs.Credentials) != 1 {
		t.Fatalf("credentials = %d %s", status, b)
	}
	for k := range cs.Credentials[0] {
		if k == "secret" || k == "secret_hash" {
			t.Errorf("a credential listing shows %s", k)
		}
	}
	if status, b := f.call(app.RoleAdmin, "PATCH", "/api/v1/users/u_"+app.RoleLiaison, map[string]any{"disabled": true}, nil); status != 200 {
		t.Fatalf("disable = %d %s", status, b)
	}
	f.wantError(app.RoleLiaison, "GET", "/api/v1/me", nil, http.StatusUnauthorized, "unauthenticated")

	// A reset without a password generates one, shown once.
	var pw struct {
		Password string `json:"password"`
	}
	if status, b := f.call(app.RoleAdmin, "POST", "/api/v1/users/u_"+app.RoleAuditor+"/password", map[string]any{}, &pw); status != 200 || len(pw.Password) < 12 {
		t.Fatalf("reset = %d %s", status, b)
	}
	f.wantError(app.RoleAdmin, "POST", "/api/v1/users/u_"+app.RoleAuditor+"/password", map[string]any{"password": "short"}, http.StatusBadRequest, "invalid")

	// Every change is in the audit log.
	var log struct {
		Entries []struct {
			Action string `json:"action"`
		} `json:"entries"`
	}
	if status, b := f.call(app.RoleAdmin, "GET", "/api/v1/audit", nil, &log); status != 200 {
		t.Fatalf("audit = %d %s", status, b)
	}
	seen := map[string]bool{}
	for _, e := range log.Entries {
		seen[e.Action] = true
	}
	for _, want := range []string{"user.role_changed", "case.granted", "case.revoked", "user.disabled", "user.password_reset"} {
		if !seen[want] {
			t.Errorf("the audit log lacks %s", want)
		}
	}
}
