package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes procura with args and returns stdout, stderr and the error.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestTheQuickStartImportsTheExampleAndListsItsRejects(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "import", "../../docs/examples/bank-statement-cn.csv", "--dataset", "bank_tx", "--profile", "cn-bank-inquiry", "--workspace", ws, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("import --json printed %q: %v", out, err)
	}
	for _, key := range []string{"dataset", "kind", "batch_id", "file_sha256", "rows_read", "rows_imported", "rows_rejected", "seconds"} {
		if _, ok := res[key]; !ok {
			t.Errorf("import --json lacks %q: %s", key, out)
		}
	}
	if res["rows_imported"] != 40.0 || res["rows_rejected"] != 4.0 {
		t.Errorf("imported %v rejected %v, want 40 and 4", res["rows_imported"], res["rows_rejected"])
	}

	out, _, err = run(t, "rejects", "--dataset", "bank_tx", "--workspace", ws, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Total   int `json:"total"`
		Rejects []struct {
			File   string `json:"file"`
			Line   int    `json:"line"`
			Reason string `json:"reason"`
			Raw    string `json:"raw"`
		} `json:"rejects"`
	}
	if err := json.Unmarshal([]byte(out), &page); err != nil || page.Total != 4 {
		t.Fatalf("rejects --json: %v, total %d: %s", err, page.Total, out)
	}
	for _, r := range page.Rejects {
		if !strings.HasSuffix(r.File, "bank-statement-cn.csv") || r.Line == 0 || r.Reason == "" || r.Raw == "" {
			t.Errorf("reject lacks file, line, reason or raw text: %+v", r)
		}
	}

	csvPath := filepath.Join(t.TempDir(), "rejects.csv")
	if out, _, err = run(t, "rejects", "--dataset", "bank_tx", "--workspace", ws, "--csv", csvPath, "--json"); err != nil || !strings.Contains(out, `"rows":4`) {
		t.Fatalf("rejects --csv: %v %s", err, out)
	}
	if b, err := os.ReadFile(csvPath); err != nil || !strings.HasPrefix(string(b), "\uFEFFbatch_id,file,line") || strings.Count(string(b), "\n") != 5 {
		t.Errorf("rejects CSV = %v\n%s", err, b)
	}
	if _, _, err = run(t, "rejects", "--dataset", "bank_tx", "--workspace", ws, "--csv", csvPath); err == nil {
		t.Error("rejects --csv overwrote an existing file")
	}

	out, _, err = run(t, "datasets", "--workspace", ws)
	if err != nil || !strings.Contains(out, "bank_tx") || !strings.Contains(out, "transactions") {
		t.Errorf("datasets table: %v\n%s", err, out)
	}
}

func TestErrorsArePrintedOnceAndAsJSONWithTheFlag(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "none")
	_, errOut, err := run(t, "datasets", "--workspace", ws)
	if err == nil || !strings.Contains(errOut, "procura init") {
		t.Errorf("datasets on no workspace: err %v, stderr %q; want a hint to run procura init", err, errOut)
	}
	out, _, err := run(t, "datasets", "--workspace", ws, "--json")
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err == nil || json.Unmarshal([]byte(out), &e) != nil || e.Error.Message == "" {
		t.Errorf("--json error output %q", out)
	}
}

func TestImportWithoutADatasetSaysWhichFlagIsMissing(t *testing.T) {
	_, errOut, err := run(t, "import", "x.csv", "--workspace", t.TempDir())
	if err == nil || !strings.Contains(errOut, "--dataset") {
		t.Errorf("err %v stderr %q", err, errOut)
	}
}

func TestEveryCommandActsAsTheUserPROCURA_USERNames(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "user", "add", "li", "--role", "analyst", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROCURA_USER", "li")
	// Reading the audit log is the auditor's and the administrator's; an analyst is refused.
	if out, _, err := run(t, "audit", "log", "--workspace", ws, "--json"); err == nil || !strings.Contains(out, "may not perform audit.read") {
		t.Errorf("audit log as analyst li = %v %s, want refused", err, out)
	}
	if _, _, err := run(t, "datasets", "--workspace", ws); err != nil {
		t.Errorf("datasets as analyst li = %v, want allowed", err)
	}
}
