package app

import (
	"context"
	"path/filepath"
	"testing"

	"procura/internal/synth"
)

func TestResolveLinksTheSynthWorldsDuplicatePersonsInADataset(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	world := filepath.Join(dir, "world")
	if _, err := synth.Generate(ctx, synth.Options{Out: world, Seed: 7, Scale: "20000tx"}); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Workspace: filepath.Join(dir, "ws"), Actor: "tester"}
	if _, err := Init(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	a, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Import(ctx, ImportRequest{Path: filepath.Join(world, "persons.csv"), Dataset: "persons", Kind: "persons"}); err != nil {
		t.Fatal(err)
	}
	res, err := a.Resolve(ctx, ResolveRequest{Dataset: "persons"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Columns["id"] != "person_id" || res.Columns["name"] != "name" {
		t.Errorf("columns used = %v, want person_id as id and name as name", res.Columns)
	}
	if len(res.Clusters) == 0 {
		t.Fatalf("no duplicate persons found among %d records", res.Stats.Records)
	}
	if _, err := a.Resolve(ctx, ResolveRequest{Dataset: "nope"}); err == nil {
		t.Error("an unknown dataset was accepted")
	}
}
