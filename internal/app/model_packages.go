package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"procura/internal/audit"
	"procura/internal/store"
	"procura/internal/supervise"
)

// ExportModel writes model id with its fixture as a package (zip) to w.
func (a *App) ExportModel(ctx context.Context, id string, w io.Writer) error {
	if _, err := a.authorize(ctx, ActModelRead); err != nil {
		return err
	}
	lm, err := a.findModel(ctx, id)
	if err != nil {
		return err
	}
	fixture, err := a.modelFixture(ctx, lm)
	if err != nil {
		return err
	}
	return supervise.WritePackage(w, lm.m, fixture)
}

// modelFixture is the fixture of a built-in model, or the one an imported model was verified with.
func (a *App) modelFixture(ctx context.Context, lm loadedModel) (fs.FS, error) {
	if lm.source == "built-in" {
		return supervise.BuiltinFixture(lm.m.ID)
	}
	stored, err := a.st.StoredModels(ctx)
	if err != nil {
		return nil, err
	}
	for _, sm := range stored {
		if sm.ID == lm.m.ID && sm.Fixture != "" {
			return supervise.DecodeFixture(sm.Fixture)
		}
	}
	return nil, fmt.Errorf("imported model %s has no stored fixture: import its package again", lm.m.ID)
}

// ModelImport is the outcome of importing a model package.
type ModelImport struct {
	ID       string                  `json:"id"`
	Version  int                     `json:"version"`
	Accepted bool                    `json:"accepted"`
	Fixture  supervise.FixtureResult `json:"fixture"`
	Problems []supervise.Problem     `json:"problems,omitempty"`
}

// ImportModel reads a model package, validates the model, runs its fixture in a scratch
// workspace and stores the model only when the fixture finds exactly the expected clues.
// A model rejected by its own fixture is reported, not stored.
func (a *App) ImportModel(ctx context.Context, path string) (ModelImport, error) {
	if _, err := a.authorize(ctx, ActModelWrite); err != nil {
		return ModelImport{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return ModelImport{}, fmt.Errorf("open model package: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ModelImport{}, err
	}
	pkg, err := supervise.ReadPackage(f, st.Size())
	if err != nil {
		return ModelImport{}, err
	}
	m := pkg.Model
	res := ModelImport{ID: m.ID, Version: m.Version}
	if ps := supervise.Validate(m, supervise.Env{KindsOnly: true}); len(ps) > 0 {
		res.Problems = ps
		return res, nil
	}
	res.Fixture, err = verifyInScratch(ctx, m, pkg.Fixture)
	if err != nil {
		return res, err
	}
	if !res.Fixture.Passed {
		return res, nil
	}
	fixture, err := supervise.EncodeFixture(pkg.Fixture)
	if err != nil {
		return res, err
	}
	if err := a.st.SaveModel(ctx, store.StoredModel{ID: m.ID, Version: m.Version, YAML: string(m.Source()), Fixture: fixture,
		Source: filepath.Base(path), ImportedBy: a.actorName(ctx), ImportedAt: time.Now()}); err != nil {
		return res, err
	}
	res.Accepted = true
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: a.actorName(ctx), Action: "model.imported", ObjectType: "model", ObjectID: m.ID,
			New: map[string]any{"version": m.Version, "package": filepath.Base(path), "fixture_clues": res.Fixture.Got}})
	}
	if err != nil {
		return res, fmt.Errorf("model %s was imported, but recording it in the audit log failed: %w; check the chain with procura audit verify", m.ID, err)
	}
	return res, nil
}

// verifyInScratch runs a fixture in a throw-away embedded workspace, so the fixture's rows
// never mix with the office's data.
func verifyInScratch(ctx context.Context, m *supervise.Model, fixture fs.FS) (supervise.FixtureResult, error) {
	dir, err := os.MkdirTemp("", "procura-fixture-")
	if err != nil {
		return supervise.FixtureResult{}, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Init(ctx, store.Options{Workspace: filepath.Join(dir, "ws"), Holder: "procura model import"})
	if err != nil {
		return supervise.FixtureResult{}, fmt.Errorf("scratch workspace for the fixture: %w", err)
	}
	defer st.Close()
	files := filepath.Join(dir, "files")
	if err := os.Mkdir(files, 0o700); err != nil {
		return supervise.FixtureResult{}, err
	}
	return supervise.VerifyFixture(ctx, st, m, fixture, files)
}
