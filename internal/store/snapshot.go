package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Snapshot describes a consistent copy of a DuckDB workspace database.
type Snapshot struct {
	Path      string `json:"-"`
	AuditSeq  int64  `json:"audit_seq"`  // the newest audit entry in the copy (0 = none)
	AuditHash string `json:"audit_hash"` // its hash
	Datasets  int64  `json:"datasets"`
	Evidence  int64  `json:"evidence_items"`
}

// ErrNoSnapshot is returned by SnapshotDuckDB on a PostgreSQL workspace, whose database is
// backed up with pg_dump.
var ErrNoSnapshot = errors.New("the database is PostgreSQL")

// SnapshotDuckDB copies the whole database (tables, sequences, indexes, views) into a new
// DuckDB file at dst, in one transaction: the copy is the database as of one instant, however
// many writers the process has meanwhile, and writers are not blocked. This is how a running
// server is backed up: it holds the workspace lock, so only its own process can read the file.
func (s *Store) SnapshotDuckDB(ctx context.Context, dst string) (Snapshot, error) {
	if s.dialect.name != BackendDuckDB {
		return Snapshot{}, userError(ErrNoSnapshot, "the database is PostgreSQL: back it up with pg_dump (docs/security.md)")
	}
	if _, err := os.Stat(dst); err == nil {
		return Snapshot{}, fmt.Errorf("snapshot: %s exists already", dst)
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	defer c.Close()
	var db string
	if err := c.QueryRowContext(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	alias := "procura_snapshot"
	quoted := strings.ReplaceAll(dst, "'", "''")
	if _, err := c.ExecContext(ctx, `ATTACH '`+quoted+`' AS `+alias); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: create %s: %w", dst, err)
	}
	// DETACH on a fresh context: a cancelled backup must still release the file.
	defer c.ExecContext(context.WithoutCancel(ctx), `DETACH `+alias)
	snap := Snapshot{Path: dst}
	err = func() error {
		tx, err := c.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		// The facts read in the copying transaction describe exactly the copy.
		err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&snap.AuditSeq, &snap.AuditHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM datasets`).Scan(&snap.Datasets); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM evidence_items`).Scan(&snap.Evidence); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `COPY FROM DATABASE "`+strings.ReplaceAll(db, `"`, `""`)+`" TO `+alias); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		os.Remove(dst)
		os.Remove(dst + ".wal")
		return Snapshot{}, fmt.Errorf("snapshot of the workspace database: %w", err)
	}
	return snap, nil
}

// Dir is the workspace directory.
func (s *Store) Dir() string { return s.dir }

// DatabaseFile is the name of the DuckDB file inside a workspace.
const DatabaseFile = duckdbFileName

// KeysDir is the workspace's key directory (the audit checkpoint key).
func (s *Store) KeysDir() string { return filepath.Dir(s.AuditKeyPath()) }
