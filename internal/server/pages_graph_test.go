package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"procura/internal/app"
)

// graphWorld is the world fixture plus two cases that both name 张三 (a collision).
func graphWorld(t *testing.T) *fixture {
	t.Helper()
	f := worldFixture(t)
	ctx := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	p := filepath.Join(t.TempDir(), "parties.csv")
	body := "case_no,role,name,id_number,phone,bank_card,account,address\n" +
		"(2025)京0101刑初1号,犯罪嫌疑人,张三," + secretID + ",13812345678,,,\n" +
		"(2025)京0101刑初2号,犯罪嫌疑人,张三," + secretID + ",,,,\n" +
		"(2025)京0101刑初2号,犯罪嫌疑人,李四,110105198001010016,,,,\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Import(ctx, app.ImportRequest{Path: p, Dataset: "parties", Kind: "case_parties"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTheGraphPageRendersForAnalystAndLiaisonAndIsRefusedToTheAuditor(t *testing.T) {
	f := graphWorld(t)
	for _, role := range []string{app.RoleAnalyst, app.RoleLiaison} {
		status, b, _ := f.do(role, "GET", "/graph?lang=en", nil, "")
		page := string(b)
		if status != 200 {
			t.Fatalf("/graph as %s = %d %s", role, status, page)
		}
		for _, id := range []string{"graph-search", "graph-results", "graph-canvas", "graph-expand", "graph-path-form", "graph-collisions", "node-panel"} {
			if !strings.Contains(page, `data-testid="`+id+`"`) {
				t.Errorf("/graph as %s has no data-testid %s", role, id)
			}
		}
		for _, asset := range []string{"/static/js/graph.js", "/static/css/graph.css"} {
			if !strings.Contains(page, asset) {
				t.Errorf("/graph does not load %s", asset)
			}
			if s, _, _ := f.do(role, "GET", asset, nil, ""); s != 200 {
				t.Errorf("GET %s = %d", asset, s)
			}
		}
	}
	if s, _, _ := f.do(app.RoleAnalyst, "GET", "/static/js/graph-layout.js", nil, ""); s != 200 {
		t.Errorf("the layout worker is not served: %d", s)
	}
	if status, b, _ := f.do(app.RoleAuditor, "GET", "/graph?lang=en", nil, ""); status != http.StatusForbidden || strings.Contains(string(b), "graph-canvas") {
		t.Errorf("/graph as auditor = %d, want 403 without the explorer", status)
	}
}

func TestTheGraphSearchFindsAnEntityMaskedForTheAnalyst(t *testing.T) {
	f := graphWorld(t)
	// The page (as htmx asks for it: only the results).
	status, b, _ := f.doHX(app.RoleAnalyst, "/graph?lang=en&q=6222021234567890")
	page := string(b)
	if status != 200 || strings.Contains(page, "<html") || !strings.Contains(page, `data-testid="graph-results"`) {
		t.Fatalf("search fragment = %d %s", status, page)
	}
	if !strings.Contains(page, `class="graph-hit"`) || strings.Contains(page, "6222021234567890") {
		t.Errorf("the search does not list the account masked: %s", page)
	}
	// The API: an identifier typed whole, and a name by part.
	var res app.SearchResult
	if status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/graph/search?q=6222021234567890", nil, &res); status != 200 || len(res.Hits) != 1 ||
		res.Hits[0].Match != "identifier" || res.Hits[0].Type.String() != "account" || strings.Contains(string(b), "6222021234567890") {
		t.Fatalf("search by account = %d %s, want the account masked", status, b)
	}
	if res.Hits[0].Degree == 0 || res.Hits[0].Community < 0 {
		t.Errorf("a hit lacks its degree or community: %+v", res.Hits[0])
	}
	if status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/graph/search?q=张", nil, &res); status != 200 || len(res.Hits) == 0 || res.Hits[0].Match != "name" ||
		strings.Contains(string(b), secretID) {
		t.Errorf("search by name = %d %s, want 张三 with the ID number masked", status, b)
	}
	// Part of an identifier finds nothing: it would recover masked digits one by one.
	if status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/graph/search?q=62220212345", nil, &res); status != 200 || len(res.Hits) != 0 {
		t.Errorf("search by part of an account = %d %s, want no hit", status, b)
	}
	if _, b := f.call(app.RoleAdmin, "GET", "/api/v1/graph/search?q=6222021234567890&unmask=1", nil, nil); !strings.Contains(string(b), "6222021234567890") {
		t.Errorf("search with unmask=1 as admin does not show the account: %s", b)
	}
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/graph/search", nil, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAuditor, "GET", "/api/v1/graph/search?q=x", nil, http.StatusForbidden, "forbidden")
}

// nodeID finds the node id of an identifier through the search API.
func (f *fixture) nodeID(q string) int32 {
	f.t.Helper()
	var res app.SearchResult
	if status, b := f.call(app.RoleAnalyst, "GET", "/api/v1/graph/search?q="+q, nil, &res); status != 200 || len(res.Hits) != 1 {
		f.t.Fatalf("search %s = %d %s, want one hit", q, status, b)
	}
	return res.Hits[0].ID
}

// checkView fails on a node listed twice, an edge listed twice, or an edge to a node not in
// the view; it returns the view's node ids.
func checkView(t *testing.T, v app.GraphView) map[int32]bool {
	t.Helper()
	ids := map[int32]bool{}
	for _, n := range v.Nodes {
		if ids[n.ID] {
			t.Errorf("node %d is listed twice", n.ID)
		}
		ids[n.ID] = true
	}
	edges := map[string]bool{}
	for _, e := range v.Edges {
		k := fmt.Sprint(e.From, ">", e.To, ">", e.Rel, ">", e.Label)
		if edges[k] {
			t.Errorf("edge %s is listed twice", k)
		}
		edges[k] = true
		if !ids[e.From] || !ids[e.To] {
			t.Errorf("edge %s ends outside the view", k)
		}
	}
	return ids
}

func TestExpandingANodeReturnsItsNeighboursOnce(t *testing.T) {
	f := graphWorld(t)
	acct := f.nodeID("6222021234567890")
	var v app.GraphView
	path := fmt.Sprintf("/api/v1/graph/neighbourhood?entity=node:%d&depth=1", acct)
	if status, b := f.call(app.RoleAnalyst, "GET", path, nil, &v); status != 200 || strings.Contains(string(b), "6222021234567890") {
		t.Fatalf("%s = %d %s, want the neighbourhood masked", path, status, b)
	}
	ids := checkView(t, v)
	if len(v.Seeds) != 1 || v.Seeds[0].ID != acct || !ids[acct] || len(v.Nodes) < 3 || len(v.Edges) < 2 {
		t.Fatalf("the neighbourhood of the account = %+v, want it with its holder, counterparty and device", v)
	}
	for _, n := range v.Nodes {
		if n.ID != acct && n.Hops != 1 {
			t.Errorf("node %d at %d hops in a one-hop expansion", n.ID, n.Hops)
		}
	}
	// Expanding a neighbour gives back the account, once, with the same id: the page merges
	// by id.
	var holder int32 = -1
	for _, n := range v.Nodes {
		if n.Type.String() == "person" {
			holder = n.ID
		}
	}
	var w app.GraphView
	f.call(app.RoleAnalyst, "GET", fmt.Sprintf("/api/v1/graph/neighbourhood?entity=node:%d", holder), nil, &w)
	if !checkView(t, w)[acct] {
		t.Errorf("expanding the holder does not reach the account %d: %+v", acct, w.Nodes)
	}
	// The entity's panel: its ties and the cases that name its holder.
	var d app.EntityDetail
	if status, b := f.call(app.RoleAnalyst, "GET", fmt.Sprintf("/api/v1/graph/entity?entity=node:%d", acct), nil, &d); status != 200 ||
		d.Node.ID != acct || d.ByRelation["holds"] == 0 || len(d.Cases) != 2 || d.Cases[0].Via == nil || strings.Contains(string(b), secretID) {
		t.Errorf("entity = %d %s, want the account with the two cases that name its holder", status, b)
	}
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/graph/entity?entity=node:999999", nil, http.StatusNotFound, "not_found")
}

func TestThePathBetweenTwoNodesNamesTheStepsToHighlight(t *testing.T) {
	f := graphWorld(t)
	from, to := f.nodeID("6222021234567890"), f.nodeID("6222025555666677")
	var p app.PathResult
	path := fmt.Sprintf("/api/v1/graph/path?from=node:%d&to=node:%d", from, to)
	if status, b := f.call(app.RoleAnalyst, "GET", path, nil, &p); status != 200 || len(p.Steps) == 0 || strings.Contains(string(b), "6222025555666677") {
		t.Fatalf("%s = %d %s", path, status, b)
	}
	if p.Steps[0].From.ID != from || p.Steps[len(p.Steps)-1].To.ID != to {
		t.Errorf("the path does not run from node %d to node %d: %+v", from, to, p.Steps)
	}
	for i := 1; i < len(p.Steps); i++ {
		if p.Steps[i].From.ID != p.Steps[i-1].To.ID {
			t.Errorf("step %d does not start where step %d ended", i, i-1)
		}
	}
}

func TestTheNeighbourhoodLimitIsRespectedAndBadLimitsAreRefused(t *testing.T) {
	f := graphWorld(t)
	acct := f.nodeID("6222021234567890")
	var v app.GraphView
	f.call(app.RoleAnalyst, "GET", fmt.Sprintf("/api/v1/graph/neighbourhood?entity=node:%d&depth=3&limit=3", acct), nil, &v)
	if len(v.Nodes) != 3 || !v.Truncated {
		t.Errorf("limit=3 gave %d nodes (truncated %v), want 3 and truncated", len(v.Nodes), v.Truncated)
	}
	checkView(t, v)
	for _, q := range []string{"limit=5001", "limit=0", "depth=0", "depth=4", "depth=two"} {
		d := f.wantError(app.RoleAnalyst, "GET", fmt.Sprintf("/api/v1/graph/neighbourhood?entity=node:%d&%s", acct, q), nil, http.StatusBadRequest, "invalid")
		if name, _, _ := strings.Cut(q, "="); d[name] == nil {
			t.Errorf("%s: details %v do not name %s", q, d, name)
		}
	}
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/graph/neighbourhood?depth=1", nil, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAuditor, "GET", fmt.Sprintf("/api/v1/graph/neighbourhood?entity=node:%d", acct), nil, http.StatusForbidden, "forbidden")
}

func TestTheCollisionViewDrawsTheEntitiesSharedByCasesWithTheirCases(t *testing.T) {
	f := graphWorld(t)
	var v app.GraphView
	if status, b := f.call(app.RoleLiaison, "GET", "/api/v1/graph/collision-view", nil, &v); status != 200 || strings.Contains(string(b), secretID) {
		t.Fatalf("collision view = %d %s", status, b)
	}
	checkView(t, v)
	person := f.nodeID(secretID)
	cases := 0
	for _, n := range v.Nodes {
		if n.Type.String() == "case" {
			cases++
		}
	}
	if !checkView(t, v)[person] || cases != 2 {
		t.Errorf("the collision view %+v lacks 张三 (node %d) or the two cases naming him", v.Nodes, person)
	}
	tied := 0
	for _, e := range v.Edges {
		if e.To == person || e.From == person {
			tied++
		}
	}
	if tied < 2 {
		t.Errorf("张三 is tied to %d cases on the canvas, want 2: %+v", tied, v.Edges)
	}
}

var testidPattern = regexp.MustCompile(`data-testid="([a-z-]+)"`)

func TestTheGraphPageTextIsInTheCatalogue(t *testing.T) {
	f := graphWorld(t)
	for _, lang := range []string{"en", "zh"} {
		_, b, _ := f.do(app.RoleAnalyst, "GET", "/graph?q=张&lang="+lang, nil, "")
		if m := regexp.MustCompile(`>graph\.[a-z_.]+<`).Find(b); m != nil {
			t.Errorf("/graph in %s shows the key %s instead of its text", lang, m)
		}
		if len(testidPattern.FindAll(b, -1)) < 7 {
			t.Errorf("/graph in %s lost its test ids", lang)
		}
	}
}

// doHX gets path as htmx does (HX-Request), which answers only the page's fragment.
func (f *fixture) doHX(role, path string) (int, []byte, http.Header) {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// The explorer keeps its graph between requests; an import must show at once.
func TestTheExplorerSeesAnImportAtOnce(t *testing.T) {
	f := graphWorld(t)
	f.nodeID("6222021234567890") // the graph is built and kept
	var res app.SearchResult
	const fresh = "6222027777888899"
	if _, b := f.call(app.RoleAnalyst, "GET", "/api/v1/graph/search?q="+fresh, nil, &res); len(res.Hits) != 0 {
		t.Fatalf("the account is found before it is imported: %s", b)
	}
	p := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(p, []byte("tx_id,account,time,amount,counterparty_account\nT9,6222021234567890,2025-03-05 10:00:00,-5.00,"+fresh+"\n"), 0o600)
	ctx := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	if _, err := f.app.Import(ctx, app.ImportRequest{Path: p, Dataset: "tx", Kind: "transactions"}); err != nil {
		t.Fatal(err)
	}
	f.nodeID(fresh)
}

// Nodes loaded by different requests get the edges between them from POST /graph/edges.
func TestTheEdgesAmongNodesDrawnApartAreFilledIn(t *testing.T) {
	f := graphWorld(t)
	// 1234… paid 9876… (T1, and T2 is 9876…'s record of the same money coming in).
	a, b := f.nodeID("6222021234567890"), f.nodeID("6222029876543210")
	var res app.EdgesResult
	if status, body := f.call(app.RoleAnalyst, "POST", "/api/v1/graph/edges", map[string]any{"nodes": []int32{a, b, a}}, &res); status != 200 {
		t.Fatalf("edges = %d %s", status, body)
	}
	if len(res.Edges) != 1 || res.Edges[0] != (app.ViewEdge{From: a, To: b, Rel: "transfer", Rows: 2}) {
		t.Errorf("edges among the two accounts = %+v, want the transfer of two rows, listed once", res.Edges)
	}
	many := make([]int32, app.MaxViewNodes+1)
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/graph/edges", map[string]any{"nodes": many}, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/graph/edges", map[string]any{"nodes": []int32{1 << 30}}, http.StatusNotFound, "not_found")
	f.wantError(app.RoleAuditor, "POST", "/api/v1/graph/edges", map[string]any{"nodes": []int32{a}}, http.StatusForbidden, "forbidden")
}
