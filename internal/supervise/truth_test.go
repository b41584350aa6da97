package supervise

import (
	"os"
	"path/filepath"
	"testing"
)

func writeTruth(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBacktestScoresCSVAndJSONRecordTruthFiles(t *testing.T) {
	dir := t.TempDir()
	writeTruth(t, dir, "victim_payments.csv", "victim_id_number,level1_account\nV1,A\nV2,A\nV1,B\nV1,B\nV3,C\nV4,C\n")
	writeTruth(t, dir, "case_gaps.csv", "case_no,what,value,revealed_by\nK1,missed_card,X,K2\nK1,missed_card,Y,\nK3,missed_offender,Z,K2\n")
	writeTruth(t, dir, "rings.json", `[{"id":"R1","card_branches":["b1","b2"],"depth":3},{"id":"R2","card_branches":["b3"],"cash_out":{"atm":"1.00"}}]`)
	found := func(keys ...string) []Finding {
		var out []Finding
		for _, k := range keys {
			out = append(out, Finding{SubjectKey: k, Fields: map[string][]string{"p.id": {k + "-id"}}})
		}
		return out
	}
	tests := []struct {
		name          string
		spec          BacktestSpec
		findings      []Finding
		truth, tp, rc int
	}{
		{"min_distinct keeps only keys paid by two victims", BacktestSpec{File: "victim_payments.csv", TruthKey: "level1_account", ClueKey: "subject", MinDistinct: &MinDistinct{Field: "victim_id_number", Count: 2}}, found("A", "B"), 2, 1, 1},
		{"where with * keeps rows with any value", BacktestSpec{File: "case_gaps.csv", TruthKey: "value", ClueKey: "subject", Where: map[string]string{"revealed_by": "*"}}, found("X", "Y", "Z"), 2, 2, 2},
		{"recall_where narrows recall but not precision", BacktestSpec{File: "case_gaps.csv", TruthKey: "value", ClueKey: "subject", RecallWhere: map[string]string{"revealed_by": "*"}}, found("Y", "Z", "W"), 2, 2, 1},
		{"where with a value keeps equal rows", BacktestSpec{File: "case_gaps.csv", TruthKey: "value", ClueKey: "subject", Where: map[string]string{"what": "missed_offender"}}, found("X", "Z"), 1, 1, 1},
		{"JSON arrays are keys", BacktestSpec{File: "rings.json", TruthKey: "card_branches", ClueKey: "subject"}, found("b1", "b3", "b9"), 3, 2, 2},
		{"several clue keys answer together", BacktestSpec{File: "case_gaps.csv", TruthKey: "value", ClueKey: "subject, p.id"}, []Finding{{SubjectKey: "none", Fields: map[string][]string{"p.id": {"Z"}}}}, 3, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			truth, err := LoadTruth(TruthPath(tc.spec, dir))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Backtest("m", tc.spec, tc.findings, truth)
			if err != nil {
				t.Fatal(err)
			}
			if res.Truth != tc.truth || res.TruePositives != tc.tp || res.Recalled != tc.rc {
				t.Errorf("truth %d, true positives %d, recalled %d; want %d, %d, %d (missed %v extra %v)", res.Truth, res.TruePositives, res.Recalled, tc.truth, tc.tp, tc.rc, res.Missed, res.Extra)
			}
		})
	}
}

func TestTruthPathReadsTheNamedFileNextToViolations(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		spec        BacktestSpec
		given, want string
	}{
		{BacktestSpec{Type: "x"}, dir, filepath.Join(dir, "violations.json")},
		{BacktestSpec{Type: "x"}, filepath.Join(dir, "mine.json"), filepath.Join(dir, "mine.json")},
		{BacktestSpec{File: "rings.json"}, filepath.Join(dir, "violations.json"), filepath.Join(dir, "rings.json")},
		{BacktestSpec{File: "rings.json"}, dir, filepath.Join(dir, "rings.json")},
	} {
		if got := TruthPath(tc.spec, tc.given); got != tc.want {
			t.Errorf("TruthPath(%+v, %s) = %s, want %s", tc.spec, tc.given, got, tc.want)
		}
	}
}

func FuzzLoadTruthCSV(f *testing.F) {
	f.Add("a,b\n1,2\n")
	f.Add("type,ids\nx,\"1;2\"\n")
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(t.TempDir(), "t.csv")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		es, err := LoadTruth(p)
		if err != nil {
			return
		}
		for _, e := range es {
			if e.Type == "" || e.Record == nil {
				t.Fatalf("entry without type or record: %+v", e)
			}
		}
	})
}
