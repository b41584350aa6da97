package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"procura/internal/progress"
	"procura/internal/store"
)

// Preview is what an import would do, shown before anything is stored (--dry-run).
type Preview struct {
	File       string         `json:"file"`
	Kind       string         `json:"kind"`
	Profile    string         `json:"profile,omitempty"`
	Format     string         `json:"format"`
	Encoding   string         `json:"encoding"`
	Delimiter  string         `json:"delimiter,omitempty"`
	Sheets     []string       `json:"sheets,omitempty"`
	HeaderLine int            `json:"header_line"`
	TitleLines []string       `json:"title_lines,omitempty"`
	Header     []string       `json:"header"`
	Mapping    []MappedColumn `json:"mapping"`
	Warnings   []string       `json:"warnings,omitempty"`
	Rows       []PreviewRow   `json:"rows"`
	Rejects    []store.Reject `json:"rejects"`
}

// PreviewRow is one record as it would be stored.
type PreviewRow struct {
	Line   int64             `json:"line"`
	Values map[string]string `json:"values"`
}

// DryRun reads the first n records of the file, maps and converts them, and stores nothing.
func DryRun(o Options, n int) (Preview, error) {
	o = withDefaults(o)
	pv := Preview{File: o.Path, Profile: o.Profile}
	prof, kind, err := resolveKind(o)
	if err != nil {
		return pv, err
	}
	pv.Kind = kind
	fi, err := os.Stat(o.Path)
	if err != nil {
		return pv, fmt.Errorf("import %s: %w", o.Path, err)
	}
	src, err := openSource(o.Path, o, progress.Nop{}, fi.Size())
	if err != nil {
		return pv, err
	}
	defer src.Close()
	src.name = filepath.Base(o.Path)
	plan, err := planColumns(src, kind, prof, o)
	if err != nil {
		return pv, err
	}
	det := src.reader.Detected()
	pv.Format, pv.Encoding, pv.Sheets = string(det.Format), det.Encoding, det.Sheets
	pv.HeaderLine, pv.TitleLines = det.HeaderLine, det.TitleLines
	if det.Delimiter != 0 {
		pv.Delimiter = string(det.Delimiter)
	}
	pv.Header, pv.Mapping, pv.Warnings = plan.header, plan.described(), plan.mapping.Warnings

	readAhead(src, n)
	c := chunk{recs: src.ahead, errs: src.aheadE}
	if len(c.recs) > n {
		c.recs, c.errs = c.recs[:n], c.errs[:n]
	}
	out := convertChunk(plan.conv, c, src.name, "", 0)
	for _, row := range out.rows {
		pr := PreviewRow{Line: row[1].(int64), Values: map[string]string{}}
		for i, col := range plan.conv.cols {
			pr.Values[col.name] = displayValue(row[3+i])
		}
		pv.Rows = append(pv.Rows, pr)
	}
	pv.Rejects = out.rejects
	if pv.Rows == nil {
		pv.Rows = []PreviewRow{}
	}
	if pv.Rejects == nil {
		pv.Rejects = []store.Reject{}
	}
	return pv, nil
}

// displayValue renders a stored value the way the database will show it.
func displayValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case store.Money:
		return x.String()
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case bool:
		if x {
			return "true"
		}
		return "false"
	default:
		return fmt.Sprint(x)
	}
}
