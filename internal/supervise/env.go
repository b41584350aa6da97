package supervise

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"procura/internal/ingest/schema"
)

// Column is a column a model can read: its data type and semantic type.
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Semantic string `json:"semantic,omitempty"`
}

// Dataset describes one dataset of a workspace.
type Dataset struct {
	Name    string
	Kind    string
	Table   string
	Columns []Column
	Batches []int64 // import batches it holds, recorded with each run
}

// Env is what a model is validated and compiled against: the datasets of a workspace, or
// only the built-in kinds when no workspace is at hand.
type Env struct {
	Datasets []Dataset
	// KindsOnly means no workspace: inputs by kind are checked against the kind's fields,
	// inputs by dataset name cannot be checked.
	KindsOnly bool
}

// binding is what an input alias resolves to.
type binding struct {
	cols    map[string]Column // by lower-case name; nil = columns unknown
	sources []Dataset         // datasets to read, in name order
}

// bind resolves input in of model alias against the environment.
func (e Env) bind(alias string, in Input) (binding, error) {
	switch {
	case in.Kind != "" && in.Dataset != "":
		return binding{}, fmt.Errorf("input %s names both kind %s and dataset %s: keep one", alias, in.Kind, in.Dataset)
	case in.Kind == "" && in.Dataset == "":
		return binding{}, fmt.Errorf("input %s names neither a kind nor a dataset: add kind: (one of %s) or dataset: NAME", alias, strings.Join(schema.KindNames(), ", "))
	}
	if in.Kind != "" {
		k, ok := schema.KindByName(in.Kind)
		if !ok {
			return binding{}, fmt.Errorf("input %s: unknown kind %q: use one of %s", alias, in.Kind, strings.Join(schema.KindNames(), ", "))
		}
		b := binding{cols: map[string]Column{}}
		for _, f := range k.Fields {
			b.cols[strings.ToLower(f.Name)] = Column{Name: f.Name, Type: f.Type, Semantic: f.Semantic}
		}
		if e.KindsOnly {
			return b, nil
		}
		for _, d := range e.Datasets {
			if d.Kind == in.Kind {
				b.sources = append(b.sources, d)
			}
		}
		if len(b.sources) == 0 {
			return b, fmt.Errorf("input %s: the workspace has no dataset of kind %s: import one with procura import FILE --dataset NAME --kind %s", alias, in.Kind, in.Kind)
		}
		return b, nil
	}
	if e.KindsOnly {
		return binding{}, nil
	}
	for _, d := range e.Datasets {
		if d.Name == in.Dataset {
			b := binding{cols: map[string]Column{}, sources: []Dataset{d}}
			for _, c := range d.Columns {
				b.cols[strings.ToLower(c.Name)] = c
			}
			return b, nil
		}
	}
	var names []string
	for _, d := range e.Datasets {
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return binding{}, fmt.Errorf("input %s: unknown dataset %q: the workspace has no datasets yet", alias, in.Dataset)
	}
	return binding{}, fmt.Errorf("input %s: unknown dataset %q: the workspace has %s", alias, in.Dataset, strings.Join(names, ", "))
}

// Duration is a span written as 7d, 24h, 30m, 90s, 2w or 1mo; months are calendar months.
type Duration struct {
	Seconds int64
	Months  int64
}

var durationRe = regexp.MustCompile(`^\s*(\d{1,9})\s*(s|m|h|d|w|mo|y)\s*$`)

// ParseDuration reads a duration such as 7d or 1mo; "0" is no time at all.
func ParseDuration(s string) (Duration, error) {
	if strings.TrimSpace(s) == "0" {
		return Duration{}, nil
	}
	m := durationRe.FindStringSubmatch(s)
	if m == nil {
		return Duration{}, fmt.Errorf("%q is not a duration: write a number and a unit, such as 30s, 15m, 24h, 7d, 2w, 1mo or 1y", s)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	switch m[2] {
	case "s":
		return Duration{Seconds: n}, nil
	case "m":
		return Duration{Seconds: n * 60}, nil
	case "h":
		return Duration{Seconds: n * 3600}, nil
	case "d":
		return Duration{Seconds: n * 86400}, nil
	case "w":
		return Duration{Seconds: n * 7 * 86400}, nil
	case "mo":
		return Duration{Months: n}, nil
	}
	return Duration{Months: 12 * n}, nil
}

// approxSeconds is the duration's length with a month as 31 days; it sizes time buckets.
func (d Duration) approxSeconds() int64 { return d.Seconds + d.Months*31*86400 }

// interval renders the duration as an SQL interval literal valid on DuckDB and PostgreSQL.
func (d Duration) interval() string {
	if d.Months != 0 {
		return fmt.Sprintf("INTERVAL '%d months'", d.Months)
	}
	return fmt.Sprintf("INTERVAL '%d seconds'", d.Seconds)
}
