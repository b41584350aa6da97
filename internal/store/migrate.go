package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string // file name without the number and extension, e.g. "catalog"
	sql     string // with {{type}} placeholders
}

// migrations returns the embedded steps in order. Files are named
// NNNN_name.sql; a file NNNN_name.<backend>.sql holds a step that differs per
// backend and is used only on that backend.
func loadMigrations(backend string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]migration{}
	for _, e := range entries {
		base := strings.TrimSuffix(e.Name(), ".sql")
		numStr, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(numStr)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", e.Name())
		}
		name, only, perBackend := strings.Cut(rest, ".")
		if perBackend && only != backend {
			continue
		}
		if prev, dup := byVersion[v]; dup {
			return nil, fmt.Errorf("migration %d: two files (%s and %s)", v, prev.name, e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		byVersion[v] = migration{version: v, name: name, sql: string(b)}
	}
	out := make([]migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %d is missing (next present is %d)", i+1, m.version)
		}
	}
	return out, nil
}

// splitStatements splits a migration into statements at semicolons that end
// a line, after dropping "--" comment lines.
func splitStatements(sql string) []string {
	var b strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	var stmts []string
	for _, part := range strings.Split(b.String(), ";\n") {
		if st := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), ";")); st != "" {
			stmts = append(stmts, st)
		}
	}
	return stmts
}

// appliedVersion is the highest migration applied; an error means the
// database has no procura schema at all.
func (s *Store) appliedVersion(ctx context.Context) (int, error) {
	var v *int64
	if err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return int(*v), nil
}

// migrate applies the pending steps, each in its own transaction, and refuses
// a database written by a newer procura.
func (s *Store) migrate(ctx context.Context) error {
	steps, err := loadMigrations(s.dialect.name)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	known := len(steps)
	if err := s.ensureMigrationTable(ctx); err != nil {
		return err
	}
	for _, m := range steps {
		if err := s.applyMigration(ctx, m, known); err != nil {
			return err
		}
	}
	v, err := s.appliedVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	return newerSchemaErr(v, known)
}

func newerSchemaErr(applied, known int) error {
	if applied > known {
		return userError(ErrNewerSchema, "workspace was written by a newer procura (schema %d, this binary knows %d): upgrade procura", applied, known)
	}
	return nil
}

func (s *Store) ensureMigrationTable(ctx context.Context) error {
	ddl, err := s.dialect.expand(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at {{timestamp}} NOT NULL
)`)
	if err != nil {
		return err
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if lock := s.dialect.migrationLock(); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("lock schema for migration: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return tx.Commit()
}

// applyMigration runs step m unless it is applied already; the check runs
// under the migration lock so concurrent PostgreSQL workers apply it once.
func (s *Store) applyMigration(ctx context.Context, m migration, known int) error {
	stmts := splitStatements(m.sql)
	for i, st := range stmts {
		var err error
		if stmts[i], err = s.dialect.expand(st); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
		}
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if lock := s.dialect.migrationLock(); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("lock schema for migration: %w", err)
		}
	}
	var maxV *int64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&maxV); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if maxV != nil {
		if err := newerSchemaErr(int(*maxV), known); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if n > 0 {
		return nil
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("migration %04d_%s: %w\nin statement: %s", m.version, m.name, err, st)
		}
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, CURRENT_TIMESTAMP)`,
		m.version, m.name); err != nil {
		return fmt.Errorf("record migration %d: %w", m.version, err)
	}
	return tx.Commit()
}

// Migration is one applied schema step as recorded in schema_migrations.
type Migration struct {
	Version int
	Name    string
}

// Migrations lists the applied schema steps in order.
func (s *Store) Migrations(ctx context.Context) ([]Migration, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	defer rows.Close()
	var out []Migration
	for rows.Next() {
		var m Migration
		if err := rows.Scan(&m.Version, &m.Name); err != nil {
			return nil, fmt.Errorf("list migrations: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// KnownSchemaVersion is the highest schema step this binary knows.
func KnownSchemaVersion() int {
	steps, err := loadMigrations(BackendDuckDB)
	if err != nil {
		return 0
	}
	return len(steps)
}
