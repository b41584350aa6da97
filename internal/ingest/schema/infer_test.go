package schema

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInferTypesColumnsFromHeadersAndValues(t *testing.T) {
	header := []string{"身份证号", "手机", "卡", "金额", "发生时间", "日期", "是否冲正", "笔数", "比率", "登录IP", "网卡", "邮箱", "钱包", "信用代码", "备注", "编号", "空列"}
	rows := [][]string{
		{"11010519491231002X", "13812345678", "6222021234567890128", "¥1,234.50", "2023-05-01 12:30:00", "2023/05/01", "是", "3", "0.125", "10.0.0.1", "00:1A:2B:3C:4D:5E", "a@b.cn", "TJRyWwFs9wTFGZg3JbrVriFbNfCug5tDeC", "91350100M000100Y43", "转账", "007", ""},
		{"110105194912310037", "+8613912345678", "4111111111111111", "88.00元", "2023-05-02T08:00:00Z", "2023-05-02", "否", "12", "3.5", "2001:db8::1", "00-1A-2B-3C-4D-5F", "c.d@e.com", "0x52908400098527886E0F7030069857D2E4169EE7", "91110000100000000N", "-", "010", "-"},
	}
	want := map[string][2]string{
		"身份证号": {TypeText, SemPersonIDNumber},
		"手机":   {TypeText, SemPhone},
		"卡":    {TypeText, SemBankCard},
		"金额":   {TypeMoney, SemAmount},
		"发生时间": {TypeTimestamp, SemTimestamp},
		"日期":   {TypeDate, SemDate},
		"是否冲正": {TypeBoolean, SemFlag},
		"笔数":   {TypeInteger, SemInteger},
		"比率":   {TypeDouble, SemNumber},
		"登录ip": {TypeText, SemIP},
		"网卡":   {TypeText, SemMAC},
		"邮箱":   {TypeText, SemEmail},
		"钱包":   {TypeText, SemWallet},
		"信用代码": {TypeText, SemCompanyCode},
		"备注":   {TypeText, SemText},
		"编号":   {TypeText, SemText},
		"空列":   {TypeText, SemText},
	}
	m, err := Infer(header, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Columns) != len(header) || len(m.Extra) != 0 {
		t.Fatalf("%d plans and %d extras for %d columns", len(m.Columns), len(m.Extra), len(header))
	}
	for i, p := range m.Columns {
		w, ok := want[p.Field.Name]
		if !ok {
			t.Errorf("column %d named %q", i+1, p.Field.Name)
			continue
		}
		if p.Source != i || p.Field.Type != w[0] || p.Field.Semantic != w[1] {
			t.Errorf("%s: source %d, %s/%s; want %d, %s/%s", p.Field.Name, p.Source, p.Field.Type, p.Field.Semantic, i, w[0], w[1])
		}
	}
}

func TestInferTrustsAnIdentifierHeaderButNotANumericHeaderWithTextValues(t *testing.T) {
	m, err := Infer([]string{"账号", "交易金额", "交易时间"}, [][]string{{"123", "abc", "昨天"}, {"456", "1.00", "2023-01-01 00:00:00"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := func(i int) string { return m.Columns[i].Field.Type + "/" + m.Columns[i].Field.Semantic }
	if got(0) != "text/account" || got(1) != "text/text" || got(2) != "text/text" {
		t.Errorf("got %s, %s, %s; want text/account, text/text, text/text", got(0), got(1), got(2))
	}
	if len(m.Warnings) != 2 || !strings.Contains(m.Warnings[0], `"abc"`) {
		t.Errorf("warnings %q, want two naming the odd values", m.Warnings)
	}
}

func TestInferAppliesTypeOverrides(t *testing.T) {
	header := []string{"a", "b", "c", "d"}
	rows := [][]string{{"1", "2", "3", "4"}}
	m, err := Infer(header, rows, map[string]string{"a": "text", "2": "text:account", "c": "phone", "d": "double:amount"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"text/text", "text/account", "text/phone", "double/amount"}
	for i, p := range m.Columns {
		if got := p.Field.Type + "/" + p.Field.Semantic; got != want[i] || p.Match != "override" {
			t.Errorf("column %s: %s (%s), want %s (override)", p.Field.Name, got, p.Match, want[i])
		}
	}
	for spec, sentinel := range map[string]error{"z=text": ErrUnknownColumn, "a=texte": ErrBadType, "a=text:nope": ErrBadType, "a=boolean:amount": ErrBadType} {
		col, typ, _ := strings.Cut(spec, "=")
		if _, err := Infer(header, rows, map[string]string{col: typ}); !errors.Is(err, sentinel) {
			t.Errorf("override %s: err = %v, want %v", spec, err, sentinel)
		}
	}
}

func TestInferWarnsWhenOneCellKeepsANumericColumnText(t *testing.T) {
	rows := make([][]string, 20)
	for i := range rows {
		rows[i] = []string{"12"}
	}
	rows[7] = []string{"12a"}
	m, err := Infer([]string{"数量x"}, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Columns[0].Field.Type != TypeText || len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], `"12a"`) {
		t.Errorf("type %s, warnings %q; want text and a warning naming 12a", m.Columns[0].Field.Type, m.Warnings)
	}
}

func TestInferRejectsAFileWithoutColumns(t *testing.T) {
	if _, err := Infer(nil, nil, nil); !errors.Is(err, ErrNoMatch) {
		t.Errorf("err = %v, want ErrNoMatch", err)
	}
}

func TestInferOnAMLSimTransactions(t *testing.T) {
	header, rows := readDataset(t, "amlsim-1k-seed0/transactions.csv.gz", 200)
	m, err := Infer(header, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"tran_id": "integer", "base_amt": "double", "tran_timestamp": "timestamp", "is_sar": "boolean", "tx_type": "text"}
	for _, p := range m.Columns {
		if w, ok := want[p.Field.Name]; ok && p.Field.Type != w {
			t.Errorf("%s: %s, want %s", p.Field.Name, p.Field.Type, w)
		}
	}
}

func TestResolveOnTheRealAMLSimHeader(t *testing.T) {
	header, _ := readDataset(t, "amlsim-1k-seed0/transactions.csv.gz", 0)
	p, _ := ProfileByName("amlsim")
	m, err := Resolve(header, "", &p, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariant(t, header, m)
	if len(m.Warnings) != 0 || len(m.Extra) != 2 {
		t.Errorf("warnings %q, extras %v; want none and is_sar, alert_id", m.Warnings, m.Extra)
	}
}

func TestFebrlRecordsResolveToPersons(t *testing.T) {
	header, _ := readDataset(t, "febrl/dataset1.csv", 0)
	m, err := Resolve(header, "persons", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariant(t, header, m)
	for field, col := range map[string]string{"person_id": "rec_id", "given_name": "given_name", "surname": "surname", "birth_date": "date_of_birth", "postcode": "postcode", "city": "suburb"} {
		if p, ok := m.Plan(field); !ok || p.Header != col {
			t.Errorf("%s ← %q, want %q (%s)", field, p.Header, col, m)
		}
	}
}

// readDataset reads the header and up to n rows of a CSV (optionally gzipped) from the
// shared datasets, skipping the test when they are absent.
func readDataset(t *testing.T, rel string, n int) ([]string, [][]string) {
	t.Helper()
	dir := datasetsDir()
	if dir == "" {
		t.Skip("shared datasets not found: set PROCURA_DATASETS to the datasets folder to run this test")
	}
	f, err := os.Open(filepath.Join(dir, rel))
	if err != nil {
		t.Skipf("dataset %s not available: %v", rel, err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(rel, ".gz") {
		g, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = g
	}
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for len(rows) < n {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rec)
	}
	return header, rows
}

// datasetsDir finds the shared datasets: PROCURA_DATASETS, or a shared/datasets folder in
// a directory above the working directory (the repository's parent).
func datasetsDir() string {
	if d := os.Getenv("PROCURA_DATASETS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		cand := filepath.Join(dir, "shared", "datasets")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func BenchmarkInfer200Rows(b *testing.B) {
	header := []string{"身份证号", "手机", "金额", "时间", "备注"}
	rows := make([][]string, 200)
	for i := range rows {
		rows[i] = []string{"11010519491231002X", "13812345678", "1,234.50", "2023-05-01 12:30:00", "转账"}
	}
	for b.Loop() {
		if _, err := Infer(header, rows, nil); err != nil {
			b.Fatal(err)
		}
	}
}
