package ingest

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

const example = "../../docs/examples/bank-statement-cn.csv"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustImport(t *testing.T, st *store.Store, o Options) Result {
	t.Helper()
	res, err := Import(context.Background(), st, o)
	if err != nil {
		t.Fatalf("import %s: %v", o.Path, err)
	}
	return res
}

func count(t *testing.T, st *store.Store, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.DB().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestTheShippedBankStatementImportsWithItsFourBadRowsRejected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		res := mustImport(t, st, Options{Path: example, Dataset: "bank_tx", Profile: "cn-bank-inquiry"})
		if res.Kind != "transactions" || res.Encoding != "gb18030" || res.Format != "csv" {
			t.Errorf("kind/encoding/format = %s/%s/%s, want transactions/gb18030/csv", res.Kind, res.Encoding, res.Format)
		}
		if res.RowsRead != 44 || res.RowsImported != 40 || res.RowsRejected != 4 {
			t.Fatalf("read/imported/rejected = %d/%d/%d, want 44/40/4", res.RowsRead, res.RowsImported, res.RowsRejected)
		}
		want := map[string]int64{"invalid_value": 3, "summary_row": 1}
		for code, n := range want {
			if res.RejectsByCode[code] != n {
				t.Errorf("rejects with code %s = %d, want %d (all: %v)", code, res.RejectsByCode[code], n, res.RejectsByCode)
			}
		}
		if got := count(t, st, `SELECT count(*) FROM ds_bank_tx`); got != 40 {
			t.Errorf("stored rows = %d, want 40", got)
		}
		// 借 (debit) rows are money out: negative amount, direction out; 贷 rows the opposite.
		if bad := count(t, st, `SELECT count(*) FROM ds_bank_tx WHERE (direction = 'out') <> (amount < 0)`); bad != 0 {
			t.Errorf("%d rows whose amount sign disagrees with the direction", bad)
		}
		if n := count(t, st, `SELECT count(*) FROM ds_bank_tx WHERE direction = 'in'`); n == 0 {
			t.Error("no incoming rows: the 贷 flag was not read")
		}
		rejects, total, err := st.Rejects(context.Background(), "bank_tx", res.BatchID, 0, 0)
		if err != nil || total != 4 {
			t.Fatalf("rejects: %d, %v", total, err)
		}
		reasons := map[int64]string{}
		for _, r := range rejects {
			if r.Raw == "" {
				t.Errorf("reject of line %d has no raw text", r.Line)
			}
			reasons[r.Line] = r.Column + ": " + r.Reason
		}
		for line, want := range map[int64]string{44: "交易金额", 45: "scientific notation", 46: "does not exist", 47: "totals row"} {
			if !strings.Contains(reasons[line], want) {
				t.Errorf("line %d reject = %q, want it to mention %q", line, reasons[line], want)
			}
		}
	})
}

func TestTheSameFileContentIsNeverImportedTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		first := mustImport(t, st, Options{Path: example, Dataset: "bank_tx", Profile: "cn-bank-inquiry"})
		// Same bytes under another name.
		b, _ := os.ReadFile(example)
		again := mustImport(t, st, Options{Path: writeFile(t, "renamed.csv", string(b)), Dataset: "bank_tx", Profile: "cn-bank-inquiry"})
		if again.DuplicateOfBatch != first.BatchID || again.RowsImported != 0 {
			t.Fatalf("second import: duplicate_of_batch=%d imported=%d, want %d and 0", again.DuplicateOfBatch, again.RowsImported, first.BatchID)
		}
		if got := count(t, st, `SELECT count(*) FROM ds_bank_tx`); got != 40 {
			t.Errorf("stored rows = %d after the second import, want 40", got)
		}
		// The original is kept in the evidence store under its hash, read-only.
		p := filepath.Join(st.EvidenceDir(), "sha256", first.FileSHA256[:2], first.FileSHA256)
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("evidence copy %s: %v (mode %v)", p, err, fi)
		}
	})
}

const overlapHeader = "交易流水号,账号,交易时间,借贷标志,交易金额,对方账号\n"

func TestRowsRepeatedByAnOverlappingStatementAreRejectedAsDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		jan := writeFile(t, "jan.csv", overlapHeader+
			"T1,6228480000000000001,2024-01-30 10:00:00,借,100.00,6222020000000000002\n"+
			"T2,6228480000000000001,2024-01-31 10:00:00,贷,50.00,6222020000000000002\n"+
			"T2,6228480000000000001,2024-01-31 10:00:00,贷,50.00,6222020000000000002\n")
		feb := writeFile(t, "feb.csv", overlapHeader+
			"T2,6228480000000000001,2024-01-31 10:00:00,贷,50.00,6222020000000000002\n"+
			"T3,6228480000000000001,2024-02-01 10:00:00,借,70.00,6222020000000000002\n")
		r1 := mustImport(t, st, Options{Path: jan, Dataset: "tx", Kind: "transactions"})
		if r1.RowsImported != 3 || r1.RowsDuplicateInFile != 1 {
			t.Errorf("jan: imported %d, duplicate in file %d; want 3 and 1 (identical rows within one file are kept and counted)", r1.RowsImported, r1.RowsDuplicateInFile)
		}
		r2 := mustImport(t, st, Options{Path: feb, Dataset: "tx", Kind: "transactions"})
		if r2.RowsRead != 2 || r2.RowsImported != 1 || r2.RowsDuplicate != 1 || r2.RowsRejected != 1 {
			t.Fatalf("feb: read/imported/duplicate/rejected = %d/%d/%d/%d, want 2/1/1/1", r2.RowsRead, r2.RowsImported, r2.RowsDuplicate, r2.RowsRejected)
		}
		rejects, _, err := st.Rejects(context.Background(), "tx", r2.BatchID, 0, 0)
		if err != nil || len(rejects) != 1 {
			t.Fatalf("rejects of feb: %v %v", rejects, err)
		}
		if r := rejects[0]; r.Code != "duplicate" || r.Line != 2 || !strings.Contains(r.Reason, "batch") {
			t.Errorf("duplicate reject = %+v, want code duplicate, line 2, reason naming the earlier batch", r)
		}
	})
}

func TestACancelledImportLeavesNothingAndCanBeRunAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var b strings.Builder
		b.WriteString(overlapHeader)
		for i := 0; i < 20000; i++ {
			b.WriteString("T")
			b.WriteString(strings.Repeat("0", 6))
			b.WriteString(",6228480000000000001,2024-01-30 10:00:00,借,")
			b.WriteString(strings.TrimLeft(strings.Repeat("1", 1+i%5), "0"))
			b.WriteString(".00,6222020000000000002\n")
		}
		path := writeFile(t, "big.csv", b.String())
		ctx, cancel := context.WithCancel(context.Background())
		var seen atomic.Int64
		_, err := Import(ctx, st, Options{Path: path, Dataset: "tx", Kind: "transactions", Progress: cancelAfter{cancel: cancel, seen: &seen, at: int64(b.Len() / 2)}})
		if err == nil {
			t.Fatal("the cancelled import reported success")
		}
		if !strings.Contains(err.Error(), "nothing was imported") && !errors.Is(err, context.Canceled) {
			t.Errorf("error %q does not say nothing was imported", err)
		}
		infos, _ := st.Datasets(context.Background())
		for _, d := range infos {
			if d.Rows != 0 || len(d.Batches) != 0 {
				t.Fatalf("after cancel: dataset %s has %d rows and %d batches", d.Name, d.Rows, len(d.Batches))
			}
		}
		res := mustImport(t, st, Options{Path: path, Dataset: "tx", Kind: "transactions"})
		if res.RowsImported+res.RowsRejected != 20000 || res.DuplicateOfBatch != 0 {
			t.Errorf("re-run: imported %d + rejected %d, duplicate of %d; want 20000 rows and no duplicate", res.RowsImported, res.RowsRejected, res.DuplicateOfBatch)
		}
	})
}

// cancelAfter cancels the import once the reader has consumed `at` bytes.
type cancelAfter struct {
	cancel context.CancelFunc
	seen   *atomic.Int64
	at     int64
	phase  string
}

func (c cancelAfter) Begin(phase string, _ int64, _ string) {
	if phase == "import" {
		c.seen.Store(0)
	}
}
func (c cancelAfter) Add(n int64) {
	if c.seen.Add(n) >= c.at {
		c.cancel()
	}
}
func (c cancelAfter) End() {}

func TestAPlainFileImportsWithInferredTypes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		path := writeFile(t, "roster.csv", "姓名,身份证号,入所日期,天数\n"+
			"张伟,110105198803141958,2024-01-02,30\n"+
			"李娜,11010519491231002X,2024-02-03,15\n")
		res := mustImport(t, st, Options{Path: path, Dataset: "roster"})
		if res.Kind != "" || res.RowsImported != 2 {
			t.Fatalf("kind %q imported %d, want plain and 2", res.Kind, res.RowsImported)
		}
		types := map[string]string{}
		for _, m := range res.Mapping {
			types[m.From] = m.Type + "/" + m.Semantic
		}
		for col, want := range map[string]string{"身份证号": "text/person_id_number", "入所日期": "date/date", "天数": "integer/integer"} {
			if types[col] != want {
				t.Errorf("column %s inferred as %s, want %s", col, types[col], want)
			}
		}
	})
}

func TestAFileOfAnotherKindIsRefusedForAnExistingDataset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		mustImport(t, st, Options{Path: example, Dataset: "bank_tx", Profile: "cn-bank-inquiry"})
		path := writeFile(t, "roster.csv", "姓名,天数\n张伟,30\n")
		_, err := Import(context.Background(), st, Options{Path: path, Dataset: "bank_tx"})
		if err == nil || !strings.Contains(err.Error(), "transactions") {
			t.Fatalf("err = %v, want a refusal naming the dataset's kind", err)
		}
	})
}

func TestDryRunShowsTheMappingAndTheRowsAsStored(t *testing.T) {
	pv, err := DryRun(Options{Path: example, Profile: "cn-bank-inquiry"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if pv.HeaderLine != 3 || len(pv.TitleLines) == 0 {
		t.Errorf("header line %d, title lines %q: want the header on line 3 below the bank's title rows", pv.HeaderLine, pv.TitleLines)
	}
	if len(pv.Rows) != 3 {
		t.Fatalf("%d preview rows, want 3", len(pv.Rows))
	}
	r := pv.Rows[0]
	if !strings.HasPrefix(r.Values["amount"], "-") || r.Values["direction"] != "out" {
		t.Errorf("first row amount %q direction %q: a 借 row must be stored negative and out", r.Values["amount"], r.Values["direction"])
	}
	if r.Values["time"] != "2024-03-01 10:12:15" {
		t.Errorf("first row time = %q", r.Values["time"])
	}
}

func TestBenefitPeriodsWrittenAsMonthsAreStoredAsTheirFirstDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		path := writeFile(t, "benefits.csv", "身份证号,姓名,待遇类型,所属期,发放金额\n"+
			"110105198803141958,张伟,养老金,2024-05,3200.00\n"+
			"110105198803141958,张伟,养老金,202406,3200.00\n"+
			"110105198803141958,张伟,养老金,2024年7月,3300.00\n"+
			"110105198803141958,张伟,养老金,2024-13,3300.00\n")
		res := mustImport(t, st, Options{Path: path, Dataset: "benefits", Kind: "benefits"})
		if res.RowsImported != 3 || res.RejectsByCode["invalid_value"] != 1 {
			t.Fatalf("imported %d, rejects %v; want 3 and the month 13 rejected", res.RowsImported, res.RejectsByCode)
		}
		if n := count(t, st, `SELECT count(DISTINCT period) FROM ds_benefits WHERE EXTRACT(day FROM period) = 1`); n != 3 {
			t.Errorf("%d distinct first-of-month periods, want 3", n)
		}
	})
}

func TestTheAMLSimLayoutImportsEveryTransfer(t *testing.T) {
	dir := datasetsDir(t)
	gz, err := os.Open(filepath.Join(dir, "amlsim-1k-seed0", "transactions.csv.gz"))
	if err != nil {
		t.Skipf("AMLSim data not available: %v", err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "transactions.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, zr); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st := storetest.Init(t, storetest.Backends()[0].Options(t))
	res := mustImport(t, st, Options{Path: path, Dataset: "aml", Profile: "amlsim"})
	t.Logf("AMLSim 1k: %d rows read, %d imported, %d rejected", res.RowsRead, res.RowsImported, res.RowsRejected)
	if res.RowsRejected != 0 || res.RowsImported < 100000 {
		t.Fatalf("imported %d, rejected %d (%v); want every transfer", res.RowsImported, res.RowsRejected, res.RejectsByCode)
	}
	// Each AMLSim row is a transfer out of orig_acct: stored negative, direction out.
	if n := count(t, st, `SELECT count(*) FROM ds_aml WHERE amount >= 0 OR direction <> 'out'`); n != 0 {
		t.Errorf("%d rows not stored as outgoing transfers", n)
	}
}

// datasetsDir finds ../shared/datasets through PROCURA_DATASETS or by walking up.
func datasetsDir(t *testing.T) string {
	if d := os.Getenv("PROCURA_DATASETS"); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "shared", "datasets")); err == nil && fi.IsDir() {
			return filepath.Join(d, "shared", "datasets")
		}
	}
	t.Skip("external datasets not found: set PROCURA_DATASETS")
	return ""
}
