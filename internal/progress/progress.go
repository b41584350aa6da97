// Package progress is the one interface through which long jobs (import, model runs, tracing,
// resolution) report how far they are. The CLI draws it as a bar, the server streams it.
package progress

import "sync/atomic"

// Reporter receives progress of one job. Implementations must be safe for concurrent use,
// because workers of one job report from several goroutines.
type Reporter interface {
	// Begin starts a phase with a total in the given unit ("bytes", "rows"); total < 0 means unknown.
	Begin(phase string, total int64, unit string)
	// Add advances the current phase by n units.
	Add(n int64)
	// End finishes the current phase.
	End()
}

// Nop is a Reporter that reports nothing.
type Nop struct{}

func (Nop) Begin(string, int64, string) {}
func (Nop) Add(int64)                   {}
func (Nop) End()                        {}

// OrNop returns r, or Nop when r is nil, so callers never test for nil.
func OrNop(r Reporter) Reporter {
	if r == nil {
		return Nop{}
	}
	return r
}

// Counter is a Reporter that only counts; tests and the server poll it.
type Counter struct {
	phase atomic.Value
	total atomic.Int64
	done  atomic.Int64
}

func (c *Counter) Begin(phase string, total int64, _ string) {
	c.phase.Store(phase)
	c.total.Store(total)
	c.done.Store(0)
}
func (c *Counter) Add(n int64) { c.done.Add(n) }
func (c *Counter) End()        {}

// Snapshot returns the current phase, units done and total.
func (c *Counter) Snapshot() (phase string, done, total int64) {
	p, _ := c.phase.Load().(string)
	return p, c.done.Load(), c.total.Load()
}
