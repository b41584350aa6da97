package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"procura/internal/store/pgtest"
)

// TestMigration7MapsOldReviewStatusesAndEntersOldCluesInTheLedger builds a workspace at schema
// 6 with clues reviewed the old way, applies migration 7 and checks what it made of them.
func TestMigration7MapsOldReviewStatusesAndEntersOldCluesInTheLedger(t *testing.T) {
	opts := map[string]Options{"duckdb": {Workspace: filepath.Join(t.TempDir(), "ws"), Holder: "test"}}
	if url := os.Getenv(pgtest.Env); url != "" {
		opts["postgres"] = Options{Workspace: filepath.Join(t.TempDir(), "ws"), URL: pgtest.FreshSchema(t, url), Holder: "test"}
	}
	for name, o := range opts {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			os.MkdirAll(o.Workspace, 0o700)
			s, err := open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			steps, err := loadMigrations(s.dialect.name)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.ensureMigrationTable(ctx); err != nil {
				t.Fatal(err)
			}
			for _, m := range steps[:6] {
				if err := s.applyMigration(ctx, m, len(steps)); err != nil {
					t.Fatal(err)
				}
			}
			now := time.Now()
			if _, err := s.db.ExecContext(ctx, `INSERT INTO model_runs VALUES (1, 'm', 2, '{}', '{"a":1}', 'x', 'done', '', 0, 4, 4, 0, 0, $1, $1, 0)`, now); err != nil {
				t.Fatal(err)
			}
			for i, st := range []string{"new", "reviewing", "confirmed", "rejected"} {
				if _, err := s.db.ExecContext(ctx, `INSERT INTO clues VALUES ($1, 'm', 2, $2, 'person', 'k', '张"三', 'high',
					't', 't', 'e', 'e', '{}', '[]', $3, TRUE, 1, 1, NULL, '', 'li', $4, $4, $4)`, i+1, st, st, now); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.applyMigration(ctx, steps[6], len(steps)); err != nil {
				t.Fatal(err)
			}
			want := map[int64][2]string{1: {"new", ""}, 2: {"verifying", ""}, 3: {"confirmed", "accepted"}, 4: {"dismissed", "rejected"}}
			for id, w := range want {
				c, err := s.Clue(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				sg, err := s.SuggestionOn(ctx, "clue", "clue", c.IDString())
				if err != nil {
					t.Fatal(err)
				}
				if c.Status != w[0] || c.Version != 1 || sg.Decision != w[1] || sg.InputsJSON != `{"a":1}` || sg.EngineVersion != "2" {
					t.Errorf("clue %d: status %s version %d, suggestion %+v; want %v", id, c.Status, c.Version, sg, w)
				}
			}
		})
	}
}
