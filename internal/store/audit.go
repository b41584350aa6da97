package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// AuditEntry is one row of the append-only audit chain. The hash and its encoding belong to
// package audit; the store only keeps the fields exactly as written.
type AuditEntry struct {
	Seq        int64
	At         time.Time
	Actor      string
	Action     string
	ObjectType string
	ObjectID   string
	CaseID     string
	OldJSON    string
	NewJSON    string
	PrevHash   string
	Hash       string
}

// AuditCheckpoint is a signature over the hash of audit entry Seq.
type AuditCheckpoint struct {
	Seq       int64
	Hash      string
	At        time.Time
	KeyID     string
	PublicKey string // base64 of the raw Ed25519 public key
	Signature string // base64
}

// ErrWriteConflict means another writer changed the same rows at the same time (two appends
// to the audit chain, two items with the same content); the transaction was not applied and
// may be run again.
var ErrWriteConflict = errors.New("write conflict with a concurrent writer")

// IsWriteConflict reports whether err is a conflict with a concurrent transaction, after
// which the whole transaction can be retried: a duplicate key (both writers took the same
// next number), or a serialisation or deadlock failure.
func IsWriteConflict(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrWriteConflict) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505", "40001", "40P01": // unique_violation, serialization_failure, deadlock_detected
			return true
		}
		return false
	}
	// DuckDB reports conflicts as text only: "Constraint Error: Duplicate key ..." when the
	// other writer committed first, "TransactionContext Error: ... Conflict ..." when both
	// were open at once.
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "duplicate key") || strings.Contains(msg, "conflict")
}

// AuditKeyPath is the file that holds the workspace's Ed25519 checkpoint key.
func (s *Store) AuditKeyPath() string { return filepath.Join(s.dir, "keys", "audit-ed25519.pem") }

// auditLockKey serialises appends to the chain on PostgreSQL; any constant works, this one
// spells "audit" in ASCII.
const auditLockKey = 418581342580

// LockAuditChain makes concurrent appenders wait for each other until this transaction ends
// (PostgreSQL). DuckDB has one writing process per workspace; its goroutines race and the loser
// retries on ErrWriteConflict.
func (tx *Tx) LockAuditChain(ctx context.Context) error {
	if tx.s.dialect.name != BackendPostgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLockKey)); err != nil {
		return fmt.Errorf("lock the audit chain: %w", err)
	}
	return nil
}

// AuditHead returns the sequence number and hash of the newest audit entry; seq 0 and hash ""
// when the chain is empty.
func (tx *Tx) AuditHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("read the head of the audit chain: %w", err)
	}
	return seq, hash, nil
}

// InsertAuditEntry appends e. A concurrent append of the same seq fails with an error for
// which IsWriteConflict is true.
func (tx *Tx) InsertAuditEntry(ctx context.Context, e AuditEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, logged_at, actor, action, object_type, object_id,
		case_id, old_json, new_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.Seq, e.At, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.CaseID, e.OldJSON, e.NewJSON, e.PrevHash, e.Hash)
	if err != nil {
		if IsWriteConflict(err) {
			return fmt.Errorf("append audit entry %d: %w: %v", e.Seq, ErrWriteConflict, err)
		}
		return fmt.Errorf("append audit entry %d: %w", e.Seq, err)
	}
	return nil
}

// InsertAuditCheckpoint records a signed checkpoint.
func (tx *Tx) InsertAuditCheckpoint(ctx context.Context, c AuditCheckpoint) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, signed_at, key_id, public_key, signature)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.Seq, c.Hash, c.At, c.KeyID, c.PublicKey, c.Signature)
	if err != nil {
		if IsWriteConflict(err) {
			return fmt.Errorf("record audit checkpoint at entry %d: %w: %v", c.Seq, ErrWriteConflict, err)
		}
		return fmt.Errorf("record audit checkpoint at entry %d: %w", c.Seq, err)
	}
	return nil
}

const auditColumns = `seq, logged_at, actor, action, object_type, object_id, case_id, old_json, new_json, prev_hash, hash`

func scanAuditEntry(r rowScanner) (AuditEntry, error) {
	var e AuditEntry
	err := r.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.CaseID,
		&e.OldJSON, &e.NewJSON, &e.PrevHash, &e.Hash)
	return e, err
}

// ScanAuditEntries hands every audit entry to fn in sequence order, one at a time, so a chain
// of any length is verified in constant memory.
func (s *Store) ScanAuditEntries(ctx context.Context, fn func(AuditEntry) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read the audit chain: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return fmt.Errorf("read the audit chain: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the audit chain: %w", err)
	}
	return nil
}

// AuditCheckpoints lists the checkpoints in sequence order.
func (s *Store) AuditCheckpoints(ctx context.Context) ([]AuditCheckpoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, hash, signed_at, key_id, public_key, signature
		FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []AuditCheckpoint
	for rows.Next() {
		var c AuditCheckpoint
		if err := rows.Scan(&c.Seq, &c.Hash, &c.At, &c.KeyID, &c.PublicKey, &c.Signature); err != nil {
			return nil, fmt.Errorf("read audit checkpoints: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	CaseID, Actor, Action, ObjectType, ObjectID string
	Since, Until                                time.Time // Until is exclusive
	AfterSeq                                    int64     // only entries with a larger seq
	BeforeSeq                                   int64     // only entries with a smaller seq (paging back)
	Limit                                       int       // 0 = 1000
	Newest                                      bool      // the newest Limit entries (still returned oldest first)
}

// AuditEntries returns the entries that match f, oldest first.
func (s *Store) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	for _, c := range []struct{ col, v string }{
		{"case_id", f.CaseID}, {"actor", f.Actor}, {"object_type", f.ObjectType}, {"object_id", f.ObjectID},
	} {
		if c.v != "" {
			add(c.col+" = $%d", c.v)
		}
	}
	if f.Action != "" {
		// "evidence" selects evidence.added, evidence.exported ...
		if strings.Contains(f.Action, ".") {
			add("action = $%d", f.Action)
		} else {
			add("action LIKE $%d", f.Action+".%")
		}
	}
	if !f.Since.IsZero() {
		add("logged_at >= $%d", f.Since)
	}
	if !f.Until.IsZero() {
		add("logged_at < $%d", f.Until)
	}
	if f.AfterSeq > 0 {
		add("seq > $%d", f.AfterSeq)
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	order := "ASC"
	if f.Newest {
		order = "DESC"
	}
	q += fmt.Sprintf(` ORDER BY seq %s LIMIT %d`, order, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read the audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("read the audit log: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the audit log: %w", err)
	}
	if f.Newest {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}
