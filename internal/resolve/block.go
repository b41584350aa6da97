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
	name string
	key  func(p *prepared, b *strings.Builder) // writes nothing when the record has no key
}

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
	{"id_number", func(p *prepared, b *strings.Builder) { b.WriteString(p.id) }},
	{"phone", func(p *prepared, b *strings.Builder) { b.WriteString(p.phone) }},
	{"email", func(p *prepared, b *strings.Builder) { b.WriteString(p.email) }},
	{"dob", func(p *prepared, b *strings.Builder) { b.WriteString(p.dob) }},
	{"name_soundex", nameKey},
	{"name_exact", func(p *prepared, b *strings.Builder) { b.WriteString(p.nameScript) }},
	{"postcode_surname", func(p *prepared, b *strings.Builder) {
		if p.postcode != "" && p.surname != "" {
			b.WriteString(p.postcode)
			b.WriteString(soundex(p.surname))
		}
	}},
	{"address_name", func(p *prepared, b *strings.Builder) {
		if p.addr != "" && p.name != "" {
			b.WriteString(p.addr)
			b.WriteByte(p.name[0])
		}
	}},
	{"city_dob_year", func(p *prepared, b *strings.Builder) {
		if p.city != "" && len(p.dob) == 8 && p.name != "" {
			b.WriteString(p.city)
			b.WriteString(p.dob[:4])
		}
	}},
	{"given_dob_month", func(p *prepared, b *strings.Builder) {
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

// candidatePairs returns the sorted, unique pairs (i<<32 | j, i < j) that share a key.
func candidatePairs(ctx context.Context, recs []prepared, maxBlock int, linkOnly bool) ([]uint64, []blockStats, error) {
	type keyed struct {
		h   uint64
		idx int32
	}
	var pairs []uint64
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
						pairs = append(pairs, uint64(i)<<32|uint64(j))
						st.Pairs++
					}
				}
			}
			lo = hi
		}
		stats = append(stats, st)
		if len(pairs) > 1<<24 { // keep memory bounded on big inputs: fold duplicates as we go
			slices.Sort(pairs)
			pairs = slices.Compact(pairs)
		}
	}
	slices.Sort(pairs)
	return slices.Compact(pairs), stats, nil
}
