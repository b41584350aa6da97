package resolve

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// pattern packs the levels of all comparisons of one pair, 4 bits each (at most 16
// comparisons, each with at most 15 levels).
type pattern uint64

func (p pattern) level(k int) uint8 { return uint8(p >> (4 * k) & 0xF) }

func comparePair(cs []comparison, a, b *prepared) pattern {
	var p pattern
	for k := range cs {
		p |= pattern(cs[k].level(a, b)) << (4 * k)
	}
	return p
}

// Model holds the Fellegi-Sunter parameters: for every comparison level the probability of
// that level among matches (m) and among non-matches (u), and the prior probability that a
// candidate pair is a match.
type Model struct {
	Fields         []FieldModel `json:"fields"`
	Prior          float64      `json:"prior"`           // probability that two records of the input are one person
	CandidatePrior float64      `json:"candidate_prior"` // share of candidate pairs that are matches (EM)
	Iterations     int          `json:"em_iterations"`
	USample        int          `json:"u_sample_pairs"` // random pairs that estimated u
}

// FieldModel is the parameters of one comparison.
type FieldModel struct {
	Field  string       `json:"field"`
	Levels []LevelModel `json:"levels"`
}

// LevelModel is one level with its probabilities and weight log2(m/u).
type LevelModel struct {
	Label  string  `json:"label"`
	M      float64 `json:"m"`
	U      float64 `json:"u"`
	Weight float64 `json:"weight"`
}

// estimateU compares random pairs of records: nearly all are non-matches, so the share of
// each level among them is u (Splink's estimate_u_using_random_sampling).
func estimateU(recs []prepared, cs []comparison, samples int, seed uint64, linkOnly bool) [][]float64 {
	counts := make([][]float64, len(cs))
	for k := range cs {
		counts[k] = make([]float64, len(cs[k].levels)+1)
	}
	n := len(recs)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for s := 0; s < samples; s++ {
		i, j := rng.IntN(n), rng.IntN(n)
		if i == j || (linkOnly && recs[i].source == recs[j].source) {
			continue
		}
		p := comparePair(cs, &recs[i], &recs[j])
		for k := range cs {
			counts[k][p.level(k)]++
		}
	}
	u := make([][]float64, len(cs))
	for k := range cs {
		u[k] = make([]float64, len(counts[k]))
		total := 0.0
		for l := 1; l < len(counts[k]); l++ {
			total += counts[k][l]
		}
		// Half a pair of smoothing: a level never seen among random pairs (an identical ID
		// number) is rare, not impossible.
		for l := 1; l < len(counts[k]); l++ {
			u[k][l] = (counts[k][l] + 0.5) / (total + 0.5*float64(len(counts[k])-1))
		}
	}
	return u
}

// patternsOf compares every candidate pair on all cores.
func patternsOf(ctx context.Context, recs []prepared, cs []comparison, pairs []candidate) ([]pattern, error) {
	out := make([]pattern, len(pairs))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(pairs) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(len(pairs), (w+1)*chunk)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := lo; x < hi; x++ {
				if x&0xFFFF == 0 && ctx.Err() != nil {
					return
				}
				i, j := pairs[x].pair>>32, pairs[x].pair&0xFFFFFFFF
				out[x] = comparePair(cs, &recs[i], &recs[j])
			}
		}()
	}
	wg.Wait()
	return out, ctx.Err()
}

type patternCount struct {
	p pattern
	c float64
}

func distinct(pats []pattern, keep func(x int) bool) []patternCount {
	counts := map[pattern]float64{}
	for x, p := range pats {
		if keep(x) {
			counts[p]++
		}
	}
	dist := make([]patternCount, 0, len(counts))
	for p, c := range counts {
		dist = append(dist, patternCount{p, c})
	}
	// Map order is random; summing in a fixed order keeps results identical run to run.
	slices.SortFunc(dist, func(a, b patternCount) int { return cmp.Compare(a.p, b.p) })
	return dist
}

func initialM(cs []comparison) [][]float64 {
	m := make([][]float64, len(cs))
	for k := range cs {
		n := len(cs[k].levels)
		m[k] = make([]float64, n+1)
		// Start from "matches mostly agree": 0.8 on the best level, the rest halving.
		rest := 0.2
		for l := 2; l <= n; l++ {
			share := rest / 2
			if l == n {
				share = rest
			}
			m[k][l] = share
			rest -= share
		}
		m[k][1] = 0.8
		pinM(m[k], cs[k].fixedM)
	}
	return m
}

// pinM sets the levels whose m is fixed and scales the learnt ones to fill the rest.
func pinM(m, fixed []float64) {
	if len(fixed) == 0 {
		return
	}
	pinned, free := 0.0, 0.0
	for l := 1; l < len(m); l++ {
		if l < len(fixed) && fixed[l] > 0 {
			pinned += fixed[l]
		} else {
			free += m[l]
		}
	}
	for l := 1; l < len(m); l++ {
		if l < len(fixed) && fixed[l] > 0 {
			m[l] = fixed[l]
		} else if free > 0 {
			m[l] *= (1 - pinned) / free
		}
	}
}

// emSession runs EM over pattern counts. Comparisons marked in ignore are left out (the
// blocking rule forced them to agree, so they say nothing here) and keep their m; when fixM is
// set only the prior moves.
func emSession(cs []comparison, dist []patternCount, m, u [][]float64, ignore []bool, prior float64, fixM bool, maxIter int) (float64, int) {
	it := 1
	for ; it <= maxIter; it++ {
		num := make([][]float64, len(cs))
		for k := range cs {
			num[k] = make([]float64, len(m[k]))
		}
		sumP, sumC := 0.0, 0.0
		for _, d := range dist {
			lm, lu := math.Log(prior), math.Log(1-prior)
			for k := range cs {
				if l := d.p.level(k); l > 0 && !ignore[k] {
					lm += math.Log(m[k][l])
					lu += math.Log(u[k][l])
				}
			}
			w := d.c / (1 + math.Exp(lu-lm))
			sumP += w
			sumC += d.c
			for k := range cs {
				if l := d.p.level(k); l > 0 {
					num[k][l] += w
				}
			}
		}
		newPrior := min(max(sumP/sumC, 1e-9), 1-1e-9)
		delta := math.Abs(newPrior - prior)
		prior = newPrior
		for k := range cs {
			if fixM || ignore[k] {
				continue
			}
			tot := 0.0
			for l := 1; l < len(num[k]); l++ {
				tot += num[k][l]
			}
			if tot < 1 {
				continue // too few matches saw this field to learn from
			}
			old := slices.Clone(m[k])
			for l := 1; l < len(num[k]); l++ {
				m[k][l] = (num[k][l] + 1e-3) / (tot + 1e-3*float64(len(num[k])-1))
			}
			pinM(m[k], cs[k].fixedM)
			for l := 1; l < len(num[k]); l++ {
				delta = max(delta, math.Abs(old[l]-m[k][l]))
			}
		}
		if delta < 1e-5 {
			break
		}
	}
	return prior, min(it, maxIter)
}

// fitEM estimates m by expectation-maximisation without labels, u held at its random-sample
// estimate. As in Splink, m is trained once per blocking rule on the pairs that rule found,
// leaving out the fields the rule forced to agree (pairs blocked on birth date agree on it
// whether they match or not), and the sessions' estimates are averaged. Then the share of
// matches among all candidate pairs is estimated with m and u fixed.
func fitEM(cs []comparison, pats []pattern, rules []uint32, u [][]float64, maxIter int) Model {
	sum := make([][]float64, len(cs))
	seen := make([]float64, len(cs))
	for k := range cs {
		sum[k] = make([]float64, len(cs[k].levels)+1)
	}
	iters := 0
	for ri, rule := range blockRules {
		bit := uint32(1) << ri
		dist := distinct(pats, func(x int) bool { return rules[x]&bit != 0 })
		total := 0.0
		for _, d := range dist {
			total += d.c
		}
		if total < 10 {
			continue
		}
		ignore := make([]bool, len(cs))
		for k := range cs {
			ignore[k] = slices.Contains(rule.fields, cs[k].field)
		}
		m := initialM(cs)
		_, it := emSession(cs, dist, m, u, ignore, 0.1, false, maxIter)
		iters += it
		for k := range cs {
			if ignore[k] {
				continue
			}
			for l := 1; l < len(m[k]); l++ {
				sum[k][l] += m[k][l]
			}
			seen[k]++
		}
	}
	m := initialM(cs)
	for k := range cs {
		if seen[k] == 0 {
			continue
		}
		for l := 1; l < len(m[k]); l++ {
			m[k][l] = sum[k][l] / seen[k]
		}
	}
	all := distinct(pats, func(int) bool { return true })
	prior, it := emSession(cs, all, m, u, make([]bool, len(cs)), 0.1, true, maxIter)
	model := Model{Prior: prior, Iterations: iters + it}
	for k := range cs {
		fm := FieldModel{Field: cs[k].field}
		for l := 1; l < len(m[k]); l++ {
			fm.Levels = append(fm.Levels, LevelModel{Label: cs[k].levels[l-1], M: m[k][l], U: u[k][l], Weight: math.Log2(m[k][l] / u[k][l])})
		}
		model.Fields = append(model.Fields, fm)
	}
	return model
}

// weight is the match weight of a pattern: log2 prior odds plus the field weights.
func (m *Model) weight(p pattern) float64 {
	w := math.Log2(m.Prior / (1 - m.Prior))
	for k := range m.Fields {
		if l := p.level(k); l > 0 {
			w += m.Fields[k].Levels[l-1].Weight
		}
	}
	return w
}

func probability(weight float64) float64 { return 1 / (1 + math.Exp2(-weight)) }
