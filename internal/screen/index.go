package screen

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"procura/internal/progress"
)

// DefaultMinScore is the score a match needs to be reported. It is the one setting for every
// list: docs/screening.md shows the recall and false-positive rate it gives on OFAC.
const DefaultMinScore = 0.88

// DefaultTop is how many matches a query returns at most.
const DefaultTop = 10

// Options of a search; the zero value uses the defaults.
type Options struct {
	MinScore float64 // matches scoring below are dropped; 0 = DefaultMinScore, <0 = keep all
	Top      int     // at most this many matches per query; 0 = DefaultTop
	// Types keeps only entries of these types (individual, entity, vessel, aircraft) and
	// entries of unknown type; empty keeps all. Screening a person, say "individual".
	Types []string
}

// wants reports whether an entry of type t may be returned.
func (o *Options) wants(t string) bool {
	return len(o.Types) == 0 || t == "" || slices.Contains(o.Types, t)
}

func (o Options) withDefaults() Options {
	if o.MinScore == 0 {
		o.MinScore = DefaultMinScore
	}
	if o.Top <= 0 {
		o.Top = DefaultTop
	}
	return o
}

// Index holds every name of every listed entity, ready to search. It is safe for concurrent
// searches once built.
type Index struct {
	entities []Entity
	names    []indexedName
	keys     postings           // token, one-deletion, skeleton … keys → names
	ids      map[string][]idRef // normalised identifier → entities
	scratch  sync.Pool
}

type indexedName struct {
	entity    int32
	particles int // words of little weight, which unkeyed query words may still meet
	alias     bool
	text      string
	f         form
}

type idRef struct {
	entity int32
	id     Identifier
}

// maxPosting is the size above which a key is too common to propose candidates on its own
// ("muhammad", "trading"): the other words of the query find the candidates instead.
const maxPosting = 2500

// NewIndex indexes the entities' names and identifiers, reporting to prog (nil for none).
// Entities without any name are kept for their identifiers.
func NewIndex(ctx context.Context, entities []Entity, prog progress.Reporter) (*Index, error) {
	prog = progress.OrNop(prog)
	prog.Begin("indexing names", int64(len(entities)), "entries")
	defer prog.End()
	ix := &Index{entities: entities, ids: map[string][]idRef{}}
	var keys []uint64
	var pairs []keyName
	for e := range entities {
		if e%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if e > 0 {
				prog.Add(1024)
			}
		}
		for k, name := range entities[e].Names {
			f := normalize(name)
			f.index = true
			if len(f.tokens) == 0 {
				continue
			}
			n := int32(len(ix.names))
			parts := 0
			for _, w := range f.weights {
				if w < 1 {
					parts++
				}
			}
			ix.names = append(ix.names, indexedName{entity: int32(e), alias: k > 0, text: name, f: f, particles: parts})
			keys = nameKeys(&f, keys[:0])
			slices.Sort(keys)
			for _, key := range slices.Compact(keys) {
				pairs = append(pairs, keyName{key, n})
			}
		}
		for _, id := range entities[e].IDs {
			if v := normID(id.Value); v != "" {
				ix.ids[v] = append(ix.ids[v], idRef{entity: int32(e), id: id})
			}
		}
	}
	ix.keys = newPostings(pairs)
	ix.scratch.New = func() any { return &scratch{stamp: make([]uint32, len(ix.names)), hit: make([]uint16, len(ix.names))} }
	return ix, nil
}

// Size reports how many entities and names the index holds.
func (ix *Index) Size() (entities, names int) { return len(ix.entities), len(ix.names) }

// nameKeys are the keys a name is found by: each significant token and its one-letter
// deletions (so one substitution, insertion, deletion or transposition still meets), and its
// consonant skeleton (so transliterations meet). Particles are keys only in names made of
// nothing else.
func nameKeys(f *form, keys []uint64) []uint64 {
	significant := false
	for _, w := range f.weights {
		significant = significant || w == 1
	}
	for i := range f.tokens {
		if significant && f.weights[i] != 1 {
			continue
		}
		keys = wordKeys(f, i, keys)
	}
	if len(f.joined) >= 6 {
		keys = append(keys, key('j', f.joined, ""))
	}
	return keys
}

// wordKeys are the keys of word i of f: its own, those of its spelling as written when that
// differs, and the word without the article "al".
func wordKeys(f *form, i int, keys []uint64) []uint64 {
	t := f.tokens[i]
	keys = tokenKeys(t, f.skels[i], keys)
	if f.orig[i] != t {
		keys = tokenKeys(f.orig[i], "", keys)
	}
	if len(t) >= 6 && strings.HasPrefix(t, "al") {
		keys = append(keys, key('d', t[2:], ""))
	}
	if c := consonants(t); len(c) >= 3 && (f.index || vowelless(t)) {
		keys = append(keys, key('c', c, "")) // listed words by their consonants, for queries without vowels
	}
	return keys
}

func tokenKeys(t, skel string, keys []uint64) []uint64 {
	keys = append(keys, key('d', t, ""))
	if len(t) >= 5 {
		for i := 0; i < len(t); i++ {
			keys = append(keys, key('d', t[:i], t[i+1:]))
		}
	}
	if skel != "" {
		keys = append(keys, key('s', skel, ""))
	}
	return keys
}

// key is the 64-bit FNV-1a hash of a key's kind and text (a+b, so a word with one letter left
// out needs no new string). A collision only proposes a candidate more, which is then scored.
func key(kind byte, a, b string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	h = (h ^ uint64(kind)) * prime
	for i := 0; i < len(a); i++ {
		h = (h ^ uint64(a[i])) * prime
	}
	for i := 0; i < len(b); i++ {
		h = (h ^ uint64(b[i])) * prime
	}
	return h
}

type keyName struct {
	key  uint64
	name int32
}

// postings maps keys to the names that have them, in three flat arrays (compressed sparse
// rows): a map of slices would cost a slice header and an allocation per key.
type postings struct {
	keys  []uint64 // sorted, unique
	start []int32  // names of keys[i] are names[start[i]:start[i+1]]
	names []int32
}

func newPostings(pairs []keyName) postings {
	slices.SortFunc(pairs, func(a, b keyName) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	p := postings{names: make([]int32, len(pairs))}
	for i, kn := range pairs {
		if i == 0 || kn.key != pairs[i-1].key {
			p.keys = append(p.keys, kn.key)
			p.start = append(p.start, int32(i))
		}
		p.names[i] = kn.name
	}
	p.start = append(p.start, int32(len(pairs)))
	return p
}

// get returns the names that have key k.
func (p *postings) get(k uint64) []int32 {
	i, ok := slices.BinarySearch(p.keys, k)
	if !ok {
		return nil
	}
	return p.names[p.start[i]:p.start[i+1]]
}

// normID keeps the letters and digits of an identifier in upper case; values too short or
// without two digits are not identifiers worth an exact match.
func normID(s string) string {
	var b strings.Builder
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		}
	}
	if b.Len() < 5 || digits < 2 {
		return ""
	}
	return b.String()
}

type scratch struct {
	stamp []uint32 // stamp[n] == gen: name n is a candidate of this search
	hit   []uint16 // which query words met name n through a key
	gen   uint32
	cands []int32
	keys  []uint64
}

// Search screens one name (or identifier) and returns the best-scoring entities, best first.
func (ix *Index) Search(query string, opt Options) []Match { return ix.search(query, opt, false) }

// search is Search; exhaustive scores every name instead of those the keys propose, which
// the tests use to measure what the keys miss.
func (ix *Index) search(query string, opt Options, exhaustive bool) []Match {
	opt = opt.withDefaults()
	best := map[int32]Match{}
	for _, part := range append([]string{query}, strings.Fields(query)...) {
		for _, ref := range ix.ids[normID(part)] {
			e := &ix.entities[ref.entity]
			if !opt.wants(e.Type) {
				continue
			}
			best[ref.entity] = Match{ListID: e.ListID, Name: e.primary(), Type: e.Type, Score: 1,
				Explanation: fmt.Sprintf("identifier %s (%s) is listed for this entry", ref.id.Value, ref.id.Kind)}
		}
	}
	q := normalize(query)
	switch {
	case len(q.tokens) == 0:
	case exhaustive:
		for n := range ix.names {
			ix.score(&q, int32(n), &opt, best)
		}
	default:
		ix.searchNames(&q, &opt, best)
	}
	out := make([]Match, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.ListID, b.ListID)
	})
	if len(out) > opt.Top {
		out = out[:opt.Top]
	}
	return out
}

// searchNames scores the names that share a key with the query. A candidate is scored only
// when the query words that met it through a key (plus the particles, and the words with a key
// too common to look up, which may meet it) could reach minScore; a word that shares no key
// with a listed word is more than one typo away from it and scores 0 anyway.
func (ix *Index) searchNames(q *form, opt *Options, best map[int32]Match) {
	minScore := opt.MinScore
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.gen++
	if s.gen == 0 {
		clear(s.stamp)
		s.gen = 1
	}
	s.cands = s.cands[:0]
	significant := false
	for _, w := range q.weights {
		significant = significant || w == 1
	}
	nq := min(len(q.tokens), 16)
	var assumed float64 // weight of the particles, which propose nothing
	var common uint16   // words with a key too common to look up: they may meet any candidate
	for i := 0; i < nq; i++ {
		if significant && q.weights[i] != 1 {
			assumed += q.weights[i]
			continue
		}
		s.keys = wordKeys(q, i, s.keys[:0])
		for _, key := range s.keys {
			post := ix.keys.get(key)
			if len(post) > maxPosting {
				common |= 1 << i
				continue
			}
			ix.propose(s, post, 1<<i)
		}
	}
	if len(q.joined) >= 6 {
		ix.propose(s, ix.keys.get(key('j', q.joined, "")), 0xFFFF)
	}
	if len(s.cands) == 0 && common != 0 {
		// Only common words in the query: their keys must propose the candidates.
		for i := 0; i < nq; i++ {
			if common&(1<<i) == 0 {
				continue
			}
			s.keys = wordKeys(q, i, s.keys[:0])
			for _, key := range s.keys {
				ix.propose(s, ix.keys.get(key), 1<<i)
			}
		}
	}
	for _, n := range s.cands {
		if minScore >= 0 && s.hit[n] != 0xFFFF && ix.bound(q, s.hit[n]|common, assumed, ix.names[n].particles) < minScore {
			continue
		}
		ix.score(q, n, opt, best)
	}
}

// score compares the query with name n and keeps it as its entity's best match.
func (ix *Index) score(q *form, n int32, opt *Options, best map[int32]Match) {
	name := &ix.names[n]
	e := &ix.entities[name.entity]
	if !opt.wants(e.Type) {
		return
	}
	minScore := opt.MinScore
	sc, al := compare(q, &name.f)
	if sc < minScore && minScore >= 0 {
		return
	}
	if old, ok := best[name.entity]; ok && old.Score >= sc {
		return
	}
	m := Match{ListID: e.ListID, Name: name.text, Type: e.Type, Score: round3(sc)}
	if name.alias {
		m.PrimaryName = e.primary()
	}
	m.Explanation = al.explain(q, &name.f, name.alias)
	best[name.entity] = m
}

// bound is the best score a name can reach when only the query words in hit (and the assumed
// weight) meet its words fully, and each other query word meets at best one of its particles.
func (ix *Index) bound(q *form, hit uint16, assumed float64, particles int) float64 {
	num := assumed
	den := assumed
	for i := 0; i < min(len(q.tokens), 16); i++ {
		w := q.weights[i]
		switch {
		case w < 1:
		case hit&(1<<i) != 0:
			num += w
			den += w
		case particles > 0:
			particles--
			pw := (w + weightParticle) / 2
			num += pw
			den += pw
		default:
			den += w
		}
	}
	if den == 0 {
		return 1
	}
	return num / den
}

func (ix *Index) propose(s *scratch, post []int32, bit uint16) {
	for _, n := range post {
		if s.stamp[n] != s.gen {
			s.stamp[n] = s.gen
			s.hit[n] = 0
			s.cands = append(s.cands, n)
		}
		s.hit[n] |= bit
	}
}

func (e *Entity) primary() string {
	if len(e.Names) == 0 {
		return ""
	}
	return e.Names[0]
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }
