package synth

import (
	"encoding/csv"
	"fmt"
	"os"
)

// ReadCSV reads a CSV file the world wrote (a truth file or a canonical dataset) as one map per
// record, keyed by header. Scorers of every capability read the truth through it.
func ReadCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("world file %s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("world file %s has no header", path)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(recs[0]))
		for i, h := range recs[0] {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
	return out, nil
}
