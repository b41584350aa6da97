package schema

import "strings"

// ColumnPlan says how one stored column gets its value from a record of the file. Indexes
// are 0-based positions in the header; -1 means unused.
type ColumnPlan struct {
	// Field is the target column: a kind field, or for extra and plain columns an inferred
	// text field whose Name is the sanitised header.
	Field Field
	// Source is the header index of the value, -1 when the value is composed from others.
	Source int
	// DateFrom and TimeFrom compose a timestamp from a date column and a time column.
	DateFrom, TimeFrom int
	// Debit and Credit compose a signed amount from split out/in columns:
	// amount = |credit| - |debit|.
	Debit, Credit int
	// DirectionFrom is the header index of the direction flag that gives an unsigned amount
	// its sign. It is always also the Source of the direction plan, whose Direction method
	// reads it.
	DirectionFrom int
	// Sign is -1 (out) or +1 (in) when every amount of the file flows one way and is
	// stored as Sign·|value| (a profile's sign option); 0 applies the sign rule of docs/kinds.md.
	Sign int
	// Scale multiplies numbers read for this column, from a unit in the header such as
	// 金额(万元) (10000) or 时长(分钟) (60); 0 means 1.
	Scale float64
	// Values is the profile's value map (normalised raw → canonical), consulted before the
	// field's own vocabulary.
	Values map[string]string
	// Header is the header text the value comes from ("交易日期+交易时间" when composed).
	Header string
	// Match says how the column was found: profile, override, synonym, partial (the header
	// contains a synonym; a warning says so), fallback, extra or inferred.
	Match string
}

// Canonical maps a raw value through the profile's value map, then the field's vocabulary.
func (p ColumnPlan) Canonical(raw string) (string, bool) {
	if v, ok := p.Values[normValue(raw)]; ok {
		return v, true
	}
	return p.Field.Canonical(raw)
}

// Direction reads a direction flag of this column: the profile's value map first (which may
// map "0" to "out"), then ParseDirection.
func (p ColumnPlan) Direction(raw string) (sign int, ok bool) {
	if v, ok := p.Values[normValue(raw)]; ok {
		switch v {
		case DirectionIn:
			return 1, true
		case DirectionOut:
			return -1, true
		}
		return ParseDirection(v)
	}
	return ParseDirection(raw)
}

// Sources lists the header indexes whose values this plan reads (not DirectionFrom, which
// belongs to the direction plan).
func (p ColumnPlan) Sources() []int {
	var out []int
	for _, i := range []int{p.Source, p.DateFrom, p.TimeFrom, p.Debit, p.Credit} {
		if i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

// Mapping is the plan for importing one file: every header index is read by exactly one
// plan of Columns, or kept as an extra text column.
type Mapping struct {
	Kind    string // empty for a plain dataset
	Profile string // the profile used, if any
	// Columns lists the mapped kind fields in the kind's order (for Infer: every column).
	Columns []ColumnPlan
	// Extra lists header indexes that no field takes; they are kept as text columns so
	// that nothing the sender delivered is dropped.
	Extra []int
	// ExtraColumns are the plans of Extra, in the same order: text fields named after their
	// header, unique and distinct from the kind's field names.
	ExtraColumns []ColumnPlan
	// Fingerprint names the mapped fields that identify a row for duplicate detection.
	Fingerprint []string
	Warnings    []string
}

// Plan returns the plan of the named field.
func (m Mapping) Plan(field string) (ColumnPlan, bool) {
	for _, p := range m.Columns {
		if p.Field.Name == field {
			return p, true
		}
	}
	return ColumnPlan{}, false
}

// String summarises the mapping for logs and the CLI: "amount←交易金额, time←交易日期+交易时间".
func (m Mapping) String() string {
	parts := make([]string, 0, len(m.Columns)+1)
	for _, p := range m.Columns {
		parts = append(parts, p.Field.Name+"←"+p.Header)
	}
	if len(m.ExtraColumns) > 0 {
		names := make([]string, len(m.ExtraColumns))
		for i, p := range m.ExtraColumns {
			names[i] = p.Field.Name
		}
		parts = append(parts, "extra: "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

func newPlan(f Field) *ColumnPlan {
	return &ColumnPlan{Field: f, Source: -1, DateFrom: -1, TimeFrom: -1, Debit: -1, Credit: -1, DirectionFrom: -1}
}
