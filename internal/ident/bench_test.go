package ident

import (
	"testing"
	"time"
)

// The importer's budget: ≥400k rows/s with ~10 identifier columns on 2
// cores, so each common-case parse must stay well under 300 ns and
// allocate little. These benchmarks cover the common cases.

func BenchmarkClean(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Clean("6222021234567890128")
	}
}

func BenchmarkCleanFullWidth(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Clean("６２２２０２１２３４５６７８９０１２８")
	}
}

func BenchmarkParseBankCard(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBankCard("6222021234567890128"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseBankCardWithSpaces(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBankCard("6222 0212 3456 7890 128"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizeAccount(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NormalizeAccount("1234567890123456789012"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePhoneCNMobile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePhone("13812345678", "CN"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePhoneCNMobileWithPrefix(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePhone("+86 138-1234-5678", "CN"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePhoneLandlineSlowPath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePhone("010-12345678", "CN"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseResidentID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResidentID("11010519491231002X"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAmount(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAmount("1,234.50"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAmountNegativeYuan(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAmount("-1234.5元"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTimeParser(b *testing.B) {
	p := NewTimeParser(shanghai)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse("2024-01-02 15:04:05"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTimeParserCompact(b *testing.B) {
	p := NewTimeParser(shanghai)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse("20240102150405"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDateParser(b *testing.B) {
	p := NewDateParser(shanghai)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse("2024-01-02"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseIMEI(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseIMEI("354178036859789"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseIP(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseIP("192.168.1.1"); err != nil {
			b.Fatal(err)
		}
	}
}

var sinkTime time.Time

func BenchmarkParseTimestampOneOff(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkTime, _ = ParseTimestamp("2024-01-02 15:04:05", shanghai)
	}
}
