package resolve

import "procura/internal/score"

// PairScore is pairwise precision, recall and F1 of predicted entities against true ones.
type PairScore struct {
	TruePairs      int64   `json:"true_pairs"`
	PredictedPairs int64   `json:"predicted_pairs"`
	Correct        int64   `json:"correct_pairs"`
	Precision      float64 `json:"precision"`
	Recall         float64 `json:"recall"`
	F1             float64 `json:"f1"`
}

// ScorePairs counts, over all pairs of records, those put in one cluster (predicted) and those
// of one true entity (truth). truth and predicted give each record's entity; "" or a negative
// number means the record is alone. With crossOnly, only pairs of different sources count
// (linking two files).
func ScorePairs[T comparable](truth, predicted []T, none T, source []string, crossOnly bool) PairScore {
	type key struct{ t, p T }
	var s PairScore
	pairCount := func(groups map[any]map[string]int64) int64 {
		var n int64
		for _, bySrc := range groups {
			var tot, same int64
			for _, c := range bySrc {
				tot += c
				same += c * (c - 1) / 2
			}
			if crossOnly {
				n += tot*(tot-1)/2 - same
			} else {
				n += tot * (tot - 1) / 2
			}
		}
		return n
	}
	tg, pg, bg := map[any]map[string]int64{}, map[any]map[string]int64{}, map[any]map[string]int64{}
	add := func(m map[any]map[string]int64, k any, src string) {
		if m[k] == nil {
			m[k] = map[string]int64{}
		}
		m[k][src]++
	}
	for i := range truth {
		src := ""
		if crossOnly {
			src = source[i]
		}
		if truth[i] != none {
			add(tg, truth[i], src)
		}
		if predicted[i] != none {
			add(pg, predicted[i], src)
		}
		if truth[i] != none && predicted[i] != none {
			add(bg, key{truth[i], predicted[i]}, src)
		}
	}
	s.TruePairs, s.PredictedPairs, s.Correct = pairCount(tg), pairCount(pg), pairCount(bg)
	prf := score.Of(s.Correct, s.PredictedPairs-s.Correct, s.TruePairs-s.Correct)
	s.Precision, s.Recall, s.F1 = prf.Precision, prf.Recall, prf.F1
	return s
}
