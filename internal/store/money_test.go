package store

import (
	"math/big"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

func TestMoneyFormatsAndParsesWithTwoDecimals(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		text string
	}{
		{"0", 0, "0.00"},
		{"12.3", 1230, "12.30"},
		{"-0.05", -5, "-0.05"},
		{"+7.", 700, "7.00"},
		{".5", 50, "0.50"},
		{"1234567.890000", 123456789, "1234567.89"},
		{" 99.99 ", 9999, "99.99"},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if err != nil || got != tt.want || got.String() != tt.text {
			t.Errorf("ParseMoney(%q) = %d (%s), %v; want %d (%s)", tt.in, got, got, err, tt.want, tt.text)
		}
	}
}

func TestParseMoneyRefusesWhatIsNotAnAmount(t *testing.T) {
	for _, in := range []string{"", "-", ".", "1.234", "1,5", "--1", "1.-5", "abc", "1e5", "99999999999999999999"} {
		if got, err := ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) = %d, want an error", in, got)
		}
	}
}

func TestMoneyScansEveryDriverRepresentation(t *testing.T) {
	tests := []struct {
		name string
		src  any
		want Money
	}{
		{"duckdb decimal", duckdb.Decimal{Width: 18, Scale: 2, Value: big.NewInt(-12345)}, -12345},
		{"duckdb decimal of scale 0", duckdb.Decimal{Width: 18, Scale: 0, Value: big.NewInt(7)}, 700},
		{"postgres text", "123.45", 12345},
		{"bytes", []byte("-0.10"), -10},
		{"integer", int64(3), 300},
		{"float", 0.29, 29},
	}
	for _, tt := range tests {
		var m Money
		if err := m.Scan(tt.src); err != nil || m != tt.want {
			t.Errorf("%s: Scan(%v) = %d, %v; want %d", tt.name, tt.src, m, err, tt.want)
		}
	}
	var m Money
	if err := m.Scan(nil); err == nil {
		t.Error("Scan(nil) succeeded")
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"0", "12.3", "-0.05", ".5", "1.234", "abc", "-9223372036854775.80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			return
		}
		// What parses formats back to a string that parses to the same amount.
		back, err := ParseMoney(m.String())
		if err != nil || back != m {
			t.Fatalf("ParseMoney(%q) = %d, but its text %q parses to %d, %v", s, m, m.String(), back, err)
		}
	})
}
