package store_test

import (
	"context"
	"testing"
	"time"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

func TestTheDashboardQueriesCountNewCluesListDeadlinesAndLatestRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		a := saveTestClues(t, st, "model_a", 1, 3)
		saveTestClues(t, st, "model_b", 1, 1)
		saveTestClues(t, st, "model_a", 2, 3) // a second run of model_a finds the same clues

		counts, err := st.NewCluesByModel(ctx, time.Now().Add(-time.Hour), "")
		if err != nil || len(counts) != 2 || counts[0] != (store.ModelCount{ModelID: "model_a", Clues: 3}) || counts[1].Clues != 1 {
			t.Fatalf("new clues by model = %+v, %v; want model_a 3, model_b 1", counts, err)
		}
		if counts, _ := st.NewCluesByModel(ctx, time.Now().Add(time.Hour), ""); len(counts) != 0 {
			t.Errorf("clues found before the window are counted: %+v", counts)
		}

		runs, err := st.LatestModelRuns(ctx)
		if err != nil || len(runs) != 2 {
			t.Fatalf("latest runs = %+v, %v", runs, err)
		}
		all, _ := st.ModelRuns(ctx, "model_a", 10)
		if runs["model_a"].ID != all[0].ID || runs["model_a"].ModelVersion != 2 {
			t.Errorf("latest run of model_a = %+v, want run %d (version 2)", runs["model_a"], all[0].ID)
		}

		soon, later := time.Now().Add(24*time.Hour), time.Now().Add(72*time.Hour)
		for id, due := range map[int64]time.Time{a[0].ID: later, a[1].ID: soon} {
			if _, err := st.DB().ExecContext(ctx, `UPDATE clues SET due_at = $1 WHERE id = $2`, due, id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.DB().ExecContext(ctx, `UPDATE clues SET due_at = $1, status = 'dismissed' WHERE id = $2`, soon, a[2].ID); err != nil {
			t.Fatal(err)
		}
		due, err := st.CluesDue(ctx, "", 10)
		if err != nil || len(due) != 2 || due[0].ID != a[1].ID || due[1].ID != a[0].ID {
			t.Fatalf("clues due = %+v, %v; want the open clues with due dates, soonest first", due, err)
		}
		if due, _ := st.CluesDue(ctx, "someone", 1); len(due) != 1 {
			t.Errorf("a limit of 1 gives %d clues (clues outside cases are visible to everyone)", len(due))
		}
	})
}
