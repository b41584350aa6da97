package tabular

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// bankWorkbook builds a workbook like a bank's export: a title, a merged
// two-row header on the first sheet, a second sheet with the same columns
// in another order, card numbers stored as numbers and dates as serials.
func bankWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	s1 := "Sheet1"
	if err := f.SetSheetName("Sheet1", "2023年"); err != nil {
		t.Fatal(err)
	}
	s1 = "2023年"
	set := func(sheet, cell string, v any) {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set(s1, "A1", "中国XX银行账户交易明细")
	must(t, f.MergeCell(s1, "A1", "E1"))
	set(s1, "A2", "序号")
	must(t, f.MergeCell(s1, "A2", "A3"))
	set(s1, "B2", "交易信息")
	must(t, f.MergeCell(s1, "B2", "D2"))
	set(s1, "E2", "对方信息")
	for i, h := range []string{"交易时间", "交易金额", "交易卡号", "对方户名"} {
		set(s1, string(rune('B'+i))+"3", h)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	if err != nil {
		t.Fatal(err)
	}
	set(s1, "A4", 1)
	set(s1, "B4", time.Date(2023, 5, 6, 7, 8, 0, 0, time.UTC))
	must(t, f.SetCellStyle(s1, "B4", "B4", dateStyle))
	set(s1, "C4", 100.5)
	// A 19-digit card number typed as a number: Excel keeps 15 digits.
	set(s1, "D4", 6222021001123456789.0)
	set(s1, "E4", "张三")
	set(s1, "A5", 2)
	set(s1, "D5", "6222021001123456789")
	set(s1, "E5", "李四")

	if _, err := f.NewSheet("2024年"); err != nil {
		t.Fatal(err)
	}
	for i, h := range []string{"序号", "对方户名", "交易时间", "交易金额", "交易卡号", "备注"} {
		set("2024年", string(rune('A'+i))+"1", h)
	}
	for i, v := range []any{3, "王五", "2024-01-02 03:04:05", 7, "6217000010001234567", "退款"} {
		set("2024年", string(rune('A'+i))+"2", v)
	}
	if _, err := f.NewSheet("空表"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bank.xlsx")
	must(t, f.SaveAs(path))
	return path
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWorkbookWithTwoSheetsAndAMergedHeaderReadsEverySheetUnderOneHeader(t *testing.T) {
	r, err := Open(bankWorkbook(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := drain(t, r)
	if want := []string{"序号", "交易时间", "交易金额", "交易卡号", "对方户名", "备注"}; !equal(res.header, want) {
		t.Errorf("header %q, want %q", res.header, want)
	}
	if !equal(res.det.Sheets, []string{"2023年", "2024年"}) || !equal(res.det.SheetHeaderLines, []int{3, 1}) {
		t.Errorf("sheets %q header lines %v", res.det.Sheets, res.det.SheetHeaderLines)
	}
	if len(res.recs) != 3 {
		t.Fatalf("%d records", len(res.recs))
	}
	first := res.recs[0]
	if first.Sheet != "2023年" || first.Line != 4 || first.Fields[1] != "2023-05-06 07:08" || first.Fields[2] != "100.5" {
		t.Errorf("first record %+v", first)
	}
	if card := first.Fields[3]; card != "6222021001123450000" {
		t.Errorf("card number stored as a number came out as %q, want Excel's own 15 digits and zeros 6222021001123450000", card)
	}
	if got := res.recs[1].Fields[3]; got != "6222021001123456789" {
		t.Errorf("card number stored as text %q", got)
	}
	last := res.recs[2]
	if last.Sheet != "2024年" || last.Line != 2 || last.Fields[4] != "王五" || last.Fields[5] != "退款" || last.Fields[3] != "6217000010001234567" {
		t.Errorf("second sheet record %+v", last)
	}
	if !strings.Contains(last.Raw, "王五\t2024-01-02 03:04:05") {
		t.Errorf("raw %q", last.Raw)
	}
	if len(res.det.TitleLines) == 0 || !strings.Contains(res.det.TitleLines[0], "中国XX银行账户交易明细") {
		t.Errorf("title lines %q", res.det.TitleLines)
	}
}

func TestNamedSheetIsReadAloneAndAMissingOneIsListed(t *testing.T) {
	path := bankWorkbook(t)
	r, err := Open(path, Options{Sheet: "2024年"})
	if err != nil {
		t.Fatal(err)
	}
	res := drain(t, r)
	if len(res.recs) != 1 || res.recs[0].Sheet != "2024年" || len(res.header) != 6 {
		t.Errorf("records %+v header %q", res.recs, res.header)
	}
	_, err = Open(path, Options{Sheet: "2025年"})
	if err == nil || !strings.Contains(err.Error(), `"2023年", "2024年", "空表"`) {
		t.Errorf("error %v does not list the sheets", err)
	}
}

func TestWorkbookUploadIsReadFromAStream(t *testing.T) {
	data, err := os.ReadFile(bankWorkbook(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenReader("upload.xlsx", bytes.NewBuffer(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res := drain(t, r); len(res.recs) != 3 || res.det.Format != XLSX {
		t.Errorf("%d records, format %s", len(res.recs), res.det.Format)
	}
}
