package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

// saveTestClues records a run of model and n clues found by it.
func saveTestClues(t *testing.T, st *store.Store, model string, version, n int) []store.Clue {
	t.Helper()
	ctx := context.Background()
	run, err := st.StartModelRun(ctx, store.ModelRun{ModelID: model, ModelVersion: version, Actor: "tester",
		InputsJSON: `{"tx":[{"dataset":"bank_tx","batches":[3]}]}`, StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	cs := make([]store.Clue, n)
	for i := range cs {
		cs[i] = store.Clue{ModelID: model, ModelVersion: version, Fingerprint: fmt.Sprint("fp", i), SubjectType: "person",
			SubjectKey: fmt.Sprint("11010119500101", 1000+i), SubjectName: "张\"三", Severity: "high", TitleZH: "醉驾",
			EvidenceJSON: `[{"dataset":"bank_tx","batch":3,"line":7}]`}
	}
	if _, err := st.SaveClues(ctx, run, model, cs); err != nil {
		t.Fatal(err)
	}
	out, _, err := st.Clues(ctx, store.ClueFilter{ModelID: model, Limit: n})
	if err != nil || len(out) != n {
		t.Fatalf("clues = %d, %v", len(out), err)
	}
	return out
}

func TestSavingCluesRecordsEachNewOneOnceInTheAILedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cs := saveTestClues(t, st, "m1", 2, 3)
		saveTestClues(t, st, "m1", 3, 3) // a re-run finds the same clues: no new suggestions
		s, err := st.SuggestionOn(ctx, "clue", "clue", fmt.Sprint(cs[0].ID))
		if err != nil {
			t.Fatal(err)
		}
		if s.Engine != "m1" || s.EngineVersion != "2" || s.RunID != cs[0].FirstRun || s.Decision != "" {
			t.Errorf("suggestion = %+v, want engine m1 version 2 of the first run, undecided", s)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(s.SuggestionJSON), &got); err != nil {
			t.Fatalf("suggestion json %q: %v", s.SuggestionJSON, err)
		}
		want := store.ClueSuggestion(cs[0])
		for k, v := range want {
			if got[k] != v {
				t.Errorf("suggestion %s = %v, want %v (the SQL and Go builders differ)", k, got[k], v)
			}
		}
		if s.InputsJSON != `{"tx":[{"dataset":"bank_tx","batches":[3]}]}` || s.SourcesJSON != cs[0].EvidenceJSON {
			t.Errorf("inputs %s sources %s, want the run's inputs and the clue's evidence", s.InputsJSON, s.SourcesJSON)
		}
		ts, err := st.SuggestionTallies(ctx)
		if err != nil || len(ts) != 1 || ts[0].Suggestions != 3 || ts[0].Pending != 3 {
			t.Errorf("tallies = %+v, %v; want 3 pending suggestions", ts, err)
		}
	})
}

func TestAClueChangeThatExpectsAnOldVersionIsStale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := saveTestClues(t, st, "m1", 1, 1)[0]
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		c.Status, c.Assignee = "assigned", "li"
		if err := tx.UpdateCluesWorkflow(ctx, []store.Clue{c}, []int64{c.Version}, time.Now()); err != nil {
			t.Fatal(err)
		}
		var stale *store.StaleClues
		err = tx.UpdateCluesWorkflow(ctx, []store.Clue{c}, []int64{c.Version}, time.Now())
		if !errors.Is(err, store.ErrStale) || !errors.As(err, &stale) || len(stale.IDs) != 1 || stale.IDs[0] != c.ID {
			t.Errorf("second change at version %d = %v, want ErrStale naming clue %d", c.Version, err, c.ID)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		got, err := st.Clue(ctx, c.ID)
		if err != nil || got.Version != c.Version+1 || got.Status != "assigned" || got.Assignee != "li" {
			t.Errorf("clue = %+v, %v", got, err)
		}
	})
}

func TestPrecisionCountsEveryStatusFromConfirmedOnPerVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cs := saveTestClues(t, st, "m1", 1, 4)
		for i, s := range []string{"confirmed", "rectified", "dismissed"} {
			if _, err := st.ReviewClue(ctx, cs[i].ID, s, "", "li"); err != nil {
				t.Fatal(err)
			}
		}
		saveTestClues(t, st, "m1", 2, 4) // version 2 finds them again; decisions stay with version 1
		ts, err := st.ReviewTallies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := ts["m1"]; got.Confirmed != 2 || got.Dismissed != 1 || got.Clues != 4 || *got.Precision() != 2.0/3 {
			t.Errorf("tally = %+v", got)
		}
		bv, err := st.ReviewTalliesByVersion(ctx)
		if err != nil || len(bv) != 2 || bv[0].Version != 1 || bv[0].Confirmed != 2 || bv[1].Version != 2 || bv[1].Clues != 1 {
			t.Errorf("by version = %+v, %v", bv, err)
		}
	})
}

func TestARunOfTenThousandCluesIsSavedAndARerunKeepsTheirState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		save := func(from, n int) store.ClueCounts {
			t.Helper()
			run, err := st.StartModelRun(ctx, store.ModelRun{ModelID: "big", ModelVersion: 1, Actor: "x", StartedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			cs := make([]store.Clue, n)
			for i := range cs {
				cs[i] = store.Clue{ModelID: "big", ModelVersion: 1, Fingerprint: fmt.Sprint("fp", from+i), SubjectKey: fmt.Sprint(from + i),
					Severity: "high", TitleZH: fmt.Sprint("第", from+i, "条"), EvidenceJSON: "[]"}
			}
			cnt, err := st.SaveClues(ctx, run, "big", cs)
			if err != nil {
				t.Fatal(err)
			}
			return cnt
		}
		if cnt := save(0, 10000); cnt.New != 10000 {
			t.Fatalf("first run = %+v", cnt)
		}
		first, _, _ := st.Clues(ctx, store.ClueFilter{ModelID: "big", Limit: 1})
		if _, err := st.ReviewClue(ctx, first[0].ID, "confirmed", "ok", "li"); err != nil {
			t.Fatal(err)
		}
		if cnt := save(5000, 10000); cnt.New != 5000 || cnt.Kept != 5000 || cnt.Gone != 5000 {
			t.Fatalf("second run = %+v, want 5000 new, kept and gone", cnt)
		}
		c, err := st.Clue(ctx, first[0].ID)
		if err != nil || c.Status != "confirmed" || c.Holds || c.Version != 2 {
			t.Errorf("a clue the rerun dropped = %+v, %v; want its review kept and holds false", c, err)
		}
		holds := true
		if _, total, _ := st.Clues(ctx, store.ClueFilter{ModelID: "big", Holds: &holds, Limit: 1}); total != 10000 {
			t.Errorf("clues that hold after the rerun = %d, want 10000", total)
		}
		ts, _ := st.SuggestionTallies(ctx)
		if len(ts) != 1 || ts[0].Suggestions != 15000 {
			t.Errorf("ledger = %+v, want one suggestion per clue", ts)
		}
	})
}

func TestABigClueChangeNamesTheCluesThatAreStale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cs := saveTestClues(t, st, "m1", 1, 150) // more than go through inline values
		expect := make([]int64, len(cs))
		for i := range cs {
			cs[i].Status, expect[i] = "assigned", cs[i].Version
		}
		expect[7], expect[99] = 5, 5
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var stale *store.StaleClues
		err = tx.UpdateCluesWorkflow(ctx, cs, expect, time.Now())
		if !errors.As(err, &stale) || len(stale.IDs) != 2 || stale.IDs[0] != cs[7].ID || stale.IDs[1] != cs[99].ID {
			t.Fatalf("UpdateCluesWorkflow = %v, want clues %d and %d named stale", err, cs[7].ID, cs[99].ID)
		}
	})
}
