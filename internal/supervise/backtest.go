package supervise

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// TruthEntry is one labelled answer, in the format of the synthetic world's
// truth/violations.json: a type, the person it concerns and the identifiers that answer it.
type TruthEntry struct {
	Type     string   `json:"type"`
	IDNumber string   `json:"id_number,omitempty"`
	Name     string   `json:"name,omitempty"`
	IDs      []string `json:"ids"`
	Detail   string   `json:"detail,omitempty"`
}

// LoadTruth reads a truth file: a JSON array of entries.
func LoadTruth(path string) ([]TruthEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read truth file: %w", err)
	}
	var out []TruthEntry
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("truth file %s: %w: it must be a JSON array of {type, id_number, ids}", path, err)
	}
	return out, nil
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
	return nil, fmt.Errorf("truth_key %q: write id_number, ids or ids.N", key)
}

func clueKeys(key string, f Finding) []string {
	if key == "" || key == "subject" {
		return []string{f.SubjectKey}
	}
	return f.Fields[key]
}

// Backtest scores findings against the truth entries of spec.Type.
func Backtest(modelID string, spec BacktestSpec, findings []Finding, truth []TruthEntry) (BacktestResult, error) {
	res := BacktestResult{ModelID: modelID, TruthType: spec.Type, Clues: len(findings)}
	want := map[string]bool{}
	var order []string
	for _, e := range truth {
		if e.Type != spec.Type {
			continue
		}
		keys, err := truthKey(spec.TruthKey, e)
		if err != nil {
			return res, err
		}
		for _, k := range keys {
			if k != "" && !want[k] {
				want[k] = true
				order = append(order, k)
			}
		}
	}
	res.Truth = len(order)
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
	for _, k := range order {
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
