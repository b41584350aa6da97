// Package storetest gives tests of other packages a fresh store on every backend: embedded
// DuckDB always, and PostgreSQL when PROCURA_TEST_POSTGRES holds a connection URL (each test
// in a schema of its own, dropped at the end).
package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"procura/internal/store"
	"procura/internal/store/pgtest"
)

// PostgresEnv names the environment variable with the PostgreSQL test URL.
const PostgresEnv = pgtest.Env

// Backend is one storage backend under test.
type Backend struct {
	Name string
	// Options returns options for a new, empty workspace (and schema).
	Options func(t testing.TB) store.Options
}

// Backends lists the backends to test on this machine.
func Backends() []Backend {
	bs := []Backend{{Name: "duckdb", Options: func(t testing.TB) store.Options {
		return store.Options{Workspace: filepath.Join(t.TempDir(), "ws"), Holder: "procura test"}
	}}}
	if url := os.Getenv(PostgresEnv); url != "" {
		bs = append(bs, Backend{Name: "postgres", Options: func(t testing.TB) store.Options {
			return store.Options{Workspace: filepath.Join(t.TempDir(), "ws"), URL: pgtest.FreshSchema(t, url), Holder: "procura test"}
		}})
	}
	return bs
}

// Each runs f as a subtest on a fresh store of every backend.
func Each(t *testing.T, f func(t *testing.T, st *store.Store)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			f(t, Init(t, b.Options(t)))
		})
	}
}

// Init creates a store that is closed when the test ends.
func Init(t testing.TB, o store.Options) *store.Store {
	t.Helper()
	st, err := store.Init(context.Background(), o)
	if err != nil {
		t.Fatalf("store.Init: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
