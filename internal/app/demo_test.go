package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTheDemoImportsTheWorldAndFindsWhatItsTruthSays(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo generates and analyses a world; skipped with -short")
	}
	ws := filepath.Join(t.TempDir(), "demo")
	res, err := RunDemo(context.Background(), Config{Workspace: ws, Actor: "test"}, DemoOptions{Seed: 7, Scale: "small"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"import": 1, "trace_level1": 0.95, "trace_level2": 0.95, "trace_cash_out": 0.95, "supervision_models": 0.95,
		"ring_membership": 0.9, "sim_farms": 0.9, "call_payment_links": 0.9, "entity_resolution": 0.95} {
		s, ok := res.Scores[name]
		if !ok {
			t.Errorf("no score for %s", name)
			continue
		}
		if s.Precision < want || s.Recall < want {
			t.Errorf("%s: precision %.3f recall %.3f, want both ≥ %.2f", name, s.Precision, s.Recall, want)
		}
	}
	if s := res.Scores["card_dealers_top10"]; s.Recall < 1 {
		t.Errorf("card dealers in the top ten device controllers: recall %.2f, want 1", s.Recall)
	}
	if res.Findings.Victims == 0 || res.Findings.CashedOut == 0 || res.Findings.Clues == 0 {
		t.Errorf("findings %+v: want traced victims, cash-out and clues", res.Findings)
	}
	// A second demo replaces its own workspace; another directory is never touched.
	if _, err := RunDemo(context.Background(), Config{Workspace: ws, Actor: "test"}, DemoOptions{Seed: 7, Scale: "20000tx"}); err != nil {
		t.Fatalf("second demo into its own workspace: %v", err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "case-notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := RunDemo(context.Background(), Config{Workspace: other, Actor: "test"}, DemoOptions{Scale: "20000tx"}); err == nil || !strings.Contains(err.Error(), "not a demo workspace") {
		t.Errorf("demo into a foreign directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "case-notes.txt")); err != nil {
		t.Errorf("the demo touched a foreign directory: %v", err)
	}
}
