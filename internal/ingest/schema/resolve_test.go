package schema

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

var (
	bankInquiryHeader = []string{"协作编号", "交易流水号", "户名", "账号", "卡号", "证件号码", "交易时间", "借贷标志", "交易金额", "余额",
		"对方账号", "对方户名", "对方证件号码", "对方机构名", "交易渠道", "交易网点代码", "交易网点名称", "柜员号", "IP地址", "MAC地址",
		"冲正标志", "摘要", "币种", "交易是否成功"}
	policeFeedbackHeader = []string{"查询卡号", "查询账号", "交易方户名", "交易方证件号码", "交易时间", "交易金额", "交易余额", "收付标志",
		"交易对手账卡号", "交易对手户名", "对手开户银行", "摘要说明", "交易网点名称", "交易场所", "IP地址", "MAC地址", "交易发生地",
		"交易是否成功", "传票号", "凭证种类", "交易流水号", "现金标志", "日志号"}
	enStatementHeader = []string{"Date", "Description", "Debit", "Credit", "Balance", "Account Number", "Reference", "Counterparty"}
	amlsimHeader      = []string{"tran_id", "orig_acct", "bene_acct", "tx_type", "base_amt", "tran_timestamp", "is_sar", "alert_id"}
)

// want describes the expected plan of one field: "列" for a single source column, "日期+时间"
// for a composed timestamp, "贷-借" for a split amount (credit-debit).
type want map[string]string

func TestResolveMapsRealisticHeaders(t *testing.T) {
	tests := []struct {
		name      string
		header    []string
		kind      string
		profile   string
		overrides map[string]string
		want      want
		extra     []string
		warn      []string // substrings that some warning must contain
	}{
		{
			name: "the bank inquiry layout by its profile", header: bankInquiryHeader, profile: "cn-bank-inquiry",
			want: want{"request_no": "协作编号", "account": "账号", "card_no": "卡号", "direction": "借贷标志", "amount": "交易金额",
				"is_reversal": "冲正标志", "status": "交易是否成功", "counterparty_bank": "对方机构名"},
		},
		{
			name: "the bank inquiry layout by synonyms alone", header: bankInquiryHeader, kind: "transactions",
			want: want{"request_no": "协作编号", "account": "账号", "card_no": "卡号", "holder_name": "户名", "direction": "借贷标志",
				"amount": "交易金额", "balance": "余额", "counterparty_account": "对方账号", "counterparty_name": "对方户名",
				"counterparty_id_number": "对方证件号码", "branch_code": "交易网点代码", "teller": "柜员号", "ip": "IP地址", "mac": "MAC地址"},
		},
		{
			name: "the police feedback layout, whose unlisted columns are found by synonyms", header: policeFeedbackHeader, profile: "cn-police-feedback",
			want: want{"account": "查询账号", "card_no": "查询卡号", "holder_name": "交易方户名", "direction": "收付标志",
				"counterparty_account": "交易对手账卡号", "counterparty_name": "交易对手户名", "counterparty_bank": "对手开户银行",
				"merchant": "交易场所", "location": "交易发生地", "voucher_no": "传票号", "tx_id": "交易流水号", "cash_flag": "现金标志"},
			extra: []string{"日志号"},
		},
		{
			name: "an English statement with debit and credit columns", header: enStatementHeader, profile: "en-bank-statement",
			want: want{"time": "Date", "summary": "Description", "amount": "Credit-Debit", "balance": "Balance",
				"account": "Account Number", "tx_id": "Reference", "counterparty_name": "Counterparty"},
		},
		{
			name: "AMLSim keeps is_sar and alert_id", header: amlsimHeader, profile: "amlsim",
			want:  want{"tx_id": "tran_id", "account": "orig_acct", "counterparty_account": "bene_acct", "channel": "tx_type", "amount": "base_amt", "time": "tran_timestamp"},
			extra: []string{"is_sar", "alert_id"},
		},
		{
			name: "unit suffixes, full-width brackets and spaces", header: []string{"交易时间　", "交易金额（元）", "账户余额(元)", " 对方户名 ", "ＩＰ地址"}, kind: "transactions",
			want: want{"time": "交易时间　", "amount": "交易金额（元）", "balance": "账户余额(元)", "counterparty_name": " 对方户名 ", "ip": "ＩＰ地址"},
		},
		{
			name: "English variants in any case and spacing", header: []string{"Transaction Time", "TRANSACTION_AMOUNT", "AccountNumber", "counterparty-account", "Narrative"}, kind: "transactions",
			want: want{"time": "Transaction Time", "amount": "TRANSACTION_AMOUNT", "account": "AccountNumber", "counterparty_account": "counterparty-account", "summary": "Narrative"},
		},
		{
			name: "split 支出/存入 columns compose a signed amount", header: []string{"交易日期", "支出金额", "存入金额", "余额"}, kind: "transactions",
			want: want{"time": "交易日期", "amount": "存入金额-支出金额", "balance": "余额"},
			warn: []string{"date column"},
		},
		{
			name: "a date column and a time column compose the time", header: []string{"交易日期", "交易时间", "金额"}, kind: "transactions",
			want: want{"time": "交易日期+交易时间", "amount": "金额"},
		},
		{
			name: "a single amount column wins over debit and credit columns", header: []string{"交易时间", "交易金额", "借方发生额", "贷方发生额"}, kind: "transactions",
			want:  want{"amount": "交易金额"},
			extra: []string{"借方发生额", "贷方发生额"},
			warn:  []string{"kept as extra columns"},
		},
		{
			name: "two columns claiming one field keep the better one and warn", header: []string{"交易时间", "交易金额", "备注", "摘要"}, kind: "transactions",
			want:  want{"summary": "摘要"},
			extra: []string{"备注"},
			warn:  []string{`"备注" also looks like summary`},
		},
		{
			name: "a card column alone is the account", header: []string{"交易卡号", "交易时间", "交易金额"}, kind: "transactions",
			want: want{"account": "交易卡号"},
		},
		{
			name: "a card column next to an account column is the card number", header: []string{"交易卡号", "交易账号", "交易时间", "交易金额"}, kind: "transactions",
			want: want{"account": "交易账号", "card_no": "交易卡号"},
		},
		{
			name: "a header containing a synonym is mapped with a warning", header: []string{"本方交易卡号", "交易时间", "本次交易金额"}, kind: "transactions",
			want: want{"account": "本方交易卡号", "amount": "本次交易金额"},
			warn: []string{"contains the synonym"},
		},
		{
			name: "a counterparty header never becomes the holder's field", header: []string{"交易时间", "交易金额", "收款对方户名", "对方证件号"}, kind: "transactions",
			want:  want{"counterparty_name": "收款对方户名"},
			extra: []string{"对方证件号"},
		},
		{
			name: "traditional characters and legacy 帐", header: []string{"交易時間", "交易金額", "帳號", "對方帳號"}, kind: "transactions",
			want: want{"time": "交易時間", "amount": "交易金額", "account": "帳號", "counterparty_account": "對方帳號"},
		},
		{
			name: "list numbering and required marks in front of headers", header: []string{"1.交易时间", "*交易金额", "(3)账号"}, kind: "transactions",
			want: want{"time": "1.交易时间", "amount": "*交易金额", "account": "(3)账号"},
		},
		{
			name: "an override by header text beats the synonyms", header: []string{"交易时间", "交易金额", "备注", "摘要"}, kind: "transactions",
			overrides: map[string]string{"summary": "备注"},
			want:      want{"summary": "备注"},
			extra:     []string{"摘要"},
		},
		{
			name: "an override by column number", header: []string{"A", "B", "C"}, kind: "transactions",
			overrides: map[string]string{"time": "1", "amount": "3"},
			want:      want{"time": "A", "amount": "C"},
			extra:     []string{"B"},
		},
		{
			name: "overrides composing date+time and credit-debit", header: []string{"日", "时", "出", "入"}, kind: "transactions",
			overrides: map[string]string{"time": "日+时", "amount": "入-出"},
			want:      want{"time": "日+时", "amount": "入-出"},
		},
		{
			name: "an empty override leaves a field unmapped", header: []string{"交易时间", "交易金额", "摘要"}, kind: "transactions",
			overrides: map[string]string{"summary": ""},
			want:      want{"time": "交易时间"},
			extra:     []string{"摘要"},
		},
		{
			name: "an override may take a column from the profile", header: bankInquiryHeader, profile: "cn-bank-inquiry",
			overrides: map[string]string{"summary": "交易渠道"},
			want:      want{"summary": "交易渠道"},
			extra:     []string{"摘要"},
			warn:      []string{"takes column"},
		},
		{
			name: "a profile column the file lacks is looked for by synonyms", header: []string{"交易时间", "发生额", "账号"}, profile: "cn-bank-inquiry",
			want: want{"amount": "发生额", "account": "账号"},
			warn: []string{"expects columns this file lacks"},
		},
		{
			name: "a call record with 本机/对方 numbers and minutes", header: []string{"本机号码", "对方号码", "通话开始时间", "通话时长(分钟)", "主被叫", "基站", "LAC"}, kind: "calls",
			want: want{"caller": "本机号码", "callee": "对方号码", "start_time": "通话开始时间", "duration_s": "通话时长(分钟)", "call_type": "主被叫", "cell_id": "基站", "lac": "LAC"},
			warn: []string{"multiplied by 60"},
		},
		{
			name: "a case-party roster", header: []string{"案件编号", "人员类型", "姓名", "身份证号", "手机号码", "银行卡号", "户籍地址"}, kind: "case_parties",
			want: want{"case_no": "案件编号", "role": "人员类型", "name": "姓名", "id_number": "身份证号", "phone": "手机号码", "bank_card": "银行卡号", "address": "户籍地址"},
		},
		{
			name: "a company registry", header: []string{"统一社会信用代码", "企业名称", "法定代表人", "登记状态", "成立日期", "经营范围"}, kind: "companies",
			want: want{"uscc": "统一社会信用代码", "name": "企业名称", "legal_rep_name": "法定代表人", "status": "登记状态", "established_at": "成立日期", "business_scope": "经营范围"},
		},
		{
			name: "an explorer export of token transfers", header: []string{"Txhash", "Blockno", "DateTime (UTC)", "From", "To", "Value", "Token Symbol"}, kind: "chain_transfers",
			want: want{"tx_hash": "Txhash", "block": "Blockno", "time": "DateTime (UTC)", "from_address": "From", "to_address": "To", "amount": "Value", "token": "Token Symbol"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prof *Profile
			if tt.profile != "" {
				p, ok := ProfileByName(tt.profile)
				if !ok {
					t.Fatalf("profile %s missing", tt.profile)
				}
				prof = &p
			}
			m, err := Resolve(tt.header, tt.kind, prof, tt.overrides)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			checkInvariant(t, tt.header, m)
			for field, header := range tt.want {
				p, ok := m.Plan(field)
				if !ok {
					t.Errorf("%s not mapped, want %q (mapping: %s)", field, header, m)
					continue
				}
				if p.Header != header {
					t.Errorf("%s ← %q, want %q (mapping: %s)", field, p.Header, header, m)
				}
			}
			var extras []string
			for _, i := range m.Extra {
				extras = append(extras, tt.header[i])
			}
			if !slices.Equal(extras, tt.extra) {
				t.Errorf("extra columns %q, want %q", extras, tt.extra)
			}
			for _, w := range tt.warn {
				if !slices.ContainsFunc(m.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
					t.Errorf("no warning mentions %q; warnings: %q", w, m.Warnings)
				}
			}
		})
	}
}

func TestAnUnsignedAmountTakesItsSignFromTheDirectionColumn(t *testing.T) {
	p, _ := ProfileByName("cn-bank-inquiry")
	m, err := Resolve(bankInquiryHeader, "", &p, nil)
	if err != nil {
		t.Fatal(err)
	}
	amount, _ := m.Plan("amount")
	dir, _ := m.Plan("direction")
	if amount.DirectionFrom != slices.Index(bankInquiryHeader, "借贷标志") || amount.DirectionFrom != dir.Source {
		t.Errorf("amount.DirectionFrom = %d, direction.Source = %d, want both the index of 借贷标志", amount.DirectionFrom, dir.Source)
	}
	for raw, wantSign := range map[string]int{"借": -1, "贷": 1, " Ｄ ": -1} {
		if s, ok := dir.Direction(raw); !ok || s != wantSign {
			t.Errorf("Direction(%q) = %d, %v; want %d", raw, s, ok, wantSign)
		}
	}
}

func TestAmlsimRowsAreOutgoingRowsOfTheOriginAccount(t *testing.T) {
	p, _ := ProfileByName("amlsim")
	m, err := Resolve(amlsimHeader, "transactions", &p, nil)
	if err != nil {
		t.Fatal(err)
	}
	amount, _ := m.Plan("amount")
	if amount.Sign != -1 || amount.DirectionFrom != -1 {
		t.Errorf("amount.Sign = %d DirectionFrom = %d, want -1 and -1", amount.Sign, amount.DirectionFrom)
	}
	if !slices.Equal(m.Fingerprint, []string{"account", "time", "amount", "counterparty_account"}) {
		t.Errorf("fingerprint %v", m.Fingerprint)
	}
}

func TestAProfileValueMapReadsZeroAndOneAsDirections(t *testing.T) {
	prof := &Profile{
		Name: "bank-x", Kind: "transactions",
		Columns: map[string]string{"time": "时间", "amount": "金额", "direction": "方向"},
		Values:  map[string]map[string]string{"direction": {"0": "out", " 1 ": "in"}},
	}
	m, err := Resolve([]string{"时间", "金额", "方向"}, "", prof, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := m.Plan("direction")
	if s, ok := dir.Direction("0"); !ok || s != -1 {
		t.Errorf(`Direction("0") = %d, %v; want -1`, s, ok)
	}
	if s, ok := dir.Direction("１"); !ok || s != 1 {
		t.Errorf(`Direction("１") = %d, %v; want 1`, s, ok)
	}
}

func TestAHeaderUnitInTenThousandYuanScalesTheAmount(t *testing.T) {
	m, err := Resolve([]string{"交易时间", "交易金额(万元)"}, "transactions", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := m.Plan("amount"); p.Scale != 10000 {
		t.Errorf("Scale = %v, want 10000", p.Scale)
	}
}

func TestAMissingRequiredFieldExplainsTheFix(t *testing.T) {
	header := []string{"交易时间", "账号", "摘要"}
	_, err := Resolve(header, "transactions", nil, nil)
	var mf *MissingFieldError
	if !errors.As(err, &mf) || !errors.Is(err, ErrMissingField) {
		t.Fatalf("err = %v, want a MissingFieldError", err)
	}
	msg := err.Error()
	for _, want := range []string{"amount", "交易金额", "Amount", "发生额", "借方发生额", `"摘要"`, "1 \"交易时间\"", "--map amount=<column>"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if len(mf.Fields) != 1 || mf.Fields[0].Name != "amount" {
		t.Errorf("missing fields %v, want only amount", mf.Fields)
	}
}

func TestResolveRejectsBadRequestsWithTheValidChoices(t *testing.T) {
	header := []string{"交易时间", "交易金额"}
	bank, _ := ProfileByName("cn-bank-inquiry")
	tests := []struct {
		name      string
		kind      string
		profile   *Profile
		overrides map[string]string
		sentinel  error
		mention   []string
	}{
		{"an unknown kind", "transaction", nil, nil, ErrUnknownKind, []string{"transactions", "calls"}},
		{"a profile of another kind", "calls", &bank, nil, ErrUnknownKind, []string{"cn-bank-inquiry", "transactions"}},
		{"an override of an unknown field", "transactions", nil, map[string]string{"amout": "交易金额"}, ErrUnknownField, []string{"did you mean amount", "counterparty_account"}},
		{"an override naming no column", "transactions", nil, map[string]string{"amount": "金额合计"}, ErrUnknownColumn, []string{"金额合计", `2 "交易金额"`}},
		{"an override by a number out of range", "transactions", nil, map[string]string{"amount": "9"}, ErrUnknownColumn, []string{"1-based"}},
		{"unmapping a required field", "transactions", nil, map[string]string{"amount": ""}, ErrMissingField, []string{"--map amount="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(header, tt.kind, tt.profile, tt.overrides)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("err = %v, want %v", err, tt.sentinel)
			}
			for _, s := range tt.mention {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error lacks %q: %v", s, err)
				}
			}
		})
	}
}

func TestAFileMatchingNoFieldIsAnError(t *testing.T) {
	_, err := Resolve([]string{"foo", "bar"}, "persons", nil, nil)
	if !errors.Is(err, ErrNoMatch) {
		t.Fatalf("err = %v, want ErrNoMatch", err)
	}
}

func TestExtraColumnsGetUniqueSafeNames(t *testing.T) {
	header := []string{"交易时间", "交易金额", "Amount", "附 件", "附-件", "_x", "123", "", "！！"}
	m, err := Resolve(header, "transactions", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.ExtraColumns {
		names = append(names, p.Field.Name)
	}
	want := []string{"amount_2", "附_件", "附_件_2", "x", "c_123", "column_8", "column_9"}
	if !slices.Equal(names, want) {
		t.Errorf("extra names %q, want %q", names, want)
	}
}

func TestDetectProfileRecognisesEachBuiltInLayout(t *testing.T) {
	for header, name := range map[*[]string]string{&bankInquiryHeader: "cn-bank-inquiry", &policeFeedbackHeader: "cn-police-feedback",
		&enStatementHeader: "en-bank-statement", &amlsimHeader: "amlsim"} {
		p, score, ok := DetectProfile(*header)
		if !ok || p.Name != name {
			t.Errorf("DetectProfile = %s (%.2f, %v), want %s", p.Name, score, ok, name)
		}
	}
	if p, _, ok := DetectProfile([]string{"交易时间", "交易金额"}); ok {
		t.Errorf("a two-column header detected as %s", p.Name)
	}
}

func TestParseProfileAcceptsAUserProfileAndRejectsAWrongOne(t *testing.T) {
	p, err := ParseProfile([]byte("name: my-bank\nkind: transactions\ntitle: {zh: 某行, en: My bank}\ndescription: {zh: 某行流水, en: My bank's statements}\ncolumns: {amount: 发生额, time: 记账时间}\nvalues: {direction: {'0': out}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Columns["amount"] != "发生额" || p.Values["direction"]["0"] != "out" {
		t.Errorf("parsed %+v", p)
	}
	if _, err := ParseProfile([]byte("name: x\nkind: nothing\n")); err == nil || !strings.Contains(err.Error(), "nothing") {
		t.Errorf("err = %v, want it to name the unknown kind", err)
	}
}

// checkInvariant asserts that every header index is read by exactly one plan or kept as extra,
// that DirectionFrom points at the direction plan's column, and that extra names are safe.
func checkInvariant(t *testing.T, header []string, m Mapping) {
	t.Helper()
	seen := make([]int, len(header))
	for _, p := range m.Columns {
		for _, i := range p.Sources() {
			if i < 0 || i >= len(header) {
				t.Fatalf("%s reads column %d of %d", p.Field.Name, i, len(header))
			}
			seen[i]++
		}
		if p.DirectionFrom >= 0 {
			if dir, ok := m.Plan("direction"); !ok || dir.Source != p.DirectionFrom {
				t.Errorf("%s.DirectionFrom = %d is not the direction column", p.Field.Name, p.DirectionFrom)
			}
		}
	}
	for _, i := range m.Extra {
		if i < 0 || i >= len(header) {
			t.Fatalf("extra column %d of %d", i, len(header))
		}
		seen[i]++
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("column %d (%q) is used %d times; mapping %s", i+1, header[i], n, m)
		}
	}
	if len(m.Extra) != len(m.ExtraColumns) {
		t.Fatalf("%d extra indexes but %d extra plans", len(m.Extra), len(m.ExtraColumns))
	}
	names := map[string]bool{}
	if k, ok := KindByName(m.Kind); ok {
		for _, f := range k.Fields {
			names[f.Name] = true
		}
	}
	for _, p := range m.ExtraColumns {
		n := p.Field.Name
		if names[n] || n == "" || strings.HasPrefix(n, "_") {
			t.Errorf("extra column name %q collides, is empty or starts with _", n)
		}
		names[n] = true
	}
}
