package server

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/app"
)

func TestATraceRunsAsAJobThatStreamsProgressAndEndsWithTheFlows(t *testing.T) {
	f := worldFixture(t)
	f.wantError(app.RoleAuditor, "POST", "/api/v1/traces", map[string]any{"dataset": "tx", "seed_tx": []string{"T1"}}, http.StatusForbidden, "forbidden")
	d := f.wantError(app.RoleAnalyst, "POST", "/api/v1/traces", map[string]any{"policy": "lifo", "hop_window": "soon"}, http.StatusBadRequest, "invalid")
	for _, k := range []string{"dataset", "seed_tx", "policy", "hop_window"} {
		if d[k] == nil {
			t.Errorf("details %v do not name %s", d, k)
		}
	}
	job := f.startJob(app.RoleAnalyst, "/api/v1/traces", map[string]any{"dataset": "tx", "seed_tx": []string{"T1"}, "policy": "fifo", "min_amount": 1})
	states := f.follow(app.RoleAnalyst, job)
	last := states[len(states)-1]
	if last.Status != jobDone || last.Kind != "trace" {
		t.Fatalf("trace job ended %+v", last)
	}
	if last.Phase == "" {
		t.Errorf("the trace job reported no progress phase: %+v", last)
	}
	b := f.finish(app.RoleAnalyst, job) // a finished job replays its final state
	if !strings.Contains(string(b), `"dataset":"tx"`) || !strings.Contains(string(b), `"conservation_ok":true`) {
		t.Errorf("trace result = %s", b)
	}
	if strings.Contains(string(b), "6222029876543210") {
		t.Errorf("the trace shows an account number in the clear: %s", b)
	}
	// A trace in a dataset that does not exist fails as a job, saying so.
	job = f.startJob(app.RoleAnalyst, "/api/v1/traces", map[string]any{"dataset": "nope", "seed_tx": []string{"T1"}})
	states = f.follow(app.RoleAnalyst, job)
	if last := states[len(states)-1]; last.Status != jobFailed || !strings.Contains(last.Error, "nope") {
		t.Errorf("trace of a missing dataset ended %+v", last)
	}
	// A failed job's message leaves masked.
	job = f.startJob(app.RoleAnalyst, "/api/v1/traces", map[string]any{"dataset": "tx", "from_account": "6229999999999999"})
	states = f.follow(app.RoleAnalyst, job)
	if last := states[len(states)-1]; last.Status != jobFailed || strings.Contains(last.Error, "6229999999999999") {
		t.Errorf("trace from an unknown account ended %+v, want failed with the account masked", last)
	}
}

func TestTypologiesAndResolutionRunAsJobs(t *testing.T) {
	f := worldFixture(t)
	f.wantError(app.RoleReviewer, "POST", "/api/v1/typologies", map[string]any{"dataset": "tx"}, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/typologies", map[string]any{"dataset": "tx", "params": map[string]any{"no_such_param": 3}}, http.StatusBadRequest, "invalid")
	b := f.finish(app.RoleAnalyst, f.startJob(app.RoleAnalyst, "/api/v1/typologies", map[string]any{"dataset": "tx", "params": map[string]any{"fan_min": 2}}))
	var ty struct {
		Params struct {
			FanMin int `json:"fan_min"`
		} `json:"params"`
		Counts map[string]int `json:"counts"`
	}
	if err := json.Unmarshal(b, &ty); err != nil || ty.Params.FanMin != 2 || ty.Counts == nil {
		t.Errorf("typology result = %s, want fan_min 2 applied and counts", b)
	}
	f.wantError(app.RoleLiaison, "POST", "/api/v1/resolve", map[string]any{"dataset": "persons"}, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/resolve", map[string]any{}, http.StatusBadRequest, "invalid")
	b = f.finish(app.RoleProsecutor, f.startJob(app.RoleProsecutor, "/api/v1/resolve", map[string]any{"dataset": "persons"}))
	if !strings.Contains(string(b), "persons") {
		t.Errorf("resolve result = %s", b)
	}
}

func TestScreeningTransferMatchingAndCallsAnswerDirectly(t *testing.T) {
	f := worldFixture(t)
	var res map[string]any
	if status, b := f.call(app.RoleLiaison, "POST", "/api/v1/screen", map[string]any{"queries": []string{"张三"}}, &res); status != 200 || !strings.Contains(string(b), "张三") {
		t.Fatalf("screen = %d %s", status, b)
	}
	f.wantError(app.RoleAuditor, "POST", "/api/v1/screen", map[string]any{"queries": []string{"张三"}}, http.StatusForbidden, "forbidden")
	for _, l := range []string{"ofac:/etc", "csv:../../x.csv"} {
		d := f.wantError(app.RoleLiaison, "POST", "/api/v1/screen", map[string]any{"queries": []string{"x"}, "lists": []string{l}}, http.StatusBadRequest, "invalid")
		if d["lists"] == nil {
			t.Errorf("list %s: details %v", l, d)
		}
	}
	f.wantError(app.RoleLiaison, "POST", "/api/v1/screen", map[string]any{}, http.StatusBadRequest, "invalid")

	if status, b := f.call(app.RoleAnalyst, "POST", "/api/v1/transfer-matches", map[string]any{"out": "tx", "in": "tx", "max_delay": "1d"}, &res); status != 200 {
		t.Fatalf("transfer matches = %d %s", status, b)
	}
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/transfer-matches", map[string]any{"out": "tx", "in": "tx", "max_delay": "later"}, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/transfer-matches", map[string]any{"out": "tx", "in": "nope"}, http.StatusNotFound, "not_found")

	// There is no calls dataset: the analysis says so.
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/calls/analyze", map[string]any{"dataset": "tx"}, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/calls/analyze", map[string]any{"dataset": "nope"}, http.StatusNotFound, "not_found")
	f.wantError(app.RoleAuditor, "POST", "/api/v1/calls/analyze", map[string]any{}, http.StatusForbidden, "forbidden")

	calls := filepath.Join(t.TempDir(), "calls.csv")
	os.WriteFile(calls, []byte("caller,callee,start_time,duration_s,imei\n"+
		"13812345678,13700000001,2025-03-01 09:00:00,60,490154203237518\n"+
		"13812345678,13700000001,2025-03-01 23:30:00,120,490154203237518\n"+
		"13700000001,13600000001,2025-03-02 10:00:00,30,356938035643809\n"), 0o600)
	admin := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	if _, err := f.app.Import(admin, app.ImportRequest{Path: calls, Dataset: "calls", Kind: "calls"}); err != nil {
		t.Fatal(err)
	}
	status, b := f.call(app.RoleAnalyst, "POST", "/api/v1/calls/analyze", map[string]any{"dataset": "calls", "numbers": []string{"13812345678"}}, &res)
	if status != 200 || len(res) == 0 || strings.Contains(string(b), "13812345678") {
		t.Errorf("calls = %d %s, want an analysis with numbers masked", status, b)
	}
}

func TestARunningJobIsCancelledByItsOwnerAndItsEventsEndCancelled(t *testing.T) {
	f := newFixture(t)
	started := make(chan struct{})
	// A job that runs until cancelled, as a long trace does: the use cases stop on ctx.
	job := f.s.jobs.start(app.Principal{Name: "u_analyst", Role: app.RoleAnalyst}, "trace", "trace a big dataset",
		func(ctx context.Context, rep *jobReporter) (any, error) {
			rep.Begin("trace", 100, "seeds")
			rep.Add(1)
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		})
	<-started
	f.wantError(app.RoleProsecutor, "DELETE", "/api/v1/jobs/"+job.ID, nil, http.StatusNotFound, "not_found")
	if status, b := f.call(app.RoleAnalyst, "DELETE", "/api/v1/jobs/"+job.ID, nil, nil); status != http.StatusAccepted {
		t.Fatalf("cancel = %d %s", status, b)
	}
	states := f.follow(app.RoleAnalyst, job)
	if last := states[len(states)-1]; last.Status != jobCancelled || last.Phase != "trace" {
		t.Errorf("last state = %+v, want cancelled in phase trace", last)
	}
}
