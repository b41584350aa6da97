package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/app"
)

// The identifiers of the API world, as imported: answers show them only with unmask=1.
const (
	worldTx = `tx_id,account,holder_id_number,time,amount,counterparty_account,counterparty_id_number,imei
T1,6222021234567890,11010519491231002X,2025-03-01 10:00:00,-1000.00,6222029876543210,110105198001010016,490154203237518
T2,6222029876543210,110105198001010016,2025-03-01 10:05:00,1000.00,6222021234567890,11010519491231002X,490154203237518
T3,6222029876543210,110105198001010016,2025-03-01 11:00:00,-900.00,6222025555666677,,490154203237518
`
	worldAccounts = `account,bank,holder_name,holder_id_number,opened_at,phone
6222021234567890,工商银行,张三,11010519491231002X,2025-01-01 09:00:00,13812345678
6228481234567891,农业银行,张三,11010519491231002X,2025-01-02 09:00:00,13812345678
6217001234567892,建设银行,张三,11010519491231002X,2025-01-03 09:00:00,13812345678
6216611234567893,中国银行,张三,11010519491231002X,2025-01-03 15:00:00,13812345678
`
	worldPersons = `rec_id,name,id_number,phone,birth_date,address
13812345678,张三,11010519491231002X,13812345678,1949-12-31,北京市东城区东四大街1号
13912345678,张三,11010519491231002X,13812345678,1949-12-31,北京市东城区东四大街1号
13700000001,李四,110105198001010016,13700000001,1980-01-01,上海市黄浦区南京路2号
`
	secretID = "11010519491231002X"
)

// worldFixture is newFixture plus a small case: transactions, accounts and persons imported.
// Models are not run: the tests run them through the API.
func worldFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	ctx := app.WithPrincipal(context.Background(), app.Principal{Name: "u_admin", Role: app.RoleAdmin})
	dir := t.TempDir()
	for _, r := range []struct{ file, body, dataset, kind string }{
		{"tx.csv", worldTx, "tx", "transactions"},
		{"accounts.csv", worldAccounts, "accounts", "accounts"},
		{"persons.csv", worldPersons, "persons", "persons"},
	} {
		p := filepath.Join(dir, r.file)
		if err := os.WriteFile(p, []byte(r.body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Import(ctx, app.ImportRequest{Path: p, Dataset: r.dataset, Kind: r.kind}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// call sends body (nil = none) as JSON and decodes the answer into out (nil = ignore).
func (f *fixture) call(role, method, path string, body any, out any) (int, []byte) {
	f.t.Helper()
	var rd *bytes.Reader
	ct := ""
	if body != nil {
		b, _ := json.Marshal(body)
		rd, ct = bytes.NewReader(b), "application/json"
	} else {
		rd = bytes.NewReader(nil)
	}
	status, b, _ := f.do(role, method, path, rd, ct)
	if out != nil && status < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			f.t.Fatalf("%s %s: answer %s is not the JSON expected: %v", method, path, b, err)
		}
	}
	return status, b
}

// wantError asserts an error answer with status and code.
func (f *fixture) wantError(role, method, path string, body any, status int, code string) map[string]any {
	f.t.Helper()
	got, b := f.call(role, method, path, body, nil)
	if got != status || errorCode(f.t, b) != code {
		f.t.Fatalf("%s %s as %s = %d %s, want %d %s", method, path, role, got, b, status, code)
	}
	var e struct {
		Error struct {
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	json.Unmarshal(b, &e)
	return e.Error.Details
}

// startJob posts body and returns the job the server started (202).
func (f *fixture) startJob(role, path string, body any) Job {
	f.t.Helper()
	var job Job
	if status, b := f.call(role, "POST", path, body, &job); status != http.StatusAccepted || job.ID == "" {
		f.t.Fatalf("POST %s as %s = %d %s, want 202 and a job", path, role, status, b)
	}
	return job
}

// follow reads the job's Server-Sent Events to the end and returns every state sent.
func (f *fixture) follow(role string, job Job) []Job {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/jobs/"+job.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		f.t.Fatalf("events of job %s: content type %q", job.ID, ct)
	}
	var states []Job
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 4<<20), 4<<20)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var j Job
			if err := json.Unmarshal([]byte(d), &j); err != nil {
				f.t.Fatalf("event %s: %v", d, err)
			}
			states = append(states, j)
		}
	}
	if len(states) == 0 {
		f.t.Fatalf("job %s sent no events", job.ID)
	}
	return states
}

// finish follows the job and returns its result as JSON, failing unless it is done.
func (f *fixture) finish(role string, job Job) []byte {
	f.t.Helper()
	states := f.follow(role, job)
	last := states[len(states)-1]
	if last.Status != jobDone {
		f.t.Fatalf("job %s (%s) ended %s: %s", job.ID, job.Kind, last.Status, last.Error)
	}
	b, _ := json.Marshal(last.Result)
	return b
}

// runModel runs cards_at_many_banks through the API as the analyst and returns the clues found.
func (f *fixture) runModel() []app.ClueView {
	f.t.Helper()
	f.finish(app.RoleAnalyst, f.startJob(app.RoleAnalyst, "/api/v1/models/cards_at_many_banks/runs", nil))
	var pg struct {
		Total int64          `json:"total"`
		Clues []app.ClueView `json:"clues"`
	}
	if status, b := f.call(app.RoleAdmin, "GET", "/api/v1/clues?model=cards_at_many_banks", nil, &pg); status != 200 || pg.Total == 0 {
		f.t.Fatalf("clues after the run = %d %s, want some", status, b)
	}
	return pg.Clues
}
