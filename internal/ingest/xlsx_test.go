package ingest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

// A statement as banks send it in Excel: a title row, the account on a line of its own, split
// 支出/存入 columns, the date and the time in two columns, and a totals row.
func writeStatementXLSX(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"中国建设银行个人活期账户交易明细"},
		{"账号：6217000010012345678", "", "", "", "户名：李四"},
		{"交易日期", "交易时间", "摘要", "支出", "存入", "余额", "对方账号", "对方户名"},
		{"2024-05-01", "09:15:00", "转账", "", "5,000.00", "5,000.00", "6222020200112233445", "王五"},
		{"2024-05-01", "09:40:12", "网银转出", "4,990.00", "", "10.00", "6228480010098765432", "赵六"},
		{"2024/5/2", "10:00", "ATM取款", "10.00", "", "0.00", "", ""},
		{"2024-05-03", "11:00:00", "转账", "1.00", "2.00", "1.00", "6222020200112233445", "王五"},
		{"合计", "", "", "5,000.00", "5,000.00", "", "", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "statement.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnExcelStatementWithSplitColumnsImportsSignedAmounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		res := mustImport(t, st, Options{Path: writeStatementXLSX(t), Dataset: "stmt", Kind: "transactions"})
		if res.Format != "xlsx" {
			t.Errorf("format %q, want xlsx", res.Format)
		}
		// Four transactions; the row with both 支出 and 存入 filled and the totals row are rejected.
		if res.RowsRead != 5 || res.RowsImported != 3 || res.RowsRejected != 2 {
			t.Fatalf("read/imported/rejected = %d/%d/%d, want 5/3/2 (rejects %v)", res.RowsRead, res.RowsImported, res.RowsRejected, res.RejectsByCode)
		}
		var in, out, n int64
		row := st.DB().QueryRowContext(context.Background(), `SELECT
			CAST(sum(CASE WHEN amount > 0 THEN amount ELSE 0 END) * 100 AS BIGINT),
			CAST(sum(CASE WHEN amount < 0 THEN -amount ELSE 0 END) * 100 AS BIGINT),
			count(DISTINCT direction) FROM ds_stmt`)
		if err := row.Scan(&in, &out, &n); err != nil {
			t.Fatal(err)
		}
		if in != 500000 || out != 500000 || n != 2 {
			t.Errorf("in %d out %d (cents), %d directions; want 500000, 500000, 2", in, out, n)
		}
		if got := count(t, st, `SELECT count(*) FROM ds_stmt WHERE time IS NULL`); got != 0 {
			t.Errorf("%d rows without a time: 交易日期 + 交易时间 were not composed", got)
		}
	})
}
