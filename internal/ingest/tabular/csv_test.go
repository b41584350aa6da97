package tabular

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func gbk(t testing.TB, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGBKBankStatementWithTitleRowsIsDecodedAndItsHeaderFound(t *testing.T) {
	src := "中国XX银行账户交易明细\r\n" +
		"协作编号: 2024-001\r\n" +
		"\r\n" +
		"交易卡号,交易时间,交易金额,对手户名,摘要\r\n" +
		"6222021001123456789,2024-01-02 10:00:00,100.00,张三,转账\r\n" +
		"6222021001123456789,2024-01-03 11:00:00,-50.00,李四,\"网银,跨行\"\r\n" +
		"合计,,50.00,,\r\n"
	res := readString(t, "bank.csv", gbk(t, src), Options{})
	if res.det.Encoding != EncGB18030 || res.det.Delimiter != ',' || res.det.Format != CSV {
		t.Errorf("detected %+v, want gb18030 csv with commas", res.det)
	}
	if want := []string{"交易卡号", "交易时间", "交易金额", "对手户名", "摘要"}; !equal(res.header, want) {
		t.Errorf("header %q, want %q", res.header, want)
	}
	if res.det.HeaderLine != 4 {
		t.Errorf("header line %d, want 4", res.det.HeaderLine)
	}
	if want := []string{"中国XX银行账户交易明细", "协作编号: 2024-001"}; !equal(res.det.TitleLines, want) {
		t.Errorf("title lines %q, want %q", res.det.TitleLines, want)
	}
	if want := []int64{5, 6, 7}; !equal(res.lines(), want) {
		t.Errorf("lines %v, want %v", res.lines(), want)
	}
	if got := res.column("摘要"); !equal(got, []string{"转账", "网银,跨行", ""}) {
		t.Errorf("摘要 %q", got)
	}
	if res.recs[1].Raw != "6222021001123456789,2024-01-03 11:00:00,-50.00,李四,\"网银,跨行\"" {
		t.Errorf("raw %q", res.recs[1].Raw)
	}
	if len(res.errs) != 0 {
		t.Errorf("unexpected errors %v", res.errs)
	}
}

func TestUTF16TSVWithBOMIsDecoded(t *testing.T) {
	text := "主叫号码\t被叫号码\t通话时长\n13800138000\t13900139000\t65\n13800138000\t13700137000\t7\n"
	enc, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	res := readString(t, "cdr.tsv", enc, Options{})
	if res.det.Encoding != EncUTF16LE || res.det.Delimiter != '\t' || res.det.Format != TSV {
		t.Errorf("detected %+v", res.det)
	}
	if !equal(res.header, []string{"主叫号码", "被叫号码", "通话时长"}) {
		t.Errorf("header %q", res.header)
	}
	if got := res.column("通话时长"); !equal(got, []string{"65", "7"}) {
		t.Errorf("通话时长 %q", got)
	}
}

func TestQuotedFieldsSpanningLinesKeepTheirFirstLine(t *testing.T) {
	src := "a,b,c\r\n1,\"two\r\nlines\",3\r\n4,5,6\r\n7,8,9"
	res := readString(t, "x.csv", src, Options{})
	if want := []int64{2, 4, 5}; !equal(res.lines(), want) {
		t.Errorf("lines %v, want %v", res.lines(), want)
	}
	if res.recs[0].Fields[1] != "two\nlines" {
		t.Errorf("field %q", res.recs[0].Fields[1])
	}
	if res.recs[0].Raw != "1,\"two\r\nlines\",3" {
		t.Errorf("raw %q", res.recs[0].Raw)
	}
	if res.recs[2].Raw != "7,8,9" {
		t.Errorf("last raw %q", res.recs[2].Raw)
	}
}

func TestMalformedQuotesMidFileAreRejectedAndReadingContinues(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		wantLines []int64
		errLine   int64
		errCol    int
		errText   string
	}{
		{"bare quote", "a,b,c\n1,2,3\n4,x\"y,6\n7,8,9\n", []int64{2, 4}, 3, 2, "bare quote"},
		{"text after closing quote", "a,b,c\n1,2,3\n4,\"x\"y,6\n7,8,9\n", []int64{2, 4}, 3, 2, "extraneous or missing quote"},
		{"quote never closed", "a,b,c\n1,2,3\n4,\"x,6\n7,8,9\n10,11,12\n", []int64{2, 4, 5}, 3, 2, "closing quote is missing"},
		{"quote closed lines later by garbage", "a,b,c\n1,\"x,2\n3,4,5\n6,\"y\"z,7\n8,9,10\n", []int64{3, 5}, 2, 2, "closing quote is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := readString(t, "bank.csv", tc.src, Options{})
			if !equal(res.lines(), tc.wantLines) {
				t.Errorf("record lines %v, want %v", res.lines(), tc.wantLines)
			}
			if len(res.errs) == 0 {
				t.Fatal("no parse error")
			}
			e := res.errs[0]
			if e.Line != tc.errLine || e.Column != tc.errCol || !strings.Contains(e.Msg, tc.errText) {
				t.Errorf("error %v (line %d column %d), want line %d column %d with %q", e, e.Line, e.Column, tc.errLine, tc.errCol, tc.errText)
			}
			if !strings.HasPrefix(e.Error(), "bank.csv line ") || e.Raw == "" {
				t.Errorf("error text %q raw %q", e.Error(), e.Raw)
			}
			// Every non-blank line is either in a record or in an error.
			covered := map[int64]bool{}
			for _, r := range res.recs {
				covered[r.Line] = true
			}
			for _, e := range res.errs {
				covered[e.Line] = true
			}
			if n := len(covered) + 1; n < strings.Count(strings.TrimSpace(tc.src), "\n")+1-1 {
				t.Errorf("only %d of the lines accounted for", n)
			}
		})
	}
}

func TestInvalidBytesAreReportedWithTheirOffsetUnlessTheEncodingIsForced(t *testing.T) {
	src := "name,amount\n张三,1\n\xff\xfe,2\n李四,3\n王五,4\n赵六,5\n陈七,6\n"
	res := readString(t, "x.csv", src, Options{})
	if res.det.Encoding != EncUTF8 {
		t.Fatalf("encoding %s", res.det.Encoding)
	}
	if len(res.errs) != 1 || res.errs[0].Line != 3 || !strings.Contains(res.errs[0].Msg, "byte offset 21") {
		t.Fatalf("errors %v, want one at line 3 naming byte offset 21", res.errs)
	}
	if !equal(res.lines(), []int64{2, 4, 5, 6, 7}) {
		t.Errorf("lines %v", res.lines())
	}
	forced := readString(t, "x.csv", src, Options{Encoding: "utf-8"})
	if len(forced.errs) != 0 || len(forced.recs) != 6 || !strings.Contains(forced.recs[1].Fields[0], "\uFFFD") {
		t.Errorf("forced: errs %v recs %d", forced.errs, len(forced.recs))
	}
}

func TestInvalidGB18030BytesMidFileAreReported(t *testing.T) {
	src := gbk(t, "户名,金额\n张三,1\n") + "\x81\x20,2\n" + gbk(t, "李四,3\n")
	res := readString(t, "x.csv", src, Options{})
	if res.det.Encoding != EncGB18030 {
		t.Fatalf("encoding %s", res.det.Encoding)
	}
	if len(res.errs) != 1 || res.errs[0].Line != 3 || !strings.Contains(res.errs[0].Msg, "0x81") {
		t.Fatalf("errors %v", res.errs)
	}
	if got := res.column("户名"); !equal(got, []string{"张三", "李四"}) {
		t.Errorf("户名 %q", got)
	}
}

func TestDelimiterIsSniffed(t *testing.T) {
	for _, d := range []rune{',', '\t', ';', '|'} {
		sep := string(d)
		src := "title line\n" + strings.Join([]string{"a", "b, c", "d"}, sep) + "\n" + strings.Join([]string{"1", "2", "3"}, sep) + "\n"
		if d != ',' {
			src = "title line\n" + strings.Join([]string{"a", "b, c", "d"}, sep) + "\n" + strings.Join([]string{"1", "2,5", "3"}, sep) + "\n"
		}
		res := readString(t, "x.txt", src, Options{})
		if res.det.Delimiter != d {
			t.Errorf("delimiter %q, want %q", res.det.Delimiter, d)
		}
	}
}

func TestRowsWithWrongCellCountsAreKeptAndPadded(t *testing.T) {
	res := readString(t, "x.csv", "a,b,c\n1\n1,2,3,4\n", Options{})
	if len(res.recs) != 2 || !equal(res.recs[0].Fields, []string{"1", "", ""}) || res.recs[0].Cells != 1 {
		t.Errorf("short row %+v", res.recs)
	}
	if !equal(res.recs[1].Fields, []string{"1", "2", "3", "4"}) || res.recs[1].Cells != 4 {
		t.Errorf("long row %+v", res.recs[1])
	}
}

func TestHeaderNamesAreCleanedAndMadeUnique(t *testing.T) {
	res := readString(t, "x.csv", "\uFEFF 金额 ,金额,,金额_2,\"交易\n时间\"\n1,2,3,4,5\n", Options{})
	want := []string{"金额", "金额_2", "column_3", "金额_2_2", "交易时间"}
	if !equal(res.header, want) {
		t.Errorf("header %q, want %q", res.header, want)
	}
}

func TestNULBytesAreRemovedFromFields(t *testing.T) {
	res := readString(t, "x.csv", "a,b\nx\x00y,\x00\n", Options{})
	if !equal(res.recs[0].Fields, []string{"xy", ""}) {
		t.Errorf("fields %q", res.recs[0].Fields)
	}
}

func TestExplicitHeaderRowOverridesDetection(t *testing.T) {
	res := readString(t, "x.csv", "x,y\n1,2\na,b\n3,4\n", Options{HeaderRow: 3})
	if !equal(res.header, []string{"a", "b"}) || !equal(res.lines(), []int64{4}) || len(res.det.TitleLines) != 2 {
		t.Errorf("header %q lines %v titles %q", res.header, res.lines(), res.det.TitleLines)
	}
	if _, err := OpenReader("x.csv", strings.NewReader("a,b\n1,2\n"), Options{HeaderRow: 9}); err == nil {
		t.Error("a header row past the end was accepted")
	}
}

func TestTwoRowHeaderKeepsTheLowerNamesAndFillsVerticallyMergedCells(t *testing.T) {
	src := "账户交易明细\n序号,交易信息,,,对方信息,\n,交易时间,交易金额,余额,对方账号,对方户名\n1,2024-01-01,5.00,10.00,6222,张三\n"
	res := readString(t, "x.csv", src, Options{})
	want := []string{"序号", "交易时间", "交易金额", "余额", "对方账号", "对方户名"}
	if !equal(res.header, want) || res.det.HeaderLine != 3 {
		t.Errorf("header %q at %d, want %q at 3", res.header, res.det.HeaderLine, want)
	}
}

func TestLinesLongerThanTheLimitAreRejectedWithoutStoppingTheFile(t *testing.T) {
	long := strings.Repeat("x", maxRecordBytes+10)
	res := readString(t, "x.csv", "a,b\n1,2\n"+long+"\n3,4\n\"5"+strings.Repeat(strings.Repeat("y", 999)+"\n", maxRecordBytes/1000+10)+"6,7\n", Options{})
	if len(res.errs) < 2 || res.errs[0].Line != 3 {
		t.Fatalf("errors %d, first %v", len(res.errs), res.errs)
	}
	if res.recs[0].Line != 2 || res.recs[1].Line != 4 || res.recs[len(res.recs)-1].Fields[0] != "6" {
		t.Errorf("records %d, first lines %d %d, last %q", len(res.recs), res.recs[0].Line, res.recs[1].Line, res.recs[len(res.recs)-1].Fields)
	}
}

func TestLegacyAndDisguisedWorkbooksGetClearErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"statement.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", "legacy .xls"},
		{"statement.et", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", "save as .xlsx or CSV"},
		{"statement.xls", "<html><table><tr><td>1</td></tr></table></html>", "web page"},
		{"statement.xlsx", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", "password"},
	}
	for _, tc := range tests {
		_, err := OpenReader(tc.name, strings.NewReader(tc.data), Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	_, err := OpenReader("statement.xls", strings.NewReader("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), Options{})
	if !errors.Is(err, ErrLegacyExcel) {
		t.Errorf("error %v is not ErrLegacyExcel", err)
	}
	// Tab-separated text saved as .xls is read as text.
	res := readString(t, "statement.xls", "a\tb\n1\t2\n", Options{})
	if res.det.Format != TSV || len(res.recs) != 1 {
		t.Errorf("text .xls: %+v", res.det)
	}
}

func TestEmptyFilesAreAnError(t *testing.T) {
	for _, data := range []string{"", "\n\n", "\xEF\xBB\xBF"} {
		if _, err := OpenReader("x.csv", strings.NewReader(data), Options{}); !errors.Is(err, ErrNoData) {
			t.Errorf("%q: error %v, want ErrNoData", data, err)
		}
	}
}

func TestOpenReadsAFileFromDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bank.csv")
	if err := os.WriteFile(path, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := drain(t, r)
	if len(res.recs) != 1 || res.recs[0].Fields[1] != "2" {
		t.Errorf("records %+v", res.recs)
	}
}

func TestFastPathAgreesWithEncodingCSV(t *testing.T) {
	data := benchCSV(300)
	// Quote a field every 40 lines: encoding/csv takes over at each and
	// hands back after a run of plain lines, so both paths alternate.
	lines := bytes.Split(data, []byte("\r\n"))
	for i := 3; i < len(lines); i += 40 {
		lines[i] = append([]byte("\"q,\"\"x\"\"\""), lines[i][bytes.IndexByte(lines[i], ','):]...)
	}
	data = bytes.Join(lines, []byte("\r\n"))
	res := readString(t, "x.csv", string(data), Options{})
	want := csvReadAll(t, data, ',')
	if len(res.recs) != len(want)-1 {
		t.Fatalf("%d records, encoding/csv has %d", len(res.recs), len(want)-1)
	}
	for i, rec := range res.recs {
		if !equal(rec.Fields, want[i+1]) {
			t.Fatalf("record %d: %q, want %q", i, rec.Fields, want[i+1])
		}
		if rec.Line != int64(i+2) {
			t.Fatalf("record %d line %d", i, rec.Line)
		}
	}
}
