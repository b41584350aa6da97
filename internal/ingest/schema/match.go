package schema

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Match qualities of a header against a synonym, best last.
const (
	matchPartial = 1 // the header contains the synonym as whole words ("本方交易卡号" ⊃ "交易卡号")
	matchBase    = 2 // equal once bracketed text is dropped ("交易金额(元)" = "交易金额")
	matchExact   = 3 // equal after folding width, case, spaces and punctuation
)

// target is what a header can be matched to: a field, or the date, debit or credit part of one.
type target struct {
	field    Field
	part     string // "", "date", "debit" or "credit"
	synonyms []string
	keys     []headerKey // keys of synonyms, computed once per catalogue
}

func (t target) label() string {
	if t.part == "" {
		return t.field.Name
	}
	return t.field.Name + " (" + t.part + " column)"
}

func targetsOf(k Kind) []target {
	var out []target
	add := func(f Field, part string, synonyms []string) {
		keys := make([]headerKey, len(synonyms))
		for i, s := range synonyms {
			keys[i] = keyOf(s)
		}
		out = append(out, target{f, part, synonyms, keys})
	}
	for _, f := range k.Fields {
		add(f, "", f.Synonyms)
		if len(f.DateSynonyms) > 0 {
			add(f, "date", f.DateSynonyms)
		}
		if len(f.DebitSynonyms) > 0 {
			add(f, "debit", f.DebitSynonyms)
		}
		if len(f.CreditSynonyms) > 0 {
			add(f, "credit", f.CreditSynonyms)
		}
	}
	return out
}

// counterpartyMarkers are words that put a header on the other side of a transaction; a
// header carrying one never partially matches a field of the account holder ("对方户名"
// contains "户名" but is not the holder's name).
var counterpartyMarkers = [][]string{
	{"对", "方"}, {"对", "手"}, {"counterparty"}, {"opposite"}, {"contra"}, {"beneficiary"}, {"payee"},
}

func hasCounterpartyMarker(k headerKey) bool {
	for _, m := range counterpartyMarkers {
		if containsTokens(k.tokens, m) {
			return true
		}
	}
	return false
}

// synMatch is the best match of one header against one target.
type synMatch struct {
	quality int
	rank    int // position of the synonym in the target's list: earlier is better
	length  int // length of the synonym key: longer is more specific
	synonym string
}

func matchTarget(h headerKey, t target, guardCounterparty bool) (synMatch, bool) {
	var best synMatch
	found := false
	for rank, s := range t.synonyms {
		sk := t.keys[rank]
		q := 0
		switch {
		case h.full == sk.full:
			q = matchExact
		case h.base == sk.base:
			q = matchBase
		case len([]rune(sk.base)) >= 2 && containsTokens(h.tokens, sk.tokens):
			if guardCounterparty && !strings.HasPrefix(t.field.Name, "counterparty_") && hasCounterpartyMarker(h) {
				continue
			}
			q = matchPartial
		default:
			continue
		}
		m := synMatch{q, rank, len(sk.base), s}
		if !found || better(m, best) {
			best, found = m, true
		}
	}
	return best, found
}

func better(a, b synMatch) bool {
	if a.quality != b.quality {
		return a.quality > b.quality
	}
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.length > b.length
}

type candidate struct {
	target   target
	col      int
	match    synMatch
	fallback bool // moved to the target field's Fallback after losing the field
}

// matchSynonyms fills the fields that the profile and overrides left, greedily by match
// quality: the best (column, field) pair first, each column and field used once.
func (r *resolver) matchSynonyms() {
	guard := false
	for _, f := range r.kind.Fields {
		guard = guard || strings.HasPrefix(f.Name, "counterparty_")
	}
	var cands []candidate
	for _, t := range r.targets {
		if r.locked[t.field.Name] || r.plans[t.field.Name] != nil {
			continue
		}
		for i := range r.header {
			if r.owner[i] != "" {
				continue
			}
			if m, ok := matchTarget(r.keys[i], t, guard); ok {
				cands = append(cands, candidate{target: t, col: i, match: m})
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if better(a.match, b.match) {
			return -1
		}
		if better(b.match, a.match) {
			return 1
		}
		return cmp.Compare(a.col, b.col)
	})

	won := map[string]candidate{} // target label → winning candidate
	colUsed := make([]bool, len(r.header))
	firstLoss := map[int]candidate{} // column → the best target it lost
	for _, c := range cands {
		if colUsed[c.col] {
			continue
		}
		label := c.target.label()
		if _, taken := won[label]; !taken {
			won[label] = c
			colUsed[c.col] = true
			continue
		}
		if fb := c.target.field.Fallback; c.target.part == "" && fb != "" && r.free(fb, won) {
			fc := c
			fc.target = target{field: r.field(fb)}
			fc.fallback = true
			won[fb] = fc
			colUsed[c.col] = true
			r.warnf("column %q also looks like %s (synonym %q), which column %q supplies better; it is read as %s",
				r.header[c.col], c.target.field.Name, c.match.synonym, r.header[won[label].col], fb)
			continue
		}
		if _, seen := firstLoss[c.col]; !seen {
			firstLoss[c.col] = c
		}
	}
	r.install(won)
	for _, col := range slices.Sorted(maps.Keys(firstLoss)) {
		if r.owner[col] != "" {
			continue
		}
		c := firstLoss[col]
		winner := "another column"
		if w, ok := won[c.target.label()]; ok {
			winner = strconv.Quote(r.header[w.col])
		}
		r.warnf("column %q also looks like %s (synonym %q), but %s matches it better; %q is kept as an extra column",
			r.header[col], c.target.label(), c.match.synonym, winner, r.header[col])
	}
}

func (r *resolver) free(field string, won map[string]candidate) bool {
	_, taken := won[field]
	return !taken && !r.locked[field] && r.plans[field] == nil
}

// install turns the winning candidates into plans, composing date+time and debit/credit parts.
func (r *resolver) install(won map[string]candidate) {
	for _, f := range r.kind.Fields {
		whole, hasWhole := won[f.Name]
		date, hasDate := won[target{field: f, part: "date"}.label()]
		debit, hasDebit := won[target{field: f, part: "debit"}.label()]
		credit, hasCredit := won[target{field: f, part: "credit"}.label()]
		hasSplit := hasDebit || hasCredit
		how := func(c candidate) string {
			if c.match.quality == matchPartial {
				r.warnf("column %q is read as %s (%s / %s) because it contains the synonym %q; if that is wrong, use --map %s=<column> or --map %s= to leave it unmapped",
					r.header[c.col], f.Name, f.title("zh"), f.title("en"), c.match.synonym, f.Name, f.Name)
				return "partial"
			}
			if c.fallback {
				return "fallback"
			}
			return "synonym"
		}
		switch {
		case hasDate && hasWhole:
			r.composedTime(f.Name, date.col, whole.col, worst(how(date), how(whole)))
		case hasDate:
			r.single(f.Name, date.col, how(date))
			r.warnf("field %s is read from the date column %q alone: the file has no time column, so times are midnight", f.Name, r.header[date.col])
		case hasSplit && (!hasWhole || whole.match.quality == matchPartial && max(debit.match.quality, credit.match.quality) > matchPartial):
			if hasWhole {
				r.warnf("column %q is kept as an extra column: field %s is composed from the out/in columns", r.header[whole.col], f.Name)
			}
			d, c, m := -1, -1, "synonym"
			if hasDebit {
				d, m = debit.col, worst(m, how(debit))
			}
			if hasCredit {
				c, m = credit.col, worst(m, how(credit))
			}
			r.splitAmount(f.Name, d, c, m)
			if !hasDebit || !hasCredit {
				r.warnf("field %s is composed from %q alone; the file has no matching %s column", f.Name, r.plans[f.Name].Header, map[bool]string{true: "in (credit)", false: "out (debit)"}[hasDebit])
			}
		case hasWhole:
			r.single(f.Name, whole.col, how(whole))
			if hasSplit {
				r.warnf("out/in columns %s are kept as extra columns: field %s is read from %q", quotedCols(r.header, debit, credit, hasDebit, hasCredit), f.Name, r.header[whole.col])
			}
		}
	}
}

func quotedCols(header []string, debit, credit candidate, hasDebit, hasCredit bool) string {
	var out []string
	if hasDebit {
		out = append(out, strconv.Quote(header[debit.col]))
	}
	if hasCredit {
		out = append(out, strconv.Quote(header[credit.col]))
	}
	return strings.Join(out, " and ")
}

// worst returns the weaker of two match descriptions, for a plan composed of two columns.
func worst(a, b string) string {
	if a == "partial" || b == "partial" {
		return "partial"
	}
	return a
}

// unitScales gives, per base unit of a field, the factor of each unit a header may name in
// brackets; units that equal the base unit are listed so that they are recognised, not scaled.
var unitScales = map[string]map[string]float64{
	"yuan": {"元": 1, "人民币": 1, "人民币元": 1, "rmb": 1, "cny": 1, "yuan": 1, "¥": 1,
		"角": 0.1, "分": 0.01, "千元": 1e3, "万": 1e4, "万元": 1e4, "百万元": 1e6, "亿元": 1e8},
	"second": {"秒": 1, "秒钟": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
		"分": 60, "分钟": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
		"时": 3600, "小时": 3600, "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600},
	"month": {"月": 1, "个月": 1, "month": 1, "months": 1, "年": 12, "year": 12, "years": 12},
}

// setScale reads a unit from the header's brackets ("金额(万元)") and records its factor.
func (r *resolver) setScale(p *ColumnPlan) {
	idx := p.Source
	if idx < 0 {
		idx = max(p.Debit, p.Credit)
	}
	if p.Field.Unit == "" || idx < 0 {
		return
	}
	if s, ok := unitScales[p.Field.Unit][r.keys[idx].unit]; ok && s != 1 {
		p.Scale = s
		r.warnf("column %q gives %s in %s: values are multiplied by %g to store %s", r.header[idx], p.Field.Name, r.keys[idx].unit, s, p.Field.Unit)
	}
}
