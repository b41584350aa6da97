package store

import (
	"context"
	"slices"
	"strconv"
	"testing"
)

func TestClueEvidenceRowsAreReadByBatchAndLine(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := mustInit(t, b.options(t))
		first, _, _ := importBatch(t, s, "a.csv", [][]any{{"13800000001", int64(1)}, {"13800000002", nil}}, []int64{1, 2})
		second, _, _ := importBatch(t, s, "b.csv", [][]any{{"13800000003", int64(3)}}, []int64{3})
		rows, err := s.RowsAt(context.Background(), "calls", []string{"caller", "duration"},
			[]RowRef{{Batch: second, Line: 1}, {Batch: first, Line: 2}, {Batch: first, Line: 9}})
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{strconv.FormatInt(first, 10), "2", "13800000002", ""}, {strconv.FormatInt(second, 10), "1", "13800000003", "3"}}
		if !slices.EqualFunc(rows, want, slices.Equal) {
			t.Errorf("rows = %q, want %q (import order, NULL as empty, a missing line left out)", rows, want)
		}
		if _, err := s.RowsAt(context.Background(), "calls; --", []string{"caller"}, []RowRef{{1, 1}}); err == nil {
			t.Error("a bad dataset name was accepted")
		}
	})
}
