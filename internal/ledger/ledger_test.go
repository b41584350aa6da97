package ledger

import (
	"strings"
	"testing"
)

func TestCompareNamesTheChangedFieldAndMeasuresHowFarTheDecisionMoved(t *testing.T) {
	diff, d, err := Compare([]byte(`{"verdict":"violation","severity":"high","subject":"张三"}`),
		[]byte(`{"subject":"张三","severity":"medium","verdict":"violation"}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff != "-  \"severity\": \"high\",\n+  \"severity\": \"medium\",\n" {
		t.Errorf("diff = %q, want the severity line removed and added", diff)
	}
	if d <= 0 || d >= 0.5 {
		t.Errorf("distance = %v, want small but not zero for one changed field of three", d)
	}
}

func TestEqualTextsAreAtDistanceZeroAndDisjointOnesAtOne(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{{"x\ny\n", "x\ny\n", 0}, {"x\n", "y\n", 1}, {"", "", 0}, {"", "a\nb", 1}, {"a\nb\nc\nd", "a\nb", 1 - 4.0/6}} {
		diff, d := Diff(c.a, c.b)
		if d-c.want > 1e-12 || c.want-d > 1e-12 {
			t.Errorf("Diff(%q, %q) distance = %v, want %v", c.a, c.b, d, c.want)
		}
		if (d == 0) != (diff == "") {
			t.Errorf("Diff(%q, %q) = %q at distance %v", c.a, c.b, diff, d)
		}
	}
}

func TestCompareRefusesWhatIsNotJSON(t *testing.T) {
	if _, _, err := Compare([]byte(`{`), []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "suggestion") {
		t.Errorf("Compare of broken JSON = %v, want an error naming the suggestion", err)
	}
}

// FuzzDiff checks that the diff rebuilds the second text from the first: every line of b is
// either kept or added, and the distance stays within [0, 1].
func FuzzDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nc\nd")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		diff, d := Diff(a, b)
		if d < 0 || d > 1 {
			t.Fatalf("distance %v out of range", d)
		}
		added := 0
		for _, l := range lines(diff) {
			if strings.HasPrefix(l, "+") {
				added++
			}
		}
		if common := len(lines(b)) - added; common < 0 || (a == b && diff != "") {
			t.Fatalf("Diff(%q, %q) = %q", a, b, diff)
		}
	})
}
