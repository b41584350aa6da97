package store_test

import (
	"context"
	"testing"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

func TestScanTextReadsColumnsInImportOrderWithNullsAsEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cols := []store.ColumnDef{{Name: "name", Type: "text"}, {Name: "n", Type: "integer"}}
		if err := tx.EnsureDataset(ctx, "people", "", `{"columns":[]}`, cols); err != nil {
			t.Fatal(err)
		}
		rows := [][]any{{int64(1), int64(2), int64(0), "乙", nil}, {int64(1), int64(1), int64(0), "甲", int64(7)}}
		if _, err := tx.BulkLoad(ctx, store.DatasetTable("people"), []string{store.ColBatch, store.ColLine, store.ColFingerprint, "name", "n"}, store.RowsOf(rows)); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		var got [][]string
		if err := st.ScanText(ctx, "people", []string{"name", "n"}, 1, func(b [][]string) error { got = append(got, b...); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0][0] != "甲" || got[0][1] != "7" || got[1][0] != "乙" || got[1][1] != "" {
			t.Fatalf("rows = %v, want [[甲 7] [乙 ]]", got)
		}
	})
}
