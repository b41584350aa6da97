package data

import "testing"

func TestDivisionsAreSixDigitCodesWithNames(t *testing.T) {
	ds := Divisions()
	if len(ds) < 300 {
		t.Fatalf("got %d divisions, want at least 300", len(ds))
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if len(d.Code) != 6 || d.County == "" || d.Province == "" {
			t.Errorf("malformed division %+v", d)
		}
		if seen[d.Code] {
			t.Errorf("duplicate code %s", d.Code)
		}
		seen[d.Code] = true
	}
}
