package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"procura/internal/store/pgtest"
)

// The contract: every test here runs against DuckDB, and against PostgreSQL
// when PROCURA_TEST_POSTGRES holds a connection URL. Each PostgreSQL run gets
// a schema of its own, dropped at the end, so parallel runs do not collide.

const postgresEnv = pgtest.Env

type backend struct {
	name string
	// options returns fresh options: an empty workspace directory and, for
	// PostgreSQL, an empty schema.
	options func(t testing.TB) Options
}

func backends() []backend {
	bs := []backend{{name: BackendDuckDB, options: func(t testing.TB) Options {
		return Options{Workspace: filepath.Join(t.TempDir(), "ws"), Holder: "procura test"}
	}}}
	if url := os.Getenv(postgresEnv); url != "" {
		bs = append(bs, backend{name: BackendPostgres, options: func(t testing.TB) Options {
			return Options{Workspace: filepath.Join(t.TempDir(), "ws"), URL: pgtest.FreshSchema(t, url), Holder: "procura test"}
		}})
	}
	return bs
}

func forEachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

func mustInit(t testing.TB, o Options) *Store {
	t.Helper()
	s, err := Init(context.Background(), o)
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustBegin(t testing.TB, s *Store) *Tx {
	t.Helper()
	tx, err := s.Begin(context.Background())
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

func TestInitCreatesAWorkspaceThatOpensAgain(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		o := b.options(t)
		s := mustInit(t, o)
		if s.Backend() != b.name || s.Dialect().Name() != b.name {
			t.Errorf("Backend() = %q, Dialect().Name() = %q, want %q", s.Backend(), s.Dialect().Name(), b.name)
		}
		if st, err := os.Stat(s.EvidenceDir()); err != nil || !st.IsDir() {
			t.Errorf("evidence directory %s missing: %v", s.EvidenceDir(), err)
		}
		migs, err := s.Migrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if KnownSchemaVersion() < 2 || len(migs) != KnownSchemaVersion() || migs[0] != (Migration{Version: 1, Name: "catalog"}) {
			t.Errorf("Migrations() = %v, want %d steps starting with 1 catalog", migs, KnownSchemaVersion())
		}
		info, err := s.WorkspaceInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info["created_at"] == "" || info["created_by_version"] == "" {
			t.Errorf("workspace_info = %v, want created_at and created_by_version", info)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		if _, err := Init(ctx, o); !errors.Is(err, ErrWorkspaceExists) {
			t.Errorf("second Init: err = %v, want ErrWorkspaceExists", err)
		}
		s2, err := Open(ctx, o)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s2.Close()
		if migs2, _ := s2.Migrations(ctx); len(migs2) != len(migs) {
			t.Errorf("reopen applied migrations again: %v", migs2)
		}
	})
}

func TestOpenOfNoWorkspaceSaysHowToCreateOne(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		o := b.options(t)
		for _, dirExists := range []bool{false, true} {
			if dirExists {
				os.MkdirAll(o.Workspace, 0o700)
			}
			_, err := Open(context.Background(), o)
			if !errors.Is(err, ErrNoWorkspace) {
				t.Fatalf("dir exists %v: err = %v, want ErrNoWorkspace", dirExists, err)
			}
			if want := "run procura init --workspace " + o.Workspace; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks the hint %q", err, want)
			}
		}
		if b.name == BackendDuckDB {
			if _, err := os.Stat(filepath.Join(o.Workspace, duckdbFileName)); err == nil {
				t.Errorf("Open created a database file in a directory that had none")
			}
		}
	})
}

func TestOpenRefusesASchemaWrittenByANewerProcura(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		o := b.options(t)
		s := mustInit(t, o)
		newer := KnownSchemaVersion() + 2
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at)
			VALUES ($1, 'future', CURRENT_TIMESTAMP)`, newer); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err := Open(ctx, o)
		if !errors.Is(err, ErrNewerSchema) {
			t.Fatalf("err = %v, want ErrNewerSchema", err)
		}
		want := fmt.Sprintf("workspace was written by a newer procura (schema %d, this binary knows %d): upgrade procura", newer, KnownSchemaVersion())
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	})
}

func TestASecondOpenOfAHeldWorkspaceNamesTheHolder(t *testing.T) {
	ctx := context.Background()
	o := backends()[0].options(t)
	o.Holder = "procura serve"
	s := mustInit(t, o)

	second := o
	second.Holder = "procura import"
	_, err := Open(ctx, second)
	if !errors.Is(err, ErrWorkspaceHeld) {
		t.Fatalf("second Open: err = %v, want ErrWorkspaceHeld", err)
	}
	host, _ := os.Hostname()
	for _, want := range []string{
		"workspace " + o.Workspace + " is in use by procura serve",
		"pid " + strconv.Itoa(os.Getpid()),
		"on host " + host,
		"since " + time.Now().In(s.Location()).Format("2006-01-02"),
		"stop it or use its server",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := Init(ctx, second); !errors.Is(err, ErrWorkspaceHeld) {
		t.Errorf("Init of a held workspace: err = %v, want ErrWorkspaceHeld", err)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, second)
	if err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	s2.Close()
}

func TestALockFileLeftByADeadProcessDoesNotBlock(t *testing.T) {
	o := backends()[0].options(t)
	s := mustInit(t, o)
	s.Close()
	stale := lockInfo{Holder: "procura serve", PID: 999999, Host: "gone", Since: time.Now().Add(-time.Hour)}
	if err := os.WriteFile(filepath.Join(o.Workspace, lockFileName), stale.encode(), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open with a stale lock file: %v", err)
	}
	s2.Close()
}

func TestPostgresWorkspacesAreNotLocked(t *testing.T) {
	url := os.Getenv(postgresEnv)
	if url == "" {
		t.Skip(postgresEnv + " is not set: PostgreSQL tests skipped")
	}
	o := Options{Workspace: t.TempDir(), URL: pgtest.FreshSchema(t, url)}
	mustInit(t, o)
	s2, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("second worker Open: %v", err)
	}
	s2.Close()
}

func TestSessionTimeZoneIsSetOnEveryConnection(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		o := b.options(t)
		o.TimeZone = "Europe/Vienna"
		s := mustInit(t, o)
		var tz string
		if err := s.DB().QueryRow(`SELECT current_setting('TimeZone')`).Scan(&tz); err != nil {
			t.Fatal(err)
		}
		if tz != "Europe/Vienna" {
			t.Errorf("TimeZone = %q, want Europe/Vienna", tz)
		}
	})
}

func TestAnUnknownTimeZoneIsRefused(t *testing.T) {
	o := backends()[0].options(t)
	o.TimeZone = "Mars/Olympus"
	if _, err := Init(context.Background(), o); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("err = %v, want an error naming the zone", err)
	}
}
