package resolve

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// TestResolveStaysPreciseAtScale resolves a personWorld of RESOLVE_SCALE_N records (skipped
// when unset; 1,000,000 is the figure), logs the fitted model and a sample of false
// links with their field levels and weights, and fails below precision or recall 0.99.
func TestResolveStaysPreciseAtScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("RESOLVE_SCALE_N"))
	if n <= 0 {
		t.Skip("set RESOLVE_SCALE_N (e.g. 500000) to resolve a large generated world")
	}
	recs, truth := personWorld(n, 7)
	idx := make(map[string]int, len(recs))
	for i, r := range recs {
		idx[r.ID] = i
	}
	res, err := Resolve(context.Background(), recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Model.Fields {
		for _, l := range f.Levels {
			t.Logf("%s %s m=%.4g u=%.4g weight %.2f", f.Field, l.Label, l.M, l.U, l.Weight)
		}
	}
	wrong := 0
	for _, l := range res.Links {
		i, j := idx[l.A], idx[l.B]
		if !l.Merged || (truth[i] >= 0 && (truth[i] == int32(j) || truth[j] == int32(i))) {
			continue
		}
		if wrong++; wrong <= 10 {
			t.Logf("false link, weight %.2f: %+v | %+v", l.Weight, recs[i], recs[j])
			for _, f := range l.Fields {
				t.Logf("    %s %s %.2f", f.Field, f.Level, f.Weight)
			}
		}
	}
	s := ScorePairs(truth, res.ClusterOf, -1, nil, false)
	t.Logf("%d records, %d candidate pairs, %d links (%d false): precision %.4f recall %.4f F1 %.4f",
		n, res.Stats.CandidatePairs, len(res.Links), wrong, s.Precision, s.Recall, s.F1)
	if s.Precision < 0.99 || s.Recall < 0.99 {
		t.Errorf("precision %.4f, recall %.4f at %d records; want both ≥ 0.99", s.Precision, s.Recall, n)
	}
}
