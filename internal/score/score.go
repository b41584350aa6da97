// Package score computes the precision, recall and F1 by which every capability of procura is
// measured against ground truth (the synthetic world's truth files, AMLSim alerts, Febrl pairs).
package score

// PRF is a confusion count with its precision, recall and F1. An empty side scores 0, not NaN.
type PRF struct {
	TP        int64   `json:"tp"`
	FP        int64   `json:"fp"`
	FN        int64   `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// Of scores tp true positives, fp false positives and fn false negatives.
func Of(tp, fp, fn int64) PRF {
	s := PRF{TP: tp, FP: fp, FN: fn}
	if tp+fp > 0 {
		s.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		s.Recall = float64(tp) / float64(tp+fn)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// Sets scores the found set against the wanted set.
func Sets[K comparable](found, want map[K]bool) PRF {
	var tp, fp, fn int64
	for k := range found {
		if want[k] {
			tp++
		} else {
			fp++
		}
	}
	for k := range want {
		if !found[k] {
			fn++
		}
	}
	return Of(tp, fp, fn)
}
