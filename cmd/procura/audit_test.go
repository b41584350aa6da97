package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runAudit executes the audit and evidence commands on a root of their own, so the test does not
// depend on which commands main.go registers.
func runAudit(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	g := &globals{out: &out, errOut: &errOut}
	root := &cobra.Command{Use: "procura", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().StringVar(&g.workspace, "workspace", "", "")
	root.PersistentFlags().BoolVar(&g.json, "json", false, "")
	root.AddCommand(newInitCmd(g), newImportCmd(g), newAuditCmd(g), newEvidenceCmd(g))
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestEvidenceAndAuditCommandsKeepTheChainOfCustody(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if _, err := runAudit(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "话单.csv")
	os.WriteFile(src, []byte("主叫,被叫\n1,2\n"), 0o600)
	if _, err := runAudit(t, "evidence", "add", src, "--workspace", ws); err == nil || !strings.Contains(err.Error(), "--legal-basis") {
		t.Fatalf("add without source and legal basis: %v", err)
	}
	out, err := runAudit(t, "evidence", "add", src, "--source", "某运营商", "--legal-basis", "调证 12", "--case", "C-3", "--workspace", ws, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var added struct {
		Item struct {
			ID     int64  `json:"id"`
			SHA256 string `json:"sha256"`
		} `json:"item"`
	}
	if err := json.Unmarshal([]byte(out), &added); err != nil || added.Item.ID != 1 {
		t.Fatalf("evidence add --json = %s (%v)", out, err)
	}
	dest := filepath.Join(t.TempDir(), "copy.csv")
	if _, err := runAudit(t, "evidence", "export", "1", "--out", dest, "--to", "法院", "--purpose", "质证", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	out, err = runAudit(t, "evidence", "show", "1", "--workspace", ws)
	if err != nil || !strings.Contains(out, "exported") || !strings.Contains(out, "法院") || !strings.Contains(out, "调证 12") {
		t.Fatalf("evidence show = %s, %v", out, err)
	}
	out, err = runAudit(t, "audit", "log", "--case", "C-3", "--workspace", ws, "--json")
	var log struct {
		Entries []struct {
			Action string `json:"action"`
		} `json:"entries"`
	}
	if err != nil || json.Unmarshal([]byte(out), &log) != nil || len(log.Entries) != 2 || log.Entries[1].Action != "evidence.exported" {
		t.Fatalf("audit log --case = %s, %v", out, err)
	}
	if out, err = runAudit(t, "audit", "verify", "--sign", "--workspace", ws); err != nil || !strings.Contains(out, "holds") {
		t.Fatalf("audit verify = %s, %v", out, err)
	}
	if out, err = runAudit(t, "evidence", "verify", "--workspace", ws); err != nil || !strings.Contains(out, "all files hold") {
		t.Fatalf("evidence verify = %s, %v", out, err)
	}
	stored := filepath.Join(ws, "evidence", "sha256", added.Item.SHA256[:2], added.Item.SHA256)
	os.Chmod(stored, 0o600)
	os.WriteFile(stored, []byte("forged"), 0o600)
	if out, err = runAudit(t, "evidence", "verify", "--workspace", ws); err == nil || !strings.Contains(out, "CHANGED") {
		t.Fatalf("evidence verify after a change = %s, %v; want the change reported and a failure", out, err)
	}
}
