package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"time"

	"procura/internal/app"
	"procura/internal/mask"
)

// Job statuses.
const (
	jobRunning   = "running"
	jobDone      = "done"
	jobFailed    = "failed"
	jobCancelled = "cancelled"
)

// Job is a long use case running in the background. Its state lives in the server, so a
// browser that reloads or reconnects picks it up where it is; it does not survive a restart of
// the server (a cancelled import leaves nothing behind: imports are one transaction).
type Job struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"` // import, synth, model_run, trace, typologies, resolve
	Owner      string    `json:"owner"`
	Title      string    `json:"title"`
	Status     string    `json:"status"`
	Phase      string    `json:"phase,omitempty"`
	Done       int64     `json:"done"`
	Total      int64     `json:"total"` // < 0: unknown
	Unit       string    `json:"unit,omitempty"`
	Error      string    `json:"error,omitempty"`
	Result     any       `json:"result,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	Version    int64     `json:"version"` // grows with every change; SSE sends a state when it changes
}

type jobEntry struct {
	mu      sync.Mutex
	job     Job
	cancel  context.CancelFunc
	changed chan struct{} // closed and replaced on every change
}

type jobs struct {
	mu   sync.Mutex
	byID map[string]*jobEntry
	wg   sync.WaitGroup
}

func newJobs() *jobs { return &jobs{byID: map[string]*jobEntry{}} }

// start runs f in the background as p, with a reporter that updates the job.
func (js *jobs) start(p app.Principal, kind, title string, f func(ctx context.Context, rep *jobReporter) (any, error)) Job {
	b := make([]byte, 8)
	rand.Read(b)
	// The job runs beyond the request that started it; it keeps the user, not the request.
	ctx, cancel := context.WithCancel(app.WithPrincipal(context.Background(), p))
	e := &jobEntry{cancel: cancel, changed: make(chan struct{}),
		job: Job{ID: hex.EncodeToString(b), Kind: kind, Owner: p.Name, Title: title, Status: jobRunning, Total: -1, StartedAt: time.Now()}}
	js.mu.Lock()
	js.byID[e.job.ID] = e
	js.mu.Unlock()
	js.wg.Add(1)
	go func() {
		defer js.wg.Done()
		defer cancel()
		res, err := f(ctx, &jobReporter{e: e})
		e.update(func(j *Job) {
			j.FinishedAt = time.Now()
			switch {
			case err != nil && errors.Is(err, context.Canceled):
				j.Status, j.Error = jobCancelled, "cancelled; nothing was stored"
			case err != nil:
				j.Status, j.Error = jobFailed, mask.Text(err.Error()) // messages may quote identifiers
			default:
				j.Status, j.Result = jobDone, res
			}
		})
	}()
	return e.snapshot()
}

// get returns the entry of job id if p may see it: its owner, or an administrator.
func (js *jobs) get(p app.Principal, id string) (*jobEntry, bool) {
	js.mu.Lock()
	e, ok := js.byID[id]
	js.mu.Unlock()
	if !ok {
		return nil, false
	}
	if j := e.snapshot(); j.Owner != p.Name && p.Role != app.RoleAdmin {
		return nil, false
	}
	return e, true
}

// list returns the jobs p may see, newest first.
func (js *jobs) list(p app.Principal) []Job {
	js.mu.Lock()
	out := make([]Job, 0, len(js.byID))
	for _, e := range js.byID {
		if j := e.snapshot(); j.Owner == p.Name || p.Role == app.RoleAdmin {
			out = append(out, j)
		}
	}
	js.mu.Unlock()
	slices.SortFunc(out, func(a, b Job) int { return b.StartedAt.Compare(a.StartedAt) })
	return out
}

func (js *jobs) cancelAll() {
	js.mu.Lock()
	defer js.mu.Unlock()
	for _, e := range js.byID {
		e.cancel()
	}
}

// wait waits for running jobs to end, or for ctx.
func (js *jobs) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { js.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

func (e *jobEntry) snapshot() Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.job
}

// watch returns the current state and a channel closed at the next change.
func (e *jobEntry) watch() (Job, <-chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.job, e.changed
}

func (e *jobEntry) update(f func(*Job)) {
	e.mu.Lock()
	f(&e.job)
	e.job.Version++
	close(e.changed)
	e.changed = make(chan struct{})
	e.mu.Unlock()
}

// jobReporter is the progress.Reporter of a job. Add is called from many workers; it counts
// atomically under the entry's lock but wakes watchers at most every 200 ms.
type jobReporter struct {
	e    *jobEntry
	mu   sync.Mutex
	last time.Time
	add  int64
}

func (r *jobReporter) Begin(phase string, total int64, unit string) {
	r.flush()
	r.e.update(func(j *Job) { j.Phase, j.Total, j.Unit, j.Done = phase, total, unit, 0 })
}

func (r *jobReporter) Add(n int64) {
	r.mu.Lock()
	r.add += n
	due := time.Since(r.last) > 200*time.Millisecond
	r.mu.Unlock()
	if due {
		r.flush()
	}
}

func (r *jobReporter) End() { r.flush() }

func (r *jobReporter) flush() {
	r.mu.Lock()
	n := r.add
	r.add = 0
	r.last = time.Now()
	r.mu.Unlock()
	if n != 0 {
		r.e.update(func(j *Job) { j.Done += n })
	}
}
