package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"procura/internal/app"
	"procura/internal/server"
)

// serveInProcess serves ws as procura serve does (serve.json included) until the test ends and
// returns the server's URL.
func serveInProcess(t *testing.T, ws string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, app.Config{Workspace: ws, Command: "procura serve", RequireLogin: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(a, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, "127.0.0.1:0", "", "", func(url string) { ready <- url }) }()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
		if _, err := os.Stat(filepath.Join(ws, server.ServeFileName)); !os.IsNotExist(err) {
			t.Errorf("serve.json is left after shutdown: %v", err)
		}
	})
	return url
}

func TestCommandsOnAServedWorkspaceNameTheServerOrSendItTheWork(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "user", "add", "pros", "--role", "prosecutor", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "user", "token", "pros", "--workspace", ws, "--json")
	var tok struct {
		Token string `json:"token"`
	}
	if err != nil || json.Unmarshal([]byte(out), &tok) != nil || tok.Token == "" {
		t.Fatalf("user token = %v %s", err, out)
	}
	url := serveInProcess(t, ws)
	b, err := os.ReadFile(filepath.Join(ws, server.ServeFileName))
	var info server.ServeInfo
	if err != nil || json.Unmarshal(b, &info) != nil || info.URL != url || info.PID != os.Getpid() {
		t.Fatalf("serve.json = %v %s, want url %s and pid %d", err, b, url, os.Getpid())
	}
	if st, _ := os.Stat(filepath.Join(ws, server.ServeFileName)); st.Mode().Perm() != 0o600 {
		t.Errorf("serve.json mode = %v, want 0600", st.Mode().Perm())
	}

	fixture := filepath.Join("..", "..", "models", "testdata", "drunk_driving_licence_not_revoked")
	importArgs := func(kind string) []string {
		return []string{"import", filepath.Join(fixture, kind+".csv"), "--dataset", kind, "--kind", kind, "--workspace", ws, "--json"}
	}
	// Without a token: the message names the server, its page and API route for the command.
	t.Setenv(tokenEnv, "")
	_, _, err = run(t, importArgs("judgments")...)
	pid := "(pid " + strconv.Itoa(os.Getpid()) + ")"
	if err == nil || !strings.Contains(err.Error(), "procura serve "+pid) || !strings.Contains(err.Error(), url+"/import") ||
		!strings.Contains(err.Error(), "POST "+url+"/api/v1/imports") || !strings.Contains(err.Error(), tokenEnv) {
		t.Fatalf("import into a served workspace = %v, want the server, its page and API route named", err)
	}
	if _, _, err = run(t, "audit", "verify", "--workspace", ws); err == nil || !strings.Contains(err.Error(), "POST "+url+"/api/v1/audit/verify") {
		t.Errorf("audit verify on a served workspace = %v", err)
	}
	if _, _, err = run(t, "serve", "--addr", "127.0.0.1:0", "--workspace", ws); err == nil || !strings.Contains(err.Error(), "use its pages at "+url) {
		t.Errorf("a second procura serve = %v, want the running one named", err)
	}
	if _, _, err = run(t, "backup", "--out", filepath.Join(t.TempDir(), "b"), "--workspace", ws); err == nil || !strings.Contains(err.Error(), url+"/api/v1/backup -o") {
		t.Errorf("backup of a served workspace = %v, want the server's URL in the curl line", err)
	}

	// With a token the commands send the work to the server and print what a local run prints.
	t.Setenv(tokenEnv, tok.Token)
	for _, kind := range []string{"judgments", "licenses"} {
		out, errOut, err := run(t, importArgs(kind)...)
		var res struct {
			Dataset      string `json:"dataset"`
			File         string `json:"file"`
			BatchID      int64  `json:"batch_id"`
			RowsImported int64  `json:"rows_imported"`
		}
		if err != nil || json.Unmarshal([]byte(out), &res) != nil || res.Dataset != kind || res.BatchID == 0 || res.RowsImported == 0 ||
			!strings.HasSuffix(res.File, kind+".csv") {
			t.Fatalf("forwarded import of %s = %v\n%s%s", kind, err, out, errOut)
		}
	}
	if _, _, err := run(t, append(importArgs("licenses"), "--delimiter", ";")...); err == nil || !strings.Contains(err.Error(), "--delimiter") {
		t.Errorf("a forwarded import with --delimiter = %v, want it refused by name", err)
	}
	out, _, err = run(t, "model", "run", "--all", "--workspace", ws, "--json")
	var runs struct {
		Runs []struct {
			ModelID  string `json:"model_id"`
			CluesNew int    `json:"clues_new"`
		} `json:"runs"`
	}
	if err != nil || json.Unmarshal([]byte(out), &runs) != nil || len(runs.Runs) != 1 || runs.Runs[0].CluesNew != 1 {
		t.Fatalf("forwarded model run = %v %s", err, out)
	}
	if out, _, err = run(t, "clue", "assign", "1", "--to", "pros", "--due", "2025-04-30", "--workspace", ws, "--json"); err != nil || !strings.Contains(out, `"status":"assigned"`) {
		t.Fatalf("forwarded clue assign = %v %s", err, out)
	}
	if out, _, err = run(t, "clue", "transition", "1", "--to", "verifying", "--workspace", ws, "--json"); err != nil || !strings.Contains(out, `"status":"verifying"`) {
		t.Fatalf("forwarded clue transition = %v %s", err, out)
	}
	// The server's refusal comes back as the server's.
	if _, _, err = run(t, "clue", "transition", "1", "--to", "rectified", "--workspace", ws); err == nil || !strings.Contains(err.Error(), "server "+url) {
		t.Errorf("a refused forwarded transition = %v, want the server's message", err)
	}

	// Every route the messages name is one the server has.
	resp, err := http.Get(url + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for cmd, r := range commandRoutes {
		method, path, _ := strings.Cut(r.api, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("command %q names %s, which the server does not have", cmd, r.api)
		}
	}
}

func TestAStaleServeFileIsIgnored(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	// A server that died without removing its file: its pid is gone.
	stale := server.ServeInfo{Address: "127.0.0.1:1", Scheme: "http", URL: "http://127.0.0.1:1", PID: 1<<22 + 7, StartedAt: time.Now()}
	b, _ := json.Marshal(stale)
	if err := os.WriteFile(filepath.Join(ws, server.ServeFileName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := server.ReadServeFile(ws); ok {
		t.Fatal("a serve.json of a dead process is taken as a live server")
	}
	held, err := app.Open(context.Background(), app.Config{Workspace: ws, Command: "procura test"})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	t.Setenv(tokenEnv, "pt_whatever")
	_, _, err = run(t, "model", "run", "--all", "--workspace", ws)
	if err == nil || strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "in use") {
		t.Errorf("model run with a stale serve.json = %v, want the plain in-use message", err)
	}
	if _, errOut, _ := run(t, "model", "run", "--all", "--workspace", ws); strings.Count(errOut, "procura:") != 1 {
		t.Errorf("a model run's error is printed %d times, want once:\n%s", strings.Count(errOut, "procura:"), errOut)
	}
	// A live pid, but the lock is held by another command than procura serve: no server named.
	stale.PID = os.Getpid()
	b, _ = json.Marshal(stale)
	os.WriteFile(filepath.Join(ws, server.ServeFileName), b, 0o600)
	_, _, err = run(t, "model", "run", "--all", "--workspace", ws)
	if err == nil || strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "procura test") {
		t.Errorf("model run with a serve.json of a process that holds no lock = %v, want the lock's holder named", err)
	}
}
