package resolve

import (
	"context"
	"slices"
	"strings"
)

// A blocking rule gives each record a key; only records that share a key in at least one rule
// are compared. The keys are chosen so that a duplicate with typos in two or three fields
// still shares one of them with its original.
type blockRule struct {
	name   string
	fields []string                              // comparisons the key already agrees on
	key    func(p *prepared, b *strings.Builder) // writes nothing when the record has no key
}

var nameFields = []string{FieldName, "surname", "given_name"}

func nameKey(p *prepared, b *strings.Builder) {
	// Soundex of every name token, sorted: order-free, typo-tolerant, works on pinyin.
	var codes [6]string
	n := 0
	for _, t := range strings.Fields(p.name) {
		if n < len(codes) {
			codes[n] = soundex(t)
			n++
		}
	}
	slices.Sort(codes[:n])
	for i := 0; i < n; i++ {
		b.WriteString(codes[i])
	}
}

var blockRules = []blockRule{
	{"id_number", []string{FieldIDNumber}, func(p *prepared, b *strings.Builder) { b.WriteString(p.id) }},
	{"phone", []string{FieldPhone}, func(p *prepared, b *strings.Builder) { b.WriteString(p.phone) }},
	{"email", []string{FieldEmail}, func(p *prepared, b *strings.Builder) { b.WriteString(p.email) }},
	{"dob_initial", append([]string{FieldDOB}, nameFields...), func(p *prepared, b *strings.Builder) {
		// Birth date alone puts some 40 people of a million in each block; with the first
		// letter of a name token (either) it stays small and still survives a typo elsewhere.
		if p.dob != "" && p.name != "" {
			b.WriteString(p.dob)
			b.WriteByte(p.name[0])
		}
	}},
	{"name_soundex_decade", nameFields, func(p *prepared, b *strings.Builder) {
		// Names repeat a lot in big populations (张伟); the decade of birth splits them and
		// still tolerates a typo in the day, month or last digit of the year.
		nameKey(p, b)
		if len(p.dob) == 8 && b.Len() > 0 {
			b.WriteString(p.dob[:3])
		}
	}},
	{"name_exact", nameFields, func(p *prepared, b *strings.Builder) { b.WriteString(p.nameScript) }},
	{"postcode_surname", append([]string{FieldPostcode}, nameFields...), func(p *prepared, b *strings.Builder) {
		if p.postcode != "" && p.surname != "" {
			b.WriteString(p.postcode)
			b.WriteString(soundex(p.surname))
		}
	}},
	{"address_name", append([]string{FieldAddress}, nameFields...), func(p *prepared, b *strings.Builder) {
		if p.addr != "" && p.name != "" {
			b.WriteString(p.addr)
			b.WriteByte(p.name[0])
		}
	}},
	{"city_dob_year", []string{FieldCity, FieldDOB}, func(p *prepared, b *strings.Builder) {
		if p.city != "" && len(p.dob) == 8 && p.name != "" {
			b.WriteString(p.city)
			b.WriteString(p.dob[:4])
		}
	}},
	{"given_dob_month", append([]string{FieldDOB}, nameFields...), func(p *prepared, b *strings.Builder) {
		if len(p.dob) == 8 && p.name != "" {
			b.WriteString(p.dob[:6])
			b.WriteString(soundex(firstToken(p)))
		}
	}},
}

func firstToken(p *prepared) string {
	if p.given != "" {
		return p.given
	}
	if i := strings.IndexByte(p.name, ' '); i > 0 {
		return p.name[:i]
	}
	return p.name
}

func fnv64(s string, seed uint64) uint64 {
	h := uint64(14695981039346656037) ^ seed
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

type blockStats struct {
	Rule    string `json:"rule"`
	Pairs   int64  `json:"pairs"`
	Skipped int    `json:"blocks_skipped"` // blocks larger than MaxBlock
}

// candidate is a pair of records (i<<32 | j, i < j) and the rules (bit per rule) that paired them.
type candidate struct {
	pair  uint64
	rules uint32
}

// compactCandidates sorts by pair and merges the rule bits of repeated pairs.
func compactCandidates(c []candidate) []candidate {
	slices.SortFunc(c, func(a, b candidate) int {
		switch {
		case a.pair < b.pair:
			return -1
		case a.pair > b.pair:
			return 1
		}
		return 0
	})
	out := c[:0]
	for _, x := range c {
		if n := len(out); n > 0 && out[n-1].pair == x.pair {
			out[n-1].rules |= x.rules
			continue
		}
		out = append(out, x)
	}
	return out
}

// candidatePairs returns the unique pairs that share a key in some rule, sorted.
func candidatePairs(ctx context.Context, recs []prepared, maxBlock int, linkOnly bool) ([]candidate, []blockStats, error) {
	type keyed struct {
		h   uint64
		idx int32
	}
	var pairs []candidate
	var stats []blockStats
	keys := make([]keyed, 0, len(recs))
	var b strings.Builder
	for ri, rule := range blockRules {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		keys = keys[:0]
		for i := range recs {
			b.Reset()
			rule.key(&recs[i], &b)
			if b.Len() == 0 {
				continue
			}
			keys = append(keys, keyed{fnv64(b.String(), uint64(ri)), int32(i)})
		}
		slices.SortFunc(keys, func(x, y keyed) int {
			if x.h != y.h {
				if x.h < y.h {
					return -1
				}
				return 1
			}
			return int(x.idx - y.idx)
		})
		st := blockStats{Rule: rule.name}
		for lo := 0; lo < len(keys); {
			hi := lo + 1
			for hi < len(keys) && keys[hi].h == keys[lo].h {
				hi++
			}
			if hi-lo > maxBlock {
				st.Skipped++
			} else {
				for x := lo; x < hi; x++ {
					for y := x + 1; y < hi; y++ {
						i, j := keys[x].idx, keys[y].idx
						if linkOnly && recs[i].source == recs[j].source {
							continue
						}
						pairs = append(pairs, candidate{uint64(i)<<32 | uint64(j), 1 << ri})
						st.Pairs++
					}
				}
			}
			lo = hi
		}
		stats = append(stats, st)
		if len(pairs) > 1<<24 { // keep memory bounded on big inputs: fold duplicates as we go
			pairs = compactCandidates(pairs)
		}
	}
	return compactCandidates(pairs), stats, nil
}
