package tabular

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// FuzzXLSX feeds workbooks, valid and mangled, to the XLSX reader: it must return an error or
// records, never panic or hang.
func FuzzXLSX(f *testing.F) {
	wb := excelize.NewFile()
	rows := [][]any{{"交易日期", "摘要", "支出", "存入"}, {"2024-05-01", "转账", "", 5000.5}, {"2024-05-02", "ATM", 10, ""}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		wb.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog().Stop()
		r, err := OpenReader("fuzz.xlsx", bytes.NewReader(data), Options{Format: XLSX})
		if err != nil {
			return
		}
		checkReader(t, r)
	})
}
