package schema

import "testing"

func TestParseDirectionReadsTheFlagsOfBankAndPoliceExports(t *testing.T) {
	tests := []struct {
		flag string
		sign int
		ok   bool
	}{
		{"借", -1, true}, {"贷", 1, true}, {"出", -1, true}, {"进", 1, true}, {"支出", -1, true}, {"收入", 1, true},
		{"D", -1, true}, {"c", 1, true}, {"DR", -1, true}, {"Cr", 1, true}, {"-", -1, true}, {"+", 1, true},
		{"Ｄ", -1, true}, {"　贷　", 1, true}, {"借 方", -1, true}, {"转出", -1, true}, {"来账", 1, true},
		{"0", 0, false}, {"1", 0, false}, {"", 0, false}, {"其他", 0, false},
	}
	for _, tt := range tests {
		sign, ok := ParseDirection(tt.flag)
		if sign != tt.sign || ok != tt.ok {
			t.Errorf("ParseDirection(%q) = %d, %v; want %d, %v", tt.flag, sign, ok, tt.sign, tt.ok)
		}
	}
}

func TestParseBoolReadsYesNoAndReversalFlags(t *testing.T) {
	tests := []struct {
		in    string
		v, ok bool
	}{
		{"是", true, true}, {"否", false, true}, {"Y", true, true}, {"n", false, true}, {"TRUE", true, true},
		{"false", false, true}, {"1", true, true}, {"0", false, true}, {"冲正", true, true}, {"撤销", true, true},
		{"反交易", true, true}, {"正常", false, true}, {"成功", true, true}, {"失败", false, true}, {"Ｙ", true, true},
		{"", false, false}, {"maybe", false, false},
	}
	for _, tt := range tests {
		v, ok := ParseBool(tt.in)
		if v != tt.v || ok != tt.ok {
			t.Errorf("ParseBool(%q) = %v, %v; want %v, %v", tt.in, v, ok, tt.v, tt.ok)
		}
	}
}

func TestParseDurationSecondsReadsCallDurations(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"323", 323, true}, {"323秒", 323, true}, {"00:05:23", 323, true}, {"5:23", 323, true},
		{"5分23秒", 323, true}, {"1小时2分3秒", 3723, true}, {"1h2m3s", 3723, true}, {"２分", 120, true},
		{"", 0, false}, {"abc", 0, false}, {"5:75", 0, false}, {"1:2:3:4", 0, false}, {"3天", 0, false},
		// Beyond a hundred years is a garbled cell, not a wrapped negative (found by fuzzing).
		{"10000000000000000H", 0, false}, {"9999999999999999:59:59", 0, false}, {"876000h", 876000 * 3600, true},
	}
	for _, tt := range tests {
		got, ok := ParseDurationSeconds(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseDurationSeconds(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFieldVocabulariesCanonicaliseRolesStatusesAndCallTypes(t *testing.T) {
	tests := []struct {
		kind, field, raw, want string
		ok                     bool
	}{
		{"case_parties", "role", "犯罪嫌疑人", "suspect", true},
		{"case_parties", "role", " 被害人 ", "victim", true},
		{"case_parties", "role", "证人", "witness", true},
		{"case_parties", "role", "同案人", "other", true},
		{"calls", "call_type", "主叫", "outgoing", true},
		{"calls", "call_type", "MTC", "incoming", true},
		{"calls", "call_type", "漫游", "漫游", false},
		{"licenses", "status", "吊销", "revoked", true},
		{"companies", "status", "存续", "active", true},
		{"chain_transfers", "chain", "trc20", "TRON", true},
		{"transactions", "summary", "转账", "转账", true},
	}
	for _, tt := range tests {
		k, _ := KindByName(tt.kind)
		f, _ := k.Field(tt.field)
		got, ok := f.Canonical(tt.raw)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s.%s Canonical(%q) = %q, %v; want %q, %v", tt.kind, tt.field, tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func BenchmarkParseDirection(b *testing.B) {
	flags := []string{"借", "贷", "D", "cr", "支出"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ParseDirection(flags[i%len(flags)])
	}
}

func BenchmarkParseBool(b *testing.B) {
	vals := []string{"是", "否", "Y", "false", "冲正"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ParseBool(vals[i%len(vals)])
	}
}
