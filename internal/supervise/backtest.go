package supervise

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// TruthEntry is one labelled answer, in the format of the synthetic world's
// truth/violations.json: a type, the person it concerns and the identifiers that answer it.
// Entries read from other truth files (a CSV, a JSON array of objects) also carry Record:
// every field of the record as its values.
type TruthEntry struct {
	Type     string              `json:"type"`
	IDNumber string              `json:"id_number,omitempty"`
	Name     string              `json:"name,omitempty"`
	IDs      []string            `json:"ids"`
	Detail   string              `json:"detail,omitempty"`
	Record   map[string][]string `json:"-"`
}

// LoadTruth reads a truth file: a JSON array of entries or records, or a CSV with a header
// line. A record without a type field takes the file's base name as its type.
func LoadTruth(path string) ([]TruthEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read truth file: %w", err)
	}
	defer f.Close()
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return readTruthCSV(f, path, base)
	}
	var raw []map[string]any
	if err := json.NewDecoder(f).Decode(&raw); err != nil {
		return nil, fmt.Errorf("truth file %s: %w: it must be a JSON array of objects, such as [{type, id_number, ids}], or a CSV", path, err)
	}
	out := make([]TruthEntry, 0, len(raw))
	for _, obj := range raw {
		rec := map[string][]string{}
		for k, v := range obj {
			rec[k] = truthValues(v)
		}
		out = append(out, entryOf(rec, base))
	}
	return out, nil
}

// truthValues flattens a JSON value to text: a scalar is one value, an array its scalars.
func truthValues(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case float64:
		return []string{strconv.FormatFloat(x, 'f', -1, 64)}
	case bool:
		return []string{strconv.FormatBool(x)}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, truthValues(e)...)
		}
		return out
	}
	return nil // objects name nothing a clue can answer
}

func entryOf(rec map[string][]string, base string) TruthEntry {
	first := func(k string) string {
		if v := rec[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	e := TruthEntry{Type: first("type"), IDNumber: first("id_number"), Name: first("name"), IDs: rec["ids"], Detail: first("detail"), Record: rec}
	if e.Type == "" {
		e.Type = base
	}
	return e
}

func readTruthCSV(r io.Reader, path, base string) ([]TruthEntry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("truth file %s: %w: it needs a header line", path, err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	var out []TruthEntry
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("truth file %s: %w", path, err)
		}
		rec := make(map[string][]string, len(head))
		for i, h := range head {
			if i < len(row) && row[i] != "" {
				v := []string{row[i]}
				if h == "ids" {
					v = strings.Split(row[i], ";")
				}
				rec[h] = v
			}
		}
		out = append(out, entryOf(rec, base))
	}
}

// TruthPath is the truth file a model's backtest reads, given the --truth argument: a
// truth directory or a file in it (violations.json). A spec with File reads that file of the
// directory.
func TruthPath(spec BacktestSpec, given string) string {
	dir, file := given, "violations.json"
	if st, err := os.Stat(given); err != nil || !st.IsDir() {
		dir, file = filepath.Dir(given), filepath.Base(given)
	}
	if spec.File != "" {
		file = spec.File
	}
	return filepath.Join(dir, file)
}

// BacktestResult compares a model's findings with the labelled truth.
type BacktestResult struct {
	ModelID       string   `json:"model_id"`
	TruthType     string   `json:"truth_type"`
	Clues         int      `json:"clues"`
	Truth         int      `json:"truth"`
	TruePositives int      `json:"true_positives"` // clues that answer a truth entry
	Recalled      int      `json:"recalled"`       // truth entries some clue answers
	Precision     float64  `json:"precision"`
	Recall        float64  `json:"recall"`
	F1            float64  `json:"f1"`
	Missed        []string `json:"missed,omitempty"` // truth keys no clue answers
	Extra         []string `json:"extra,omitempty"`  // clue keys that answer nothing
}

// truthKey extracts the key named by spec ("id_number", "ids.N" or "ids") from an entry.
func truthKey(key string, e TruthEntry) ([]string, error) {
	switch {
	case key == "" || key == "id_number":
		return []string{e.IDNumber}, nil
	case key == "ids":
		return e.IDs, nil
	case strings.HasPrefix(key, "ids."):
		i, err := strconv.Atoi(key[4:])
		if err != nil || i < 0 {
			return nil, fmt.Errorf("truth_key %q: write id_number, ids or ids.N", key)
		}
		if i >= len(e.IDs) {
			return nil, nil
		}
		return []string{e.IDs[i]}, nil
	}
	if e.Record != nil {
		return e.Record[key], nil
	}
	return nil, fmt.Errorf("truth_key %q: write id_number, ids or ids.N", key)
}

func clueKeys(key string, f Finding) []string {
	if key == "" || key == "subject" {
		return []string{f.SubjectKey}
	}
	var out []string
	for k := range strings.SplitSeq(key, ",") {
		if k = strings.TrimSpace(k); k == "subject" {
			out = append(out, f.SubjectKey)
		} else {
			out = append(out, f.Fields[k]...)
		}
	}
	return out
}

// selected reports whether a truth entry is one the spec scores against.
func (spec BacktestSpec) selected(e TruthEntry) bool {
	if spec.Type != "" && e.Type != spec.Type {
		return false
	}
	return matches(e, spec.Where)
}

// matches reports whether the entry's record has every value of where ("*" = non-empty).
func matches(e TruthEntry, where map[string]string) bool {
	for k, want := range where {
		var v string
		if e.Record != nil && len(e.Record[k]) > 0 {
			v = e.Record[k][0]
		}
		if want == "*" && v == "" || want != "*" && v != want {
			return false
		}
	}
	return true
}

// Backtest scores findings against the truth entries of spec.Type.
func Backtest(modelID string, spec BacktestSpec, findings []Finding, truth []TruthEntry) (BacktestResult, error) {
	res := BacktestResult{ModelID: modelID, TruthType: cmp.Or(spec.Type, spec.File), Clues: len(findings)}
	want := map[string]bool{}   // keys a clue may answer
	recall := map[string]bool{} // keys recall is measured on
	var order []string
	distinct := map[string]map[string]bool{} // truth key → values of MinDistinct.Field
	for _, e := range truth {
		if !spec.selected(e) {
			continue
		}
		keys, err := truthKey(spec.TruthKey, e)
		if err != nil {
			return res, err
		}
		for _, k := range keys {
			if k == "" {
				continue
			}
			if !want[k] {
				want[k] = true
				order = append(order, k)
				distinct[k] = map[string]bool{}
			}
			if matches(e, spec.RecallWhere) {
				recall[k] = true
			}
			if spec.MinDistinct != nil {
				for _, v := range e.Record[spec.MinDistinct.Field] {
					distinct[k][v] = true
				}
			}
		}
	}
	if md := spec.MinDistinct; md != nil {
		kept := order[:0]
		for _, k := range order {
			if len(distinct[k]) >= md.Count {
				kept = append(kept, k)
			} else {
				delete(want, k)
			}
		}
		order = kept
	}
	var recallOrder []string
	for _, k := range order {
		if recall[k] {
			recallOrder = append(recallOrder, k)
		}
	}
	res.Truth = len(recallOrder)
	found := map[string]bool{}
	for _, f := range findings {
		hit := false
		for _, k := range clueKeys(spec.ClueKey, f) {
			if want[k] {
				hit = true
				found[k] = true
			}
		}
		if hit {
			res.TruePositives++
		} else {
			res.Extra = append(res.Extra, strings.Join(clueKeys(spec.ClueKey, f), ";"))
		}
	}
	for _, k := range recallOrder {
		if found[k] {
			res.Recalled++
		} else {
			res.Missed = append(res.Missed, k)
		}
	}
	slices.Sort(res.Extra)
	if res.Clues > 0 {
		res.Precision = float64(res.TruePositives) / float64(res.Clues)
	}
	if res.Truth > 0 {
		res.Recall = float64(res.Recalled) / float64(res.Truth)
	}
	if res.Precision+res.Recall > 0 {
		res.F1 = 2 * res.Precision * res.Recall / (res.Precision + res.Recall)
	}
	return res, nil
}
