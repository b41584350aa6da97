package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"procura/internal/casework"
	"procura/internal/store"
	"procura/internal/store/pgtest"
)

// workflowBackends are the configurations of a fresh workspace on every backend: embedded
// DuckDB always, PostgreSQL when PROCURA_TEST_POSTGRES is set.
func workflowBackends(t *testing.T) map[string]func(t *testing.T) Config {
	clock := func() time.Time { return time.Now().UTC() }
	out := map[string]func(t *testing.T) Config{"duckdb": func(t *testing.T) Config {
		return Config{Workspace: filepath.Join(t.TempDir(), "ws"), Actor: "tester", HashParams: testHash, Clock: clock}
	}}
	if url := os.Getenv(pgtest.Env); url != "" {
		out["postgres"] = func(t *testing.T) Config {
			return Config{Workspace: filepath.Join(t.TempDir(), "ws"), DB: pgtest.FreshSchema(t, url), Actor: "tester",
				HashParams: testHash, Clock: clock}
		}
	}
	return out
}

// eachBackend runs f on a fresh, opened workspace of every backend.
func eachBackend(t *testing.T, f func(t *testing.T, a *App)) {
	for name, cfg := range workflowBackends(t) {
		t.Run(name, func(t *testing.T) {
			c := cfg(t)
			if _, err := Init(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			a, err := Open(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			f(t, a)
		})
	}
}

// seedClues records a run of model m1 that found n clues and returns their ids.
func seedClues(t testing.TB, a *App, n int) []int64 {
	t.Helper()
	return seedModelClues(t, a, "m1", n)
}

// seedModelClues records a run of model that found n clues and returns their ids.
func seedModelClues(t testing.TB, a *App, model string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	run, err := a.st.StartModelRun(ctx, store.ModelRun{ModelID: model, ModelVersion: 1, Actor: "tester", StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	cs := make([]store.Clue, n)
	for i := range cs {
		cs[i] = store.Clue{ModelID: model, ModelVersion: 1, Fingerprint: fmt.Sprint("fp", i), SubjectType: "person",
			SubjectKey: fmt.Sprint("K", i), SubjectName: "张三", Severity: "high", TitleZH: "醉驾未吊销驾驶证",
			EvidenceJSON: `[{"dataset":"licenses","batch":1,"line":2}]`}
	}
	if _, err := a.st.SaveClues(ctx, run, model, cs); err != nil {
		t.Fatal(err)
	}
	got, _, err := a.st.Clues(ctx, store.ClueFilter{ModelID: model, Limit: n + 1})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(got))
	for i, c := range got {
		ids[i] = c.ID
	}
	return ids
}

// addUsers creates one user per role, named after it.
func addUsers(t testing.TB, a *App, roles ...string) {
	t.Helper()
	for _, r := range roles {
		if _, err := a.AddUser(context.Background(), NewUser{Name: r, Role: r, Password: "a long passphrase"}); err != nil {
			t.Fatal(err)
		}
	}
}

func as(name, role string) context.Context {
	return WithPrincipal(context.Background(), Principal{Name: name, Role: role})
}

func TestAClueWalksTheWholeLifecycleWithWhoWhenAndWhyOnEveryStep(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *App) {
		addUsers(t, a, RoleProsecutor, RoleReviewer)
		id := seedClues(t, a, 1)[0]
		pros, rev := as("prosecutor", RoleProsecutor), as("reviewer", RoleReviewer)
		due := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
		steps := []struct {
			ctx context.Context
			req TransitionRequest
		}{
			{pros, TransitionRequest{To: casework.Assigned, Assignee: "reviewer", Due: due}},
			{rev, TransitionRequest{To: casework.Verifying}},
			{rev, TransitionRequest{To: casework.Confirmed, Reason: "判决书与驾驶证状态核实一致"}},
			{rev, TransitionRequest{To: casework.MeasureProposed, Reason: "检察建议书草稿"}},
			{pros, TransitionRequest{To: casework.MeasureApproved}},
			{pros, TransitionRequest{To: casework.Sent}},
			{pros, TransitionRequest{To: casework.ReplyReceived}},
			{pros, TransitionRequest{To: casework.Rectified}},
		}
		version := int64(1)
		for _, s := range steps {
			s.req.Clues = []ClueRef{{ID: id, Version: version}}
			res, err := a.TransitionClues(s.ctx, s.req)
			if err != nil {
				t.Fatalf("to %s: %v", s.req.To, err)
			}
			if c := res.Clues[0]; c.Status != s.req.To || c.Version != version+1 {
				t.Fatalf("after moving to %s: %+v", s.req.To, c)
			}
			version++
		}
		// A re-run of the model finds the clue again and keeps its state.
		seedClues(t, a, 1)
		d, err := a.Clue(pros, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != casework.Rectified || d.Assignee != "reviewer" || !d.DueAt.Equal(due) || len(d.Next) != 0 {
			t.Errorf("clue = %s assigned to %s due %v next %v", d.Status, d.Assignee, d.DueAt, d.Next)
		}
		if len(d.Events) != len(steps) {
			t.Fatalf("events = %d, want one per step", len(d.Events))
		}
		for i, e := range d.Events {
			wantOld := casework.New
			if i > 0 {
				wantOld = steps[i-1].req.To
			}
			if e.Kind != "transition" || e.Old != wantOld || e.New != steps[i].req.To || e.Actor == "" || e.AuditSeq == 0 {
				t.Errorf("event %d = %+v, want %s → %s with actor and audit entry", i, e, wantOld, steps[i].req.To)
			}
		}
		if d.Events[2].Reason != "判决书与驾驶证状态核实一致" || d.Events[2].Actor != "reviewer" {
			t.Errorf("the confirmation lost who and why: %+v", d.Events[2])
		}
		if d.Suggestion == nil || d.Suggestion.Decision != "accepted" || *d.Suggestion.Distance != 0 {
			t.Errorf("ledger = %+v, want the model's suggestion accepted", d.Suggestion)
		}
		es, err := a.AuditLog(context.Background(), AuditQuery{ObjectType: "clue", ObjectID: fmt.Sprint(id)})
		if err != nil || len(es) != len(steps) {
			t.Fatalf("audit entries = %d, %v", len(es), err)
		}
		if !strings.Contains(string(es[0].Old), `"status":"new"`) || !strings.Contains(string(es[0].New), `"status":"assigned"`) {
			t.Errorf("audit entry old %s new %s, want the statuses", es[0].Old, es[0].New)
		}
		ms, err := a.Models(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_ = ms // m1 is not a built-in model; precision is checked in the store and the report below
		rep, err := a.AIReport(context.Background())
		if err != nil || len(rep.Features) != 1 || rep.Features[0].Accepted != 1 || *rep.Features[0].AcceptanceRate != 1 {
			t.Errorf("AI report = %+v, %v", rep, err)
		}
	})
}

func TestInvalidTransitionsAreRefusedWithTheAllowedOnesNamed(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	id := seedClues(t, a, 1)[0]
	_, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.Confirmed})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "assigned or verifying or dismissed") {
		t.Errorf("confirm a new clue = %v, want refused naming assigned, verifying, dismissed", err)
	}
	_, err = a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.Dismissed})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "--reason") {
		t.Errorf("dismiss without a reason = %v, want refused asking for --reason", err)
	}
	_, err = a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.Assigned, Assignee: "nobody"})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "procura user list") {
		t.Errorf("assign to an unknown user = %v", err)
	}
	_, err = a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.Confirmed, Severity: "severe"})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "low, medium, high") {
		t.Errorf("an unknown severity = %v, want refused naming the severities", err)
	}
	_, err = a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id + 100), To: casework.Verifying})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown clue = %v, want ErrNotFound", err)
	}
	if c, _ := a.st.Clue(ctx, id); c.Status != casework.New || c.Version != 1 {
		t.Errorf("a refused transition changed the clue: %+v", c)
	}
}

func TestTwoReviewersTransitionTheSameClueOneWinsTheOtherIsToldWhoChangedIt(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *App) {
		addUsers(t, a, RoleReviewer)
		if _, err := a.AddUser(context.Background(), NewUser{Name: "wang", Role: RoleReviewer, Password: "a long passphrase"}); err != nil {
			t.Fatal(err)
		}
		for round := range 3 {
			id := seedClues(t, a, round+1)[round]
			if _, err := a.TransitionClues(context.Background(), TransitionRequest{Clues: Refs(id), To: casework.Verifying}); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, who := range []string{"reviewer", "wang"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					to, reason := casework.Confirmed, "核实属实"
					if i == 1 {
						to, reason = casework.Dismissed, "证据不足"
					}
					_, errs[i] = a.TransitionClues(as(who, RoleReviewer), TransitionRequest{Clues: []ClueRef{{ID: id, Version: 2}}, To: to, Reason: reason})
				}()
			}
			wg.Wait()
			winner, loser := 0, 1
			if errs[0] != nil {
				winner, loser = 1, 0
			}
			if errs[winner] != nil {
				t.Fatalf("round %d: both failed: %v / %v", round, errs[0], errs[1])
			}
			var ce *ConflictError
			if !errors.As(errs[loser], &ce) || !errors.Is(errs[loser], ErrConflict) {
				t.Fatalf("round %d: loser got %v, want a ConflictError", round, errs[loser])
			}
			who := []string{"reviewer", "wang"}[winner]
			if ce.By != who || ce.Version != 3 || !strings.Contains(ce.Error(), who) || !strings.Contains(ce.Error(), "procura clue show") {
				t.Errorf("round %d: conflict %q does not name %s and the version", round, ce.Error(), who)
			}
			d, err := a.Clue(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Version != 3 || len(d.Events) != 2 || d.Events[1].Actor != who {
				t.Errorf("round %d: clue at version %d with events %+v, want exactly the winner's change", round, d.Version, d.Events)
			}
		}
	})
}

func TestABulkAssignOf200CluesIsOneAuditedActionAndOneBadClueStopsAll(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *App) {
		addUsers(t, a, RoleReviewer)
		ctx := context.Background()
		ids := seedClues(t, a, 201)
		// The last clue is closed already: the whole bulk assign is refused and nothing changes.
		if _, err := a.st.ReviewClue(ctx, ids[200], casework.Rectified, "", "x"); err != nil {
			t.Fatal(err)
		}
		_, err := a.AssignClues(ctx, AssignRequest{Clues: Refs(ids...), Assignee: "reviewer"})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), fmt.Sprint("clue ", ids[200])) {
			t.Fatalf("bulk assign with a closed clue = %v, want refused naming it", err)
		}
		if n, _, _ := a.st.Clues(ctx, store.ClueFilter{Status: casework.Assigned}); len(n) != 0 {
			t.Fatalf("%d clues assigned by a refused bulk assign", len(n))
		}
		before, _ := a.AuditLog(ctx, AuditQuery{})
		res, err := a.AssignClues(ctx, AssignRequest{Clues: Refs(ids[:200]...), Assignee: "reviewer", Reason: "本周核查"})
		if err != nil {
			t.Fatal(err)
		}
		after, _ := a.AuditLog(ctx, AuditQuery{})
		if len(after) != len(before)+1 || after[len(after)-1].Action != "clue.bulk_assign" || after[len(after)-1].Seq != res.AuditSeq {
			t.Fatalf("bulk assign wrote %d audit entries (last %+v), want one clue.bulk_assign", len(after)-len(before), after[len(after)-1])
		}
		page, err := a.Clues(ctx, ClueQuery{Assignee: "reviewer", Status: casework.Assigned, Limit: 500})
		if err != nil || page.Total != 200 {
			t.Fatalf("assigned clues = %d, %v; want 200", page.Total, err)
		}
	})
}

func TestABulkTransitionCancelledMidwayLeavesNoneApplied(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *App) {
		ids := seedClues(t, a, 50)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ctx = context.WithValue(ctx, clueHookKey{}, func(ctx context.Context, done int) error {
			if done == len(ids) { // every clue is written, nothing is committed
				cancel()
			}
			return ctx.Err()
		})
		_, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(ids...), To: casework.Verifying})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled bulk transition = %v", err)
		}
		assertNoneMoved(t, a, ids)
	})
}

// assertNoneMoved checks that every clue of ids is new at version 1 with no events, and that
// the audit chain holds.
func assertNoneMoved(t *testing.T, a *App, ids []int64) {
	t.Helper()
	ctx := context.Background()
	page, err := a.Clues(ctx, ClueQuery{Status: casework.New, Limit: len(ids) + 1})
	if err != nil || page.Total != int64(len(ids)) {
		t.Fatalf("new clues after an interrupted bulk transition = %d, %v; want all %d", page.Total, err, len(ids))
	}
	for _, c := range page.Clues {
		if c.Version != 1 {
			t.Errorf("clue %d at version %d", c.ID, c.Version)
		}
	}
	evs, _ := a.st.WorkflowEvents(ctx, store.EventFilter{ObjectType: "clue", ObjectID: fmt.Sprint(ids[0])})
	if len(evs) != 0 {
		t.Errorf("events written by an interrupted bulk transition: %+v", evs)
	}
	v, err := a.AuditVerify(ctx, false)
	if err != nil || !v.OK {
		t.Errorf("audit chain after the interruption: %+v, %v", v.Report, err)
	}
}

func TestOverdueListsOpenCluesPastTheirDueDate(t *testing.T) {
	a, clock, _ := newTestApp(t, nil)
	ctx := context.Background()
	addUsers(t, a, RoleReviewer)
	ids := seedClues(t, a, 3)
	due, err := a.ParseDue("2025-03-05")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AssignClues(ctx, AssignRequest{Clues: Refs(ids...), Assignee: "reviewer", Due: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(ids[0]), To: casework.Dismissed, Reason: "不属实"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := a.Clues(ctx, ClueQuery{Overdue: true}); p.Total != 0 {
		t.Errorf("overdue before the due date = %d", p.Total)
	}
	clock.Add(5 * 24 * time.Hour)
	if p, _ := a.Clues(ctx, ClueQuery{Overdue: true}); p.Total != 2 {
		t.Errorf("overdue after the due date = %d, want the two open clues", p.Total)
	}
	if _, err := a.ParseDue("30/04/2025"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("a bad due date = %v", err)
	}
}

func TestABulkChangeRacingASingleChangeIsRefusedWholeNamingTheClueAndWho(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *App) {
		addUsers(t, a, RoleReviewer)
		ids := seedClues(t, a, 3)
		var once sync.Once
		var raceErr error
		// While the bulk change has read the clues but not yet written them, a reviewer moves
		// the third clue in a transaction of their own, which commits first.
		ctx := context.WithValue(context.Background(), clueHookKey{}, func(_ context.Context, done int) error {
			if done == 0 {
				once.Do(func() {
					_, raceErr = a.TransitionClues(as("reviewer", RoleReviewer), TransitionRequest{Clues: Refs(ids[2]), To: casework.Verifying})
				})
			}
			return nil
		})
		refs := []ClueRef{{ID: ids[0], Version: 1}, {ID: ids[1], Version: 1}, {ID: ids[2], Version: 1}}
		_, err := a.TransitionClues(ctx, TransitionRequest{Clues: refs, To: casework.Dismissed, Reason: "批量排除"})
		if raceErr != nil {
			t.Fatalf("the racing change failed: %v", raceErr)
		}
		var ce *ConflictError
		if !errors.As(err, &ce) || ce.Object != fmt.Sprint("clue ", ids[2]) || ce.By != "reviewer" {
			t.Fatalf("bulk change = %v, want a conflict on clue %d by reviewer", err, ids[2])
		}
		for i, id := range ids {
			c, _ := a.st.Clue(context.Background(), id)
			want := casework.New
			if i == 2 {
				want = casework.Verifying
			}
			if c.Status != want {
				t.Errorf("clue %d is %s, want %s: the refused bulk change left something behind", id, c.Status, want)
			}
		}
	})
}

func TestConcurrentBulkChangesOfDifferentCluesAllSucceed(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *App) {
		addUsers(t, a, RoleReviewer)
		ids := seedClues(t, a, 600)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = a.AssignClues(context.Background(), AssignRequest{Clues: Refs(ids[i*150 : (i+1)*150]...), Assignee: "reviewer"})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("bulk change %d: %v", i, err)
			}
		}
		if p, err := a.Clues(context.Background(), ClueQuery{Status: casework.Assigned, Limit: 1}); err != nil || p.Total != 600 {
			t.Errorf("assigned clues = %d, %v; want 600", p.Total, err)
		}
		if es, _ := a.AuditLog(context.Background(), AuditQuery{Action: "clue.bulk_assign"}); len(es) != 4 {
			t.Errorf("audit entries of the bulk changes = %d, want 4", len(es))
		}
		if v, err := a.AuditVerify(context.Background(), false); err != nil || !v.OK {
			t.Errorf("audit chain after 4 concurrent bulk changes: %+v, %v", v.Report, err)
		}
	})
}
