package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/synth"
)

// TestCallsAndGraphCommandsAnswerInJSON imports a small world and runs the call-record and
// graph commands added for issue 6, each with --json.
func TestCallsAndGraphCommandsAnswerInJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and imports a synthetic world; skipped with -short")
	}
	dir := t.TempDir()
	world := filepath.Join(dir, "world")
	if _, err := synth.Generate(context.Background(), synth.Options{Out: world, Seed: 7, Scale: "20000tx", Formats: []string{"canonical"}}); err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(dir, "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	for name, kind := range map[string]string{"calls": "calls", "transactions": "transactions", "sims": "", "persons": "persons", "accounts": "accounts", "case_parties": "case_parties"} {
		args := []string{"import", filepath.Join(world, name+".csv"), "--dataset", name, "--workspace", ws}
		if kind != "" {
			args = append(args, "--kind", kind)
		}
		if _, _, err := run(t, args...); err != nil {
			t.Fatalf("import %s: %v", name, err)
		}
	}
	jsonOf := func(args ...string) map[string]any {
		t.Helper()
		out, _, err := run(t, append(args, "--workspace", ws, "--json")...)
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%s --json printed %q: %v", strings.Join(args, " "), out, err)
		}
		return m
	}
	calls := jsonOf("calls", "analyze", "--transactions", "transactions")
	for _, k := range []string{"calls", "numbers", "top_contacts", "sim_boxes", "call_payment_links", "call_payment_stats", "phone_account_sources"} {
		if _, ok := calls[k]; !ok {
			t.Errorf("calls analyze --json lacks %q", k)
		}
	}
	rank := jsonOf("graph", "rank", "--by", "betweenness", "--top", "5")
	if top, _ := rank["top"].([]any); len(top) != 5 {
		t.Errorf("graph rank: top %v, want 5 nodes", rank["top"])
	}
	if rings := jsonOf("graph", "rings"); rings["device_controllers"] == nil {
		t.Errorf("graph rings --json lacks device_controllers: %v", rings)
	}
	out := filepath.Join(dir, "graph.ftm.json")
	if _, _, err := run(t, "graph", "export", "--format", "ftm", "--out", out, "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(string(b), "\n", 2)[0]
	var ent struct {
		ID, Schema string
		Properties map[string][]string
	}
	if err := json.Unmarshal([]byte(first), &ent); err != nil || ent.ID == "" || ent.Schema == "" {
		t.Errorf("the FtM export's first line is no entity (%v): %s", err, first)
	}
	if _, _, err := run(t, "calls", "analyze", "--dataset", "transactions", "--workspace", ws); err == nil || !strings.Contains(err.Error(), "--kind calls") {
		t.Errorf("calls analyze on a transactions dataset: %v; want an error that says to import with --kind calls", err)
	}
}
