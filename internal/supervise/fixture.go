package supervise

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"procura/internal/ingest"
	"procura/internal/store"
)

// WorkspaceEnv describes the datasets of an open workspace for validation and compilation.
func WorkspaceEnv(ctx context.Context, st *store.Store) (Env, error) {
	infos, err := st.Datasets(ctx)
	if err != nil {
		return Env{}, err
	}
	env := Env{}
	for _, d := range infos {
		var sch struct {
			Columns []Column `json:"columns"`
		}
		if d.ColumnsJSON != "" {
			if err := json.Unmarshal([]byte(d.ColumnsJSON), &sch); err != nil {
				return Env{}, fmt.Errorf("dataset %s: stored schema is unreadable: %w", d.Name, err)
			}
		}
		ds := Dataset{Name: d.Name, Kind: d.Kind, Table: store.DatasetTable(d.Name), Columns: sch.Columns}
		for _, b := range d.Batches {
			if b.Status == store.BatchDone {
				ds.Batches = append(ds.Batches, b.ID)
			}
		}
		env.Datasets = append(env.Datasets, ds)
	}
	return env, nil
}

// Expected is a fixture's expected.json: the subject keys of the clues the model must find
// in the fixture's inputs, and optionally how many result rows each clue rests on.
type Expected struct {
	Clues []ExpectedClue `json:"clues"`
}

// ExpectedClue is one clue a fixture expects.
type ExpectedClue struct {
	SubjectKey string `json:"subject_key"`
	Rows       int    `json:"rows,omitempty"`
}

// FixtureResult says whether a model found exactly the expected clues in its fixtures.
type FixtureResult struct {
	ModelID  string   `json:"model_id"`
	Passed   bool     `json:"passed"`
	Want     []string `json:"want"`
	Got      []string `json:"got"`
	Problems []string `json:"problems,omitempty"`
}

// FixtureFiles lists the input files of a fixture directory: <kind or dataset>.csv.
func FixtureFiles(m *Model, dir fs.FS) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, a := range sortedKeys(m.Inputs) {
		in := m.Inputs[a]
		name := in.Kind
		if name == "" {
			name = in.Dataset
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		if _, err := fs.Stat(dir, name+".csv"); err != nil {
			return nil, fmt.Errorf("fixture of model %s has no %s.csv for input %s", m.ID, name, a)
		}
		out = append(out, name+".csv")
	}
	if _, err := fs.Stat(dir, "expected.json"); err != nil {
		return nil, fmt.Errorf("fixture of model %s has no expected.json", m.ID)
	}
	return out, nil
}

// VerifyFixture imports the fixture's inputs into st (an empty scratch workspace), runs the
// model and compares its clues with expected.json. scratch is a directory for copies of the
// input files.
func VerifyFixture(ctx context.Context, st *store.Store, m *Model, dir fs.FS, scratch string) (FixtureResult, error) {
	res := FixtureResult{ModelID: m.ID}
	files, err := FixtureFiles(m, dir)
	if err != nil {
		return res, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(f, ".csv")
		b, err := fs.ReadFile(dir, f)
		if err != nil {
			return res, err
		}
		p := filepath.Join(scratch, path.Base(f))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return res, err
		}
		kind := ""
		for _, in := range m.Inputs {
			if in.Kind == name {
				kind = name
			}
		}
		r, err := ingest.Import(ctx, st, ingest.Options{Path: p, Dataset: name, Kind: kind})
		if err != nil {
			return res, fmt.Errorf("fixture of model %s: import %s: %w", m.ID, f, err)
		}
		if r.RowsRejected > 0 {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %d rows rejected on import; fix the fixture (procura rejects --dataset %s)", f, r.RowsRejected, name))
		}
	}
	var exp Expected
	b, err := fs.ReadFile(dir, "expected.json")
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		return res, fmt.Errorf("fixture of model %s: expected.json: %w", m.ID, err)
	}
	env, err := WorkspaceEnv(ctx, st)
	if err != nil {
		return res, err
	}
	findings, _, _, err := Find(ctx, st.DB(), st.Backend(), st.Location(), m, env, nil)
	if err != nil {
		return res, err
	}
	got := map[string]int{}
	for _, f := range findings {
		res.Got = append(res.Got, f.SubjectKey)
		got[f.SubjectKey] = f.Rows
	}
	for _, e := range exp.Clues {
		res.Want = append(res.Want, e.SubjectKey)
		rows, ok := got[e.SubjectKey]
		switch {
		case !ok:
			res.Problems = append(res.Problems, fmt.Sprintf("expected a clue about %s, found none", e.SubjectKey))
		case e.Rows > 0 && rows != e.Rows:
			res.Problems = append(res.Problems, fmt.Sprintf("clue about %s rests on %d rows, expected %d", e.SubjectKey, rows, e.Rows))
		}
	}
	for _, k := range res.Got {
		if !slices.Contains(res.Want, k) {
			res.Problems = append(res.Problems, fmt.Sprintf("unexpected clue about %s", k))
		}
	}
	slices.Sort(res.Want)
	slices.Sort(res.Got)
	res.Passed = len(res.Problems) == 0
	return res, nil
}
