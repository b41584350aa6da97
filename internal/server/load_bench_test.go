package server

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"procura/internal/app"
	"procura/internal/synth"
)

// BenchmarkLoad200Clients serves a workspace holding a synthetic world, its clues and 100
// cases over loopback, logs in 200 clients (each its own session cookie) and has them read clue
// lists and cases for PROCURA_LOAD_SECONDS (default 60) seconds. It reports requests per
// second, errors, the 50th/95th/99th percentile latency and the CPU time per request, and
// fails on any error. Run it once:
//
//	go test ./internal/server -run '^$' -bench Load200Clients -benchtime 1x
//
// Each client waits PROCURA_LOAD_THINK (default 1s) on average between requests, drawn
// uniformly from half to one and a half times that, as a person reading a page would; with
// PROCURA_LOAD_THINK=0 the clients send back to back and the figure is the server's capacity.
// PROCURA_LOAD_SCALE sets the world's size (default "small", 200k transactions);
// PROCURA_LOAD_CLIENTS the number of clients (default 200; 1 with no think time gives the
// service time of each kind of request).
func BenchmarkLoad200Clients(b *testing.B) {
	clients := envInt(b, "PROCURA_LOAD_CLIENTS", 200)
	seconds := envInt(b, "PROCURA_LOAD_SECONDS", 60)
	think, err := time.ParseDuration(cmp.Or(os.Getenv("PROCURA_LOAD_THINK"), "1s"))
	if err != nil {
		b.Fatalf("PROCURA_LOAD_THINK: %v (give a duration such as 1s or 0)", err)
	}
	w := newLoadWorld(b, cmp.Or(os.Getenv("PROCURA_LOAD_SCALE"), "small"), clients)
	targets := w.targets(b)
	b.Logf("world: %d clues, %d cases, %d clients; requests: %s", w.clues, len(w.cases), clients, strings.Join(targets.kinds(), ", "))

	b.ResetTimer()
	cpu0 := processCPU()
	stats := runLoad(w, targets, time.Duration(seconds)*time.Second, think)
	cpu := processCPU() - cpu0
	b.StopTimer()

	lat := stats.latencies
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	rps := float64(len(lat)+stats.errors) / stats.elapsed.Seconds()
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(float64(stats.errors), "errors")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	// CPU time of the process (server, DuckDB's threads and the clients) per request: unlike
	// the latencies, it hardly moves with the load others put on a shared machine.
	cpuPerReq := float64(cpu.Microseconds()) / 1000 / float64(len(lat)+stats.errors)
	b.ReportMetric(cpuPerReq, "cpu-ms/req")
	b.Logf("%d requests in %.1f s: %.0f req/s, %d errors, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, %.1f ms of CPU per request",
		len(lat)+stats.errors, stats.elapsed.Seconds(), rps, stats.errors, pct(0.50), pct(0.95), pct(0.99), cpuPerReq)
	for kind, n := range stats.perKind {
		b.Logf("  %-28s %7d requests, p99 %.1f ms", kind, n, stats.p99Of(kind))
	}
	if stats.errors > 0 {
		b.Fatalf("%d requests failed; the first: %s", stats.errors, stats.firstError)
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: give a positive whole number", name, v)
	}
	return n
}

// loadWorld is a served workspace with its clues, cases and logged-in clients.
type loadWorld struct {
	url     string
	clues   int64
	models  []string
	cases   []string
	clients []*loadClient
}

type loadClient struct {
	http  *http.Client
	cases []string // the cases the client's user may read
}

// newLoadWorld builds the workspace: a synthetic world imported (canonical files), every model
// run with lowered thresholds (thousands of clues), 100 cases opened on the clues found, 20
// users of four roles (prosecutors, analysts and reviewers granted half of the cases each, so
// need-to-know is checked on every read), and one session per client.
func newLoadWorld(b *testing.B, scale string, clients int) *loadWorld {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	c := app.Config{Workspace: filepath.Join(dir, "ws"), Actor: "loadtest", HashParams: cheapHash}
	if _, err := app.Init(ctx, c); err != nil {
		b.Fatal(err)
	}
	local, err := app.Open(ctx, c)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	sum, err := synth.Generate(ctx, synth.Options{Out: filepath.Join(dir, "world"), Seed: 7, Scale: scale, Formats: []string{"canonical"}})
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Kind == "" || f.Profile == "truth" || strings.HasPrefix(f.Path, "truth/") {
			continue
		}
		if _, err := local.Import(ctx, app.ImportRequest{Path: filepath.Join(dir, "world", filepath.FromSlash(f.Path)), Dataset: f.Kind, Kind: f.Kind}); err != nil {
			b.Fatalf("import %s: %v", f.Path, err)
		}
	}
	// A small world gives tens of clues at the models' own thresholds; a workbench in use holds
	// thousands, so the thresholds are lowered (the clues are still found by the models).
	loose := map[string]string{"min_banks": "1", "min_cards": "1", "min_numbers": "1", "min_victims": "1", "min_holders": "2"}
	if _, err := local.RunModels(ctx, app.RunRequest{All: true, Params: loose}); err != nil {
		b.Fatal(err)
	}
	all, err := local.Clues(ctx, app.ClueQuery{Limit: 1_000_000})
	if err != nil {
		b.Fatal(err)
	}
	if len(all.Clues) < 100 {
		b.Fatalf("the %s world gave %d clues; the load needs at least 100 (choose a larger PROCURA_LOAD_SCALE)", scale, len(all.Clues))
	}
	w := &loadWorld{clues: all.Total}
	models := map[string]bool{}
	for _, cl := range all.Clues {
		models[cl.ModelID] = true
	}
	for m := range models {
		w.models = append(w.models, m)
	}
	slices.Sort(w.models)
	// 100 cases, each opened by a few of the clues (a third of the clues end up in cases).
	per := max(1, len(all.Clues)/300)
	for i := range 100 {
		var ids []int64
		for _, cl := range all.Clues[i*per : (i+1)*per] {
			ids = append(ids, cl.ID)
		}
		id := fmt.Sprintf("LOAD-%03d", i+1)
		if _, err := local.CreateCase(ctx, app.NewCase{ID: id, Title: "负载测试案件 " + id, Kind: "telecom_fraud", Clues: ids}); err != nil {
			b.Fatal(err)
		}
		w.cases = append(w.cases, id)
	}
	roles := []string{app.RoleAdmin, app.RoleProsecutor, app.RoleAnalyst, app.RoleReviewer}
	users := map[string][]string{} // user → cases it may read
	var names []string
	for i := range 20 {
		role := roles[i%len(roles)]
		name := fmt.Sprintf("load_%s_%d", role, i)
		if _, err := local.AddUser(ctx, app.NewUser{Name: name, Role: role, Password: testPassword}); err != nil {
			b.Fatal(err)
		}
		mine := w.cases
		if !app.CoversAllCases(role) {
			mine = nil
			for j, id := range w.cases {
				if j%2 == i%2 {
					if err := local.GrantCase(ctx, name, id); err != nil {
						b.Fatal(err)
					}
					mine = append(mine, id)
				}
			}
		}
		users[name] = mine
		names = append(names, name)
	}
	local.Close()
	b.Logf("setup: %s world (%d transactions), %d clues, 100 cases in %.0f s", scale, sum.Transactions, all.Total, time.Since(start).Seconds())

	c.RequireLogin = true
	a, err := app.Open(ctx, c)
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(a, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	urls, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- s.ListenAndServe(sctx, "127.0.0.1:0", "", "", func(u string) { urls <- u }) }()
	b.Cleanup(func() {
		stop()
		<-done
		a.Close()
	})
	select {
	case w.url = <-urls:
	case err := <-done:
		b.Fatalf("server: %v", err)
	}

	tr := &http.Transport{MaxIdleConns: 2 * clients, MaxIdleConnsPerHost: 2 * clients, IdleConnTimeout: time.Minute}
	for i := range clients {
		name := names[i%len(names)]
		jar, _ := cookiejar.New(nil)
		cl := &loadClient{http: &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}, cases: users[name]}
		body := fmt.Sprintf(`{"name":%q,"password":%q}`, name, testPassword)
		resp, err := cl.http.Post(w.url+"/api/v1/login", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("login of client %d as %s = %d", i, name, resp.StatusCode)
		}
		w.clients = append(w.clients, cl)
	}
	return w
}

// loadTargets are the kinds of request the clients send, each a function of the client and a
// random source giving the path.
type loadTargets map[string]func(*loadClient, *rand.Rand) string

func (t loadTargets) kinds() []string {
	ks := make([]string, 0, len(t))
	for k := range t {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// targets lists clue lists (paged, filtered by model, status or case) and cases through the
// API, and the /clues and /cases/{id} pages when the server has them.
func (w *loadWorld) targets(b *testing.B) loadTargets {
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	t := loadTargets{
		"GET /api/v1/clues (paged)": func(_ *loadClient, r *rand.Rand) string {
			return fmt.Sprintf("/api/v1/clues?limit=50&offset=%d", r.IntN(int(min(w.clues, 2000))/50+1)*50)
		},
		"GET /api/v1/clues?model=": func(_ *loadClient, r *rand.Rand) string {
			return "/api/v1/clues?limit=50&model=" + url.QueryEscape(pick(r, w.models))
		},
		"GET /api/v1/clues?status=": func(_ *loadClient, r *rand.Rand) string {
			return "/api/v1/clues?limit=50&status=" + pick(r, []string{"new", "assigned", "confirmed"})
		},
		"GET /api/v1/clues?case=": func(c *loadClient, r *rand.Rand) string {
			return "/api/v1/clues?case=" + url.QueryEscape(pick(r, c.cases))
		},
		"GET /api/v1/cases/{id}": func(c *loadClient, r *rand.Rand) string {
			return "/api/v1/cases/" + url.PathEscape(pick(r, c.cases))
		},
	}
	probe := w.clients[0]
	has := func(path string) bool {
		resp, err := probe.http.Head(w.url + path)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	if has("/clues") {
		t["GET /clues"] = func(_ *loadClient, r *rand.Rand) string {
			return fmt.Sprintf("/clues?offset=%d", r.IntN(int(min(w.clues, 2000))/50+1)*50)
		}
	} else {
		b.Log("no /clues page on this server: left out of the load")
	}
	if has("/cases/" + url.PathEscape(w.cases[0])) {
		t["GET /cases/{id}"] = func(c *loadClient, r *rand.Rand) string { return "/cases/" + url.PathEscape(pick(r, c.cases)) }
	} else {
		b.Log("no /cases/{id} page on this server: left out of the load")
	}
	return t
}

// loadStats is what the clients measured.
type loadStats struct {
	latencies  []time.Duration
	byKind     map[string][]time.Duration
	perKind    map[string]int
	errors     int
	firstError string
	elapsed    time.Duration
}

func (s *loadStats) p99Of(kind string) float64 {
	l := s.byKind[kind]
	if len(l) == 0 {
		return 0
	}
	slices.Sort(l)
	return float64(l[min(len(l)-1, int(0.99*float64(len(l))))].Microseconds()) / 1000
}

// runLoad has every client send requests of a random kind until d has passed; each waits a
// random think time around think between them, so the clients do not march in step.
func runLoad(w *loadWorld, targets loadTargets, d, think time.Duration) *loadStats {
	kinds := targets.kinds()
	total := &loadStats{byKind: map[string][]time.Duration{}, perKind: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for i, c := range w.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			mine := &loadStats{byKind: map[string][]time.Duration{}}
			var firstErr string
			if think > 0 { // spread the first requests over one think time
				time.Sleep(time.Duration(r.Int64N(int64(think))))
			}
			for time.Now().Before(end) {
				kind := kinds[r.IntN(len(kinds))]
				path := targets[kind](c, r)
				t0 := time.Now()
				err := c.get(w.url + path)
				el := time.Since(t0)
				if err != nil {
					mine.errors++
					if firstErr == "" {
						firstErr = fmt.Sprintf("GET %s: %v", path, err)
					}
				} else {
					mine.latencies = append(mine.latencies, el)
					mine.byKind[kind] = append(mine.byKind[kind], el)
				}
				if think > 0 {
					time.Sleep(think/2 + time.Duration(r.Int64N(int64(think))))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total.latencies = append(total.latencies, mine.latencies...)
			for k, l := range mine.byKind {
				total.byKind[k] = append(total.byKind[k], l...)
				total.perKind[k] += len(l)
			}
			total.errors += mine.errors
			if total.firstError == "" {
				total.firstError = firstErr
			}
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

// get reads the whole answer and fails unless it is 200 with a body that is well-formed for
// its type (JSON for the API).
func (c *loadClient) get(u string) error {
	resp, err := c.http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && !json.Valid(body) {
		return fmt.Errorf("the answer is not valid JSON: %.200s", body)
	}
	return nil
}
