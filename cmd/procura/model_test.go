package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runModelCmd runs procura on the workspace ws and returns stdout and stderr together.
func runModelCmd(t *testing.T, ws string, args ...string) (string, error) {
	t.Helper()
	out, errOut, err := run(t, append(args, "--workspace", ws)...)
	return out + errOut, err
}

func TestModelRunFindsCluesThatCluesListsAndReviewConfirms(t *testing.T) {
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
	out, err := runModelCmd(t, ws, "model", "run", "--all", "--json")
	if err != nil {
		t.Fatalf("model run: %v\n%s", err, out)
	}
	var runs struct {
		Runs []struct {
			ModelID  string `json:"model_id"`
			CluesNew int    `json:"clues_new"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs.Runs) != 1 || runs.Runs[0].ModelID != "drunk_driving_licence_not_revoked" || runs.Runs[0].CluesNew != 1 {
		t.Fatalf("model run --all = %s (%v), want one run of the drunk-driving model with one new clue", out, err)
	}
	out, err = runModelCmd(t, ws, "clues", "--model", "drunk_driving_licence_not_revoked", "--json")
	var page struct {
		Total int `json:"total"`
		Clues []struct {
			ID       int64 `json:"id"`
			Evidence []any `json:"evidence"`
		} `json:"clues"`
	}
	if err != nil || json.Unmarshal([]byte(out), &page) != nil || page.Total != 1 || len(page.Clues[0].Evidence) != 2 {
		t.Fatalf("clues = %s, %v; want one clue with two evidence rows", out, err)
	}
	if out, err := runModelCmd(t, ws, "clues", "review", "1", "--status", "confirmed", "--note", "verified"); err != nil || !strings.Contains(out, "confirmed") {
		t.Fatalf("clues review: %s, %v", out, err)
	}
	out, err = runModelCmd(t, ws, "model", "list")
	if err != nil || !strings.Contains(out, "1.00 (1)") {
		t.Errorf("model list does not show precision 1.00 from one review:\n%s", out)
	}
}

func TestModelValidateReportsEveryProblemWithItsLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(p, []byte(`id: bad_model
version: 1
title: {zh: 坏模型}
measure: protest
severity: high
inputs:
  b: {kind: benefits}
  x: {kind: nonsense}
logic:
  from: b
  where:
    - {col: b.no_such_column, op: eq, value: 1}
    - {col: b.amount, op: gt, value: {param: undefined}}
    - sql: "b.amount > 0; DROP TABLE clues"
clue:
  subject: {type: person, key: b.id_number}
  fingerprint: [b.id_number]
  title: {zh: "{b.name}"}
`), 0o600)
	out, err := runModelCmd(t, "", "model", "validate", p)
	if err == nil {
		t.Fatal("an invalid model validated")
	}
	for _, want := range []string{":8: input x: unknown kind", ":12: missing column", ":13: undefined parameter undefined", ":14: unsafe or unreadable SQL"} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
}

func TestModelBacktestScoresTheFixtureAgainstATruthFile(t *testing.T) {
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
	truth := filepath.Join(t.TempDir(), "truth.json")
	os.WriteFile(truth, []byte(`[{"type":"drunk_driving_licence_not_revoked","id_number":"110101195001011239","ids":[]},
		{"type":"drunk_driving_licence_not_revoked","id_number":"110101195009091231","ids":[]}]`), 0o600)
	out, err := runModelCmd(t, ws, "model", "backtest", "drunk_driving_licence_not_revoked", "--truth", truth, "--json")
	var res struct {
		Precision, Recall float64
	}
	if err != nil || json.Unmarshal([]byte(out), &res) != nil || res.Precision != 1 || res.Recall != 0.5 {
		t.Fatalf("backtest = %s, %v; want precision 1 and recall 0.5", out, err)
	}
}
