package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestAClueGoesFromAModelRunThroughACaseToTheAILedgerOnTheCommandLine walks the commands of
// docs/workflow.md on a real model run.
func TestAClueGoesFromAModelRunThroughACaseToTheAILedgerOnTheCommandLine(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	fixture := filepath.Join("..", "..", "models", "testdata", "drunk_driving_licence_not_revoked")
	for _, kind := range []string{"judgments", "licenses"} {
		if _, _, err := run(t, "import", filepath.Join(fixture, kind+".csv"), "--dataset", kind, "--kind", kind, "--workspace", ws); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := runModelCmd(t, ws, "model", "run", "--all"); err != nil {
		t.Fatalf("model run: %v\n%s", err, out)
	}
	ok := func(want string, args ...string) string {
		t.Helper()
		out, err := runModelCmd(t, ws, args...)
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("procura %s = %v\n%s\nwant %q", strings.Join(args, " "), err, out, want)
		}
		return out
	}
	ok(`"status":"assigned"`, "clue", "assign", "1", "--to", "admin", "--due", "2025-04-30", "--json")
	ok(`"total":1`, "clue", "list", "--dataset", "licenses", "--sort", "assignee", "--order", "desc", "--json")
	if out, err := runModelCmd(t, ws, "clue", "list", "--sort", "title"); err == nil || !strings.Contains(out, "sort by one of assignee, created") {
		t.Fatalf("clue list --sort title = %v\n%s, want the sorts named", err, out)
	}
	ok(`"version":3`, "clue", "transition", "1", "--to", "verifying", "--expect-version", "2", "--json")
	// Someone who still saw version 2 is told who changed the clue and what to do.
	out, err := runModelCmd(t, ws, "clue", "transition", "1", "--to", "dismissed", "--reason", "x", "--expect-version", "2", "--json")
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	if err == nil || json.Unmarshal([]byte(out), &e) != nil || !strings.Contains(e.Error.Message, "was changed by") ||
		!strings.Contains(e.Error.Message, "procura clue show 1") {
		t.Fatalf("stale transition = %v\n%s", err, out)
	}
	out, err = runModelCmd(t, ws, "clue", "transition", "1", "--to", "rectified")
	if err == nil || !strings.Contains(out, "it may move to confirmed or dismissed") {
		t.Fatalf("invalid transition = %v\n%s", err, out)
	}
	ok(`"status":"confirmed"`, "clue", "transition", "1", "--to", "confirmed", "--severity", "high", "--reason", "核实属实", "--json")
	ok("comment added", "clue", "comment", "1", "已电话核实车管所")
	ok(`"clues":[{`, "case", "create", "C-1", "--title", "醉驾未吊销驾驶证监督案", "--kind", "行政公益诉讼", "--clue", "1", "--json")
	ok(`"parties":[{`, "case", "link", "C-1", "--party", "110101195001011239=张甲:当事人", "--account", "6222020000000001",
		"--analysis", "model_run:1", "--measure", "检察建议书 京检建〔2025〕3号", "--json")
	tl := ok(`"kind":"found"`, "case", "timeline", "C-1", "--json")
	for _, want := range []string{`"kind":"assign"`, `"kind":"comment"`, `"kind":"case"`, `"kind":"link"`, `"new":"confirmed"`} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %s:\n%s", want, tl)
		}
	}
	ok("next: procura clue transition 1 --to measure_proposed", "clue", "show", "1")
	ok(`"edited":1`, "ai", "report", "--json")
	ok(`+  "severity": "high",`, "ai", "show", "clue", "1")
	shown := ok(`"input":"j"`, "ai", "show", "clue", "1", "--json")
	if strings.Contains(shown, "110101195001011239") {
		t.Errorf("the ledger entry shows the subject's ID number unmasked:\n%s", shown)
	}
	ok("C-1", "case", "list")
	ok("confirmed", "clues", "--case", "C-1") // the name before the lifecycle lists too

	// A reviewer acting through PROCURA_USER sees the clue of C-1 only with a grant.
	ok("Added li", "user", "add", "li", "--role", "reviewer")
	t.Setenv("PROCURA_USER", "li")
	ok("No clues", "clue", "list", "--all")
	out, err = runModelCmd(t, ws, "clue", "show", "1")
	if err == nil || !strings.Contains(out, "no grant on the case of clue 1") || strings.Contains(out, "C-1") {
		t.Fatalf("clue show without a grant = %v\n%s", err, out)
	}
	t.Setenv("PROCURA_USER", "")
	ok("", "user", "grant", "li", "C-1")
	t.Setenv("PROCURA_USER", "li")
	ok("醉驾", "clue", "list", "--all")
	out, err = runModelCmd(t, ws, "clue", "transition", "1", "--to", "measure_approved")
	if err == nil || !strings.Contains(out, "may not perform measure.approve") {
		t.Fatalf("a reviewer approving a measure = %v\n%s", err, out)
	}
}

// FuzzParseIDs checks that ids are read from any text without panicking, and that every id
// it returns was written in the input.
func FuzzParseIDs(f *testing.F) {
	f.Add("12,13 14")
	f.Add("# comment\n7\n")
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := parseIDs("clue", strings.Fields(s), "")
		if err == nil && len(ids) == 0 {
			t.Fatalf("parseIDs(%q) returned no ids and no error", s)
		}
		for _, id := range ids {
			if !strings.Contains(s, strings.TrimPrefix(fmt.Sprint(id), "+")) {
				t.Fatalf("parseIDs(%q) returned %d, which is not in the input", s, id)
			}
		}
	})
}
