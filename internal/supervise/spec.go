// Package supervise runs big-data legal supervision models: declarative YAML definitions that
// join datasets of different agencies on strong keys, apply rules and emit clues. This package
// parses and validates a model (every problem at once, with its YAML line), compiles its logic
// to SQL for DuckDB and PostgreSQL, runs it against a workspace, stores the clues by
// fingerprint, backtests it against a labelled truth file and packs it with its fixtures.
// docs/models.md is the authoring guide.
package supervise

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Model is one supervision model as written in YAML.
type Model struct {
	ID          string           `yaml:"id" json:"id"`
	Version     int              `yaml:"version" json:"version"`
	Title       Text             `yaml:"title" json:"title"`
	Description Text             `yaml:"description,omitempty" json:"description,omitempty"`
	Author      string           `yaml:"author,omitempty" json:"author,omitempty"`
	LegalBasis  []Citation       `yaml:"legal_basis,omitempty" json:"legal_basis,omitempty"`
	Measure     string           `yaml:"measure" json:"measure"`
	Severity    string           `yaml:"severity" json:"severity"`
	Pattern     string           `yaml:"pattern,omitempty" json:"pattern,omitempty"`
	Tags        []string         `yaml:"tags,omitempty" json:"tags,omitempty"`
	Params      map[string]Param `yaml:"params,omitempty" json:"params,omitempty"`
	Inputs      map[string]Input `yaml:"inputs" json:"inputs"`
	Logic       Logic            `yaml:"logic" json:"logic"`
	Clue        ClueTemplate     `yaml:"clue" json:"clue"`
	Backtest    *BacktestSpec    `yaml:"backtest,omitempty" json:"backtest,omitempty"`

	lines map[string]int // YAML path ("logic.join[0].on[1]") → line, for problems
	src   []byte
}

// Text is a text in Chinese and English.
type Text struct {
	ZH string `yaml:"zh,omitempty" json:"zh,omitempty"`
	EN string `yaml:"en,omitempty" json:"en,omitempty"`
}

// Citation is one legal provision the model rests on.
type Citation struct {
	Law     string `yaml:"law" json:"law"`
	Article string `yaml:"article,omitempty" json:"article,omitempty"`
	Text    string `yaml:"text,omitempty" json:"text,omitempty"`
}

// Param is a tunable value of the model; a run may override its default.
type Param struct {
	Type        string `yaml:"type" json:"type"` // integer, number, text, date, duration
	Default     string `yaml:"default" json:"default"`
	Description Text   `yaml:"description,omitempty" json:"description,omitempty"`
}

// Input is a dataset the model reads, chosen by kind (every dataset of that kind) or by name.
type Input struct {
	Kind    string   `yaml:"kind,omitempty" json:"kind,omitempty"`
	Dataset string   `yaml:"dataset,omitempty" json:"dataset,omitempty"`
	Columns []string `yaml:"columns,omitempty" json:"columns,omitempty"` // columns it must have besides those the logic names
}

// Logic is the structured query: a driving input, joins, conditions, anti-joins, grouping.
type Logic struct {
	From   string   `yaml:"from" json:"from"`
	Join   []Join   `yaml:"join,omitempty" json:"join,omitempty"`
	Where  []Cond   `yaml:"where,omitempty" json:"where,omitempty"`
	Absent []Absent `yaml:"absent,omitempty" json:"absent,omitempty"`
	Group  *Group   `yaml:"group,omitempty" json:"group,omitempty"`
}

// Join adds an input whose rows match on keys and, optionally, within a time tolerance.
type Join struct {
	Input  string    `yaml:"input" json:"input"`
	On     []KeyPair `yaml:"on" json:"on"`
	Within *Within   `yaml:"within,omitempty" json:"within,omitempty"`
}

// KeyPair is one join key: left and right columns, matched exactly or after normalising
// (upper case, no spaces or hyphens) with match: normalized.
type KeyPair struct {
	Left  string `yaml:"left" json:"left"`
	Right string `yaml:"right" json:"right"`
	Match string `yaml:"match,omitempty" json:"match,omitempty"`
}

// Within is a tolerance join on time: right is in [left - before, left + after]. It compiles
// to a bucketed equality join, so it stays fast when a key has many rows.
type Within struct {
	Left   string `yaml:"left" json:"left"`
	Right  string `yaml:"right" json:"right"`
	Before string `yaml:"before,omitempty" json:"before,omitempty"` // duration or {param}
	After  string `yaml:"after,omitempty" json:"after,omitempty"`
}

// Cond is one condition. Exactly one form is used: a comparison (col, op, value), an
// interval condition (during, overlaps, before) or an sql escape hatch (read-only expression).
type Cond struct {
	Col      string    `yaml:"col,omitempty" json:"col,omitempty"`
	Measure  string    `yaml:"measure,omitempty" json:"measure,omitempty"` // in group.having
	Op       string    `yaml:"op,omitempty" json:"op,omitempty"`
	Value    *Value    `yaml:"value,omitempty" json:"value,omitempty"`
	During   *During   `yaml:"during,omitempty" json:"during,omitempty"`
	Overlaps *Overlaps `yaml:"overlaps,omitempty" json:"overlaps,omitempty"`
	Before   *Before   `yaml:"before,omitempty" json:"before,omitempty"`
	SQL      string    `yaml:"sql,omitempty" json:"sql,omitempty"`
}

// During holds when At lies in [Start, End]; an empty End means the period continues.
type During struct {
	At    string `yaml:"at" json:"at"`
	Start string `yaml:"start" json:"start"`
	End   string `yaml:"end,omitempty" json:"end,omitempty"`
}

// Overlaps holds when two periods [A0, A1] and [B0, B1] share a day; empty ends are open.
type Overlaps struct {
	A []string `yaml:"a" json:"a"`
	B []string `yaml:"b" json:"b"`
}

// Before holds when Then is at or after First by at most AtMost (empty = any time later).
type Before struct {
	First  string `yaml:"first" json:"first"`
	Then   string `yaml:"then" json:"then"`
	AtMost string `yaml:"at_most,omitempty" json:"at_most,omitempty"`
}

// Value is the right side of a comparison: a literal, a list of literals, a parameter
// ({param: name}) or a column ({col: a.b}), optionally shifted by a duration (plus: 1mo).
type Value struct {
	Lit   *string  `json:"lit,omitempty"`
	List  []string `json:"list,omitempty"`
	Param string   `json:"param,omitempty"`
	Col   string   `json:"col,omitempty"`
	Plus  string   `json:"plus,omitempty"`
}

// UnmarshalYAML reads the scalar, sequence and mapping forms of a value.
func (v *Value) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		s := n.Value
		v.Lit = &s
		return nil
	case yaml.SequenceNode:
		v.List = []string{}
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a list value holds plain values only", c.Line)
			}
			v.List = append(v.List, c.Value)
		}
		return nil
	case yaml.MappingNode:
		var m struct {
			Param string `yaml:"param"`
			Col   string `yaml:"col"`
			Plus  string `yaml:"plus"`
		}
		if err := n.Decode(&m); err != nil {
			return err
		}
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i].Value; k != "param" && k != "col" && k != "plus" {
				return fmt.Errorf("line %d: a value mapping takes param, col and plus, not %q", n.Content[i].Line, k)
			}
		}
		v.Param, v.Col, v.Plus = m.Param, m.Col, m.Plus
		return nil
	}
	return fmt.Errorf("line %d: a value is a plain value, a list, {param: NAME} or {col: INPUT.COLUMN}", n.Line)
}

// MarshalYAML writes the value back in its short form.
func (v Value) MarshalYAML() (any, error) {
	switch {
	case v.Lit != nil:
		return *v.Lit, nil
	case v.List != nil:
		return v.List, nil
	}
	m := map[string]string{}
	if v.Param != "" {
		m["param"] = v.Param
	}
	if v.Col != "" {
		m["col"] = v.Col
	}
	if v.Plus != "" {
		m["plus"] = v.Plus
	}
	return m, nil
}

// Absent is an anti-join: the clue holds only when no row of Input matches (the required
// follow-up is missing).
type Absent struct {
	Input string    `yaml:"input" json:"input"`
	On    []KeyPair `yaml:"on" json:"on"`
	Where []Cond    `yaml:"where,omitempty" json:"where,omitempty"`
}

// Group aggregates matched rows by keys, optionally within a sliding time window anchored at
// each row, and keeps the groups whose measures pass Having.
type Group struct {
	By       []string           `yaml:"by" json:"by"`
	Window   *Window            `yaml:"window,omitempty" json:"window,omitempty"`
	Measures map[string]Measure `yaml:"measures" json:"measures"`
	Having   []Cond             `yaml:"having,omitempty" json:"having,omitempty"`
}

// Window is a sliding window: rows whose Time lies in [t, t + Length] for some row's t.
type Window struct {
	Time   string `yaml:"time" json:"time"`
	Length string `yaml:"length" json:"length"` // duration or {param}
}

// Measure is one aggregate; exactly one field is set. Count "*" counts rows.
type Measure struct {
	Count         string `yaml:"count,omitempty" json:"count,omitempty"`
	CountDistinct string `yaml:"count_distinct,omitempty" json:"count_distinct,omitempty"`
	Sum           string `yaml:"sum,omitempty" json:"sum,omitempty"`
	Min           string `yaml:"min,omitempty" json:"min,omitempty"`
	Max           string `yaml:"max,omitempty" json:"max,omitempty"`
}

// fn returns the aggregate's name and its column.
func (m Measure) fn() (string, string, int) {
	n := 0
	var f, c string
	for _, p := range []struct{ f, c string }{{"count", m.Count}, {"count_distinct", m.CountDistinct}, {"sum", m.Sum}, {"min", m.Min}, {"max", m.Max}} {
		if p.c != "" {
			n++
			f, c = p.f, p.c
		}
	}
	return f, c, n
}

// ClueTemplate says what a clue is about and how it reads.
type ClueTemplate struct {
	Subject     Subject  `yaml:"subject" json:"subject"`
	Fingerprint []string `yaml:"fingerprint" json:"fingerprint"`
	Title       Text     `yaml:"title" json:"title"`
	Explanation Text     `yaml:"explanation" json:"explanation"`
	Fields      []string `yaml:"fields,omitempty" json:"fields,omitempty"`
	Evidence    []string `yaml:"evidence,omitempty" json:"evidence,omitempty"` // inputs whose rows are kept; default all
}

// Subject is who or what the clue is about.
type Subject struct {
	Type string `yaml:"type" json:"type"` // person, account, company, case, phone, institution
	Key  string `yaml:"key" json:"key"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
}

// BacktestSpec says which entries of a truth file the model answers and how they match.
// Without File the entries are those of violations.json with Type; with File they are the
// records of another file of the truth directory (a CSV, or a JSON array of objects).
type BacktestSpec struct {
	Type     string `yaml:"type,omitempty" json:"type,omitempty"` // truth entry type, e.g. pension_paid_during_custody
	File     string `yaml:"file,omitempty" json:"file,omitempty"` // truth file in the truth directory, e.g. card_dealers.csv
	TruthKey string `yaml:"truth_key" json:"truth_key"`           // id_number, ids, ids.N, or a field of File's records
	ClueKey  string `yaml:"clue_key" json:"clue_key"`             // subject, or columns of clue.fields separated by commas
	// Where keeps the records whose field has the value ("*" = any non-empty value).
	Where map[string]string `yaml:"where,omitempty" json:"where,omitempty"`
	// RecallWhere narrows the records recall is measured on (the answers the data can reveal);
	// a clue that answers any record Where keeps is still a true positive.
	RecallWhere map[string]string `yaml:"recall_where,omitempty" json:"recall_where,omitempty"`
	// MinDistinct keeps the truth keys whose records hold at least Count distinct values of
	// Field (e.g. accounts paid by at least two victims).
	MinDistinct *MinDistinct `yaml:"min_distinct,omitempty" json:"min_distinct,omitempty"`
}

// MinDistinct is a threshold on the distinct values of a field per truth key.
type MinDistinct struct {
	Field string `yaml:"field" json:"field"`
	Count int    `yaml:"count" json:"count"`
}

// Vocabularies of the metadata.
var (
	Measures   = []string{"procuratorial_recommendation", "correction_of_violation", "protest", "transfer_to_police", "public_interest_litigation", "procuratorial_opinion"}
	Severities = []string{"low", "medium", "high"}
	Patterns   = []string{"status_conflict", "missing_followup", "identifier_collision", "frequency_anomaly", "institution_aggregation", "flow_consistency"}
	ParamTypes = []string{"integer", "number", "text", "date", "duration"}
	Ops        = []string{"eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "like", "is_null", "not_null"}
)

// ErrInvalid marks a model that failed validation; the error lists every problem.
var ErrInvalid = errors.New("invalid model")

// Parse reads a model from YAML. Unknown fields and malformed YAML are errors with the line;
// Validate checks the meaning.
func Parse(src []byte) (*Model, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("model YAML: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, errors.New("model YAML is empty: start with id:, version:, title:")
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var m Model
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("model YAML: %w", err)
	}
	m.lines = map[string]int{}
	recordLines(root.Content[0], "", m.lines)
	m.src = append([]byte(nil), src...)
	return &m, nil
}

// Source is the YAML the model was parsed from.
func (m *Model) Source() []byte { return m.src }

// line returns the YAML line of path, or of its nearest recorded parent.
func (m *Model) line(path string) int {
	for p := path; p != ""; {
		if l, ok := m.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 1
}

func recordLines(n *yaml.Node, path string, out map[string]int) {
	if path != "" {
		out[path] = n.Line
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			p := k
			if path != "" {
				p = path + "." + k
			}
			out[p] = n.Content[i].Line
			recordLines(n.Content[i+1], p, out)
			out[p] = n.Content[i].Line
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			recordLines(c, fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// sortedKeys returns the keys of m in order, so compiled SQL is deterministic.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
