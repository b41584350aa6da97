package mask

import (
	"strings"
	"testing"
	"unicode"
)

func TestValueKeepsWhatTheTableSays(t *testing.T) {
	cases := []struct {
		kind Kind
		in   string
		want string
	}{
		{ResidentID, "110105194912310021", "110105********0021"},
		{ResidentID, "11010519491231002X", "110105********002X"},
		{ResidentID, "110105491231002", "110105*****1002"},
		{ResidentID, "E12345678", "E*****678"}, // a passport in an ID column
		{BankCard, "6222021234567890", "6222 **** **** 7890"},
		{BankCard, "6222 0212 3456 7890 123", "6222 **** **** 0123"},
		{Account, "6222021234567890123", "6222 **** **** 0123"},
		{Account, "110012345678", "1100 **** **** 5678"},
		{Account, "GB29NWBK60161331926819", "GB29**************6819"},
		{Account, "4412", "****"},
		{Account, "12345", "****5"},
		{Phone, "13812345678", "138****5678"},
		{Phone, "+8613812345678", "+86 138****5678"},
		{Phone, "138-1234-5678", "138****5678"},
		{Phone, "01062345678", "010****5678"},
		{IMEI, "490154203237518", "49015420*****18"},
		{IMSI, "460001234567890", "46000********90"},
		{Email, "zhang.san@example.com", "z***@example.com"},
		{Email, "abc@example.com", "***@example.com"},
		{Passport, "G12345678", "G*****678"},
		{Other, "ABCDEFGHIJKL", "ABCD****IJKL"},
		{Kind("unknown"), "ABCDEFGHIJKL", "ABCD****IJKL"},
		{Phone, "", ""},
	}
	for _, c := range cases {
		if got := Value(c.kind, c.in); got != c.want {
			t.Errorf("Value(%s, %q) = %q, want %q", c.kind, c.in, got, c.want)
		}
	}
}

func TestMaskingTwiceChangesNothing(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		in   string
	}{{ResidentID, "110105194912310021"}, {BankCard, "6222021234567890"}, {Phone, "+8613812345678"},
		{Email, "zhang.san@example.com"}, {IMEI, "490154203237518"}, {Account, "GB29NWBK60161331926819"}} {
		once := Value(c.kind, c.in)
		if twice := Value(c.kind, once); twice != once {
			t.Errorf("%s %q: masked once %q, twice %q", c.kind, c.in, once, twice)
		}
	}
}

func TestSemanticLeavesOtherColumnsAlone(t *testing.T) {
	if got := Semantic("amount", "12345678.90"); got != "12345678.90" {
		t.Errorf("an amount was changed: %q", got)
	}
	if got := Semantic("person_name", "张三"); got != "张三" {
		t.Errorf("a name was changed: %q", got)
	}
	if got := Semantic("phone", "13812345678"); got != "138****5678" {
		t.Errorf("a phone column was not masked: %q", got)
	}
}

func TestTextMasksIdentifiersInFreeText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"T001,6222021234567890,110105194912310021,13812345678,100.00",
			"T001,6222 **** **** 7890,110105********0021,138****5678,100.00"},
		{"卡号6222 0212 3456 7890转入", "卡号6222 **** **** 7890转入"},
		{"call +86 138 1234 5678 now", "call +86 138****5678 now"},
		{"mail zhang.san@example.com.", "mail z***@example.com."},
		{"passport E12345678;", "passport E*****678;"},
		{"'1101051949123100' is not a resident ID", "'1101 **** **** 3100' is not a resident ID"},
		{"amount 12345678.90 on 20250301 at 20250301123000", "amount 12345678.90 on 20250301 at 20250301123000"},
		{"tx TX20250301000123 ok", "tx TX20250301000123 ok"},
		{"phone 13812345678.", "phone 138****5678."},
		{"IMEI 490154203237518", "IMEI 4901 **** **** 7518"},
		{"no identifiers here", "no identifiers here"},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestWalkMasksNestedFieldsByName(t *testing.T) {
	type inner struct {
		Account string   `json:"account"`
		Peers   []string `json:"accounts"`
		TxID    string   `json:"tx_id"`
	}
	type outer struct {
		inner
		Items  []inner             `json:"items"`
		ByName map[string][]string `json:"fields"`
		Ptr    *inner              `json:"ptr"`
		Any    any                 `json:"any"`
		secret string
	}
	v := outer{inner: inner{Account: "6222021234567890", Peers: []string{"13812345678"}, TxID: "T1"},
		Items:  []inner{{Account: "6222021234567891"}},
		ByName: map[string][]string{"t.account": {"6222021234567892"}},
		Ptr:    &inner{Account: "6222021234567893"},
		Any:    inner{Account: "6222021234567894"},
		secret: "6222021234567895"}
	var names []string
	Walk(&v, func(name, s string) string {
		names = append(names, name)
		if name == "tx_id" || s == "" {
			return s
		}
		return "masked:" + name
	}, nil)
	if v.Account != "masked:account" || v.Peers[0] != "masked:accounts" || v.TxID != "T1" ||
		v.Items[0].Account != "masked:account" || v.ByName["t.account"][0] != "masked:t.account" ||
		v.Ptr.Account != "masked:account" || v.Any.(inner).Account != "masked:account" {
		t.Errorf("not every string was walked: %+v (names %v)", v, names)
	}
	if v.secret != "6222021234567895" {
		t.Error("an unexported field was changed")
	}
}

// visible returns the letters and digits of s (what a masked value still shows).
func visible(s string) string {
	var b strings.Builder
	for _, c := range s {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}
