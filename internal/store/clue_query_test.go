package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

// saveVariedClues records clues of two models that differ in severity, title, subject and
// the dataset of their evidence, and returns them by fingerprint.
func saveVariedClues(t *testing.T, st *store.Store) map[string]store.Clue {
	t.Helper()
	ctx := context.Background()
	byFP := map[string]store.Clue{}
	for _, m := range []struct {
		model string
		clues []store.Clue
	}{
		{"m_b", []store.Clue{
			{Fingerprint: "b1", Severity: "low", TitleZH: "多卡开户", TitleEN: "Many cards", SubjectName: "王五", EvidenceJSON: `[{"input":"a","dataset":"accounts","batch":1,"line":2}]`},
			{Fingerprint: "b2", Severity: "high", TitleZH: "重复领取", TitleEN: "Paid twice", SubjectName: "赵六", EvidenceJSON: `[{"input":"t","dataset":"tx","batch":2,"line":5}]`},
		}},
		{"m_a", []store.Clue{
			{Fingerprint: "a1", Severity: "medium", TitleZH: "死亡后领取", TitleEN: "Paid after DEATH", SubjectName: "张三", EvidenceJSON: `[{"input":"t","dataset":"tx_old","batch":3,"line":1}]`},
		}},
	} {
		run, err := st.StartModelRun(ctx, store.ModelRun{ModelID: m.model, ModelVersion: 1, Actor: "tester", InputsJSON: `{}`, StartedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		for i := range m.clues {
			c := &m.clues[i]
			c.ModelID, c.ModelVersion, c.SubjectType, c.SubjectKey = m.model, 1, "person", fmt.Sprint("1101011950010110", i)
		}
		if _, err := st.SaveClues(ctx, run, m.model, m.clues); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // the second model's clues are created later
	}
	all, _, err := st.Clues(ctx, store.ClueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		byFP[c.Fingerprint] = c
	}
	return byFP
}

func fingerprints(t *testing.T, st *store.Store, f store.ClueFilter) []string {
	t.Helper()
	cs, total, err := st.Clues(context.Background(), f)
	if err != nil {
		t.Fatalf("Clues(%+v): %v", f, err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Fingerprint)
	}
	if f.Offset == 0 && f.Limit == 0 && total != int64(len(out)) {
		t.Errorf("Clues(%+v): total %d for %d clues", f, total, len(out))
	}
	return out
}

func TestCluesAreSortedByEveryColumnBothWays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cs := saveVariedClues(t, st)
		if _, err := st.ReviewClue(ctx, cs["b1"].ID, "dismissed", "no", "alice"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			sort string
			desc bool
			want []string
		}{
			{"", false, []string{"a1", "b1", "b2"}}, // model, then id
			{"score", true, []string{"b2", "a1", "b1"}},
			{"score", false, []string{"b1", "a1", "b2"}},
			{"model", true, []string{"b2", "b1", "a1"}}, // ties by id, the same way
			{"created", true, []string{"a1", "b2", "b1"}},
			{"status", false, []string{"b2", "a1", "b1"}}, // new before dismissed, as in the lifecycle
			{"id", true, []string{"a1", "b2", "b1"}},
		} {
			got := fingerprints(t, st, store.ClueFilter{Sort: c.sort, Desc: c.desc})
			if !slices.Equal(got, c.want) {
				t.Errorf("sort %q desc %v = %v, want %v", c.sort, c.desc, got, c.want)
			}
		}
		if got := fingerprints(t, st, store.ClueFilter{Sort: "score", Desc: true, Limit: 1, Offset: 1}); !slices.Equal(got, []string{"a1"}) {
			t.Errorf("second page of one by score = %v, want [a1]", got)
		}
		if _, _, err := st.Clues(ctx, store.ClueFilter{Sort: "title; DROP TABLE clues"}); err == nil {
			t.Error("an unknown sort was accepted")
		}
	})
}

func TestCluesAreFilteredBySeverityDatasetAndTextAndCountedByStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cs := saveVariedClues(t, st)
		if _, err := st.ReviewClue(ctx, cs["b2"].ID, "confirmed", "yes", "alice"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			f    store.ClueFilter
			want []string
		}{
			{store.ClueFilter{Severity: "high"}, []string{"b2"}},
			{store.ClueFilter{Dataset: "tx"}, []string{"b2"}}, // not tx_old
			{store.ClueFilter{Dataset: "tx_old"}, []string{"a1"}},
			{store.ClueFilter{Text: "death"}, []string{"a1"}},
			{store.ClueFilter{Text: "王五"}, []string{"b1"}},
			{store.ClueFilter{Text: "m_b", Sort: "id"}, []string{"b1", "b2"}},
			{store.ClueFilter{Text: "1101011950010110"}, nil}, // subject keys are not searched
		} {
			if got := fingerprints(t, st, c.f); !slices.Equal(got, c.want) {
				t.Errorf("filter %+v = %v, want %v", c.f, got, c.want)
			}
		}
		n, err := st.ClueStatusCounts(ctx, store.ClueFilter{Status: "new", ModelID: "m_b"})
		if err != nil {
			t.Fatal(err)
		}
		if len(n) != 2 || n["new"] != 1 || n["confirmed"] != 1 {
			t.Errorf("counts of m_b = %v, want new 1 and confirmed 1 whatever the status filter", n)
		}
	})
}
