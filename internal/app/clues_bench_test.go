package app

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkAssign200Clues compares assigning 200 clues as one bulk change (one transaction,
// one audit entry) with 200 changes of one clue each; the ratio is in docs/BENCHMARKS.md.
func BenchmarkAssign200Clues(b *testing.B) {
	c := Config{Workspace: filepath.Join(b.TempDir(), "ws"), Actor: "tester", HashParams: testHash}
	if _, err := Init(context.Background(), c); err != nil {
		b.Fatal(err)
	}
	a, err := Open(context.Background(), c)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	addUsers(b, a, RoleReviewer, RoleAnalyst)
	ids := seedClues(b, a, 200)
	ctx := context.Background()
	who := []string{RoleReviewer, RoleAnalyst}
	b.Run("bulk", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := a.AssignClues(ctx, AssignRequest{Clues: Refs(ids...), Assignee: who[i%2]}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("one_by_one", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			for _, id := range ids {
				if _, err := a.AssignClues(ctx, AssignRequest{Clues: Refs(id), Assignee: who[i%2]}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
