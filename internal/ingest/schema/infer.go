package schema

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Infer works out the columns of a plain dataset (one without a kind): each column becomes a
// field named after its sanitised header, with a data type and a semantic type taken from the
// header (when it is a known synonym and the values agree) and from the sample values. A type
// holds only when every non-blank sampled value has it; "", "-", "--", "null", "N/A" are blank.
// Pass a few hundred rows: more cost time, fewer miss the odd value.
//
// overrides maps a column (header text, 1-based number or sanitised name) to "type",
// "type:semantic" or a semantic type alone ("phone"): for example {"备注": "text",
// "3": "text:account", "手机": "phone"}.
func Infer(header []string, sample [][]string, overrides map[string]string) (Mapping, error) {
	if len(header) == 0 {
		return Mapping{}, errorf(ErrNoMatch, "the file has no columns; check the header row and the delimiter")
	}
	hints := headerHints()
	m := Mapping{}
	taken := map[string]bool{}
	for i, h := range header {
		st := columnStats(sample, i)
		typ, sem := st.decide()
		if hint, ok := lookupHint(hints, keyOf(h)); ok {
			typ, sem = hint.apply(st, typ, sem)
			if w := st.hintMiss(h, hint, typ); w != "" {
				m.Warnings = append(m.Warnings, w)
			}
		} else if w := st.nearMiss(h, typ); w != "" {
			m.Warnings = append(m.Warnings, w)
		}
		p := newPlan(Field{
			Name: uniqueName(sanitizeName(h, i), taken), Type: typ, Semantic: sem,
			Title: map[string]string{"zh": h, "en": h},
		})
		p.Source, p.Header, p.Match = i, h, "inferred"
		m.Columns = append(m.Columns, *p)
	}
	for _, col := range slices.Sorted(maps.Keys(overrides)) {
		if err := overrideType(&m, header, col, overrides[col]); err != nil {
			return Mapping{}, err
		}
	}
	for _, p := range m.Columns {
		m.Fingerprint = append(m.Fingerprint, p.Field.Name)
	}
	return m, nil
}

// stats summarises the sampled values of one column.
type stats struct {
	n           int        // non-blank values
	cls         valueClass // shapes every value has
	counts      [32]int    // values per shape bit
	firstMiss   [32]string // first value without the shape
	maxDecimals int        // most digits after the decimal point
}

func columnStats(sample [][]string, col int) stats {
	st := stats{cls: ^valueClass(0)}
	for _, row := range sample {
		if col >= len(row) {
			continue
		}
		v := strings.TrimSpace(row[col])
		if isBlank(v) {
			continue
		}
		c := classify(v)
		st.n++
		st.cls &= c
		for b := 0; b < 32; b++ {
			if c&(1<<b) != 0 {
				st.counts[b]++
			} else if st.firstMiss[b] == "" {
				st.firstMiss[b] = v
			}
		}
		if c&clsDecimal != 0 {
			s, _ := stripMoney(v)
			if dot := strings.IndexByte(s, '.'); dot >= 0 {
				st.maxDecimals = max(st.maxDecimals, len(s)-dot-1)
			}
		}
	}
	if st.n == 0 {
		st.cls = 0
	}
	return st
}

func isBlank(v string) bool {
	switch strings.ToLower(v) {
	case "", "-", "--", "—", "null", "none", "n/a", "na", "nan", "\\n":
		return true
	}
	return false
}

// decide picks a data type and semantic type from the values alone.
func (st stats) decide() (typ, sem string) {
	c := st.cls
	switch {
	case st.n == 0:
		return TypeText, SemText
	case c&clsInteger != 0 && c&clsDate == 0 && c&(clsIDNumber|clsUSCC|clsPhone|clsBankCard|clsIMSI|clsIMEI) == 0:
		return TypeInteger, SemInteger
	}
	for _, ic := range identifierClasses {
		if c&ic.cls != 0 {
			return TypeText, ic.semantic
		}
	}
	switch {
	case c&clsDate != 0:
		return TypeDate, SemDate
	case c&clsTimestamp != 0:
		return TypeTimestamp, SemTimestamp
	case c&clsBool != 0:
		return TypeBoolean, SemFlag
	case c&clsMoney != 0:
		return TypeMoney, SemAmount
	case c&clsDecimal != 0:
		return TypeDouble, SemNumber
	}
	return TypeText, SemText
}

// nearMiss explains a column kept as text although nearly all values share a shape, so the
// user can fix the odd cell or override the type.
func (st stats) nearMiss(header, typ string) string {
	if typ != TypeText || st.n < 10 {
		return ""
	}
	for _, probe := range []struct {
		cls  valueClass
		name string
	}{{clsInteger, TypeInteger}, {clsDecimal, TypeDouble}, {clsTimestamp, TypeTimestamp}} {
		b := bits.TrailingZeros32(uint32(probe.cls))
		if st.counts[b]*10 >= st.n*9 {
			return fmt.Sprintf("column %q is kept as text: %d of %d sampled values are %s but %q is not; fix that cell or override with %q",
				header, st.counts[b], st.n, probe.name, st.firstMiss[b], header+"="+probe.name)
		}
	}
	return ""
}

// hintMiss explains a column whose header names a date, time or number but whose values do
// not all have that shape.
func (st stats) hintMiss(header string, h hint, typ string) string {
	want := map[string]valueClass{TypeDate: clsTimestamp, TypeTimestamp: clsTimestamp, TypeMoney: clsDecimal, TypeDouble: clsDecimal, TypeInteger: clsInteger}[h.typ]
	if want == 0 || st.cls&want != 0 || st.n == 0 || typ == h.typ {
		return ""
	}
	b := bits.TrailingZeros32(uint32(want))
	return fmt.Sprintf("column %q is named like a %s column, but %q (and %d of %d sampled values) is not one; it is stored as %s. Fix those cells or override with %q",
		header, h.typ, st.firstMiss[b], st.n-st.counts[b], st.n, typ, header+"="+h.typ)
}

// hint is what a known header name says about its column.
type hint struct {
	typ, semantic string // typ is empty when kinds disagree (金额 is money in one, double in another)
}

// apply combines the header's hint with the values: identifier and name semantics from the
// header win (the values are validated later by the importer); a numeric or time hint holds
// only when the values have that shape.
func (h hint) apply(st stats, typ, sem string) (string, string) {
	c := st.cls
	switch h.typ {
	case TypeText:
		if h.semantic == SemText {
			return typ, sem
		}
		return TypeText, h.semantic
	case TypeMoney, TypeDouble, "":
		if h.semantic != SemAmount || st.n > 0 && c&clsDecimal == 0 {
			return typ, sem
		}
		if st.maxDecimals <= 2 && h.typ != TypeDouble {
			return TypeMoney, SemAmount
		}
		return TypeDouble, SemAmount
	case TypeInteger:
		if st.n == 0 || c&clsInteger != 0 {
			return TypeInteger, h.semantic
		}
	case TypeDate, TypeTimestamp:
		if st.n == 0 {
			return h.typ, h.semantic
		}
		if c&clsDate != 0 {
			return TypeDate, SemDate
		}
		if c&clsTimestamp != 0 {
			return TypeTimestamp, SemTimestamp
		}
	case TypeBoolean:
		if st.n == 0 || c&clsBool != 0 {
			return TypeBoolean, SemFlag
		}
	}
	return typ, sem
}

// headerHints collects every synonym of every kind with its field's types; a synonym whose
// fields disagree on the semantic type says nothing.
var headerHints = sync.OnceValue(func() map[string]hint {
	out := map[string]hint{}
	conflict := map[string]bool{}
	add := func(s string, h hint) {
		k := keyOf(s).full
		if prev, ok := out[k]; ok {
			if prev.semantic != h.semantic {
				conflict[k] = true
			} else if prev.typ != h.typ {
				out[k] = hint{"", h.semantic}
			}
			return
		}
		out[k] = h
	}
	for _, k := range mustCatalog().kinds {
		for _, f := range k.Fields {
			for _, s := range f.Synonyms {
				add(s, hint{f.Type, f.Semantic})
			}
			for _, s := range f.DateSynonyms {
				add(s, hint{TypeDate, SemDate})
			}
			for _, s := range slices.Concat(f.DebitSynonyms, f.CreditSynonyms) {
				add(s, hint{f.Type, f.Semantic})
			}
		}
	}
	for k := range conflict {
		delete(out, k)
	}
	return out
})

func lookupHint(hints map[string]hint, k headerKey) (hint, bool) {
	if h, ok := hints[k.full]; ok {
		return h, true
	}
	h, ok := hints[k.base]
	return h, ok
}

// overrideType applies one user override "column=type[:semantic]" to an inferred mapping.
func overrideType(m *Mapping, header []string, col, spec string) error {
	idx := -1
	for i, h := range header {
		if h == col || m.Columns[i].Field.Name == col {
			idx = i
			break
		}
	}
	if idx < 0 {
		if n, err := strconv.Atoi(strings.TrimSpace(col)); err == nil && n >= 1 && n <= len(header) {
			idx = n - 1
		}
	}
	if idx < 0 {
		k := keyOf(col)
		for i := range header {
			if k.full != "" && keyOf(header[i]).full == k.full {
				idx = i
				break
			}
		}
	}
	if idx < 0 {
		return errorf(ErrUnknownColumn, "type override %s=%s: the file has no column %q; give its header text or its 1-based number. The file's columns are: %s",
			col, spec, col, numberedColumns(header))
	}
	typ, sem, err := parseTypeSpec(spec)
	if err != nil {
		return fmt.Errorf("type override %s=%s: %w", col, spec, err)
	}
	f := &m.Columns[idx].Field
	f.Type, f.Semantic = typ, sem
	m.Columns[idx].Match = "override"
	return nil
}

var defaultSemantic = map[string]string{
	TypeText: SemText, TypeInteger: SemInteger, TypeDouble: SemNumber, TypeMoney: SemAmount,
	TypeBoolean: SemFlag, TypeDate: SemDate, TypeTimestamp: SemTimestamp,
}

// parseTypeSpec reads "type", "type:semantic" or "semantic".
func parseTypeSpec(spec string) (typ, sem string, err error) {
	spec = strings.ToLower(strings.TrimSpace(spec))
	typ, sem, hasSem := strings.Cut(spec, ":")
	typ, sem = strings.TrimSpace(typ), strings.TrimSpace(sem)
	if !hasSem && !validDataType(typ) {
		if s, ok := SemanticByName(typ); ok {
			return s.Types[0], s.Name, nil
		}
	}
	if !validDataType(typ) {
		return "", "", errorf(ErrBadType, "%q is neither a data type (%s) nor a semantic type (%s)",
			typ, strings.Join(DataTypes(), ", "), strings.Join(semanticNames(), ", "))
	}
	if !hasSem || sem == "" {
		return typ, defaultSemantic[typ], nil
	}
	s, ok := SemanticByName(sem)
	if !ok {
		return "", "", errorf(ErrBadType, "%q is not a semantic type; semantic types are: %s", sem, strings.Join(semanticNames(), ", "))
	}
	if !slices.Contains(s.Types, typ) {
		return "", "", errorf(ErrBadType, "semantic type %s cannot be stored as %s; use %s", sem, typ, strings.Join(s.Types, " or "))
	}
	return typ, sem, nil
}

func semanticNames() []string {
	out := make([]string, len(semanticTypes))
	for i, s := range semanticTypes {
		out[i] = s.Name
	}
	return out
}
