package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func csvReadAll(t testing.TB, data []byte, delim rune) [][]string {
	t.Helper()
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv: %v", err)
	}
	return recs
}

// watchdog turns a hang into a crash, which the fuzzer records as a
// failing input (a hung worker is otherwise only reported as slow).
func watchdog() *time.Timer {
	return time.AfterFunc(20*time.Second, func() { panic("input takes more than 20 s") })
}

var fuzzDelims = []rune{',', '\t', ';', '|'}

// checkReader drains r and checks what must hold for any input: it ends,
// records are at least as wide as the header, lines go forward, errors
// name the file.
func checkReader(t *testing.T, r Reader) []Record {
	defer r.Close()
	var recs []Record
	width := len(r.Header())
	var last int64
	for i := 0; ; i++ {
		if i > 100_000 {
			t.Fatal("reader does not end")
		}
		rec, err := r.Next()
		if err == io.EOF {
			return recs
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			if pe.File == "" || pe.Msg == "" {
				t.Fatalf("parse error without file or message: %#v", pe)
			}
			continue
		}
		if err != nil {
			return recs // a fatal error ends the file
		}
		if len(rec.Fields) < width {
			t.Fatalf("record with %d fields under a header of %d", len(rec.Fields), width)
		}
		if rec.Line < last {
			t.Fatalf("line %d after line %d", rec.Line, last)
		}
		for _, f := range rec.Fields {
			if strings.IndexByte(f, 0) >= 0 {
				t.Fatalf("NUL left in %q", f)
			}
		}
		last = rec.Line
		rec.Fields = append([]string(nil), rec.Fields...)
		recs = append(recs, rec)
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("a,b,c\n1,2,3\n"), uint8(0))
	f.Add([]byte("标题\n\n户名;金额\n张三;1\n\"李\n四\";2\n"), uint8(2))
	f.Add([]byte("a\tb\n\"x\"y\t1\n2\t\"3\n"), uint8(1))
	f.Add([]byte("\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, d uint8) {
		defer watchdog().Stop()
		delim := fuzzDelims[int(d)%len(fuzzDelims)]
		r, err := OpenReader("fuzz.csv", bytes.NewReader(data), Options{Format: CSV, Delimiter: delim})
		if err != nil {
			return
		}
		checkReader(t, r)

		// Where encoding/csv reads the input cleanly, records must agree.
		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 || bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
			return
		}
		cr := csv.NewReader(bytes.NewReader(data))
		cr.Comma, cr.FieldsPerRecord = delim, -1
		first, err := cr.Read()
		if err != nil || allEmpty(first) || nonEmpty(first) == 0 {
			return
		}
		line, _ := cr.FieldPos(0)
		var want [][]string
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			if !allEmpty(rec) {
				want = append(want, append([]string(nil), rec...))
			}
		}
		r, err = OpenReader("fuzz.csv", bytes.NewReader(data), Options{Format: CSV, Delimiter: delim, Encoding: "utf-8", HeaderRow: line})
		if err != nil {
			t.Fatalf("encoding/csv reads it, we do not: %v", err)
		}
		got := checkReader(t, r)
		if len(got) != len(want) {
			t.Fatalf("%d records, encoding/csv has %d", len(got), len(want))
		}
		for i := range got {
			if !equal(got[i].Fields[:got[i].Cells], want[i]) {
				t.Fatalf("record %d: %q, encoding/csv %q", i, got[i].Fields, want[i])
			}
		}
	})
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`[{"a":1,"b":"x"},{"a":2,"c":{"d":[1,2]}}]`))
	f.Add([]byte("{\"a\": 1}\n{\"a\": 2,\n \"b\": null}\n"))
	f.Add([]byte(`[{"a":1},3,{"a":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog().Stop()
		r, err := OpenReader("fuzz.json", bytes.NewReader(data), Options{Format: JSON})
		if err != nil {
			return
		}
		for _, rec := range checkReader(t, r) {
			if len(rec.Fields) != len(r.Header()) {
				t.Fatalf("%d fields under %d columns", len(rec.Fields), len(r.Header()))
			}
		}
	})
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n{\"b\":\"张三\"}\nnot json\n{\"a\":[1,{\"x\":null}]}\n"))
	f.Add([]byte("\n\n{}\n[1]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog().Stop()
		r, err := OpenReader("fuzz.jsonl", bytes.NewReader(data), Options{Format: JSONL})
		if err != nil {
			return
		}
		checkReader(t, r)
	})
}

func FuzzDetectHeader(f *testing.F) {
	f.Add("中国XX银行账户交易明细\n协作编号: 2024-001\n\n序号,交易信息,,对方\n,时间,金额,户名\n1,2024-01-01,5,张三")
	f.Add("a,a,a\n1,1,1")
	f.Fuzz(func(t *testing.T, text string) {
		var rows [][]string
		for _, l := range strings.Split(text, "\n") {
			rows = append(rows, strings.Split(l, ","))
		}
		i, header := DetectHeader(rows, nil)
		if i < 0 || i >= len(rows) {
			t.Fatalf("header index %d of %d rows", i, len(rows))
		}
		if len(header) < len(rows[i]) {
			t.Fatalf("header %q shorter than its row %q", header, rows[i])
		}
		if headerScore(rows[i]) < headerScore(rows[0]) {
			t.Fatalf("row %d scores lower than row 0", i)
		}
		names := cleanHeader(header)
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || seen[n] {
				t.Fatalf("empty or duplicate name in %q", names)
			}
			seen[n] = true
		}
	})
}
