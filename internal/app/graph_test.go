package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"procura/internal/graph"
	"procura/internal/synth"
)

// TestTheGraphMergesPersonsByTheLatestResolution adds to the world's persons a second record
// of one person under a passport number, and a SIM register line under that passport: once
// procura resolve has run, the graph has one person holding the SIM's number, and the
// passport is no node of its own; --ignore-resolved keeps them apart.
func TestTheGraphMergesPersonsByTheLatestResolution(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	world := filepath.Join(dir, "world")
	if _, err := synth.Generate(ctx, synth.Options{Out: world, Seed: 7, Scale: "20000tx", Formats: []string{"canonical"}}); err != nil {
		t.Fatal(err)
	}
	persons := readFile(t, filepath.Join(world, "persons.csv"))
	lines := strings.Split(strings.TrimSpace(persons), "\n")
	// A resident of the world: person_id,name,id_number,id_type,gender,birth_date,phone,address,nationality
	var person []string
	for _, l := range lines[1:] {
		if f := strings.Split(l, ","); f[3] == "居民身份证" && f[6] != "" {
			person = f
			break
		}
	}
	id := person[2]
	dup := slices.Clone(person)
	dup[0], dup[2], dup[3] = "P99999999", "E98765432", "护照"
	writeFile(t, filepath.Join(dir, "persons.csv"), persons+strings.Join(dup, ",")+"\n")
	writeFile(t, filepath.Join(dir, "sims.csv"), "phone,holder_id_number,holder_name\n13912345678,E98765432,"+person[1]+"\n")

	cfg := Config{Workspace: filepath.Join(dir, "ws"), Actor: "tester"}
	if _, err := Init(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	a, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, d := range []struct{ name, kind string }{{"persons", "persons"}, {"sims", ""}} {
		if _, err := a.Import(ctx, ImportRequest{Path: filepath.Join(dir, d.name+".csv"), Dataset: d.name, Kind: d.kind}); err != nil {
			t.Fatal(err)
		}
	}
	holderOfPhone := func(req GraphRequest) (string, GraphInfo) {
		t.Helper()
		g, info, err := a.EntityGraph(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		ph, ok := g.Lookup(graph.Phone, "+8613912345678")
		if !ok {
			t.Fatal("the SIM's number is no node")
		}
		holder := ""
		g.Neighbours(ph, func(x graph.Adj) bool {
			if x.Rel == graph.Holds {
				holder = g.Key(x.Node)
			}
			return true
		})
		return holder, info
	}
	if h, _ := holderOfPhone(GraphRequest{}); h != "E98765432" {
		t.Fatalf("before resolution the number's holder is %q, want the passport", h)
	}
	res, err := a.Resolve(WithUnmask(ctx), ResolveRequest{Dataset: "persons"})
	if err != nil {
		t.Fatal(err)
	}
	merged := false
	for _, c := range res.Clusters {
		if len(c.Records) == 2 && strings.Contains(strings.Join(c.Records, " "), "P99999999") {
			merged = true
		}
	}
	if !merged {
		t.Fatalf("resolve did not link the passport record P99999999 to %s", person[0])
	}
	h, info := holderOfPhone(GraphRequest{})
	if h != id {
		t.Errorf("after resolution the number's holder is %q, want the resident ID %s", h, id)
	}
	if info.Resolved == nil || info.Resolved.Dataset != "persons" || info.Resolved.Merged < 1 {
		t.Errorf("graph info names resolution %+v; want persons with at least one merged number", info.Resolved)
	}
	if h, info := holderOfPhone(GraphRequest{IgnoreResolved: true}); h != "E98765432" || info.Resolved != nil {
		t.Errorf("with IgnoreResolved the holder is %q (resolution %+v), want the passport and none", h, info.Resolved)
	}
	acts := actions(t, a, ctx, AuditQuery{})
	if !strings.Contains(strings.Join(acts, " "), "resolve.saved") {
		t.Errorf("audit log %v has no resolve.saved", acts)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGraphRequestsRefuseContradictoryOptions(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"a gap limit without a time-respecting path", func() error {
			_, err := a.GraphPath(ctx, PathRequest{From: "a", To: "b", MaxGap: time.Hour})
			return err
		}, "--time-respecting"},
		{"a time-respecting path with --all", func() error {
			_, err := a.GraphPath(ctx, PathRequest{From: "a", To: "b", TimeRespecting: true, All: true})
			return err
		}, "--all"},
		{"an unknown ranking", func() error {
			_, err := a.GraphRank(ctx, RankRequest{By: "katz"})
			return err
		}, "pagerank, betweenness"},
		{"calls analysis without a calls dataset", func() error {
			_, err := a.CallsAnalyze(ctx, CallsRequest{})
			return err
		}, "--kind calls"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v; want one that mentions %q", err, c.want)
			}
		})
	}
}
