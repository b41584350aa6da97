package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

func TestSnapshotCopiesTheDatabaseAsOfOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if err := st.CreateUser(ctx, store.User{Name: "wang", Role: "prosecutor", PasswordHash: "x", CreatedBy: "t"}); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(t.TempDir(), "copy.duckdb")
		snap, err := st.SnapshotDuckDB(ctx, dst)
		if st.Backend() == store.BackendPostgres {
			if !errors.Is(err, store.ErrNoSnapshot) {
				t.Errorf("snapshot on PostgreSQL = %v, want ErrNoSnapshot (pg_dump is the way)", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if snap.Datasets != 0 || snap.Evidence != 0 {
			t.Errorf("snapshot of an empty workspace counts %+v", snap)
		}
		// A write after the snapshot is not in the copy.
		if err := st.CreateUser(ctx, store.User{Name: "li", Role: "analyst", PasswordHash: "x", CreatedBy: "t"}); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("duckdb", dst)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var users, migrations int
		if err := db.QueryRow(`SELECT count(*) FROM users`).Scan(&users); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&migrations); err != nil {
			t.Fatal(err)
		}
		if users != 1 || migrations == 0 {
			t.Errorf("the copy holds %d users and %d migrations, want 1 user (wang) and the schema", users, migrations)
		}
		if _, err := st.SnapshotDuckDB(ctx, dst); err == nil {
			t.Error("a snapshot overwrote an existing file")
		}
	})
}
