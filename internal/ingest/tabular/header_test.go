package tabular

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

func rowsOf(text string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(text, "\n") {
		rows = append(rows, strings.Split(l, ","))
	}
	return rows
}

func TestDetectHeader(t *testing.T) {
	tests := []struct {
		name   string
		rows   string
		index  int
		header string
	}{
		{"plain header on the first row", "户名,金额,时间\n张三,1.00,2024-01-01", 0, "户名,金额,时间"},
		{"title and case number rows above", "中国XX银行账户交易明细\n协作编号: 2024-001\n,\n户名,金额,时间\n张三,1.00,2024-01-01", 3, "户名,金额,时间"},
		{"two-row header takes the lower names", "交易信息,,对方信息\n时间,金额,户名\n2024-01-01,1,张三", 1, "时间,金额,户名"},
		{"vertically merged cell is filled from the group row", "序号,交易信息,,\n,时间,金额,余额\n1,2024-01-01,5,6", 1, "序号,时间,金额,余额"},
		{"single-cell title above is not a group row", "查询结果\n,时间,金额\n1,2024-01-01,5", 1, ",时间,金额"},
		{"data rows with text lose to the header", "卡号,户名,摘要,对手户名\n6222,张三,转账,李四\n6222,张三,转账,王五", 0, "卡号,户名,摘要,对手户名"},
		{"numbers and dates are not names", "1,2,3\n2024-01-01,12:00:00,-5.00\nid,a,b", 2, "id,a,b"},
		{"repeated cells count once", "x,x,x,x\na,b,c", 1, "a,b,c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i, h := DetectHeader(rowsOf(tc.rows), nil)
			if i != tc.index || strings.Join(h, ",") != tc.header {
				t.Errorf("header row %d %q, want %d %q", i, strings.Join(h, ","), tc.index, tc.header)
			}
		})
	}
}

func TestGroupRowMustBeDirectlyAboveTheHeader(t *testing.T) {
	rows := rowsOf("序号,交易信息,,\n,时间,金额,余额\n1,2,3,4")
	if _, h := DetectHeader(rows, []int64{1, 3, 4}); strings.Join(h, ",") != ",时间,金额,余额" {
		t.Errorf("header %q borrowed from a row that is not adjacent", h)
	}
}

func TestEncodingDetection(t *testing.T) {
	utf16 := func(s string, e unicode.Endianness) string {
		b, _ := unicode.UTF16(e, unicode.IgnoreBOM).NewEncoder().String(s)
		return b
	}
	tests := []struct {
		name string
		data string
		enc  string
		bom  int
	}{
		{"utf-8 bom", "\xEF\xBB\xBFa,b", EncUTF8, 3},
		{"utf-16le bom", "\xFF\xFEa\x00", EncUTF16LE, 2},
		{"utf-16be bom", "\xFE\xFF\x00a", EncUTF16BE, 2},
		{"utf-16le without bom", utf16("主叫,被叫\n138,139\n", unicode.LittleEndian), EncUTF16LE, 0},
		{"utf-16be without bom", utf16("caller,callee\n138,139\n", unicode.BigEndian), EncUTF16BE, 0},
		{"plain utf-8", "户名,金额\n张三,1\n", EncUTF8, 0},
		{"gbk", gbk(t, "户名,金额\n张三,1\n李四,2\n"), EncGB18030, 0},
		{"ascii", "a,b\n1,2\n", EncUTF8, 0},
		{"utf-8 with one corrupt byte", strings.Repeat("张三李四王五", 5) + "\xff", EncUTF8, 0},
	}
	for _, tc := range tests {
		enc, bom := detectEncoding([]byte(tc.data), true)
		if enc != tc.enc || bom != tc.bom {
			t.Errorf("%s: %s bom %d, want %s bom %d", tc.name, enc, bom, tc.enc, tc.bom)
		}
	}
}

func TestExplicitEncodingIsUsedAndReported(t *testing.T) {
	res := readString(t, "x.csv", gbk(t, "户名,金额\n张三,1\n"), Options{Encoding: "GBK"})
	if res.det.Encoding != EncGBK || res.column("户名")[0] != "张三" {
		t.Errorf("encoding %s, 户名 %q", res.det.Encoding, res.column("户名"))
	}
	if _, err := OpenReader("x.csv", strings.NewReader("a"), Options{Encoding: "latin1"}); err == nil || !strings.Contains(err.Error(), "gb18030") {
		t.Errorf("unsupported encoding error %v", err)
	}
}
