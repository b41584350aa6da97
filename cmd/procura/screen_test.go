package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScreenCommandPrintsMatchesWithExplanationsAsJSON(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "list.csv")
	queries := filepath.Join(dir, "q.txt")
	if err := os.WriteFile(list, []byte("id,name\n7,\"IVANOV, Sergey Petrovich\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(queries, []byte("# names from case 12\nSergei Ivanoff\n\nJohn Smith\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "screen", "--workspace", ws, "--list", "csv:"+list, "--query-file", queries, "--query", "Сергей Иванов", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Results []struct {
			Query   string `json:"query"`
			Matches []struct {
				ListID      string  `json:"list_id"`
				Name        string  `json:"name"`
				Score       float64 `json:"score"`
				Explanation string  `json:"explanation"`
			} `json:"matches"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("screen --json printed %q: %v", out, err)
	}
	if len(res.Results) != 3 {
		t.Fatalf("%d results, want 3: %s", len(res.Results), out)
	}
	for _, i := range []int{0, 1} { // --query first, then the file
		r := res.Results[i]
		if len(r.Matches) != 1 || r.Matches[0].ListID != "csv:7" || r.Matches[0].Explanation == "" {
			t.Errorf("%q matched %+v", r.Query, r.Matches)
		}
	}
	if r := res.Results[2]; r.Query != "John Smith" || len(r.Matches) != 0 {
		t.Errorf("%q matched %+v", r.Query, r.Matches)
	}
	out, _, err = run(t, "screen", "--workspace", ws, "--list", "csv:"+list, "--query", "Ivanov Pyotr", "--min-score", "0", "--json")
	if err != nil || !strings.Contains(out, `"list_id":"csv:7"`) || !strings.Contains(out, `"min_score":0,`) {
		t.Errorf("--min-score 0 must list every candidate: %q, %v", out, err)
	}
	out, _, err = run(t, "screen", "--workspace", ws, "--list", "csv:"+list, "--query", "Sergei Ivanoff")
	if err != nil || !strings.Contains(out, "csv:7") || !strings.Contains(out, "IVANOV, Sergey Petrovich") {
		t.Errorf("table output %q, %v", out, err)
	}
}

func TestScreenCommandSaysWhatIsMissing(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "screen", "--workspace", ws, "--list", "workspace", "--json")
	if err == nil || !strings.Contains(out, `"error"`) || !strings.Contains(out, "--query") {
		t.Errorf("screen without a query: %q, %v", out, err)
	}
	_, errOut, err := run(t, "screen", "--workspace", ws, "--list", "ofac:/nonexistent", "--query", "x")
	if err == nil || !strings.Contains(errOut, "sdn.csv") {
		t.Errorf("a missing OFAC directory: %q, %v", errOut, err)
	}
}
