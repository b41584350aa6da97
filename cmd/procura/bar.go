package main

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"procura/internal/progress"
)

// newBar returns a progress reporter that draws on stderr when it is a terminal and --json is
// off, and reports nothing otherwise (scripts and logs stay clean).
func (g *globals) newBar() progress.Reporter {
	f, ok := g.errOut.(*os.File)
	if g.json || !ok || !term.IsTerminal(int(f.Fd())) {
		return progress.Nop{}
	}
	return &bar{w: f}
}

type bar struct {
	w  io.Writer
	mu sync.Mutex
	pb *progressbar.ProgressBar
}

func (b *bar) Begin(phase string, total int64, unit string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(phase),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { io.WriteString(b.w, "\n") }),
	}
	if unit == "bytes" {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionSetItsString(unit))
	}
	b.pb = progressbar.NewOptions64(total, opts...)
}

func (b *bar) Add(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pb != nil {
		b.pb.Add64(n)
	}
}

func (b *bar) End() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pb != nil {
		b.pb.Finish()
		b.pb = nil
	}
}
