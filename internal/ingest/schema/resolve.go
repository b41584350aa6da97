package schema

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

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
	r.matchFieldNames()
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

// matchFieldNames maps a column whose header is exactly a field's name (as in canonical files
// that procura and procura synth write) to that field, before any synonym can claim it.
func (r *resolver) matchFieldNames() {
	for _, f := range r.kind.Fields {
		if _, done := r.plans[f.Name]; done {
			continue
		}
		for i, h := range r.header {
			if r.owner[i] == "" && strings.TrimSpace(h) == f.Name {
				r.single(f.Name, i, "name")
				break
			}
		}
	}
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
