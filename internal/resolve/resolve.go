package resolve

import (
	"context"
	"fmt"
	"math"
	"procura/internal/progress"
	"slices"
	"strings"
)

// Options tune a resolution. The zero value is the default that the published figures use.
type Options struct {
	// Fields to compare (FieldName …); empty means every field that some record carries.
	Fields []string
	// Threshold is the match probability a link needs (default 0.9).
	Threshold float64
	// LinkOnly links records of different sources only (linking two files, not deduplicating).
	LinkOnly bool
	// MaxBlock skips blocks of more records than this (default 100): a key shared by so many
	// records tells nothing and would cost n² comparisons.
	MaxBlock int
	// Guard is the share of record pairs across two groups that must look alike before a link
	// merges them (default 0.5); 0 turns the guard off.
	Guard float64
	// MaxCluster caps a cluster's size (default 50 records).
	MaxCluster int
	// Seed drives the random pairs that estimate u; the same seed gives the same result.
	Seed uint64
	// Progress, when set, is told each phase (blocking, comparing, clustering).
	Progress progress.Reporter
}

func (o Options) withDefaults() Options {
	if o.Threshold == 0 {
		o.Threshold = 0.9
	}
	if o.MaxBlock == 0 {
		o.MaxBlock = 100
	}
	if o.Guard == 0 {
		o.Guard = 0.5
	} else if o.Guard < 0 {
		o.Guard = 0
	}
	if o.MaxCluster == 0 {
		o.MaxCluster = 50
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// Result is the outcome of a resolution.
type Result struct {
	Clusters []Cluster `json:"clusters"` // entities of two or more records
	Links    []Link    `json:"links"`    // accepted links, strongest first
	Model    Model     `json:"model"`
	Stats    Stats     `json:"stats"`
	// ClusterOf gives each input record's cluster index in Clusters, or -1 when alone.
	ClusterOf []int32 `json:"-"`
}

// Cluster is one entity: the ids of its records.
type Cluster struct {
	ID      int      `json:"id"`
	Records []string `json:"records"`
}

// Link is a pair of records judged to be one person, with the evidence.
type Link struct {
	A           string        `json:"a"`
	B           string        `json:"b"`
	Weight      float64       `json:"weight"`      // log2 odds of a match
	Probability float64       `json:"probability"` // of a match
	Merged      bool          `json:"merged"`      // false when the chaining guard refused it
	Fields      []FieldWeight `json:"fields"`
}

// FieldWeight explains one field's part in a link.
type FieldWeight struct {
	Field  string  `json:"field"`
	Level  string  `json:"level"` // "missing" when a record lacks the field
	Weight float64 `json:"weight"`
}

// Stats counts the work done.
type Stats struct {
	Records        int          `json:"records"`
	CandidatePairs int          `json:"candidate_pairs"`
	Links          int          `json:"links"`
	RefusedLinks   int          `json:"refused_links"`
	Clusters       int          `json:"clusters"`
	Blocking       []blockStats `json:"blocking"`
}

// Resolve links the records that describe one person and groups them.
func Resolve(ctx context.Context, recs []Record, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	if opt.Threshold <= 0 || opt.Threshold >= 1 {
		return nil, fmt.Errorf("threshold %g is not a probability between 0 and 1; try 0.9", opt.Threshold)
	}
	if len(recs) >= math.MaxInt32 {
		return nil, fmt.Errorf("%d records are more than one resolution handles (2³¹); resolve by region or source", len(recs))
	}
	bar := progress.OrNop(opt.Progress)
	prep, split, err := prepareAll(recs, opt.Fields)
	if err != nil {
		return nil, err
	}
	fields := opt.Fields
	if len(fields) == 0 {
		fields = presentFields(prep)
	}
	cs := comparisonsFor(fields, split)
	if len(cs) == 0 {
		return nil, fmt.Errorf("the records carry none of the fields %s; map a name, date of birth or identifier column", strings.Join(AllFields, ", "))
	}
	bar.Begin("blocking", int64(len(recs)), "records")
	pairs, bstats, err := candidatePairs(ctx, prep, opt.MaxBlock, opt.LinkOnly)
	if err != nil {
		return nil, err
	}
	bar.Add(int64(len(recs)))
	bar.End()
	bar.Begin("comparing", int64(len(pairs)), "pairs")
	pats, err := patternsOf(ctx, prep, cs, pairs)
	if err != nil {
		return nil, err
	}
	u := estimateU(prep, cs, uSamples(len(recs)), opt.Seed, opt.LinkOnly)
	rules := make([]uint32, len(pairs))
	for x := range pairs {
		rules[x] = pairs[x].rules
	}
	model := fitEM(cs, pats, rules, u, 100)
	model.USample = uSamples(len(recs))
	// EM's prior is the share of matches among candidate pairs, which blocking has enriched;
	// weights built on u from random pairs need the prior over all pairs (as in Splink).
	model.CandidatePrior = model.Prior
	model.Prior = max(model.Prior*float64(len(pairs))/totalPairs(prep, opt.LinkOnly), 1e-12)
	bar.Add(int64(len(pairs)))
	bar.End()
	bar.Begin("clustering", -1, "links")
	defer bar.End()

	minW := math.Log2(opt.Threshold / (1 - opt.Threshold))
	type cand struct {
		x int
		w float64
	}
	var links []cand
	for x, p := range pats {
		if w := model.weight(p); w >= minW {
			links = append(links, cand{x, w})
		}
	}
	slices.SortStableFunc(links, func(a, b cand) int {
		switch {
		case a.w > b.w:
			return -1
		case a.w < b.w:
			return 1
		}
		return 0
	})
	score := func(i, j int32) float64 {
		return model.weight(comparePair(cs, &prep[i], &prep[j]))
	}
	cl := newClusterer(len(recs), score, minW, opt.Guard, opt.MaxCluster)
	res := &Result{Model: model}
	for n, l := range links {
		if n&0xFFFF == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		i, j := int32(pairs[l.x].pair>>32), int32(pairs[l.x].pair&0xFFFFFFFF)
		merged := cl.link(i, j)
		res.Links = append(res.Links, explain(recs[i].ID, recs[j].ID, l.w, merged, pats[l.x], &model))
	}
	groups, of := cl.clusters()
	for n, g := range groups {
		c := Cluster{ID: n + 1}
		for _, r := range g {
			c.Records = append(c.Records, recs[r].ID)
		}
		res.Clusters = append(res.Clusters, c)
	}
	res.ClusterOf = of
	res.Stats = Stats{Records: len(recs), CandidatePairs: len(pairs), Links: len(links), RefusedLinks: cl.refused, Clusters: len(groups), Blocking: bstats}
	return res, nil
}

func totalPairs(prep []prepared, linkOnly bool) float64 {
	n := float64(len(prep))
	all := n * (n - 1) / 2
	if !linkOnly {
		return max(all, 1)
	}
	bySource := map[int32]float64{}
	for i := range prep {
		bySource[prep[i].source]++
	}
	for _, c := range bySource {
		all -= c * (c - 1) / 2
	}
	return max(all, 1)
}

// uSamples is how many random pairs estimate u: enough to see rare agreements, bounded so
// that big inputs do not pay for it.
func uSamples(n int) int {
	return min(max(200_000, n), 2_000_000)
}

func explain(a, b string, w float64, merged bool, p pattern, m *Model) Link {
	l := Link{A: a, B: b, Weight: round3(w), Probability: round3(probability(w)), Merged: merged}
	for k, f := range m.Fields {
		fw := FieldWeight{Field: f.Field, Level: "missing"}
		if lv := p.level(k); lv > 0 {
			fw.Level = f.Levels[lv-1].Label
			fw.Weight = round3(f.Levels[lv-1].Weight)
		}
		l.Fields = append(l.Fields, fw)
	}
	return l
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func prepareAll(recs []Record, fields []string) ([]prepared, bool, error) {
	for _, f := range fields {
		if !slices.Contains(AllFields, f) {
			return nil, false, fmt.Errorf("field %q is not one resolve compares; choose from %s", f, strings.Join(AllFields, ", "))
		}
	}
	sources := map[string]int32{}
	prep := make([]prepared, len(recs))
	split := false
	for i, r := range recs {
		s, ok := sources[r.Source]
		if !ok {
			s = int32(len(sources))
			sources[r.Source] = s
		}
		prep[i] = prepare(r, s)
		if r.Given != "" || r.Surname != "" {
			split = true
		}
	}
	return prep, split, nil
}

func presentFields(prep []prepared) []string {
	var out []string
	for _, f := range AllFields {
		for i := range prep {
			if fieldPresent(f, &prep[i]) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

func fieldPresent(f string, p *prepared) bool {
	switch f {
	case FieldName:
		return p.name != ""
	case FieldDOB:
		return p.dob != ""
	case FieldIDNumber:
		return p.id != ""
	case FieldPhone:
		return p.phone != ""
	case FieldEmail:
		return p.email != ""
	case FieldAddress:
		return p.addr != ""
	case FieldCity:
		return p.city != ""
	case FieldPostcode:
		return p.postcode != ""
	}
	return false
}
