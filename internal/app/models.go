package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"procura/internal/progress"
	"procura/internal/store"
	"procura/internal/supervise"
)

// ModelInfo is a supervision model as the model list shows it.
type ModelInfo struct {
	ID        string                     `json:"id"`
	Version   int                        `json:"version"`
	Title     supervise.Text             `json:"title"`
	Measure   string                     `json:"measure"`
	Severity  string                     `json:"severity"`
	Pattern   string                     `json:"pattern,omitempty"`
	Tags      []string                   `json:"tags,omitempty"`
	Source    string                     `json:"source"` // built-in or imported
	Params    map[string]supervise.Param `json:"params,omitempty"`
	Clues     int64                      `json:"clues"`
	Confirmed int64                      `json:"confirmed"` // confirmed and every later status (docs/workflow.md)
	Dismissed int64                      `json:"dismissed"`
	// Precision is confirmed / (confirmed + dismissed); nil until a clue is decided.
	Precision *float64 `json:"precision,omitempty"`
	// ByVersion is the same per model version decided on.
	ByVersion []VersionPrecision `json:"by_version,omitempty"`
}

// VersionPrecision is the precision of one version of a model.
type VersionPrecision struct {
	store.ReviewTally
	Precision *float64 `json:"precision,omitempty"`
}

type loadedModel struct {
	m      *supervise.Model
	source string
}

// models returns the built-in models, with models imported into the workspace taking the
// place of a built-in model of the same id.
func (a *App) models(ctx context.Context) ([]loadedModel, error) {
	builtins, err := supervise.Builtins()
	if err != nil {
		return nil, fmt.Errorf("built-in models: %w", err)
	}
	byID := map[string]loadedModel{}
	for _, m := range builtins {
		byID[m.ID] = loadedModel{m, "built-in"}
	}
	stored, err := a.st.StoredModels(ctx)
	if err != nil {
		return nil, err
	}
	for _, sm := range stored {
		m, err := supervise.Parse([]byte(sm.YAML))
		if err != nil {
			return nil, fmt.Errorf("imported model %s: %w", sm.ID, err)
		}
		byID[m.ID] = loadedModel{m, "imported"}
	}
	out := make([]loadedModel, 0, len(byID))
	for _, lm := range byID {
		out = append(out, lm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].m.ID < out[j].m.ID })
	return out, nil
}

func (a *App) findModel(ctx context.Context, id string) (loadedModel, error) {
	ms, err := a.models(ctx)
	if err != nil {
		return loadedModel{}, err
	}
	var ids []string
	for _, lm := range ms {
		if lm.m.ID == id {
			return lm, nil
		}
		ids = append(ids, lm.m.ID)
	}
	return loadedModel{}, fmt.Errorf("%w: no model %q: list the models with procura model list (%d known)", ErrNotFound, id, len(ids))
}

// Models lists the models with their clue counts and review precision.
func (a *App) Models(ctx context.Context) ([]ModelInfo, error) {
	if _, err := a.authorize(ctx, ActModelRead); err != nil {
		return nil, err
	}
	ms, err := a.models(ctx)
	if err != nil {
		return nil, err
	}
	tallies, err := a.st.ReviewTallies(ctx)
	if err != nil {
		return nil, err
	}
	byVersion, err := a.st.ReviewTalliesByVersion(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ModelInfo, 0, len(ms))
	for _, lm := range ms {
		out = append(out, modelInfo(lm, tallies[lm.m.ID], byVersion))
	}
	return out, nil
}

func modelInfo(lm loadedModel, t store.ReviewTally, byVersion []store.ReviewTally) ModelInfo {
	m := lm.m
	mi := ModelInfo{ID: m.ID, Version: m.Version, Title: m.Title, Measure: m.Measure, Severity: m.Severity, Pattern: m.Pattern,
		Tags: m.Tags, Source: lm.source, Params: m.Params, Clues: t.Clues, Confirmed: t.Confirmed, Dismissed: t.Dismissed,
		Precision: t.Precision()}
	for _, v := range byVersion {
		if v.ModelID == m.ID {
			mi.ByVersion = append(mi.ByVersion, VersionPrecision{ReviewTally: v, Precision: v.Precision()})
		}
	}
	return mi
}

// ModelDetail is one model with its definition and recent runs.
type ModelDetail struct {
	ModelInfo
	Model *supervise.Model `json:"model"`
	YAML  string           `json:"yaml"`
	Runs  []store.ModelRun `json:"runs"`
}

// Model shows one model.
func (a *App) Model(ctx context.Context, id string) (ModelDetail, error) {
	if _, err := a.authorize(ctx, ActModelRead); err != nil {
		return ModelDetail{}, err
	}
	lm, err := a.findModel(ctx, id)
	if err != nil {
		return ModelDetail{}, err
	}
	tallies, err := a.st.ReviewTallies(ctx)
	if err != nil {
		return ModelDetail{}, err
	}
	byVersion, err := a.st.ReviewTalliesByVersion(ctx)
	if err != nil {
		return ModelDetail{}, err
	}
	runs, err := a.st.ModelRuns(ctx, id, 10)
	if err != nil {
		return ModelDetail{}, err
	}
	if runs == nil {
		runs = []store.ModelRun{}
	}
	return ModelDetail{ModelInfo: modelInfo(lm, tallies[id], byVersion), Model: lm.m, YAML: string(lm.m.Source()), Runs: runs}, nil
}

// ValidateResult is the outcome of validating a model file.
type ValidateResult struct {
	File     string              `json:"file"`
	ID       string              `json:"id,omitempty"`
	Valid    bool                `json:"valid"`
	Problems []supervise.Problem `json:"problems"`
}

// ValidateModelFile checks a model file against the built-in kinds; it needs no workspace.
// Every problem is reported at once with its line.
func ValidateModelFile(path string) (ValidateResult, error) {
	res := ValidateResult{File: path, Problems: []supervise.Problem{}}
	b, err := os.ReadFile(path)
	if err != nil {
		return res, fmt.Errorf("read model: %w", err)
	}
	m, err := supervise.Parse(b)
	if err != nil {
		res.Problems = append(res.Problems, supervise.Problem{Line: lineOf(err.Error()), Message: err.Error()})
		return res, nil
	}
	res.ID = m.ID
	if ps := supervise.Validate(m, supervise.Env{KindsOnly: true}); len(ps) > 0 {
		res.Problems = ps
		return res, nil
	}
	res.Valid = true
	return res, nil
}

// lineOf finds "line N" in a YAML error message.
func lineOf(msg string) int {
	var n int
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &n)
	}
	return n
}

// RunRequest says which models to run with which parameter overrides.
type RunRequest struct {
	IDs      []string
	All      bool
	Params   map[string]string // name=value; applied to every model that declares the name
	Progress progress.Reporter
}

// RunModels runs the requested models one after another and records each run.
func (a *App) RunModels(ctx context.Context, req RunRequest) ([]supervise.RunResult, error) {
	p, err := a.authorize(ctx, ActModelRun)
	if err != nil {
		return nil, err
	}
	ms, err := a.models(ctx)
	if err != nil {
		return nil, err
	}
	var todo []loadedModel
	switch {
	case req.All && len(req.IDs) > 0:
		return nil, errors.New("give model ids or --all, not both")
	case req.All:
		todo = ms
	case len(req.IDs) == 0:
		return nil, errors.New("no model to run: give model ids (procura model list) or --all")
	default:
		for _, id := range req.IDs {
			lm, err := a.findModel(ctx, id)
			if err != nil {
				return nil, err
			}
			todo = append(todo, lm)
		}
	}
	env, err := supervise.WorkspaceEnv(ctx, a.st)
	if err != nil {
		return nil, err
	}
	var out []supervise.RunResult
	for _, lm := range todo {
		if req.All && !inputsPresent(lm.m, env) {
			// --all runs what the workspace can answer; a model named explicitly reports
			// its missing inputs instead.
			continue
		}
		params := map[string]string{}
		for k, v := range req.Params {
			if _, ok := lm.m.Params[k]; ok || !req.All && len(req.IDs) == 1 {
				params[k] = v
			}
		}
		res, err := supervise.Run(ctx, a.st, lm.m, env, supervise.RunOptions{Params: params, Actor: p.Name, Progress: req.Progress})
		if err != nil {
			return out, fmt.Errorf("model %s: %w", lm.m.ID, err)
		}
		if err := a.recordRun(ctx, lm.m, res); err != nil {
			return out, err
		}
		out = append(out, res)
	}
	if out == nil {
		out = []supervise.RunResult{}
	}
	return out, nil
}

// inputsPresent reports whether the workspace has a dataset for every input of m.
func inputsPresent(m *supervise.Model, env supervise.Env) bool {
	for _, in := range m.Inputs {
		if !slices.ContainsFunc(env.Datasets, func(d supervise.Dataset) bool {
			return in.Kind != "" && d.Kind == in.Kind || in.Dataset != "" && d.Name == in.Dataset
		}) {
			return false
		}
	}
	return true
}

// Backtest runs a model on the workspace without storing clues and scores its findings
// against a labelled truth file: truthPath is violations.json or the truth directory, and a
// model whose backtest names another file of that directory reads it from there.
func (a *App) Backtest(ctx context.Context, id, truthPath string, params map[string]string) (supervise.BacktestResult, error) {
	if _, err := a.authorize(ctx, ActModelRun); err != nil {
		return supervise.BacktestResult{}, err
	}
	lm, err := a.findModel(ctx, id)
	if err != nil {
		return supervise.BacktestResult{}, err
	}
	if lm.m.Backtest == nil {
		return supervise.BacktestResult{}, fmt.Errorf("model %s has no backtest: section saying which truth entries it answers", id)
	}
	truth, err := supervise.LoadTruth(supervise.TruthPath(*lm.m.Backtest, truthPath))
	if err != nil {
		return supervise.BacktestResult{}, err
	}
	env, err := supervise.WorkspaceEnv(ctx, a.st)
	if err != nil {
		return supervise.BacktestResult{}, err
	}
	findings, _, _, err := supervise.Find(ctx, a.st.DB(), a.st.Backend(), a.st.Location(), lm.m, env, params)
	if err != nil {
		return supervise.BacktestResult{}, err
	}
	res, err := supervise.Backtest(lm.m.ID, *lm.m.Backtest, findings, truth)
	if err != nil {
		return res, err
	}
	if err := a.recordBacktest(ctx, lm.m, filepath.Base(truthPath), res); err != nil {
		return res, err
	}
	return res, a.conceal(ctx, &res, shown{Object: "backtest", ID: lm.m.ID, Rows: len(res.Missed) + len(res.Extra)}, basePlan)
}
