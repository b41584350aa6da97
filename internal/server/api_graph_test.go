package server

import (
	"net/http"
	"strings"
	"testing"

	"procura/internal/app"
)

func TestTheGraphIsQueriedOverGETWithParametersValidated(t *testing.T) {
	f := worldFixture(t)
	const ds = "datasets=tx,accounts"
	for _, path := range []string{
		"/api/v1/graph/neighbours?" + ds + "&seed=6222021234567890&hops=2",
		"/api/v1/graph/path?" + ds + "&from=6222021234567890&to=6222025555666677",
		"/api/v1/graph/path?" + ds + "&from=6222021234567890&to=6222025555666677&all=1&limit=5",
		"/api/v1/graph/path?" + ds + "&from=6222021234567890&to=6222025555666677&time_respecting=1&max_gap=2h",
		"/api/v1/graph/rank?" + ds + "&by=pagerank&top=3",
		"/api/v1/graph/communities?" + ds + "&min_size=1",
		"/api/v1/graph/collisions?" + ds,
	} {
		var res map[string]any
		status, b := f.call(app.RoleAnalyst, "GET", path, nil, &res)
		if status != 200 || len(res) == 0 {
			t.Errorf("%s = %d %s", path, status, b)
		}
		if strings.Contains(string(b), "6222021234567890") {
			t.Errorf("%s shows an account number in the clear: %s", path, b)
		}
	}
	var p struct {
		Paths []any `json:"paths"`
	}
	if _, b := f.call(app.RoleAdmin, "GET", "/api/v1/graph/path?"+ds+"&from=6222021234567890&to=6222025555666677&unmask=1", nil, &p); !strings.Contains(string(b), "6222025555666677") {
		t.Errorf("path with unmask=1 does not show the account: %s", b)
	}
	f.wantError(app.RoleAuditor, "GET", "/api/v1/graph/rank", nil, http.StatusForbidden, "forbidden")
	d := f.wantError(app.RoleAnalyst, "GET", "/api/v1/graph/path?max_gap=soon&hops=x", nil, http.StatusBadRequest, "invalid")
	for _, k := range []string{"from", "to", "max_gap"} {
		if d[k] == nil {
			t.Errorf("details %v do not name %s", d, k)
		}
	}
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/graph/neighbours", nil, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/graph/rank?"+ds+"&by=fame", nil, http.StatusBadRequest, "invalid")
	// Not connected within one hop: 404, and the message names the accounts masked.
	status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/graph/path?"+ds+"&from=6222021234567890&to=6222025555666677&max_hops=1", nil, nil)
	if status != http.StatusNotFound || errorCode(t, b) != "no_path" || strings.Contains(string(b), "6222021234567890") {
		t.Errorf("a path too long = %d %s, want 404 no_path with the accounts masked", status, b)
	}
}

func TestTheGraphExportIsADownloadForThoseWhoMayExport(t *testing.T) {
	f := worldFixture(t)
	status, b, h := f.do(app.RoleProsecutor, "GET", "/api/v1/graph/export?datasets=tx,accounts&format=graphml", nil, "")
	if status != 200 || !strings.Contains(h.Get("Content-Type"), "graphml") || !strings.Contains(string(b), "<graphml") || h.Get("X-Procura-Nodes") == "0" {
		t.Fatalf("export = %d %v %.200s", status, h, b)
	}
	if strings.Contains(string(b), "6222021234567890") || h.Get("X-Procura-Unmasked") != "false" {
		t.Errorf("the export holds identifiers in the clear without unmask")
	}
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/graph/export?format=json", nil, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleProsecutor, "GET", "/api/v1/graph/export?format=pdf", nil, http.StatusBadRequest, "invalid")
}
