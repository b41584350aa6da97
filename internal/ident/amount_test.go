package ident

import (
	"math"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		name, in string
		cents    int64
		cur      string
		errs     string
	}{
		{name: "thousands separators", in: "1,234.50", cents: 123450},
		{name: "yen sign", in: "¥1234.5", cents: 123450, cur: "CNY"},
		{name: "full-width yen sign and digits", in: "￥１，２３４．５０", cents: 123450, cur: "CNY"},
		{name: "yuan suffix", in: "1234.5元", cents: 123450, cur: "CNY"},
		{name: "ISO code prefix", in: "CNY 12.00", cents: 1200, cur: "CNY"},
		{name: "ISO code suffix", in: "12.00 USD", cents: 1200, cur: "USD"},
		{name: "RMB", in: "RMB12", cents: 1200, cur: "CNY"},
		{name: "US dollar sign", in: "US$5", cents: 500, cur: "USD"},
		{name: "HK dollar", in: "HK$5.5", cents: 550, cur: "HKD"},
		{name: "negative", in: "-12.3", cents: -1230},
		{name: "negative after currency", in: "¥-12.3", cents: -1230, cur: "CNY"},
		{name: "negative before currency", in: "-¥12.3", cents: -1230, cur: "CNY"},
		{name: "explicit plus", in: "+12.3", cents: 1230},
		{name: "accounting parentheses", in: "(12.30)", cents: -1230},
		{name: "full-width parentheses", in: "（１２．３０）", cents: -1230},
		{name: "full-width digits", in: "１２３", cents: 12300},
		{name: "Excel apostrophe", in: "'100", cents: 10000},
		{name: "no integer part", in: ".5", cents: 50},
		{name: "trailing point", in: "12.", cents: 1200},
		{name: "zero", in: "0.00", cents: 0},
		{name: "leading zeros", in: "007.10", cents: 710},
		{name: "half-even rounds down to even", in: "0.125", cents: 12},
		{name: "half-even rounds up to even", in: "0.135", cents: 14},
		{name: "above half rounds up", in: "0.1251", cents: 13},
		{name: "negative half-even", in: "-0.125", cents: -12},
		{name: "many decimals", in: "1.23999999999999999999", cents: 124},
		{name: "wan multiplier", in: "1.5万", cents: 1500000},
		{name: "wan yuan", in: "12.5万元", cents: 12500000, cur: "CNY"},
		{name: "yi multiplier", in: "3亿", cents: 30000000000},
		{name: "financial numerals", in: "壹万贰仟叁佰元整", cents: 1230000, cur: "CNY"},
		{name: "financial numerals with jiao and fen", in: "人民币壹拾贰元叁角肆分", cents: 1234, cur: "CNY"},
		{name: "everyday numerals", in: "一万二千", cents: 1200000},
		{name: "ten without one", in: "十二元", cents: 1200, cur: "CNY"},
		{name: "zero inside", in: "一百零五元", cents: 10500, cur: "CNY"},
		{name: "liang", in: "两千万", cents: 2000000000},
		{name: "yi and wan", in: "三亿五千万元", cents: 35000000000, cur: "CNY"},
		{name: "wan yi", in: "一万亿", cents: 100000000000000},
		{name: "only jiao", in: "贰角", cents: 20},
		{name: "yuan and fen with zero", in: "壹元零伍分", cents: 105, cur: "CNY"},
		{name: "Arabic digits with Chinese units", in: "12万3千", cents: 12300000},
		{name: "traditional characters", in: "參萬圓整", cents: 3000000, cur: "CNY"},
		{name: "largest amount", in: "92233720368547758.07", cents: math.MaxInt64},
		{name: "misplaced thousands separator", in: "12,3.4", errs: "amount 12,3.4: has misplaced thousands separators"},
		{name: "European decimal comma", in: "1.234,50", errs: "decimal point"},
		{name: "two decimal points", in: "1.2.3", errs: "more than one decimal point"},
		{name: "letters", in: "12abc", errs: "not part of a number"},
		{name: "two currencies", in: "USD ¥12", errs: "two currencies"},
		{name: "two signs", in: "--12", errs: "more than one sign"},
		{name: "overflow", in: "92233720368547758.08", errs: "too large"},
		{name: "huge", in: "999999999999999999999999999", errs: "too large"},
		{name: "Chinese overflow", in: "一万亿亿亿", errs: "too large"},
		{name: "scientific notation", in: "1.2E+5", errs: "scientific notation"},
		{name: "bare currency", in: "¥", errs: "no digits"},
		{name: "stray character in Chinese", in: "壹万X", errs: "not part of a Chinese amount"},
		{name: "empty", in: "", errs: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAmount(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
				return
			}
			if err != nil || a.Cents != tt.cents || a.Currency != tt.cur {
				t.Errorf("ParseAmount(%q) = %+v, %v; want %d %q", tt.in, a, err, tt.cents, tt.cur)
			}
		})
	}
}

func TestAmountStringReadsBack(t *testing.T) {
	for _, a := range []Amount{{0, ""}, {5, ""}, {-5, "CNY"}, {123450, "USD"}, {math.MaxInt64, ""}, {-math.MaxInt64, "CNY"}} {
		s := a.String()
		b, err := ParseAmount(s)
		if err != nil || b != a {
			t.Errorf("%+v -> %q -> %+v, %v", a, s, b, err)
		}
	}
	if got := (Amount{-1230, "CNY"}).String(); got != "-12.30 CNY" {
		t.Errorf("String = %q", got)
	}
}
