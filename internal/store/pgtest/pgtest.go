// Package pgtest gives tests an empty PostgreSQL schema of their own, so parallel runs against
// one server (PROCURA_TEST_POSTGRES) do not collide. It does not depend on the store, so the
// store's own tests can use it too.
package pgtest

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Env names the environment variable with the PostgreSQL test URL.
const Env = "PROCURA_TEST_POSTGRES"

// FreshSchema creates an empty schema, drops it when the test ends, and returns url with its
// search_path.
func FreshSchema(t testing.TB, url string) string {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	schema := fmt.Sprintf("t_%d_%x", os.Getpid(), rand.Uint64())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatalf("create test schema on %s: %v", Env, err)
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
