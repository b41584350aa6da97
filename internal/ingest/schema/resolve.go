package schema

import (
	"cmp"
	"fmt"
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

// Resolve maps a file's header to the fields of a kind. The profile (optional) is applied
// first; overrides (field → header text or 1-based column number; "" leaves the field
// unmapped; "日期+时间" composes a timestamp, "贷方-借方" a signed amount) replace what it
// chose; synonyms fill the remaining fields, exact matches before bracket-free matches before
// partial ones (which are warned about). Columns no field takes are kept as extra text columns.
//
// A missing required field is a *MissingFieldError; an override naming an unknown field or
// column is an error listing the valid ones.
func Resolve(header []string, kind string, profile *Profile, overrides map[string]string) (Mapping, error) {
	if profile != nil {
		if kind == "" {
			kind = profile.Kind
		} else if kind != profile.Kind {
			return Mapping{}, errorf(ErrUnknownKind, "profile %s is for kind %s, not %s; choose another profile or kind", profile.Name, profile.Kind, kind)
		}
	}
	k, ok := KindByName(kind)
	if !ok {
		return Mapping{}, errorf(ErrUnknownKind, "kind %q is unknown; kinds are: %s", kind, strings.Join(KindNames(), ", "))
	}
	r := newResolver(header, k)
	r.targets = mustCatalog().targets[k.Name]
	if profile != nil {
		r.applyProfile(profile)
	}
	for _, field := range slices.Sorted(maps.Keys(overrides)) {
		if err := r.override(field, overrides[field]); err != nil {
			return Mapping{}, err
		}
	}
	r.matchSynonyms()
	r.linkDirection()
	if err := r.checkRequired(); err != nil {
		return Mapping{}, err
	}
	m := r.mapping()
	if profile != nil {
		m.Profile = profile.Name
	}
	return m, nil
}

type resolver struct {
	kind     Kind
	header   []string
	keys     []headerKey
	plans    map[string]*ColumnPlan
	owner    []string        // per header index: the field reading it, "" if none
	locked   map[string]bool // fields fixed by the profile or an override
	profile  *Profile
	targets  []target // the kind's synonym targets, shared read-only with the catalogue
	warnings []string
}

func newResolver(header []string, k Kind) *resolver {
	r := &resolver{
		kind:   k,
		header: header,
		keys:   make([]headerKey, len(header)),
		plans:  map[string]*ColumnPlan{},
		owner:  make([]string, len(header)),
		locked: map[string]bool{},
	}
	for i, h := range header {
		r.keys[i] = keyOf(h)
	}
	return r
}

func (r *resolver) warnf(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

func (r *resolver) field(name string) Field {
	f, _ := r.kind.Field(name)
	return f
}

// release unmaps a field and frees the columns it read.
func (r *resolver) release(field string) {
	p, ok := r.plans[field]
	if !ok {
		return
	}
	for _, i := range p.Sources() {
		r.owner[i] = ""
	}
	delete(r.plans, field)
}

// take frees column idx for a new owner and returns the field that lost it, if any.
func (r *resolver) take(idx int) string {
	prev := r.owner[idx]
	if prev != "" {
		r.release(prev)
	}
	return prev
}

// set installs a plan for field, reading the given columns, replacing any earlier plan.
func (r *resolver) set(field string, how string, fill func(p *ColumnPlan)) *ColumnPlan {
	r.release(field)
	p := newPlan(r.field(field))
	fill(p)
	p.Match = how
	for _, i := range p.Sources() {
		r.owner[i] = field
	}
	switch {
	case p.Source >= 0:
		p.Header = r.header[p.Source]
	case p.DateFrom >= 0 || p.TimeFrom >= 0:
		p.Header = strings.Trim(r.headerAt(p.DateFrom)+"+"+r.headerAt(p.TimeFrom), "+")
	default:
		p.Header = strings.TrimSuffix(r.headerAt(p.Credit)+"-"+r.headerAt(p.Debit), "-")
	}
	r.setScale(p)
	r.plans[field] = p
	return p
}

func (r *resolver) headerAt(i int) string {
	if i < 0 {
		return ""
	}
	return r.header[i]
}

func (r *resolver) single(field string, idx int, how string) *ColumnPlan {
	return r.set(field, how, func(p *ColumnPlan) { p.Source = idx })
}

func (r *resolver) composedTime(field string, date, tm int, how string) *ColumnPlan {
	return r.set(field, how, func(p *ColumnPlan) { p.DateFrom, p.TimeFrom = date, tm })
}

func (r *resolver) splitAmount(field string, debit, credit int, how string) *ColumnPlan {
	return r.set(field, how, func(p *ColumnPlan) { p.Debit, p.Credit = debit, credit })
}

// find locates a column by header text: the exact text, then (if allowed) a 1-based column
// number, then the folded text, then the text without brackets. Free columns are preferred
// over columns already read by a field.
func (r *resolver) find(text string, allowNumber bool) (int, bool) {
	pick := func(match func(i int) bool) (int, bool) {
		first := -1
		for i := range r.header {
			if match(i) {
				if r.owner[i] == "" {
					return i, true
				}
				if first < 0 {
					first = i
				}
			}
		}
		return first, first >= 0
	}
	if i, ok := pick(func(i int) bool { return r.header[i] == text }); ok {
		return i, true
	}
	if allowNumber {
		if n, err := strconv.Atoi(strings.TrimSpace(text)); err == nil && n >= 1 && n <= len(r.header) {
			return n - 1, true
		}
	}
	k := keyOf(text)
	if k.full == "" {
		return -1, false
	}
	if i, ok := pick(func(i int) bool { return r.keys[i].full == k.full }); ok {
		return i, true
	}
	return pick(func(i int) bool { return r.keys[i].base == k.base })
}

// findFree is find restricted to columns no field reads yet.
func (r *resolver) findFree(text string) (int, bool) {
	i, ok := r.find(text, false)
	if !ok || r.owner[i] != "" {
		return -1, false
	}
	return i, true
}

func (r *resolver) applyProfile(p *Profile) {
	r.profile = p
	var missing []string // the profile's headers this file lacks
	for _, f := range r.kind.Fields {
		name := f.Name
		if h, ok := p.Columns[name]; ok {
			if i, ok := r.findFree(h); ok {
				r.single(name, i, "profile")
				r.locked[name] = true
			} else {
				missing = append(missing, strconv.Quote(h)+" ("+name+")")
			}
		}
		if dt, ok := p.DateTime[name]; ok {
			d, okD := r.findFree(dt.Date)
			t, okT := r.findFree(dt.Time)
			switch {
			case okD && okT:
				r.composedTime(name, d, t, "profile")
			case okD:
				r.single(name, d, "profile")
				missing = append(missing, strconv.Quote(dt.Time)+" (time of "+name+")")
			case okT:
				r.single(name, t, "profile")
				missing = append(missing, strconv.Quote(dt.Date)+" (date of "+name+")")
			default:
				missing = append(missing, strconv.Quote(dt.Date)+"+"+strconv.Quote(dt.Time)+" ("+name+")")
			}
			r.locked[name] = okD || okT
		}
		if sp, ok := p.Split[name]; ok {
			d, okD := r.findFree(sp.Debit)
			c, okC := r.findFree(sp.Credit)
			if okD || okC {
				r.splitAmount(name, d, c, "profile")
				r.locked[name] = true
			}
			if sp.Debit != "" && !okD {
				missing = append(missing, strconv.Quote(sp.Debit)+" (out column of "+name+")")
			}
			if sp.Credit != "" && !okC {
				missing = append(missing, strconv.Quote(sp.Credit)+" (in column of "+name+")")
			}
		}
	}
	if len(missing) > 0 {
		r.warnf("profile %s expects columns this file lacks: %s; those fields are looked for by synonyms", p.Name, strings.Join(missing, ", "))
	}
}

// override applies one --map field=column.
func (r *resolver) override(field, value string) error {
	f, ok := r.kind.Field(field)
	if !ok {
		msg := fmt.Sprintf("--map %s=%s: %q is not a field of kind %s", field, value, field, r.kind.Name)
		if near, ok := closest(field, r.kind.FieldNames()); ok {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		return errorf(ErrUnknownField, "%s; fields are: %s", msg, strings.Join(r.kind.FieldNames(), ", "))
	}
	if strings.TrimSpace(value) == "" {
		r.release(field)
		r.locked[field] = true
		return nil
	}
	claim := func(idx int) {
		if prev := r.take(idx); prev != "" && prev != field {
			r.warnf("--map %s=%s takes column %q away from field %s", field, value, r.header[idx], prev)
		}
	}
	if i, ok := r.find(value, true); ok {
		claim(i)
		r.single(field, i, "override")
		r.locked[field] = true
		return nil
	}
	// "交易日期+交易时间" composes a timestamp; "贷方发生额-借方发生额" a signed amount.
	for i, c := range value {
		var sep rune
		switch {
		case c == '+' && f.Type == TypeTimestamp:
			sep = '+'
		case c == '-' && f.Semantic == SemAmount:
			sep = '-'
		default:
			continue
		}
		a, okA := r.find(value[:i], true)
		b, okB := r.find(value[i+1:], true)
		if !okA || !okB || a == b {
			continue
		}
		claim(a)
		claim(b)
		if sep == '+' {
			r.composedTime(field, a, b, "override")
		} else {
			r.splitAmount(field, b, a, "override")
		}
		r.locked[field] = true
		return nil
	}
	return errorf(ErrUnknownColumn, "--map %s=%s: the file has no column %q; give its header text or its 1-based number. The file's columns are: %s",
		field, value, value, numberedColumns(r.header))
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

// linkDirection applies the sign rule's inputs: the direction flag column of an unsigned
// amount, the profile's fixed sign and the profile's value maps.
func (r *resolver) linkDirection() {
	amount, dir := r.plans["amount"], r.plans["direction"]
	if amount != nil && dir != nil && amount.Source >= 0 && dir.Source >= 0 {
		amount.DirectionFrom = dir.Source
	}
	if r.profile == nil {
		return
	}
	for field, s := range r.profile.Sign {
		if p := r.plans[field]; p != nil {
			p.Sign = map[string]int{DirectionIn: 1, DirectionOut: -1}[s]
			if p.DirectionFrom >= 0 {
				r.warnf("profile %s says every %s flows %s, but the file also has the direction column %q; the column is ignored for the sign", r.profile.Name, field, s, r.header[p.DirectionFrom])
				p.DirectionFrom = -1
			}
		}
	}
	for field, m := range r.profile.Values {
		if p := r.plans[field]; p != nil {
			// Keys are normalised again: a profile built in code has not been through the loader.
			p.Values = make(map[string]string, len(m))
			for raw, canon := range m {
				p.Values[normValue(raw)] = canon
			}
		}
	}
}

func (r *resolver) checkRequired() error {
	var missing []Field
	for _, f := range r.kind.Fields {
		if f.Required && r.plans[f.Name] == nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return &MissingFieldError{Kind: r.kind.Name, Fields: missing, Header: slices.Clone(r.header)}
	}
	if len(r.plans) == 0 {
		return errorf(ErrNoMatch, "no column of the file matches a field of kind %s; the file's columns are: %s. Map columns with --map <field>=<column> (fields: %s), or import it as a plain dataset",
			r.kind.Name, numberedColumns(r.header), strings.Join(r.kind.FieldNames(), ", "))
	}
	return nil
}

func (r *resolver) mapping() Mapping {
	m := Mapping{Kind: r.kind.Name, Warnings: r.warnings}
	mapped := map[string]bool{}
	for _, f := range r.kind.Fields {
		if p := r.plans[f.Name]; p != nil {
			m.Columns = append(m.Columns, *p)
			mapped[f.Name] = true
		}
	}
	taken := map[string]bool{}
	for _, f := range r.kind.Fields {
		taken[f.Name] = true
	}
	for i := range r.header {
		if r.owner[i] != "" {
			continue
		}
		m.Extra = append(m.Extra, i)
		m.ExtraColumns = append(m.ExtraColumns, extraPlan(r.header[i], i, taken))
	}
	for _, name := range r.kind.Fingerprint {
		if mapped[name] {
			m.Fingerprint = append(m.Fingerprint, name)
		}
	}
	if len(m.Fingerprint) == 0 {
		for _, p := range m.Columns {
			m.Fingerprint = append(m.Fingerprint, p.Field.Name)
		}
	}
	return m
}

// extraPlan keeps a column no field takes as a text column named after its header.
func extraPlan(header string, i int, taken map[string]bool) ColumnPlan {
	name := uniqueName(sanitizeName(header, i), taken)
	p := newPlan(Field{
		Name: name, Type: TypeText, Semantic: SemText,
		Title: map[string]string{"zh": header, "en": header},
	})
	p.Source = i
	p.Header = header
	p.Match = "extra"
	return *p
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
