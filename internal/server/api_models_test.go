package server

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/app"
)

func TestModelsAreListedShownAndRunAsJobsWhoseEventsEndWithTheRuns(t *testing.T) {
	f := worldFixture(t)
	var list struct {
		Models []struct {
			ID string `json:"id"`
		} `json:"models"`
	}
	if status, b := f.call(app.RoleReviewer, "GET", "/api/v1/models", nil, &list); status != 200 || len(list.Models) == 0 {
		t.Fatalf("models = %d %s", status, b)
	}
	var m struct {
		ID   string `json:"id"`
		YAML string `json:"yaml"`
		Runs []any  `json:"runs"`
	}
	if status, b := f.call(app.RoleAuditor, "GET", "/api/v1/models/cards_at_many_banks", nil, &m); status != 200 || m.YAML == "" {
		t.Fatalf("model = %d %s", status, b)
	}
	f.wantError(app.RoleLiaison, "GET", "/api/v1/models", nil, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAnalyst, "GET", "/api/v1/models/no_such_model", nil, http.StatusNotFound, "not_found")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/models/no_such_model/runs", nil, http.StatusNotFound, "not_found")
	f.wantError(app.RoleReviewer, "POST", "/api/v1/models/cards_at_many_banks/runs", nil, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/model-runs", map[string]any{}, http.StatusBadRequest, "invalid")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/model-runs", map[string]any{"ids": []string{"cards_at_many_banks", "nope"}}, http.StatusNotFound, "not_found")
	f.wantError(app.RoleAuditor, "POST", "/api/v1/model-runs", map[string]any{"all": true}, http.StatusForbidden, "forbidden")

	job := f.startJob(app.RoleAnalyst, "/api/v1/model-runs", map[string]any{"ids": []string{"cards_at_many_banks"}})
	if job.Kind != "model_run" || job.Owner != "u_analyst" {
		t.Errorf("job = %+v", job)
	}
	states := f.follow(app.RoleAnalyst, job)
	last := states[len(states)-1]
	if last.Status != jobDone {
		t.Fatalf("run ended %+v", last)
	}
	var res struct {
		Runs []struct {
			Model struct {
				ID string `json:"id"`
			} `json:"model"`
			Clues int `json:"clues"`
		} `json:"runs"`
	}
	b, _ := json.Marshal(last.Result)
	if json.Unmarshal(b, &res); len(res.Runs) != 1 {
		t.Fatalf("run result = %s, want one run", b)
	}
	// The run is in the model's history now.
	if f.call(app.RoleAnalyst, "GET", "/api/v1/models/cards_at_many_banks", nil, &m); len(m.Runs) == 0 {
		t.Errorf("the model shows no run after one")
	}
	var runs struct {
		Runs []struct {
			ModelID string `json:"model_id"`
		} `json:"runs"`
	}
	if status, b := f.call(app.RoleReviewer, "GET", "/api/v1/models/cards_at_many_banks/runs", nil, &runs); status != 200 ||
		len(runs.Runs) != 1 || runs.Runs[0].ModelID != "cards_at_many_banks" {
		t.Errorf("run history = %d %s, want the one run", status, b)
	}
	f.wantError(app.RoleReviewer, "GET", "/api/v1/models/nope/runs", nil, http.StatusNotFound, "not_found")
}

func TestABacktestReadsOnlyTruthFilesInsideTheWorkspace(t *testing.T) {
	f := worldFixture(t)
	for _, truth := range []string{"/etc/passwd", "../outside/truth", ""} {
		d := f.wantError(app.RoleAnalyst, "POST", "/api/v1/models/cards_at_many_banks/backtest", map[string]any{"truth": truth}, http.StatusBadRequest, "invalid")
		if !strings.Contains(d["truth"].(string), "inside the workspace") {
			t.Errorf("details = %v", d)
		}
	}
	f.wantError(app.RoleReviewer, "POST", "/api/v1/models/cards_at_many_banks/backtest", map[string]any{"truth": "synth/x/truth"}, http.StatusForbidden, "forbidden")
	f.wantError(app.RoleAnalyst, "POST", "/api/v1/models/cards_at_many_banks/backtest", map[string]any{"truth": "synth/x/truth"}, http.StatusNotFound, "not_found")

	dir := filepath.Join(f.app.Workspace(), "truth")
	os.MkdirAll(dir, 0o700)
	truth := `[{"type":"cards_at_many_banks","id_number":"` + secretID + `"},{"type":"cards_at_many_banks","id_number":"110105198001010016"}]`
	if err := os.WriteFile(filepath.Join(dir, "violations.json"), []byte(truth), 0o600); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Truth    int      `json:"truth"`
		Recalled int      `json:"recalled"`
		Missed   []string `json:"missed"`
	}
	status, b := f.call(app.RoleAnalyst, "POST", "/api/v1/models/cards_at_many_banks/backtest", map[string]any{"truth": "truth"}, &res)
	if status != 200 || res.Truth != 2 || res.Recalled != 1 || len(res.Missed) != 1 {
		t.Fatalf("backtest = %d %s, want 1 of 2 truth entries recalled", status, b)
	}
	if strings.Contains(string(b), "110105198001010016") {
		t.Errorf("the backtest shows a missed resident ID in the clear: %s", b)
	}
}
