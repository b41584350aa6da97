package server

import (
	"strconv"
	"strings"
	"testing"

	"procura/internal/app"
)

// The identifiers of the API world, as imported.
var worldSecrets = []string{secretID, "6222021234567890", "6222029876543210", "6228481234567891", "13812345678", "490154203237518"}

func TestNoAnswerShowsAnIdentifierWithoutUnmask(t *testing.T) {
	f := worldFixture(t)
	c := f.runModel()[0]
	id := strconv.FormatInt(c.ID, 10)
	f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C-1", Title: "电诈", Clues: []int64{c.ID}}, nil)
	f.call(app.RoleAdmin, "POST", "/api/v1/cases/C-1/links", map[string]any{"accounts": []string{"6222021234567890"},
		"parties": []app.Party{{Key: secretID, Name: "张三", Role: "suspect"}}}, nil)
	answers := map[string][]byte{}
	get := func(path string) {
		status, b := f.call(app.RoleAdmin, "GET", path, nil, nil)
		if status != 200 {
			t.Errorf("GET %s = %d %s", path, status, b)
		}
		answers["GET "+path] = b
	}
	post := func(path string, body any) {
		status, b := f.call(app.RoleAdmin, "POST", path, body, nil)
		if status != 200 {
			t.Errorf("POST %s = %d %s", path, status, b)
		}
		answers["POST "+path] = b
	}
	for _, p := range []string{"/api/v1/clues", "/api/v1/clues/" + id, "/api/v1/cases/C-1", "/api/v1/cases/C-1/timeline", "/api/v1/cases",
		"/api/v1/audit", "/api/v1/evidence", "/api/v1/ai/report", "/api/v1/graph/communities?min_size=1",
		"/api/v1/graph/rank?top=50", "/api/v1/graph/collisions", "/api/v1/graph/neighbours?seed=6222021234567890",
		"/api/v1/graph/search?q=6222021234567890", "/api/v1/graph/search?q=张", "/api/v1/graph/neighbourhood?entity=6222021234567890&depth=2",
		"/api/v1/graph/entity?entity=6222021234567890", "/api/v1/graph/collision-view", "/graph?q=6222021234567890"} {
		get(p)
	}
	post("/api/v1/screen", map[string]any{"queries": []string{"张三", secretID}})
	post("/api/v1/transfer-matches", map[string]any{"out": "tx", "in": "tx"})
	answers["trace"] = f.finish(app.RoleAdmin, f.startJob(app.RoleAdmin, "/api/v1/traces", map[string]any{"dataset": "tx", "seed_tx": []string{"T1"}, "min_amount": 1}))
	answers["typologies"] = f.finish(app.RoleAdmin, f.startJob(app.RoleAdmin, "/api/v1/typologies", map[string]any{"dataset": "tx"}))
	answers["resolve"] = f.finish(app.RoleAdmin, f.startJob(app.RoleAdmin, "/api/v1/resolve", map[string]any{"dataset": "persons"}))
	for what, b := range answers {
		for _, s := range worldSecrets {
			if i := strings.Index(string(b), s); i >= 0 {
				t.Errorf("%s shows %s in the clear: …%s…", what, s, b[max(0, i-150):min(len(b), i+60)])
			}
		}
	}
}

func TestUnmaskShowsIdentifiersOnlyToThoseWhoMayUnmask(t *testing.T) {
	f := worldFixture(t)
	f.call(app.RoleAdmin, "POST", "/api/v1/cases", app.NewCase{ID: "C-1", Title: "电诈"}, nil)
	f.call(app.RoleAdmin, "POST", "/api/v1/cases/C-1/links", map[string]any{"parties": []app.Party{{Key: secretID, Name: "张三", Role: "suspect"}}}, nil)
	if _, b := f.call(app.RoleAdmin, "GET", "/api/v1/cases/C-1?unmask=1", nil, nil); !strings.Contains(string(b), secretID) {
		t.Errorf("an administrator asking unmask=1 does not see %s: %s", secretID, b)
	}
	if _, b := f.call(app.RoleAuditor, "GET", "/api/v1/cases/C-1?unmask=1", nil, nil); strings.Contains(string(b), secretID) {
		t.Errorf("an auditor (no identifiers.unmask) asking unmask=1 sees %s: %s", secretID, b)
	}
	if _, b := f.call(app.RoleLiaison, "POST", "/api/v1/screen?unmask=1", map[string]any{"queries": []string{"张三"}}, nil); strings.Contains(string(b), secretID) {
		t.Errorf("a liaison officer (no identifiers.unmask) asking unmask=1 sees %s in screening: %s", secretID, b)
	}
}
