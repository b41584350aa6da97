package supervise

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"procura/internal/ingest"
	"procura/internal/store"
	"procura/internal/store/storetest"
)

func TestEveryBuiltInModelFindsExactlyItsFixtureClues(t *testing.T) {
	ms, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no built-in models")
	}
	for _, m := range ms {
		t.Run(m.ID, func(t *testing.T) {
			if ps := Validate(m, Env{KindsOnly: true}); len(ps) > 0 {
				t.Fatalf("built-in model is invalid: %v", ps)
			}
			dir, err := BuiltinFixture(m.ID)
			if err != nil {
				t.Fatal(err)
			}
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				res, err := VerifyFixture(context.Background(), st, m, dir, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				if !res.Passed || len(res.Want) == 0 {
					t.Errorf("fixture: want %v, got %v: %v", res.Want, res.Got, res.Problems)
				}
			})
		})
	}
}

func importCSV(t *testing.T, st *store.Store, dataset, kind, csv string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), dataset+".csv")
	if err := os.WriteFile(p, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := ingest.Import(context.Background(), st, ingest.Options{Path: p, Dataset: dataset, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	if r.RowsRejected > 0 {
		t.Fatalf("import %s: %d rows rejected", dataset, r.RowsRejected)
	}
}

const drunkModel = `
id: test_drunk
version: 1
title: {zh: 醉驾未吊销, en: Drunk driving without revocation}
measure: procuratorial_recommendation
severity: medium
params:
  charge: {type: text, default: 危险驾驶罪}
inputs:
  j: {kind: judgments}
  l: {kind: licenses}
logic:
  from: j
  join:
    - input: l
      on: [{left: j.defendant_id_number, right: l.id_number}]
  where:
    - {col: j.charge, op: eq, value: {param: charge}}
    - {col: l.status, op: eq, value: valid}
clue:
  subject: {type: person, key: j.defendant_id_number, name: j.defendant_name}
  fingerprint: [j.judgment_no]
  fields: [j.judgment_no]
  title: {zh: "{j.defendant_name}醉驾判决后驾驶证未吊销", en: "{j.defendant_name}: licence not revoked"}
  explanation: {zh: "判决{j.judgment_no}", en: "judgment {j.judgment_no}"}
`

const judgmentsCSV = `case_no,court,judgment_no,judgment_date,effective_date,defendant_name,defendant_id_number,charge,sentence_type,prison_months,probation_months,fine
A1,东城区人民法院,(2024)京0101刑初1号,2024-03-01,2024-03-12,张甲,110101195001011239,危险驾驶罪,拘役,2,0,5000.00
A2,东城区人民法院,(2024)京0101刑初2号,2024-04-01,2024-04-12,李乙,110101195002021236,危险驾驶罪,拘役,3,0,6000.00
`

func TestReRunningAModelKeepsReviewStateAndMarksCluesThatNoLongerHold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		m, err := Parse([]byte(drunkModel))
		if err != nil {
			t.Fatal(err)
		}
		importCSV(t, st, "judgments", "judgments", judgmentsCSV)
		importCSV(t, st, "licenses", "licenses", `id_number,name,license_type,license_no,license_class,status,status_date,issued_at,agency
110101195001011239,张甲,机动车驾驶证,110101195001011239,C1,正常,2020-01-01,2010-01-01,北京市公安局交通管理局
110101195002021236,李乙,机动车驾驶证,110101195002021236,C1,正常,2020-01-01,2010-01-01,北京市公安局交通管理局
`)
		run := func() RunResult {
			t.Helper()
			env, err := WorkspaceEnv(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(ctx, st, m, env, RunOptions{Actor: "tester"})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		first := run()
		if first.CluesNew != 2 || first.CluesFound != 2 {
			t.Fatalf("first run: %+v, want 2 new clues", first)
		}
		clues, _, err := st.Clues(ctx, store.ClueFilter{ModelID: "test_drunk"})
		if err != nil || len(clues) != 2 {
			t.Fatalf("clues = %v, %v", clues, err)
		}
		if clues[0].TitleZH != "张甲醉驾判决后驾驶证未吊销" {
			t.Errorf("title = %q", clues[0].TitleZH)
		}
		var ev []Evidence
		json.Unmarshal([]byte(clues[0].EvidenceJSON), &ev)
		if len(ev) != 2 || ev[0].Dataset != "judgments" || ev[0].Line != 2 || ev[1].Dataset != "licenses" {
			t.Errorf("evidence = %+v, want the judgment on line 2 and the licence", ev)
		}
		if _, err := st.ReviewClue(ctx, clues[0].ID, store.ClueConfirmed, "checked", "reviewer"); err != nil {
			t.Fatal(err)
		}
		second := run()
		if second.CluesNew != 0 || second.CluesKept != 2 || second.CluesGone != 0 {
			t.Fatalf("second run: %+v, want 2 kept and none new", second)
		}
		// The licence of 李乙 is revoked now: his clue no longer holds.
		importCSV(t, st, "licenses", "licenses", `id_number,name,license_type,license_no,license_class,status,status_date,issued_at,agency
110101195002021236,李乙,机动车驾驶证,110101195002021236,C1,吊销,2024-05-01,2010-01-01,北京市公安局交通管理局
`)
		if _, err := st.DB().ExecContext(ctx, `DELETE FROM ds_licenses WHERE status = 'valid' AND id_number = '110101195002021236'`); err != nil {
			t.Fatal(err)
		}
		third := run()
		if third.CluesGone != 1 || third.CluesKept != 1 {
			t.Fatalf("third run: %+v, want 1 kept and 1 gone", third)
		}
		all, total, err := st.Clues(ctx, store.ClueFilter{ModelID: "test_drunk"})
		if err != nil || total != 2 {
			t.Fatalf("clues after re-runs: %d, %v (want 2: no duplicates)", total, err)
		}
		for _, c := range all {
			switch c.SubjectKey {
			case "110101195001011239":
				if c.Status != store.ClueConfirmed || !c.Holds {
					t.Errorf("reviewed clue lost its state: %+v", c)
				}
			case "110101195002021236":
				if c.Holds || c.GoneRun != third.RunID {
					t.Errorf("clue of the revoked licence still holds: %+v", c)
				}
			}
		}
		runs, err := st.ModelRuns(ctx, "test_drunk", 10)
		if err != nil || len(runs) != 3 || runs[0].Status != store.RunDone || runs[0].CluesGone != 1 {
			t.Errorf("runs = %+v, %v", runs, err)
		}
	})
}

func TestACancelledRunIsRecordedAsFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		m, _ := Parse([]byte(drunkModel))
		importCSV(t, st, "judgments", "judgments", judgmentsCSV)
		importCSV(t, st, "licenses", "licenses", "id_number,name,status\n110101195001011239,张甲,正常\n")
		env, _ := WorkspaceEnv(context.Background(), st)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Run(ctx, st, m, env, RunOptions{}); err == nil {
			t.Fatal("a cancelled run succeeded")
		}
		runs, _ := st.ModelRuns(context.Background(), "test_drunk", 1)
		if len(runs) != 1 || runs[0].Status != store.RunFailed || runs[0].Error == "" {
			t.Errorf("runs = %+v, want one failed run with its error", runs)
		}
	})
}
