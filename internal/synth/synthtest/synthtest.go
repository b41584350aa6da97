// Package synthtest gives the tests of a package synthetic worlds that are generated once per
// test binary, whatever the number of tests that read them, and removed when the tests end.
package synthtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"procura/internal/synth"
)

type world struct {
	once sync.Once
	dir  string
	err  error
}

var (
	mu     sync.Mutex
	root   string
	worlds = map[string]*world{}
)

// World returns the directory of the world that o describes (o.Out is ignored), generating it
// on first use. It skips the test under -short: a small world takes seconds.
func World(t testing.TB, o synth.Options) string {
	t.Helper()
	if testing.Short() {
		t.Skip("generates a synthetic world; skipped with -short")
	}
	key := fmt.Sprintf("seed%d-%s-%s", o.Seed, o.Scale, strings.Join(o.Formats, "+"))
	mu.Lock()
	if root == "" {
		dir, err := os.MkdirTemp("", "procura-test-worlds-")
		if err != nil {
			mu.Unlock()
			t.Fatal(err)
		}
		root = dir
	}
	w := worlds[key]
	if w == nil {
		w = &world{dir: filepath.Join(root, key)}
		worlds[key] = w
	}
	mu.Unlock()
	w.once.Do(func() {
		o.Out = w.dir
		_, w.err = synth.Generate(context.Background(), o)
	})
	if w.err != nil {
		t.Fatalf("synthetic world %s: %v", key, w.err)
	}
	return w.dir
}

// Main runs the tests of a package and removes the worlds they generated: call it from the
// package's TestMain.
func Main(m *testing.M) {
	code := m.Run()
	mu.Lock()
	if root != "" {
		os.RemoveAll(root)
	}
	mu.Unlock()
	os.Exit(code)
}
