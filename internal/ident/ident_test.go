package ident

import (
	"errors"
	"strings"
	"testing"
)

// wantErr checks that err is an *Error whose Error() mentions every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func TestCleanUndoesSpreadsheetArtefacts(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clean value is unchanged", "6222021234567890123", "6222021234567890123"},
		{"interior spaces stay", "6222 0212 3456", "6222 0212 3456"},
		{"surrounding spaces and tabs are trimmed", " \t123\t ", "123"},
		{"ideographic space is trimmed", "\u3000123\u3000", "123"},
		{"no-break space is trimmed", "\u00a0123\u00a0", "123"},
		{"leading apostrophe is removed", "'6222021234567890123", "6222021234567890123"},
		{"formula quoting is removed", `="6222021234567890123"`, "6222021234567890123"},
		{"leading equals is removed", "=123", "123"},
		{"stacked markers are removed", `'="123"`, "123"},
		{"doubled CSV quotes are removed", `"123"`, "123"},
		{"full-width digits become ASCII", "１２３４５", "12345"},
		{"full-width letters and punctuation become ASCII", "ＡＢＣ＠ｑｑ．ｃｏｍ", "ABC@qq.com"},
		{"full-width yen becomes ¥", "￥１２．５", "¥12.5"},
		{"zero-width characters are removed", "12\u200b3\ufeff", "123"},
		{"Chinese text is kept", "张三", "张三"},
		{"empty stays empty", "", ""},
		{"only spaces becomes empty", " \u3000 ", ""},
		{"a lone equals sign is kept", "=", "="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanDoesNotAllocateForCleanValues(t *testing.T) {
	n := testing.AllocsPerRun(100, func() { Clean("6222021234567890123") })
	if n != 0 {
		t.Errorf("Clean allocated %v times", n)
	}
}

func TestParseResidentID(t *testing.T) {
	tests := []struct {
		name, in, number, division string
		female, legacy, atBirth    bool
		birth, errs                string
	}{
		{name: "valid 18-digit ID", in: "11010519491231002X", number: "11010519491231002X", division: "110105", female: true, atBirth: true, birth: "1949-12-31"},
		{name: "lower-case x is upper-cased", in: "11010519491231002x", number: "11010519491231002X", division: "110105", female: true, atBirth: true, birth: "1949-12-31"},
		{name: "Excel apostrophe and full-width digits", in: "'１１０１０５１９４９１２３１００２X", number: "11010519491231002X", division: "110105", female: true, atBirth: true, birth: "1949-12-31"},
		{name: "spaces inside are removed", in: "110105 19491231 002X", number: "11010519491231002X", division: "110105", female: true, atBirth: true, birth: "1949-12-31"},
		{name: "15-digit ID is converted to 18", in: "110105491231002", number: "11010519491231002X", division: "110105", female: true, legacy: true, atBirth: true, birth: "1949-12-31"},
		{name: "male when the sequence is odd", in: "360426199101010071", number: "360426199101010071", division: "360426", atBirth: true, birth: "1991-01-01"},
		{name: "division created after birth is accepted", in: "110111198012010078", number: "110111198012010078", division: "110111", birth: "1980-12-01"},
		{name: "wrong check digit", in: "110105194912310021", errs: "check digit is X, not 1"},
		{name: "check digit in the error example", in: "11010519491231002", errs: "has 17 characters"},
		{name: "letters inside", in: "1101051949123100AX", errs: "only digits"},
		{name: "impossible birth date", in: withCheck("11010519490230002"), errs: "not a real date"},
		{name: "unknown division", in: "990426199112010074", errs: "not a PRC administrative division code"},
		{name: "future birth date", in: withCheck("11010520991231001"), errs: "in the future"},
		{name: "scientific notation", in: "1.10105E+17", errs: "scientific notation"},
		{name: "empty", in: "  ", errs: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseResidentID(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Number != tt.number || r.Division != tt.division || r.Female != tt.female || r.FromLegacy15 != tt.legacy ||
				r.DivisionAtBirth != tt.atBirth || r.Birth.Format("2006-01-02") != tt.birth || r.DivisionName == "" {
				t.Errorf("got %+v", r)
			}
		})
	}
}

// withCheck appends the MOD 11-2 check character to 17 digits.
func withCheck(d17 string) string { return d17 + string(ricCheck(d17)) }

func TestResidentIDErrorReadsAsTheBriefExample(t *testing.T) {
	_, err := ParseResidentID("110105194912310021")
	if got, want := err.Error(), "resident ID 110105194912310021: check digit is X, not 1; a digit was probably mistyped"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestResidentIDDivisionNameJoinsTheLevels(t *testing.T) {
	r, err := ParseResidentID("44011320141005001x")
	if err != nil {
		t.Fatal(err)
	}
	if r.DivisionName != "广东省广州市番禺区" {
		t.Errorf("DivisionName = %q", r.DivisionName)
	}
	r, _ = ParseResidentID("110102199101010078")
	if r.DivisionName != "北京市西城区" {
		t.Errorf("municipal district DivisionName = %q", r.DivisionName)
	}
}

func TestLookupDivisionFollowsRenames(t *testing.T) {
	if d, ok := LookupDivision("120110", 1980); !ok || d.County != "东郊区" {
		t.Errorf("1980: %+v %v", d, ok)
	}
	if d, ok := LookupDivision("120110", 1992); !ok || d.County != "东丽区" {
		t.Errorf("1992: %+v %v", d, ok)
	}
	if d, ok := LookupDivision("120110", 0); !ok || d.County != "东丽区" {
		t.Errorf("latest: %+v %v", d, ok)
	}
	if _, ok := LookupDivision("110111", 1980); ok {
		t.Error("房山区 (1986-) found for 1980")
	}
	if _, ok := LookupDivision("12011", 0); ok {
		t.Error("5-digit code found")
	}
	if d, ok := LookupDivision("830000", 2020); !ok || d.Name() != "台湾居民居住证" {
		t.Errorf("Taiwan residence permit code: %+v %v", d, ok)
	}
}

func TestParseUSCC(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{"valid code", "91110000600037341L", "91110000600037341L", ""},
		{"spaces and lower case", "91 110000 600037341l", "91110000600037341L", ""},
		{"full-width characters", "９１１１００００６０００３７３４１Ｌ", "91110000600037341L", ""},
		{"wrong check character", "91110000600037341N", "", "check character is L, not N"},
		{"forbidden letter", "9111000060003IOZSV", "", "not allowed"},
		{"too short", "12345", "", "has 5 characters"},
		{"unknown registering authority", "B1110000600037341L", "", "registering authority"},
		{"letters in the region code", "91A10000600037341L", "", "region code"},
		{"empty", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseUSCC(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("ParseUSCC(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseBankCard(t *testing.T) {
	tests := []struct{ name, in, number, bank, scheme, errs string }{
		{name: "ICBC UnionPay card", in: "6222021234567890128", number: "6222021234567890128", bank: "中国工商银行", scheme: "UnionPay"},
		{name: "spaces and dashes", in: "6222 0212-3456 7890 128", number: "6222021234567890128", bank: "中国工商银行", scheme: "UnionPay"},
		{name: "Excel text quoting", in: `="6222021234567890128"`, number: "6222021234567890128", bank: "中国工商银行", scheme: "UnionPay"},
		{name: "full-width digits", in: "６２２２０２１２３４５６７８９０１２８", number: "6222021234567890128", bank: "中国工商银行", scheme: "UnionPay"},
		{name: "unknown UnionPay BIN", in: "6200000000000005", number: "6200000000000005", scheme: "UnionPay"},
		{name: "Visa test card", in: "4111111111111111", number: "4111111111111111", scheme: "Visa"},
		{name: "CCB Visa", in: "4367420000000009", number: "4367420000000009", bank: "中国建设银行", scheme: "Visa"},
		{name: "Mastercard 2-series", in: "2221000000000009", number: "2221000000000009", scheme: "Mastercard"},
		{name: "American Express", in: "378282246310005", number: "378282246310005", scheme: "American Express"},
		{name: "scientific notation", in: "6.22848E+18", errs: "bank card 6.22848E+18: is in scientific notation: the digits are lost; re-export the column as text"},
		{name: "decimal tail", in: "6222021234567890128.0", errs: "decimal part"},
		{name: "rounded by a spreadsheet", in: "6222021234567890000", errs: "rounded"},
		{name: "Luhn failure", in: "6222021234567890121", errs: "Luhn"},
		{name: "too short", in: "622202123456", errs: "has 12 digits"},
		{name: "letters", in: "62220212345678901AB", errs: "digits only"},
		{name: "empty", in: "", errs: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseBankCard(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
				return
			}
			if err != nil || c.Number != tt.number || c.Bank != tt.bank || c.Scheme != tt.scheme {
				t.Errorf("ParseBankCard(%q) = %+v, %v", tt.in, c, err)
			}
		})
	}
}

func TestBINTablePrefixesAreDigitsAndBanksNamed(t *testing.T) {
	b := bins()
	if len(b.bank) < 100 {
		t.Errorf("only %d BIN prefixes", len(b.bank))
	}
	for p, name := range b.bank {
		if !isDigits(p) || len(p) < 4 || len(p) > 8 || name == "" {
			t.Errorf("bad row %q -> %q", p, name)
		}
	}
	for _, p := range []string{"622202", "622848", "621661", "621700", "622260", "621799", "622580", "622909", "622690", "622521", "622622", "622155", "622660"} {
		if BankForBIN(p+"0000000000") == "" {
			t.Errorf("BIN %s from the brief is missing", p)
		}
	}
}

func TestLuhn(t *testing.T) {
	for in, want := range map[string]bool{
		"79927398713": true, "79927398710": false, "0": true, "": false, "12a": false, "4111111111111111": true,
	} {
		if got := Luhn(in); got != want {
			t.Errorf("Luhn(%q) = %v", in, got)
		}
	}
}

func TestNormalizeAccount(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{"digits", "1234567890123456789012", "1234567890123456789012", ""},
		{"spaces and dashes", "1234-5678 9012", "123456789012", ""},
		{"letters are upper-cased", "nra1234567", "NRA1234567", ""},
		{"apostrophe", "'0200001234567", "0200001234567", ""},
		{"no Luhn requirement", "6222021234567890121", "6222021234567890121", ""},
		{"full-width", "０２００００１２３４５６７", "0200001234567", ""},
		{"scientific notation", "6.22848E+18", "", "scientific notation"},
		{"decimal tail", "1234567890.0", "", "decimal part"},
		{"punctuation", "1234/5678", "", `'/'`},
		{"payment platform ids keep their name", "财付通-1000050001", "财付通1000050001", ""},
		{"short ids of simulated data", "1953", "1953", ""},
		{"too long", strings.Repeat("1", 65), "", "at most 64"},
		{"empty", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeAccount(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("NormalizeAccount(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParsePhone(t *testing.T) {
	tests := []struct{ name, in, region, want, errs string }{
		{"bare mobile", "13812345678", "CN", "+8613812345678", ""},
		{"plus 86 with spaces", "+86 138 1234 5678", "CN", "+8613812345678", ""},
		{"0086 with dashes", "0086-138-1234-5678", "CN", "+8613812345678", ""},
		{"86 prefix without plus", "8613812345678", "CN", "+8613812345678", ""},
		{"plus 86 whatever the region", "+8613812345678", "US", "+8613812345678", ""},
		{"full-width digits", "１３８１２３４５６７８", "CN", "+8613812345678", ""},
		{"Excel apostrophe", "'13812345678", "CN", "+8613812345678", ""},
		{"Beijing landline", "010-12345678", "CN", "+861012345678", ""},
		{"landline with parentheses", "(010)12345678", "CN", "+861012345678", ""},
		{"US number", "+1 650-253-0000", "CN", "+16502530000", ""},
		{"US national form", "(650) 253-0000", "US", "+16502530000", ""},
		{"Hong Kong mobile", "+852 5123 4567", "CN", "+85251234567", ""},
		{"service number", "95588", "CN", "", "service number"},
		{"no region", "13812345678", "", "", "no default region"},
		{"letters", "call me", "CN", "", "not a phone number"},
		{"local number without area code", "12345678", "CN", "", "area code"},
		{"empty", "", "CN", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePhone(tt.in, tt.region)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("ParsePhone(%q, %q) = %q, %v; want %q", tt.in, tt.region, got, err, tt.want)
			}
		})
	}
}

func TestParsePhoneFastPathAgreesWithTheLibrary(t *testing.T) {
	for _, in := range []string{"13812345678", "+86 138 1234 5678", "0086-199-0000-0000", "8615000000000", "17012345678", "14012345678"} {
		fast, ok := fastCNMobile(Clean(in), "CN")
		if !ok {
			t.Errorf("%q did not take the fast path", in)
			continue
		}
		slow, err := slowPhone(Clean(in), "CN")
		if err != nil || slow != fast {
			t.Errorf("%q: fast %q, library %q (%v)", in, fast, slow, err)
		}
	}
}

func TestParseIBAN(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{"printed form", "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", ""},
		{"lower case", "de89370400440532013000", "DE89370400440532013000", ""},
		{"wrong check digits", "GB83WEST12345698765432", "", "check digits"},
		{"wrong length", "DE8937040044053201300", "", "has 21 characters; an IBAN of DE has 22"},
		{"unknown country", "QQ93 1234 5678", "", "does not use IBANs"},
		{"letter where a digit belongs", "NL56 3003 0A17 1643 00", "", "does not fit"},
		{"no country", "1234", "", "country code"},
		{"empty", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIBAN(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("ParseIBAN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	if IBANLength("DE") != 22 || IBANLength("CN") != 0 {
		t.Error("IBANLength")
	}
}

func TestParseBIC(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{"8 characters", "ICBKCNBJ", "ICBKCNBJ", ""},
		{"11 characters lower case", "bkchcnbj110", "BKCHCNBJ110", ""},
		{"Kosovo", "RBKOXKPR", "RBKOXKPR", ""},
		{"unknown country", "MULTIPLE", "", "not a country code"},
		{"digit in institution code", "ICB1CNBJ", "", "must be letters"},
		{"wrong length", "ICBKCNBJ1", "", "8 or 11"},
		{"empty", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBIC(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("ParseBIC(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseIMEI(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{"15 digits", "354178036859789", "354178036859789", ""},
		{"dashes", "35-209900-176148-1", "352099001761481", ""},
		{"14 digits without check digit", "35209900176148", "35209900176148", ""},
		{"IMEISV", "3520990017614823", "3520990017614823", ""},
		{"Luhn failure", "354178036859788", "", "Luhn"},
		{"scientific notation", "3.54178E+14", "", "scientific notation"},
		{"placeholder", "000000000000000", "", "placeholder"},
		{"too short", "3541780368", "", "has 10 digits"},
		{"empty", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIMEI(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("ParseIMEI(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseIMSI(t *testing.T) {
	tests := []struct {
		name, in string
		want     IMSI
		errs     string
	}{
		{name: "China Mobile", in: "460001234567890", want: IMSI{"460001234567890", "460", "00", "中国移动"}},
		{name: "China Unicom", in: "460 01 1234567890", want: IMSI{"460011234567890", "460", "01", "中国联通"}},
		{name: "China Telecom 11", in: "460111234567890", want: IMSI{"460111234567890", "460", "11", "中国电信"}},
		{name: "China Broadnet", in: "460151234567890", want: IMSI{"460151234567890", "460", "15", "中国广电"}},
		{name: "US three-digit MNC", in: "310260123456789", want: IMSI{"310260123456789", "310", "260", ""}},
		{name: "Malaysia", in: "502152100145324", want: IMSI{"502152100145324", "502", "15", ""}},
		{name: "not a country code", in: "001011234567890", errs: "not a mobile country code"},
		{name: "too long", in: "4600012345678901", errs: "has 16 digits"},
		{name: "empty", in: "", errs: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIMSI(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("ParseIMSI(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseIP(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{"IPv4", "192.168.1.1", "192.168.1.1", ""},
		{"zero-padded IPv4 is decimal", "010.001.002.003", "10.1.2.3", ""},
		{"IPv6 is canonicalised", "2001:DB8:0:0:0:0:0:1", "2001:db8::1", ""},
		{"bracketed IPv6", "[::1]", "::1", ""},
		{"IPv4-mapped IPv6 becomes IPv4", "::ffff:1.2.3.4", "1.2.3.4", ""},
		{"full-width digits", "１９２．１６８．１．１", "192.168.1.1", ""},
		{"port", "1.2.3.4:8080", "", "port"},
		{"octet too large", "1.2.3.256", "", "not an IPv4"},
		{"text", "localhost", "", "not an IPv4"},
		{"empty", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIP(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got.String() != tt.want {
				t.Errorf("ParseIP(%q) = %v, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseMAC(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{"colons", "d0:50:99:84:a2:a0", "d0:50:99:84:a2:a0", ""},
		{"dashes upper case", "D0-50-99-84-A2-A0", "d0:50:99:84:a2:a0", ""},
		{"Cisco dots", "d050.9984.a2a0", "d0:50:99:84:a2:a0", ""},
		{"bare hex", "D0509984A2A0", "d0:50:99:84:a2:a0", ""},
		{"single-digit groups", "0:1b:2:3:4:5", "00:1b:02:03:04:05", ""},
		{"spaces", "d0 50 99 84 a2 a0", "d0:50:99:84:a2:a0", ""},
		{"seven groups", "d0:50:99:84:a2:a0:ff", "", "has 7 groups"},
		{"not hex", "zz:50:99:84:a2:a0", "", "hexadecimal"},
		{"multicast", "01:00:5e:00:00:01", "", "multicast"},
		{"broadcast", "ff:ff:ff:ff:ff:ff", "", "multicast or broadcast"},
		{"placeholder", "00:00:00:00:00:00", "", "placeholder"},
		{"empty", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMAC(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("ParseMAC(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseEmail(t *testing.T) {
	tests := []struct{ name, in, want, errs string }{
		{"plain", "zhang.san@qq.com", "zhang.san@qq.com", ""},
		{"upper case is lowered", "Zhang.San@QQ.COM", "zhang.san@qq.com", ""},
		{"full-width at sign", "12345＠qq．com", "12345@qq.com", ""},
		{"mailto and brackets", "mailto:<a@b.cn>", "a@b.cn", ""},
		{"internationalised domain", "a@例子.中国", "a@例子.中国", ""},
		{"no at", "zhang.qq.com", "", "has no @"},
		{"no top-level domain", "a@localhost", "", "top-level domain"},
		{"double dot", "a..b@qq.com", "", "two dots"},
		{"space", "a b@qq.com", "", "not allowed"},
		{"numeric TLD", "a@1.2.3.4", "", "ends in a number"},
		{"empty", "", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEmail(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
			} else if err != nil || got != tt.want {
				t.Errorf("ParseEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseWallet(t *testing.T) {
	tests := []struct{ name, in, addr, chain, network, errs string }{
		{name: "P2PKH", in: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", addr: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", chain: "bitcoin", network: "mainnet"},
		{name: "P2SH", in: "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", addr: "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", chain: "bitcoin", network: "mainnet"},
		{name: "bech32 upper case is lowered", in: "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", addr: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", chain: "bitcoin", network: "mainnet"},
		{name: "Ethereum", in: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", addr: "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", chain: "ethereum", network: "mainnet"},
		{name: "TRON", in: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", addr: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", chain: "tron", network: "mainnet"},
		{name: "Excel apostrophe", in: "'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", addr: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", chain: "tron", network: "mainnet"},
		{name: "TRON checksum", in: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", errs: "checksum"},
		{name: "Ethereum bad checksum", in: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", errs: "EIP-55"},
		{name: "Ethereum short", in: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", errs: "not 40"},
		{name: "Bitcoin checksum", in: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", errs: "checksum"},
		{name: "mixed-case bech32", in: "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", errs: "mixes upper and lower case"},
		{name: "text", in: "hello", errs: "not a Bitcoin, Ethereum or TRON address"},
		{name: "empty", in: "", errs: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := ParseWallet(tt.in)
			if tt.errs != "" {
				wantErr(t, err, tt.errs)
				return
			}
			if err != nil || w.Address != tt.addr || w.Chain != tt.chain || w.Network != tt.network {
				t.Errorf("ParseWallet(%q) = %+v, %v", tt.in, w, err)
			}
		})
	}
}
