// Package e2e drives procura's web pages in a real browser: this test starts a server on a new
// workspace and runs the flows of flows/*.mjs (run.mjs) against it with Debian's Chromium.
//
// It needs /usr/bin/chromium (or PROCURA_CHROMIUM), node, and `npm ci` done in this folder. When
// one is missing the test is skipped, unless PROCURA_E2E=1 (CI) makes it fail.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"procura/internal/app"
	"procura/internal/server"
	"procura/internal/synth"
)

// flowTimeout bounds the whole browser run; the flows take well under a minute.
const flowTimeout = 5 * time.Minute

func TestBrowserFlows(t *testing.T) {
	needTools(t)
	url, password, logs := startServer(t, true)
	out, err := runFlows(t, url, password)
	t.Logf("node run.mjs:\n%s", out)
	if err != nil {
		t.Logf("server log (last lines):\n%s", logs.tail(40))
		t.Fatalf("the browser flows failed (%v); screenshots of every step are in e2e/artifacts/", err)
	}
}

// The runner fails a flow on each kind of problem it watches for (flows in testdata/broken),
// so that a green run of the real flows means something.
func TestTheRunnerFailsOnBrowserProblems(t *testing.T) {
	needTools(t)
	url, password, _ := startServer(t, false)
	for flow, want := range map[string]string{
		"console-error": "console error on " + url + "/login: e2e harness check: a console error",
		"page-error":    "page error on " + url + "/login: e2e harness check: an uncaught error",
		"other-origin":  "request to another origin: GET http://127.0.0.2:9/",
		"assertion":     "e2e harness check: the flow's assertion",
	} {
		out, err := runFlows(t, url, password, "PROCURA_FLOW_DIR=testdata/broken", "PROCURA_FLOWS="+flow,
			"PROCURA_E2E_ARTIFACTS="+t.TempDir()) // leave the real flows' screenshots alone
		if err == nil || !strings.Contains(string(out), "FAIL "+flow+".mjs") || !strings.Contains(string(out), want) {
			t.Errorf("flow %s: run.mjs ended with %v, want a failure naming %q:\n%s", flow, err, want, out)
		}
	}
}

// needTools skips the test when the browser run cannot happen here, or fails it under
// PROCURA_E2E=1.
func needTools(t *testing.T) {
	t.Helper()
	if missing := missingTools(); missing != "" {
		if os.Getenv("PROCURA_E2E") == "1" {
			t.Fatalf("PROCURA_E2E=1 but %s", missing)
		}
		t.Skipf("browser flows skipped: %s (set PROCURA_E2E=1 to make this a failure)", missing)
	}
}

// runFlows runs node run.mjs against the server at url with the extra environment env.
func runFlows(t *testing.T, url, password string, env ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), flowTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "run.mjs")
	cmd.Env = append(os.Environ(), "PROCURA_URL="+url, "PROCURA_ADMIN=admin", "PROCURA_ADMIN_PASSWORD="+password)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("node run.mjs did not finish within %s:\n%s", flowTimeout, out)
	}
	return out, err
}

// missingTools names what the browser run needs and this machine lacks, or "".
func missingTools() string {
	var missing []string
	chromium := os.Getenv("PROCURA_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" is missing (apt-get install chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node is not on the PATH (apt-get install nodejs npm)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core")); err != nil {
		missing = append(missing, "e2e/node_modules is missing (cd e2e && npm ci)")
	}
	return strings.Join(missing, "; ")
}

// startServer serves a new workspace on a free loopback port, as `procura init` and `procura
// serve` would, and returns its URL, the administrator's first-run password and its log. With
// world, the workspace first gets the synthetic world's data (importWorld).
func startServer(t *testing.T, world bool) (string, string, *logBuffer) {
	t.Helper()
	ctx := context.Background()
	ws := filepath.Join(t.TempDir(), "ws")
	res, err := app.Init(ctx, app.Config{Workspace: ws, Command: "procura init"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Admin == nil || res.Admin.Password == "" {
		t.Fatal("procura init created no administrator with a first-run password")
	}
	if world {
		importWorld(t, ws)
	}
	a, err := app.Open(ctx, app.Config{Workspace: ws, Command: "procura serve", RequireLogin: true})
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	srv, err := server.New(a, server.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(sctx, "127.0.0.1:0", "", "", func(u string) { urls <- u }) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("server: %v", err)
		}
		a.Close()
	})
	select {
	case u := <-urls:
		return u, res.Admin.Password, logs
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start within 30 s")
	}
	return "", "", nil
}

// worldScale is the size of the synthetic world the flows work on: 5,000 background transactions
// give about 30,000 rows with every dataset kind, victims, rings and the violations the models
// find, and import in seconds. PROCURA_E2E_WORLD=small (or another synth scale) tries the pages
// on more.
func worldScale() string {
	if s := os.Getenv("PROCURA_E2E_WORLD"); s != "" {
		return s
	}
	return "5000tx"
}

// importWorld generates a synthetic world and imports each of its canonical files into a
// dataset named after the file, as "procura import FILE --dataset NAME --kind KIND" would, so that
// the models, clues, cases, traces and the graph have real data to work on.
func importWorld(t *testing.T, ws string) {
	t.Helper()
	ctx := context.Background()
	began := time.Now()
	sum, err := synth.Generate(ctx, synth.Options{Out: filepath.Join(t.TempDir(), "world"), Seed: 7, Scale: worldScale()})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, app.Config{Workspace: ws, Command: "procura import"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rows := int64(0)
	for _, f := range sum.Files {
		if f.Profile == "truth" || f.Subset {
			continue // the answers, not data
		}
		name := strings.TrimSuffix(filepath.Base(f.Path), filepath.Ext(f.Path))
		r, err := a.Import(ctx, app.ImportRequest{Path: filepath.Join(sum.Out, filepath.FromSlash(f.Path)), Dataset: name, Kind: f.Kind})
		if err != nil {
			t.Fatalf("importing the synthetic world's %s: %v", f.Path, err)
		}
		rows += r.RowsImported
	}
	if os.Getenv("PROCURA_E2E_GRAPH_BENCH") == "1" {
		importFanOut(t, ctx, a)
	}
	t.Logf("synthetic world %s (seed 7): %d rows imported in %.1f s", worldScale(), rows, time.Since(began).Seconds())
}

// logBuffer keeps the server's log for the report of a failed run.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimRight(l.buf.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// importFanOut adds, for PROCURA_E2E_GRAPH_BENCH=1, transactions in which one account pays 80
// accounts and each of them pays 70 others: 5,681 accounts within two hops of the first, so that
// 10-graph can draw a neighbourhood of 5,000 nodes (the synthetic world's largest has under
// 1,000) and measure the page at that size. The seed account goes to the flow in
// PROCURA_E2E_GRAPH_SEED.
func importFanOut(t *testing.T, ctx context.Context, a *app.App) {
	t.Helper()
	var b strings.Builder
	b.WriteString("tx_id,account,time,amount,counterparty_account\n")
	acct := func(i int) string { return fmt.Sprintf("62220300%08d", i) }
	tx, next := 0, 1
	for range 80 {
		mid := next
		next++
		tx++
		fmt.Fprintf(&b, "F%d,%s,2025-03-01 10:00:00,-100.00,%s\n", tx, acct(0), acct(mid))
		for range 70 {
			tx++
			fmt.Fprintf(&b, "F%d,%s,2025-03-02 10:00:00,-10.00,%s\n", tx, acct(mid), acct(next))
			next++
		}
	}
	path := filepath.Join(t.TempDir(), "fan_out.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(ctx, app.ImportRequest{Path: path, Dataset: "fan_out", Kind: "transactions"}); err != nil {
		t.Fatalf("importing the fan-out transactions: %v", err)
	}
	t.Setenv("PROCURA_E2E_GRAPH_SEED", acct(0))
}
