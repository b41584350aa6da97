package score

import (
	"math"
	"testing"
)

func TestOfScoresAConfusionCount(t *testing.T) {
	for _, tc := range []struct {
		tp, fp, fn int64
		p, r, f1   float64
	}{
		{8, 2, 0, 0.8, 1, 2 * 0.8 / 1.8},
		{0, 0, 5, 0, 0, 0},
		{0, 0, 0, 0, 0, 0},
		{3, 1, 1, 0.75, 0.75, 0.75},
	} {
		s := Of(tc.tp, tc.fp, tc.fn)
		if math.Abs(s.Precision-tc.p) > 1e-9 || math.Abs(s.Recall-tc.r) > 1e-9 || math.Abs(s.F1-tc.f1) > 1e-9 {
			t.Errorf("Of(%d,%d,%d) = %+v, want p %.3f r %.3f f1 %.3f", tc.tp, tc.fp, tc.fn, s, tc.p, tc.r, tc.f1)
		}
	}
}

func TestSetsCountsWhatWasFoundAgainstWhatWasWanted(t *testing.T) {
	s := Sets(map[string]bool{"a": true, "b": true, "x": true}, map[string]bool{"a": true, "b": true, "c": true})
	if s.TP != 2 || s.FP != 1 || s.FN != 1 {
		t.Errorf("Sets = %+v, want tp 2 fp 1 fn 1", s)
	}
}
