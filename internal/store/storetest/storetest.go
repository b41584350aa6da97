// Package storetest gives tests of other packages a fresh store on every backend: embedded
// DuckDB always, and PostgreSQL when PROCURA_TEST_POSTGRES holds a connection URL (each test
// in a schema of its own, dropped at the end).
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver for schema set-up

	"procura/internal/store"
)

// PostgresEnv names the environment variable with the PostgreSQL test URL.
const PostgresEnv = "PROCURA_TEST_POSTGRES"

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
			return store.Options{Workspace: filepath.Join(t.TempDir(), "ws"), URL: FreshSchema(t, url), Holder: "procura test"}
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

// FreshSchema creates an empty PostgreSQL schema and returns url with its search_path.
func FreshSchema(t testing.TB, url string) string {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	schema := fmt.Sprintf("t_%d_%x", os.Getpid(), rand.Uint64())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatalf("create test schema on %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		db.Close()
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}
