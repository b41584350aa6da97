package tabular

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

type cdrRow struct {
	Caller   string    `parquet:"caller"`
	Callee   *string   `parquet:"callee,optional"`
	Start    time.Time `parquet:"start,timestamp(millisecond)"`
	Day      int32     `parquet:"day,date"` // days since 1970-01-01
	Seconds  int64     `parquet:"seconds"`
	Fee      float64   `parquet:"fee"`
	Roaming  bool      `parquet:"roaming"`
	Cells    []string  `parquet:"cells,list"`
	Operator string    `parquet:"operator,enum"`
}

func TestParquetValuesComeOutAsText(t *testing.T) {
	callee := "13900139000"
	rows := []cdrRow{
		{Caller: "13800138000", Callee: &callee, Start: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC), Day: 19786, Seconds: 65, Fee: 0.5, Cells: []string{"460-00-1", "460-00-2"}, Operator: "CMCC"},
		{Caller: "13700137000", Start: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), Day: 19787, Roaming: true},
	}
	var buf bytes.Buffer
	if err := parquet.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cdr.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, open := range []func() (Reader, error){
		func() (Reader, error) { return Open(path, Options{}) },
		func() (Reader, error) { return OpenReader("cdr.parquet", bytes.NewReader(buf.Bytes()), Options{}) },
		func() (Reader, error) { return OpenReader("cdr.parquet", bytes.NewBuffer(buf.Bytes()), Options{}) },
	} {
		r, err := open()
		if err != nil {
			t.Fatal(err)
		}
		res := drain(t, r)
		if want := []string{"caller", "callee", "start", "day", "seconds", "fee", "roaming", "cells", "operator"}; !equal(res.header, want) {
			t.Fatalf("header %q", res.header)
		}
		want := []string{"13800138000", "13900139000", "2024-03-04T05:06:07Z", "2024-03-04", "65", "0.5", "false", `["460-00-1","460-00-2"]`, "CMCC"}
		if len(res.recs) != 2 || !equal(res.recs[0].Fields, want) {
			t.Fatalf("first row %q, want %q", res.recs[0].Fields, want)
		}
		second := res.recs[1]
		if second.Line != 2 || second.Fields[1] != "" || second.Fields[6] != "true" || second.Fields[2] != "2024-03-05T00:00:00Z" {
			t.Errorf("second row %+v", second)
		}
	}
}

func TestParquetDecimalsAndInt96TimestampsAreFormatted(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"positive decimal", formatDecimal(parquet.ValueOf(int64(12345)), 2), "123.45"},
		{"small negative decimal", formatDecimal(parquet.ValueOf(int64(-5)), 3), "-0.005"},
		{"byte-array decimal", formatDecimal(parquet.ValueOf([]byte{0xFF, 0x85}), 1), "-12.3"},
		{"int96 epoch noon", formatInt96([3]uint32{uint32((12 * time.Hour) & 0xFFFFFFFF), uint32(int64(12*time.Hour) >> 32), 2440588}), "1970-01-01T12:00:00Z"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
