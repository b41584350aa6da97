package supervise

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Problem is one thing wrong with a model, at a YAML line.
type Problem struct {
	Line    int    `json:"line"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string { return fmt.Sprintf("line %d (%s): %s", p.Line, p.Path, p.Message) }

// Problems is the list of problems of an invalid model; it is an error.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the model:", len(ps))
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap lets errors.Is(err, ErrInvalid) recognise a list of problems.
func (ps Problems) Unwrap() error { return ErrInvalid }

// OutColumn is one column of a compiled query's result.
type OutColumn struct {
	Name  string // "alias.col", "alias._ds|_batch|_line" or a measure name
	Alias string // input alias; "" for a measure
	Col   string // column name; measure name for a measure
	Type  string
}

// Query is a model compiled for one backend with its parameters bound.
type Query struct {
	SQL     string
	Columns []OutColumn
	Params  map[string]string   // the values used, defaults and overrides
	Inputs  map[string][]string // alias → datasets read
}

var (
	aliasRe   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)
	modelIDRe = regexp.MustCompile(`^[a-z][a-z0-9_]{2,62}$`)
	colRefRe  = regexp.MustCompile(`^([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$`)
)

type bucket struct {
	col   string // column name inside the input
	width int64  // seconds
}

type compiler struct {
	m       *Model
	env     Env
	backend string
	params  map[string]string
	binds   map[string]binding
	used    map[string]map[string]Column // alias → lower name → column
	buckets map[string]bucket
	scope   map[string]bool
	probs   []Problem
	gid     int
}

func (c *compiler) errf(path, format string, args ...any) {
	c.probs = append(c.probs, Problem{Line: c.m.line(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks a model against an environment and returns every problem found.
func Validate(m *Model, env Env) Problems {
	_, err := Compile(m, env, "duckdb", nil)
	if ps, ok := err.(Problems); ok {
		return ps
	}
	if err != nil {
		return Problems{{Line: 1, Path: "", Message: err.Error()}}
	}
	return nil
}

// Compile validates m and compiles it to SQL for backend ("duckdb" or "postgres") with the
// parameter overrides bound. Invalid models return Problems.
func Compile(m *Model, env Env, backend string, overrides map[string]string) (*Query, error) {
	c := &compiler{m: m, env: env, backend: backend, binds: map[string]binding{}, used: map[string]map[string]Column{},
		buckets: map[string]bucket{}, scope: map[string]bool{}}
	c.meta()
	c.bindParams(overrides)
	for _, a := range sortedKeys(m.Inputs) {
		if !aliasRe.MatchString(a) {
			c.errf("inputs."+a, "input name %q is not allowed: use a lower-case letter followed by lower-case letters, digits or underscores", a)
			continue
		}
		b, err := env.bind(a, m.Inputs[a])
		if err != nil {
			c.errf("inputs."+a, "%v", err)
		}
		c.binds[a] = b
		for i, col := range m.Inputs[a].Columns {
			c.colRef(fmt.Sprintf("inputs.%s.columns[%d]", a, i), a+"."+col, true)
		}
	}
	if len(m.Inputs) == 0 {
		c.errf("inputs", "the model reads no inputs: add inputs: with at least one dataset kind")
	}
	q := c.query()
	if len(c.probs) > 0 {
		slices.SortStableFunc(c.probs, func(a, b Problem) int { return a.Line - b.Line })
		return nil, Problems(c.probs)
	}
	q.Params = c.params
	q.Inputs = map[string][]string{}
	for a, b := range c.binds {
		for _, d := range b.sources {
			q.Inputs[a] = append(q.Inputs[a], d.Name)
		}
	}
	return q, nil
}

func (c *compiler) meta() {
	m := c.m
	if !modelIDRe.MatchString(m.ID) {
		c.errf("id", "model id %q is not allowed: use 3 to 63 lower-case letters, digits or underscores, starting with a letter", m.ID)
	}
	if m.Version < 1 {
		c.errf("version", "version must be a whole number from 1; raise it whenever the logic changes")
	}
	if m.Title.ZH == "" && m.Title.EN == "" {
		c.errf("title", "the model has no title: add title: {zh: ..., en: ...}")
	}
	if !slices.Contains(Measures, m.Measure) {
		c.errf("measure", "measure %q is not known: use one of %s", m.Measure, strings.Join(Measures, ", "))
	}
	if !slices.Contains(Severities, m.Severity) {
		c.errf("severity", "severity %q is not known: use one of %s", m.Severity, strings.Join(Severities, ", "))
	}
	if m.Pattern != "" && !slices.Contains(Patterns, m.Pattern) {
		c.errf("pattern", "pattern %q is not known: use one of %s", m.Pattern, strings.Join(Patterns, ", "))
	}
	if bt := m.Backtest; bt != nil {
		c.backtestSpec(*bt)
	}
	for i, l := range m.LegalBasis {
		if l.Law == "" {
			c.errf(fmt.Sprintf("legal_basis[%d]", i), "a citation needs law: (the statute or rule)")
		}
	}
}

// backtestSpec checks the backtest section: where the truth is and which clue values answer it.
func (c *compiler) backtestSpec(bt BacktestSpec) {
	switch {
	case bt.Type == "" && bt.File == "":
		c.errf("backtest", "backtest needs type: (an entry type of violations.json) or file: (a CSV or JSON file of the truth directory)")
	case bt.File != "" && (strings.ContainsAny(bt.File, `/\\`) || !strings.HasSuffix(bt.File, ".csv") && !strings.HasSuffix(bt.File, ".json")):
		c.errf("backtest.file", "backtest file %q: name a .csv or .json file of the truth directory, without a folder", bt.File)
	}
	if bt.TruthKey == "" {
		c.errf("backtest.truth_key", "backtest needs truth_key: the field of a truth entry that a clue answers")
	}
	if md := bt.MinDistinct; md != nil && (md.Field == "" || md.Count < 1) {
		c.errf("backtest.min_distinct", "min_distinct needs field: and a count of at least 1")
	}
	for k := range strings.SplitSeq(bt.ClueKey, ",") {
		if k = strings.TrimSpace(k); k != "" && k != "subject" && !slices.Contains(c.m.Clue.Fields, k) {
			c.errf("backtest.clue_key", "clue_key %s is neither subject nor a column of clue.fields", k)
		}
	}
}

func (c *compiler) bindParams(overrides map[string]string) {
	c.params = map[string]string{}
	for _, name := range sortedKeys(c.m.Params) {
		p := c.m.Params[name]
		path := "params." + name
		if !slices.Contains(ParamTypes, p.Type) {
			c.errf(path, "parameter %s has type %q: use one of %s", name, p.Type, strings.Join(ParamTypes, ", "))
			continue
		}
		v := p.Default
		if o, ok := overrides[name]; ok {
			v = o
		}
		if err := checkParam(p.Type, v); err != nil {
			c.errf(path, "parameter %s: %v", name, err)
		}
		c.params[name] = v
	}
	for _, k := range sortedKeys(overrides) {
		if _, ok := c.m.Params[k]; !ok {
			c.errf("params", "--param %s: the model has no such parameter; it has %s", k, strings.Join(sortedKeys(c.m.Params), ", "))
		}
	}
}

func checkParam(typ, v string) error {
	var err error
	switch typ {
	case "integer":
		_, err = strconv.ParseInt(v, 10, 64)
	case "number":
		_, err = strconv.ParseFloat(v, 64)
	case "date":
		_, err = time.Parse("2006-01-02", v)
	case "duration":
		_, err = ParseDuration(v)
	}
	if err != nil {
		return fmt.Errorf("%q is not a valid %s", v, typ)
	}
	return nil
}

// duration resolves a duration field, which may name a parameter as $name.
func (c *compiler) duration(path, s string) (Duration, bool) {
	if s == "" {
		return Duration{}, true
	}
	if name, ok := strings.CutPrefix(s, "$"); ok {
		p, ok := c.m.Params[name]
		if !ok {
			c.errf(path, "undefined parameter %s: declare it under params:", name)
			return Duration{}, false
		}
		if p.Type != "duration" {
			c.errf(path, "parameter %s is a %s, but a duration is needed here", name, p.Type)
			return Duration{}, false
		}
		s = c.params[name]
	}
	d, err := ParseDuration(s)
	if err != nil {
		c.errf(path, "%v", err)
		return Duration{}, false
	}
	return d, true
}

// colRef resolves "alias.col", records its use and returns its SQL and column. inScope
// relaxes the scope check (input column lists).
func (c *compiler) colRef(path, ref string, anyScope bool) (string, Column, bool) {
	mt := colRefRe.FindStringSubmatch(ref)
	if mt == nil {
		c.errf(path, "%q is not a column reference: write INPUT.COLUMN, such as b.id_number", ref)
		return "", Column{}, false
	}
	alias, name := mt[1], mt[2]
	b, ok := c.binds[alias]
	if _, declared := c.m.Inputs[alias]; !declared {
		c.errf(path, "%s names input %s, which is not declared under inputs: (declared: %s)", ref, alias, strings.Join(sortedKeys(c.m.Inputs), ", "))
		return "", Column{}, false
	}
	if !anyScope && !c.scope[alias] {
		c.errf(path, "%s cannot be used here: input %s is not joined at this point", ref, alias)
		return "", Column{}, false
	}
	col := Column{Name: name}
	if ok && b.cols != nil {
		cc, found := b.cols[strings.ToLower(name)]
		if !found {
			c.errf(path, "missing column: input %s (%s) has no column %s", alias, describeInput(c.m.Inputs[alias]), name)
			return "", Column{}, false
		}
		col = cc
	}
	if c.used[alias] == nil {
		c.used[alias] = map[string]Column{}
	}
	c.used[alias][strings.ToLower(col.Name)] = col
	return quote(alias) + "." + quote(col.Name), col, true
}

func describeInput(in Input) string {
	if in.Kind != "" {
		return "kind " + in.Kind
	}
	return "dataset " + in.Dataset
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// typeFamily groups data types that compare with each other.
func typeFamily(t string) string {
	switch t {
	case "integer", "double", "money":
		return "number"
	case "date", "timestamp":
		return "time"
	}
	return t
}

// literal renders v as an SQL literal of data type typ.
func literal(typ, v string) (string, error) {
	switch typ {
	case "integer":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "", fmt.Errorf("%q is not a whole number", v)
		}
		return v, nil
	case "double", "money":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "", fmt.Errorf("%q is not a number", v)
		}
		return v, nil
	case "date":
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return "", fmt.Errorf("%q is not a date: write YYYY-MM-DD", v)
		}
		return "DATE " + quoteLit(v), nil
	case "timestamp":
		for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05", time.RFC3339} {
			if _, err := time.Parse(layout, v); err == nil {
				return "CAST(" + quoteLit(v) + " AS TIMESTAMPTZ)", nil
			}
		}
		return "", fmt.Errorf("%q is not a time: write YYYY-MM-DD HH:MM:SS", v)
	case "boolean":
		switch strings.ToLower(v) {
		case "true", "false":
			return strings.ToUpper(v), nil
		}
		return "", fmt.Errorf("%q is not true or false", v)
	}
	return quoteLit(v), nil
}
