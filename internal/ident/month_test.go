package ident

import (
	"strings"
	"testing"
	"time"
)

func TestParseMonthReadsTheMonthAPaymentIsFor(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"2024-05", "2024-05-01", ""},
		{"2024/5", "2024-05-01", ""},
		{"2024.05", "2024-05-01", ""},
		{"202405", "2024-05-01", ""},
		{"2024年5月", "2024-05-01", ""},
		{"２０２４年１２月", "2024-12-01", ""},
		{"2024-05-17", "2024-05-01", ""},
		{"2024-13", "", "month 13 does not exist"},
		{"May 2024", "", "is not a month"},
		{"2024-", "", "is not a month"},
	} {
		got, err := ParseMonth(tc.in, time.UTC)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseMonth(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got.Format("2006-01-02") != tc.want {
			t.Errorf("ParseMonth(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2024-05", "202405", "2024年5月", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMonth(s, time.UTC)
		if err == nil && m.Day() != 1 {
			t.Fatalf("ParseMonth(%q) = %v, not a first day", s, m)
		}
	})
}
