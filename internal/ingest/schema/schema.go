// Package schema knows the shape of data: the dataset kinds with their canonical fields, the
// semantic types that drive normalisation and joins, the Chinese and English header names seen
// in real exports, named mapping profiles, and the resolution of a file's header to a kind's
// fields (Resolve) or to inferred columns for a plain dataset (Infer).
//
// Kinds and profiles are data files embedded from kinds/*.yaml and profiles/*.yaml; see
// docs/kinds.md for the catalogue and for how to write a profile.
package schema

import (
	"maps"
	"slices"
)

// Data types of stored columns.
const (
	TypeText      = "text"
	TypeInteger   = "integer"
	TypeDouble    = "double"
	TypeMoney     = "money" // DECIMAL(18,2)
	TypeBoolean   = "boolean"
	TypeDate      = "date"
	TypeTimestamp = "timestamp"
)

// DataTypes lists the storage types a field may have.
func DataTypes() []string {
	return []string{TypeText, TypeInteger, TypeDouble, TypeMoney, TypeBoolean, TypeDate, TypeTimestamp}
}

// Field is one column of a kind.
type Field struct {
	Name     string            `yaml:"name"`     // snake_case English, the stored column name
	Type     string            `yaml:"type"`     // data type, one of DataTypes
	Semantic string            `yaml:"semantic"` // semantic type, one of SemanticTypes
	Required bool              `yaml:"required"`
	Title    map[string]string `yaml:"title"`    // "zh" and "en"
	Synonyms []string          `yaml:"synonyms"` // header names, best first
	Doc      string            `yaml:"doc"`

	// DateSynonyms name a date-only column which, together with the column matched by Synonyms,
	// composes this timestamp (交易日期 + 交易时间). Alone, it supplies the date.
	DateSynonyms []string `yaml:"date_synonyms,omitempty"`
	// DebitSynonyms and CreditSynonyms name split out/in columns (支出/存入, Debit/Credit) that
	// compose this signed amount when the file has no single amount column.
	DebitSynonyms  []string `yaml:"debit_synonyms,omitempty"`
	CreditSynonyms []string `yaml:"credit_synonyms,omitempty"`
	// Fallback is the field that receives a column which lost this field to a better column:
	// with both 账号 and 交易卡号, 账号 is the account and 交易卡号 becomes card_no.
	Fallback string `yaml:"fallback,omitempty"`
	// Unit is the base unit of numbers ("yuan", "second", "month"); a header naming another
	// unit, such as 金额(万元) or 时长(分钟), sets ColumnPlan.Scale.
	Unit string `yaml:"unit,omitempty"`
	// Values is the field's vocabulary: raw value → canonical value (犯罪嫌疑人 → suspect).
	// Keys are matched after normalising width, case and surrounding spaces.
	Values map[string]string `yaml:"values,omitempty"`
	// Other is the canonical value of a raw value outside Values; empty keeps the raw value.
	Other string `yaml:"other,omitempty"`
}

// Kind is a well-known dataset shape that the analytics engines understand.
type Kind struct {
	Name        string            `yaml:"name"`
	Title       map[string]string `yaml:"title"`
	Description map[string]string `yaml:"description"`
	Fields      []Field           `yaml:"fields"`
	// Fingerprint lists the fields whose values identify a row, so that a row repeated in
	// overlapping statements is recognised as a duplicate. Empty means all mapped fields.
	Fingerprint []string `yaml:"fingerprint,omitempty"`
}

// Field returns the kind's field with the given name.
func (k Kind) Field(name string) (Field, bool) {
	for _, f := range k.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FieldNames lists the names of the kind's fields in order.
func (k Kind) FieldNames() []string {
	names := make([]string, len(k.Fields))
	for i, f := range k.Fields {
		names[i] = f.Name
	}
	return names
}

// Kinds returns every built-in kind, in the order of the catalogue. The result is a copy.
func Kinds() []Kind {
	c := mustCatalog()
	out := make([]Kind, len(c.kinds))
	for i, k := range c.kinds {
		out[i] = k.clone()
	}
	return out
}

// KindByName returns the built-in kind with the given name.
func KindByName(name string) (Kind, bool) {
	c := mustCatalog()
	for _, k := range c.kinds {
		if k.Name == name {
			return k.clone(), true
		}
	}
	return Kind{}, false
}

// KindNames lists the names of the built-in kinds.
func KindNames() []string {
	c := mustCatalog()
	names := make([]string, len(c.kinds))
	for i, k := range c.kinds {
		names[i] = k.Name
	}
	return names
}

func (k Kind) clone() Kind {
	k.Title = maps.Clone(k.Title)
	k.Description = maps.Clone(k.Description)
	k.Fingerprint = slices.Clone(k.Fingerprint)
	fields := make([]Field, len(k.Fields))
	for i, f := range k.Fields {
		fields[i] = f.clone()
	}
	k.Fields = fields
	return k
}

func (f Field) clone() Field {
	f.Title = maps.Clone(f.Title)
	f.Synonyms = slices.Clone(f.Synonyms)
	f.DateSynonyms = slices.Clone(f.DateSynonyms)
	f.DebitSynonyms = slices.Clone(f.DebitSynonyms)
	f.CreditSynonyms = slices.Clone(f.CreditSynonyms)
	f.Values = maps.Clone(f.Values)
	return f
}

// Canonical maps a raw value through the field's vocabulary. It reports false when the field
// has a vocabulary and the value is outside it and the field has no Other value; the raw value
// is then returned unchanged.
func (f Field) Canonical(raw string) (string, bool) {
	if len(f.Values) == 0 {
		return raw, true
	}
	if v, ok := f.Values[normValue(raw)]; ok {
		return v, true
	}
	if f.Other != "" {
		return f.Other, true
	}
	return raw, false
}

func (f Field) title(lang string) string {
	if t := f.Title[lang]; t != "" {
		return t
	}
	return f.Name
}
