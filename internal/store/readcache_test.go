package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

// The clue answers kept in memory on DuckDB (readcache.go) must follow every write: a
// transaction, a review outside the lifecycle, a grant and its revocation.
func TestClueAnswersFollowEveryWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		byFP := saveVariedClues(t, st)
		visible := store.ClueFilter{VisibleTo: "wang"}
		if got := fingerprints(t, st, visible); !slices.Equal(got, []string{"a1", "b1", "b2"}) {
			t.Fatalf("visible before any case = %v", got)
		}
		counts := func() int64 {
			n, err := st.ClueStatusCounts(ctx, store.ClueFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n["confirmed"]
		}
		if n := counts(); n != 0 {
			t.Fatalf("confirmed before the review = %d", n)
		}

		if _, err := st.ReviewClue(ctx, byFP["b1"].ID, "confirmed", "checked", "tester"); err != nil {
			t.Fatal(err)
		}
		if n := counts(); n != 1 {
			t.Errorf("confirmed after the review = %d, want 1", n)
		}
		if got := fingerprints(t, st, store.ClueFilter{Status: "confirmed"}); !slices.Equal(got, []string{"b1"}) {
			t.Errorf("confirmed clues after the review = %v", got)
		}

		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clues SET case_id = 'C1' WHERE id = $1`, byFP["b2"].ID); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := fingerprints(t, st, visible); !slices.Equal(got, []string{"a1", "b1"}) {
			t.Errorf("visible once b2 is in a case without a grant = %v", got)
		}
		if err := st.GrantCase(ctx, store.Grant{User: "wang", CaseID: "C1", GrantedBy: "admin", GrantedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if got := fingerprints(t, st, visible); !slices.Equal(got, []string{"a1", "b1", "b2"}) {
			t.Errorf("visible after the grant = %v", got)
		}
		if _, err := st.RevokeCase(ctx, "wang", "C1"); err != nil {
			t.Fatal(err)
		}
		if got := fingerprints(t, st, visible); !slices.Equal(got, []string{"a1", "b1"}) {
			t.Errorf("visible after the grant was revoked = %v", got)
		}
		// A case and what it holds, read, then changed in a transaction.
		inTx := func(f func(tx *store.Tx) error) {
			t.Helper()
			tx, err := st.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if err := f(tx); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		inTx(func(tx *store.Tx) error {
			return tx.InsertCase(ctx, store.Case{ID: "C1", Title: "first", Status: "open", CreatedBy: "tester", CreatedAt: time.Now(), UpdatedAt: time.Now()})
		})
		if c, err := st.Case(ctx, "C1"); err != nil || c.Version != 1 {
			t.Fatalf("case = %+v, %v", c, err)
		}
		if ls, err := st.CaseLinks(ctx, "C1"); err != nil || len(ls) != 0 {
			t.Fatalf("links of a new case = %v, %v", ls, err)
		}
		inTx(func(tx *store.Tx) error {
			if err := tx.TouchCase(ctx, "C1", 1, time.Now()); err != nil {
				return err
			}
			_, err := tx.InsertCaseLink(ctx, store.CaseLink{CaseID: "C1", Kind: "party", Ref: "p1", AddedBy: "tester", AddedAt: time.Now()})
			return err
		})
		if c, err := st.Case(ctx, "C1"); err != nil || c.Version != 2 {
			t.Errorf("case after a change = %+v, %v, want version 2", c, err)
		}
		if ls, err := st.CaseLinks(ctx, "C1"); err != nil || len(ls) != 1 {
			t.Errorf("links after one was added = %v, %v", ls, err)
		}
		// What a caller does with an answer does not change the next one.
		cs, _, err := st.Clues(ctx, store.ClueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		cs[0].Status = "scribbled"
		again, _, _ := st.Clues(ctx, store.ClueFilter{})
		if again[0].Status == "scribbled" {
			t.Error("a caller's change to an answer reached the kept answer")
		}
	})
}
