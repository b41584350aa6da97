package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/app"
)

func TestBackupAndRestoreRoundTripThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	ws, restored, arc := filepath.Join(dir, "ws"), filepath.Join(dir, "restored"), filepath.Join(dir, "ws.procura-backup")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "import", "../../docs/examples/bank-statement-cn.csv", "--dataset", "bank_tx", "--profile", "cn-bank-inquiry", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "backup", "--out", arc, "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "backup", "--out", arc, "--workspace", ws); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second backup over the first = %v, want refused", err)
	}
	key := filepath.Join(ws, "keys", "audit-ed25519.pem.pub")
	if out, _, err := run(t, "backup", "verify", arc, "--trust-key", key, "--json"); err != nil || !strings.Contains(out, `"trusted":true`) {
		t.Errorf("backup verify --trust-key = %v %s, want trusted", err, out)
	}
	out, _, err := run(t, "restore", arc, "--workspace", restored, "--json", "--trust-key", key)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	var res struct {
		OK    bool `json:"ok"`
		Audit struct {
			OK bool `json:"ok"`
		} `json:"audit"`
		Evidence struct {
			Items int `json:"items"`
		} `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.OK || !res.Audit.OK || res.Evidence.Items != 1 {
		t.Fatalf("restore --json = %s (%v), want ok with the imported file as evidence", out, err)
	}
	out, _, err = run(t, "rejects", "--dataset", "bank_tx", "--workspace", restored, "--json")
	if err != nil || !strings.Contains(out, `"total":4`) {
		t.Errorf("the restored workspace's rejects: %v %s", err, out)
	}
	if strings.Contains(out, "6228489071238145538") {
		t.Error("rejects show a card number without --unmask")
	}
	out, _, err = run(t, "rejects", "--dataset", "bank_tx", "--workspace", restored, "--json", "--unmask")
	if err != nil || !strings.Contains(out, "6228489071238145538") {
		t.Errorf("rejects --unmask by the local administrator: %v, want the card number in the clear", err)
	}
	// Restoring over a workspace is refused, whatever the archive.
	if _, _, err := run(t, "restore", arc, "--workspace", restored); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore over a workspace = %v, want refused", err)
	}
	b, _ := os.ReadFile(arc)
	os.WriteFile(arc+".cut", b[:len(b)/2], 0o600)
	if _, _, err := run(t, "restore", arc+".cut", "--workspace", filepath.Join(dir, "r2")); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("restore of a cut archive = %v, want it refused as damaged", err)
	}
	if _, _, err := run(t, "backup", "verify", arc+".cut"); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("backup verify of a cut archive = %v, want it refused as damaged", err)
	}
}

// While another process (procura serve) holds the workspace, backup says how to get one from it.
func TestBackupOfAHeldWorkspacePointsToTheServer(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	held, err := app.Open(context.Background(), app.Config{Workspace: ws, Command: "procura serve"})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, _, err = run(t, "backup", "--out", filepath.Join(t.TempDir(), "b"), "--workspace", ws)
	if err == nil || !strings.Contains(err.Error(), "/api/v1/backup") || !strings.Contains(err.Error(), "procura serve") {
		t.Errorf("backup of a held workspace = %v, want the holder named and the server's endpoint", err)
	}
}
