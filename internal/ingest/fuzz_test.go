package ingest

import (
	"strings"
	"testing"
	"time"

	"procura/internal/ingest/schema"
)

// FuzzConvertRow feeds arbitrary cells through the transactions mapping of the bank inquiry
// layout: a row is either converted or rejected with at least one reason, never a panic, and a
// converted row's amount sign agrees with its direction.
func FuzzConvertRow(f *testing.F) {
	header := strings.Split("协作编号,交易流水号,户名,账号,卡号,证件号码,交易时间,借贷标志,交易金额,余额,对方账号,对方户名,对方机构名,交易渠道,交易网点代码,柜员号,IP地址,MAC地址,冲正标志,摘要,币种", ",")
	prof, _ := schema.ProfileByName("cn-bank-inquiry")
	m, err := schema.Resolve(header, "transactions", &prof, nil)
	if err != nil {
		f.Fatal(err)
	}
	conv := newConverter(m, header, convOptions{Location: time.FixedZone("CST", 8*3600), DefaultRegion: "CN"}).clone()
	f.Add("（2024）京朝检协字第0107号,2024030100000,张三,6228489071238145538,6228489071238145538,110105198803141958,2024-03-01 10:12:15,借,49.99,51950.01,6222027952222640331,陈静,中国工商银行北京分行,网银,110008,T080,196.107.229.14,EC:3E:4D:27:4F:60,否,转账,人民币")
	f.Add(",,,,6.22848E+18,,2024-02-30,贷,-12,3.4,,,,,,,,,,,,,,,,")
	f.Add("合计,,,,,,,,\"123,456.78\"")
	f.Fuzz(func(t *testing.T, line string) {
		cells := strings.Split(line, ",")
		vals := make([]any, len(conv.cols))
		_, errs := conv.row(cells, vals)
		for _, e := range errs {
			if e.Reason == "" || e.Code == "" {
				t.Fatalf("reject without a reason or code: %+v", e)
			}
		}
		if len(errs) > 0 || conv.signIdx < 0 || conv.dirIdx < 0 {
			return
		}
		amt, dir := vals[conv.signIdx], vals[conv.dirIdx]
		if a, ok := amt.(interface{ String() string }); ok && dir != nil {
			neg := strings.HasPrefix(a.String(), "-")
			if neg != (dir == "out") && a.String() != "0.00" {
				t.Fatalf("amount %v with direction %v", amt, dir)
			}
		}
	})
}
