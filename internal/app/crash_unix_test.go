//go:build unix

package app

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"procura/internal/casework"
)

// TestABulkTransitionKilledMidwayLeavesNoneApplied runs a bulk transition of 150 clues in a
// child process that kills itself with SIGKILL after writing them and before committing, then checks that
// no clue moved, no event was written and the audit chain holds; a rerun then moves all.
func TestABulkTransitionKilledMidwayLeavesNoneApplied(t *testing.T) {
	for name, cfg := range workflowBackends(t) {
		t.Run(name, func(t *testing.T) {
			c := cfg(t)
			ctx := context.Background()
			if _, err := Init(ctx, c); err != nil {
				t.Fatal(err)
			}
			a, err := Open(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			ids := seedClues(t, a, 150) // more than store.bulkFrom: the staged path
			a.Close()

			child := exec.Command(os.Args[0], "-test.run=^TestBulkTransitionChildKillsItself$", "-test.v")
			child.Env = append(os.Environ(), "PROCURA_CRASH_WS="+c.Workspace, "PROCURA_CRASH_DB="+c.DB)
			out, err := child.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child = %v, want killed by SIGKILL midway:\n%s", err, out)
			}

			a, err = Open(ctx, c)
			if err != nil {
				t.Fatalf("reopen after the kill: %v", err)
			}
			defer a.Close()
			assertNoneMoved(t, a, ids)
			res, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(ids...), To: casework.Verifying})
			if err != nil || len(res.Clues) != len(ids) {
				t.Fatalf("rerun after the kill = %d clues, %v; want all %d", len(res.Clues), err, len(ids))
			}
		})
	}
}

// TestBulkTransitionChildKillsItself is the child of the crash test; run alone it skips.
func TestBulkTransitionChildKillsItself(t *testing.T) {
	ws := os.Getenv("PROCURA_CRASH_WS")
	if ws == "" {
		t.Skip("the child of TestABulkTransitionKilledMidwayLeavesNoneApplied")
	}
	a, err := Open(context.Background(), Config{Workspace: ws, DB: os.Getenv("PROCURA_CRASH_DB"), Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := a.Clues(context.Background(), ClueQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range page.Clues {
		ids = append(ids, c.ID)
	}
	ctx := context.WithValue(context.Background(), clueHookKey{}, func(_ context.Context, done int) error {
		if done == len(ids) { // every clue is written, nothing is committed
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal arrives; nothing after it runs
		}
		return nil
	})
	_, err = a.TransitionClues(ctx, TransitionRequest{Clues: Refs(ids...), To: casework.Verifying})
	t.Fatalf("the bulk transition finished (%v) instead of being killed midway", err)
}
