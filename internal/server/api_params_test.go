package server

import (
	"testing"
	"time"
)

func TestSpansAreGoDurationsOrDays(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "90m": 90 * time.Minute, "72h": 72 * time.Hour, "5d": 5 * 24 * time.Hour, "1.5d": 36 * time.Hour} {
		if got, err := parseSpan(in); err != nil || got != want {
			t.Errorf("parseSpan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"soon", "-1h", "-2d", "d", "5dd", "NaNd", "1e300d"} {
		if _, err := parseSpan(in); err == nil {
			t.Errorf("parseSpan(%q) took it", in)
		}
	}
}

func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"", "5d", "72h", "1.5d", "-1h", "NaNd", "1e300d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseSpan(s); err == nil && d < 0 {
			t.Errorf("parseSpan(%q) = %v, a negative span", s, d)
		}
		parseTime(s)
	})
}
