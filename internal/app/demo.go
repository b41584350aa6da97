package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"procura/internal/progress"
	"procura/internal/score"
	"procura/internal/store"
	"procura/internal/synth"
)

// Synthesize writes a synthetic telecom-fraud world with its ground truth (procura synth). It
// writes only where the caller says and opens no workspace, so it needs no permission.
func Synthesize(ctx context.Context, o synth.Options) (synth.Summary, error) {
	return synth.Generate(ctx, o)
}

// Synthesize is Synthesize for a user of the workspace (the server): it needs synth.generate
// and writes into <workspace>/synth/<name>, never elsewhere.
func (a *App) Synthesize(ctx context.Context, name string, o synth.Options) (synth.Summary, error) {
	if _, err := a.authorize(ctx, ActSynthGenerate); err != nil {
		return synth.Summary{}, err
	}
	if store.ValidateDatasetName(name) != nil {
		return synth.Summary{}, fmt.Errorf("%w: world name %q: use lower-case letters, digits and _", ErrInvalid, name)
	}
	o.Out = filepath.Join(a.cfg.Workspace, "synth", name)
	if _, err := os.Stat(o.Out); err == nil {
		return synth.Summary{}, fmt.Errorf("%w: a world named %s exists already; choose another name", ErrInvalid, name)
	}
	return synth.Generate(ctx, o)
}

// SynthProgress adapts a Reporter to synth's progress callback.
func SynthProgress(pr progress.Reporter, phase string) func(done, total int64) {
	var last int64
	begun := false
	return func(done, total int64) {
		if !begun {
			pr.Begin(phase, total, "steps")
			begun = true
		}
		pr.Add(done - last)
		last = done
	}
}

// DemoOptions configure procura demo.
type DemoOptions struct {
	Seed     int64
	Scale    string // default "small"
	Progress progress.Reporter
}

// Score is how well one capability's findings match the world's truth.
type Score struct {
	score.PRF
	Detail string `json:"detail"`
}

func newScore(s score.PRF, detail string) Score { return Score{PRF: s, Detail: detail} }

// DemoImport is one file of the world as the demo imported it.
type DemoImport struct {
	File     string `json:"file"`
	Dataset  string `json:"dataset"`
	Kind     string `json:"kind,omitempty"`
	Format   string `json:"format"`
	Expected int64  `json:"rows_expected"`
	Imported int64  `json:"rows_imported"`
	Rejected int64  `json:"rows_rejected"`
}

// DemoResult is what procura demo found and how it scored.
type DemoResult struct {
	Workspace       string           `json:"workspace"`
	Admin           *FirstAdmin      `json:"admin,omitempty"` // the demo workspace's administrator, to log in to the workbench
	World           synth.Summary    `json:"world"`
	Imports         []DemoImport     `json:"imports"`
	Findings        DemoFindings     `json:"findings"`
	Scores          map[string]Score `json:"scores"`
	ImportSeconds   float64          `json:"import_seconds"`
	AnalysisSeconds float64          `json:"analysis_seconds"`
	Seconds         float64          `json:"seconds"`
}

// demoMarker marks a workspace as the demo's own, so a later demo may replace it.
const demoMarker = "procura-demo"

// RunDemo generates a world into <workspace>/world, imports it into a fresh workspace, runs the
// analyses procura has and scores them against the world's truth. A directory that is not an
// earlier demo workspace is never overwritten.
func RunDemo(ctx context.Context, c Config, o DemoOptions) (DemoResult, error) {
	start := time.Now()
	if o.Scale == "" {
		o.Scale = "small"
	}
	pr := progress.OrNop(o.Progress)
	res := DemoResult{Scores: map[string]Score{}}
	if err := clearDemoWorkspace(c.Workspace); err != nil {
		return res, err
	}
	ir, err := Init(ctx, c)
	if err != nil {
		return res, err
	}
	res.Admin = ir.Admin
	if err := os.WriteFile(filepath.Join(c.Workspace, demoMarker), []byte("created by procura demo; procura demo may delete this workspace\n"), 0o600); err != nil {
		return res, err
	}
	res.Workspace, _ = filepath.Abs(c.Workspace)

	world := filepath.Join(c.Workspace, "world")
	sum, err := synth.Generate(ctx, synth.Options{Out: world, Seed: o.Seed, Scale: o.Scale,
		Formats: synth.Formats, Progress: SynthProgress(pr, "generate world")})
	pr.End()
	if err != nil {
		return res, err
	}
	res.World = sum

	a, err := Open(ctx, c)
	if err != nil {
		return res, err
	}
	defer a.Close()
	t := time.Now()
	if res.Imports, err = a.importWorld(ctx, world, sum, pr); err != nil {
		return res, err
	}
	res.ImportSeconds = time.Since(t).Seconds()
	res.Scores["import"] = importScore(res.Imports)

	t = time.Now()
	if err := a.demoAnalyses(ctx, world, &res); err != nil {
		return res, err
	}
	res.AnalysisSeconds = time.Since(t).Seconds()
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// clearDemoWorkspace removes an earlier demo workspace and refuses any other directory.
func clearDemoWorkspace(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return os.Remove(dir)
	}
	if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
		return fmt.Errorf("%s exists and is not a demo workspace: choose another directory with --workspace (the demo replaces its own workspace only)", dir)
	}
	return os.RemoveAll(dir)
}

// importWorld imports every file of the world's manifest: the canonical file of each kind into
// the dataset named after the kind, and each realistic export into a dataset of its own, so the
// importers of every layout run.
func (a *App) importWorld(ctx context.Context, world string, sum synth.Summary, pr progress.Reporter) ([]DemoImport, error) {
	var out []DemoImport
	for _, f := range sum.Files {
		if f.Profile == "truth" || strings.HasPrefix(f.Path, "truth/") {
			continue // the answers, not data
		}
		req := ImportRequest{Path: filepath.Join(world, filepath.FromSlash(f.Path)), Dataset: demoDataset(f), Kind: f.Kind, Progress: pr}
		if f.Profile != "" && f.Profile != "canonical" {
			req.Profile = f.Profile
		}
		r, err := a.Import(ctx, req)
		if err != nil {
			return out, fmt.Errorf("demo: import %s: %w", f.Path, err)
		}
		out = append(out, DemoImport{File: f.Path, Dataset: r.Dataset, Kind: r.Kind, Format: f.Format, Expected: f.Rows, Imported: r.RowsImported, Rejected: r.RowsRejected})
	}
	return out, nil
}

// demoDataset names the dataset of a world file: the kind for canonical files ("transactions"),
// the kind and the layout for realistic exports ("transactions_bank_cn").
func demoDataset(f synth.FileInfo) string {
	base := f.Kind
	if base == "" {
		base = strings.TrimSuffix(filepath.Base(f.Path), filepath.Ext(f.Path))
	}
	if f.Format != "" && f.Format != "canonical" {
		base += "_" + f.Format
	}
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if store.ValidateDatasetName(name) != nil {
		name = "d_" + name
	}
	return name
}

// importScore: every row the world wrote should be imported, and nothing else.
func importScore(imports []DemoImport) Score {
	var tp, fp, fn int64
	for _, im := range imports {
		ok := min(im.Imported, im.Expected)
		tp += ok
		fp += im.Imported - ok
		fn += im.Expected - ok
	}
	return newScore(score.Of(tp, fp, fn), fmt.Sprintf("%d files: rows imported against rows written", len(imports)))
}
