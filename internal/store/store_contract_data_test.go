package store

// The dataset half of the contract suite (see store_contract_test.go):
// datasets, bulk loads, atomic imports, duplicates, batches and rejects.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

var callCols = []ColumnDef{
	{Name: "caller", Type: TypeText},
	{Name: "duration", Type: TypeInteger},
}

func TestEnsureDatasetCreatesAddsColumnsAndRefusesATypeChange(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		tx := mustBegin(t, s)
		if err := tx.EnsureDataset(ctx, "calls", "calls", `{"v":1}`, callCols); err != nil {
			t.Fatalf("create: %v", err)
		}
		wider := append(append([]ColumnDef{}, callCols...), ColumnDef{Name: "被叫号码", Type: TypeText})
		if err := tx.EnsureDataset(ctx, "calls", "calls", `{"v":2}`, wider); err != nil {
			t.Fatalf("add column: %v", err)
		}
		cols, _, err := tx.tableColumns(ctx, "ds_calls")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"_batch": TypeInteger, "_line": TypeInteger, "_fp": TypeInteger,
			"caller": TypeText, "duration": TypeInteger, "被叫号码": TypeText}
		if fmt.Sprint(cols) != fmt.Sprint(want) {
			t.Errorf("columns = %v, want %v", cols, want)
		}

		changed := []ColumnDef{{Name: "caller", Type: TypeText}, {Name: "duration", Type: TypeText}}
		err = tx.EnsureDataset(ctx, "calls", "calls", `{}`, changed)
		if err == nil {
			t.Fatal("a type change was accepted")
		}
		for _, w := range []string{`"duration"`, "stored as integer", "says text"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		ds, err := s.Datasets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Name != "calls" || ds[0].Kind != "calls" || ds[0].ColumnsJSON != `{"v":2}` || ds[0].CreatedAt.IsZero() {
			t.Errorf("Datasets() = %+v", ds)
		}
	})
}

func TestEnsureDatasetRefusesBadNames(t *testing.T) {
	s := mustInit(t, backends()[0].options(t))
	tx := mustBegin(t, s)
	tests := []struct {
		name, dataset string
		cols          []ColumnDef
		want          string
	}{
		{"upper-case dataset", "Calls", callCols, "is not allowed"},
		{"dataset with a quote", `x"; DROP TABLE datasets; --`, callCols, "is not allowed"},
		{"dataset name too long", "a" + strings.Repeat("b", 60), callCols, "is not allowed"},
		{"reserved column", "calls", []ColumnDef{{Name: "_fp", Type: TypeText}}, "reserved"},
		{"empty column", "calls", []ColumnDef{{Name: "", Type: TypeText}}, "has no name"},
		{"unknown type", "calls", []ColumnDef{{Name: "x", Type: "varchar"}}, "unknown data type"},
		{"columns differing in case", "calls", []ColumnDef{{Name: "x", Type: TypeText}, {Name: "X", Type: TypeText}}, "letter case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tx.EnsureDataset(context.Background(), tt.dataset, "", "{}", tt.cols)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

var allTypes = []ColumnDef{
	{Name: "t", Type: TypeText}, {Name: "i", Type: TypeInteger}, {Name: "d", Type: TypeDouble},
	{Name: "m", Type: TypeMoney}, {Name: "b", Type: TypeBoolean}, {Name: "day", Type: TypeDate},
	{Name: "ts", Type: TypeTimestamp},
}

func colNames(cols []ColumnDef) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// withSystem prefixes rows with the system columns _batch, _line and _fp.
func withSystem(batch int64, rows [][]any, fps ...int64) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		fp := int64(i + 1)
		if i < len(fps) {
			fp = fps[i]
		}
		out[i] = append([]any{batch, int64(i + 1), fp}, r...)
	}
	return out
}

func TestBulkLoadRoundTripsEveryValueType(t *testing.T) {
	kolkata := time.FixedZone("IST", 5*3600+1800)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	rows := [][]any{
		{"张三 'quoted', \"x\"", int64(-9007199254740993), 0.1, Money(-123456), true,
			time.Date(2024, 2, 29, 0, 0, 0, 0, shanghai), time.Date(2024, 3, 1, 23, 59, 59, 123456000, kolkata)},
		{"", int64(0), -1.5e300, Money(999999999999999999), false,
			time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
		{nil, nil, nil, nil, nil, nil, nil},
		{"a\nb", int64(1<<62 + 7), 3.0, Money(5), true, time.Date(2026, 11, 29, 8, 0, 0, 0, shanghai), time.Date(2026, 11, 29, 8, 0, 0, 0, shanghai)},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		tx := mustBegin(t, s)
		if err := tx.EnsureDataset(ctx, "all_types", "", "{}", allTypes); err != nil {
			t.Fatal(err)
		}
		cols := append([]string{ColBatch, ColLine, ColFingerprint}, colNames(allTypes)...)
		if n, err := tx.BulkLoad(ctx, "ds_all_types", cols, RowsOf(nil)); n != 0 || err != nil {
			t.Errorf("BulkLoad of no rows = %d, %v", n, err)
		}
		n, err := tx.BulkLoad(ctx, "ds_all_types", cols, RowsOf(withSystem(1, rows)))
		if err != nil || n != int64(len(rows)) {
			t.Fatalf("BulkLoad = %d, %v; want %d rows", n, err, len(rows))
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		got, err := s.DB().QueryContext(ctx, `SELECT t, i, d, m, b, CAST(day AS TEXT), ts FROM ds_all_types ORDER BY _line`)
		if err != nil {
			t.Fatal(err)
		}
		defer got.Close()
		for line := 0; got.Next(); line++ {
			var (
				txt  sql.NullString
				i    sql.NullInt64
				d    sql.NullFloat64
				m    sql.Null[Money]
				bo   sql.NullBool
				day  sql.NullString
				ts   sql.NullTime
				want = rows[line]
			)
			if err := got.Scan(&txt, &i, &d, &m, &bo, &day, &ts); err != nil {
				t.Fatalf("line %d: %v", line+1, err)
			}
			if want[0] == nil {
				if txt.Valid || i.Valid || d.Valid || m.Valid || bo.Valid || day.Valid || ts.Valid {
					t.Errorf("line %d: NULLs came back as %v %v %v %v %v %v %v", line+1, txt, i, d, m, bo, day, ts)
				}
				continue
			}
			wantDay := want[5].(time.Time).Format("2006-01-02")
			if txt.String != want[0] || i.Int64 != want[1] || d.Float64 != want[2] || m.V != want[3] ||
				bo.Bool != want[4] || day.String != wantDay || !ts.Time.Equal(want[6].(time.Time)) {
				t.Errorf("line %d: got %q %d %v %v %v %s %v,\nwant %q %d %v %v %v %s %v", line+1,
					txt.String, i.Int64, d.Float64, m.V, bo.Bool, day.String, ts.Time,
					want[0], want[1], want[2], want[3], want[4], wantDay, want[6])
			}
		}
		if err := got.Err(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBulkLoadRefusesAValueOfTheWrongType(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		tx := mustBegin(t, s)
		if err := tx.EnsureDataset(ctx, "calls", "", "{}", callCols); err != nil {
			t.Fatal(err)
		}
		cols := []string{ColBatch, ColLine, ColFingerprint, "caller", "duration"}
		rows := withSystem(1, [][]any{{"a", int64(1)}, {"b", Money(250)}})
		_, err := tx.BulkLoad(ctx, "ds_calls", cols, RowsOf(rows))
		if err == nil {
			t.Fatal("a Money value was loaded into an integer column")
		}
		for _, w := range []string{"row 2", `"duration"`, "store.Money", "integer"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	})
}

type failingSource struct {
	n, failAt int
}

func (f *failingSource) Next() bool { f.n++; return true }
func (f *failingSource) Values() ([]any, error) {
	if f.n == f.failAt {
		return nil, errors.New("line 7: broken quote")
	}
	return []any{int64(1), int64(f.n), int64(f.n), "x", int64(f.n)}, nil
}
func (f *failingSource) Err() error { return nil }

func TestARolledBackImportLeavesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		tx := mustBegin(t, s)
		if err := tx.EnsureDataset(ctx, "calls", "", "{}", callCols); err != nil {
			t.Fatal(err)
		}
		id, err := tx.NextBatchID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.InsertBatch(ctx, Batch{ID: id, Dataset: "calls", FileName: "a.csv", Status: BatchRunning}); err != nil {
			t.Fatal(err)
		}
		cols := []string{ColBatch, ColLine, ColFingerprint, "caller", "duration"}
		if _, err := tx.BulkLoad(ctx, "ds_calls", cols, RowsOf(withSystem(id, [][]any{{"a", int64(1)}, {"b", int64(2)}}))); err != nil {
			t.Fatal(err)
		}
		// Nobody else sees the import before it commits.
		var n int64
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM import_batches`).Scan(&n); err != nil || n != 0 {
			t.Errorf("another connection sees %d batches (%v) before commit", n, err)
		}
		// A source that fails midway fails the load with its error.
		_, err = tx.BulkLoad(ctx, "ds_calls", cols, &failingSource{failAt: 5000})
		if err == nil || !strings.Contains(err.Error(), "broken quote") {
			t.Errorf("failing source: err = %v, want its error", err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Errorf("second Rollback: %v", err)
		}
		ds, err := s.Datasets(ctx)
		if err != nil || len(ds) != 0 {
			t.Errorf("after rollback Datasets() = %v, %v; want none", ds, err)
		}
		var tables int64
		s.DB().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name = 'ds_calls'`).Scan(&tables)
		if tables != 0 {
			t.Errorf("the dataset table survived the rollback")
		}
	})
}

func TestCommitOfAFailedTransactionSaysNothingWasSaved(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		tx := mustBegin(t, s)
		if _, err := tx.ExecContext(ctx, `INSERT INTO workspace_info (key, value) VALUES ('a', 'b')`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO workspace_info (key, value) VALUES ('created_at', 'x')`); err == nil {
			t.Fatal("a duplicate key was accepted")
		}
		if err := tx.Commit(); err == nil {
			t.Error("Commit of a failed transaction reported success")
		}
		var n int64
		s.DB().QueryRowContext(ctx, `SELECT count(*) FROM workspace_info WHERE key = 'a'`).Scan(&n)
		if n != 0 {
			t.Error("a row of the failed transaction was saved")
		}
	})
}

// importBatch loads rows (caller, duration) with fingerprints fps as one
// batch of file into dataset calls and returns its id.
func importBatch(t *testing.T, s *Store, file string, rows [][]any, fps []int64) (int64, int64, int64) {
	t.Helper()
	ctx := context.Background()
	tx := mustBegin(t, s)
	if err := tx.EnsureDataset(ctx, "calls", "calls", "{}", callCols); err != nil {
		t.Fatal(err)
	}
	id, err := tx.NextBatchID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	b := Batch{ID: id, Dataset: "calls", FileName: file, FileSHA256: "sha-" + file, FileSize: 100, Format: "csv",
		Encoding: "utf-8", SourceAgency: "China Mobile", RequestNo: "R-1", Importer: "alice",
		Status: BatchRunning, StartedAt: start}
	if err := tx.InsertBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	cols := []string{ColBatch, ColLine, ColFingerprint, "caller", "duration"}
	if _, err := tx.BulkLoad(ctx, "ds_calls", cols, RowsOf(withSystem(id, rows, fps...))); err != nil {
		t.Fatal(err)
	}
	cross, inFile, err := tx.RejectCrossBatchDuplicates(ctx, "calls", id, colNames(callCols))
	if err != nil {
		t.Fatal(err)
	}
	b.Status, b.FinishedAt = BatchDone, start.Add(time.Minute)
	b.RowsRead, b.RowsImported, b.RowsDuplicate, b.RowsDuplicateInFile = int64(len(rows)), int64(len(rows))-cross, cross, inFile
	if err := tx.UpdateBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return id, cross, inFile
}

func TestRowsSeenInAnEarlierBatchAreRejectedAndRepeatsInAFileCounted(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		first, cross, inFile := importBatch(t, s, "a.csv",
			[][]any{{"100", int64(1)}, {"200", int64(2)}, {"300", nil}}, []int64{11, 22, 33})
		if cross != 0 || inFile != 0 {
			t.Fatalf("first batch: cross %d, in file %d; want 0, 0", cross, inFile)
		}
		// Lines 1 and 5 repeat lines 2 and 3 of a.csv; lines 2 and 3 repeat each other.
		second, cross, inFile := importBatch(t, s, "b.csv",
			[][]any{{"200", int64(2)}, {"400", int64(4)}, {"400", int64(4)}, {"500", int64(5)}, {"300", nil}},
			[]int64{22, 44, 44, 55, 33})
		if cross != 2 || inFile != 1 {
			t.Errorf("second batch: cross %d, in file %d; want 2, 1", cross, inFile)
		}

		rejects, total, err := s.Rejects(ctx, "calls", second, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []Reject{
			{BatchID: second, Line: 1, Dataset: "calls", File: "b.csv", Code: "duplicate",
				Reason: fmt.Sprintf("same row as batch %d line 2 (file a.csv)", first), Raw: "200,2"},
			{BatchID: second, Line: 5, Dataset: "calls", File: "b.csv", Code: "duplicate",
				Reason: fmt.Sprintf("same row as batch %d line 3 (file a.csv)", first), Raw: "300"},
		}
		if total != 2 || fmt.Sprint(rejects) != fmt.Sprint(want) {
			t.Errorf("Rejects = %d %+v,\nwant 2 %+v", total, rejects, want)
		}

		var lines []int64
		rows, err := s.DB().QueryContext(ctx, `SELECT _line FROM ds_calls WHERE _batch = $1 ORDER BY _line`, second)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var l int64
			rows.Scan(&l)
			lines = append(lines, l)
		}
		rows.Close()
		if fmt.Sprint(lines) != "[2 3 4]" {
			t.Errorf("lines kept of the second batch = %v, want [2 3 4]", lines)
		}
	})
}

func TestDatasetsListsRowCountsAndBatchesAndRejectsPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		first, _, _ := importBatch(t, s, "a.csv", [][]any{{"1", int64(1)}, {"2", int64(2)}}, []int64{1, 2})
		second, _, _ := importBatch(t, s, "b.csv", [][]any{{"1", int64(1)}, {"3", int64(3)}}, []int64{1, 3})

		tx := mustBegin(t, s)
		var many []Reject
		for i := 1; i <= 25; i++ {
			many = append(many, Reject{BatchID: second, Dataset: "calls", Line: int64(100 + i), Column: "duration",
				ColumnNo: 2, Code: "not_integer", Reason: "'x' is not a whole number", Raw: "1,x"})
		}
		if n, err := tx.InsertRejects(ctx, many); err != nil || n != 25 {
			t.Fatalf("InsertRejects = %d, %v", n, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}

		ds, err := s.Datasets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Rows != 3 || len(ds[0].Batches) != 2 {
			t.Fatalf("Datasets() = %+v, want calls with 3 rows and 2 batches", ds)
		}
		got := ds[0].Batches[1]
		if got.ID != second || got.FileName != "b.csv" || got.Status != BatchDone || got.RowsDuplicate != 1 ||
			got.RowsImported != 1 || got.SourceAgency != "China Mobile" || got.OptionsJSON != "{}" ||
			!got.FinishedAt.Equal(time.Date(2026, 11, 29, 10, 1, 0, 0, time.UTC)) {
			t.Errorf("second batch = %+v", got)
		}

		page, total, err := s.Rejects(ctx, "calls", 0, 10, 20)
		if err != nil {
			t.Fatal(err)
		}
		if total != 26 || len(page) != 6 || page[0].Line != 120 || page[5].Line != 125 || page[5].Column != "duration" || page[5].ColumnNo != 2 {
			t.Errorf("Rejects page 3 = %d %+v", total, page)
		}
		if _, total, _ := s.Rejects(ctx, "calls", first, 10, 0); total != 0 {
			t.Errorf("first batch has %d rejects, want 0", total)
		}

		if found, ok, err := s.BatchBySHA(ctx, "calls", "sha-a.csv"); err != nil || !ok || found.ID != first {
			t.Errorf("BatchBySHA(a) = %v %v %v, want batch %d", found.ID, ok, err, first)
		}
		if _, ok, err := s.BatchBySHA(ctx, "calls", "sha-c.csv"); err != nil || ok {
			t.Errorf("BatchBySHA of an unknown file = %v %v, want not found", ok, err)
		}
	})
}

func TestBatchBySHAIgnoresBatchesThatDidNotFinish(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		tx := mustBegin(t, s)
		id, _ := tx.NextBatchID(ctx)
		if err := tx.InsertBatch(ctx, Batch{ID: id, Dataset: "calls", FileName: "a.csv", FileSHA256: "abc", Status: BatchFailed}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.BatchBySHA(ctx, "calls", "abc"); err != nil || ok {
			t.Errorf("BatchBySHA found a failed batch (%v, %v)", ok, err)
		}
		if got, err := s.Batch(ctx, id); err != nil || got.Status != BatchFailed || !got.StartedAt.IsZero() {
			t.Errorf("Batch(%d) = %+v, %v", id, got, err)
		}
	})
}

// cancellingSource cancels the load's context at row cancelAt and would
// otherwise never end.
type cancellingSource struct {
	failingSource
	cancel   context.CancelFunc
	cancelAt int
}

func (c *cancellingSource) Values() ([]any, error) {
	if c.n == c.cancelAt {
		c.cancel()
	}
	return c.failingSource.Values()
}

func TestACancelledBulkLoadStops(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := mustInit(t, b.options(t))
		tx := mustBegin(t, s)
		if err := tx.EnsureDataset(context.Background(), "calls", "", "{}", callCols); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		src := &cancellingSource{cancel: cancel, cancelAt: 10_000}
		cols := []string{ColBatch, ColLine, ColFingerprint, "caller", "duration"}
		_, err := tx.BulkLoad(ctx, "ds_calls", cols, src)
		if err == nil {
			t.Fatal("a cancelled load succeeded")
		}
		if b.name == BackendDuckDB && !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if src.n > 1_000_000 {
			t.Errorf("the load went on for %d rows after cancellation", src.n)
		}
	})
}

func TestABulkLoadOfManyChunksStoresEveryRowOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := mustInit(t, b.options(t))
		tx := mustBegin(t, s)
		if err := tx.EnsureDataset(ctx, "calls", "", "{}", callCols); err != nil {
			t.Fatal(err)
		}
		const n = 50_000 // about 25 DuckDB chunks, filled by several threads
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = []any{strconv.Itoa(i), int64(i)}
		}
		cols := []string{ColBatch, ColLine, ColFingerprint, "caller", "duration"}
		if got, err := tx.BulkLoad(ctx, "ds_calls", cols, RowsOf(withSystem(1, rows))); err != nil || got != n {
			t.Fatalf("BulkLoad = %d, %v", got, err)
		}
		var count, distinct, sum, mismatched int64
		err := tx.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT _line), sum(duration),
			sum(CASE WHEN caller = CAST(duration AS TEXT) AND _line = duration + 1 THEN 0 ELSE 1 END) FROM ds_calls`).
			Scan(&count, &distinct, &sum, &mismatched)
		if err != nil {
			t.Fatal(err)
		}
		if count != n || distinct != n || sum != n*(n-1)/2 || mismatched != 0 {
			t.Errorf("count %d, distinct lines %d, sum %d, mismatched %d; want %d, %d, %d, 0",
				count, distinct, sum, mismatched, n, n, n*(n-1)/2)
		}
	})
}
