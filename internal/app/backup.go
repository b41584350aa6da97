package app

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"procura/internal/audit"
	"procura/internal/backup"
	"procura/internal/evidence"
	"procura/internal/progress"
	"procura/internal/store"
)

// BackupResult says what a backup holds.
type BackupResult struct {
	Files    int            `json:"files"`
	Bytes    int64          `json:"bytes"`  // of the files, before compression
	SHA256   string         `json:"sha256"` // of the archive as written
	Archive  int64          `json:"archive_bytes"`
	Backend  string         `json:"backend"`
	Database string         `json:"database"`
	Snapshot store.Snapshot `json:"snapshot"`
	Seconds  float64        `json:"seconds"`
}

// Backup writes the workspace to w as one archive (package backup): a consistent copy of the
// DuckDB database, every evidence file and the audit checkpoint key, with a manifest of
// SHA-256 hashes. The database is copied in one transaction (Store.SnapshotDuckDB), so the
// backup is consistent while the server goes on writing; the evidence files are copied after
// it, and since they are only ever added, every file the copied database names is in the
// archive. With PostgreSQL the archive holds the evidence and keys, and the database is backed
// up with pg_dump (docs/security.md). The backup is written to the audit log.
func (a *App) Backup(ctx context.Context, w io.Writer, pr progress.Reporter) (BackupResult, error) {
	p, err := a.authorize(ctx, ActBackup)
	if err != nil {
		return BackupResult{}, err
	}
	start := time.Now()
	pr = progress.OrNop(pr)
	res := BackupResult{Backend: a.st.Backend()}
	// The key signs the manifest; loaded (or created) before the files are listed, so that
	// the archive always holds the key that signed it.
	key, err := audit.LoadOrCreateKey(a.st.AuditKeyPath())
	if err != nil {
		return res, err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, h)}
	bw, err := backup.NewWriter(cw)
	if err != nil {
		return res, err
	}
	if a.st.Backend() == store.BackendDuckDB {
		tmp := filepath.Join(a.st.Dir(), "tmp", "backup-"+randomSecret(6)+".duckdb")
		if err := os.MkdirAll(filepath.Dir(tmp), 0o700); err != nil {
			return res, err
		}
		defer os.Remove(tmp)
		defer os.Remove(tmp + ".wal")
		pr.Begin("copy database", -1, "")
		res.Snapshot, err = a.st.SnapshotDuckDB(ctx, tmp)
		pr.End()
		if err != nil {
			return res, err
		}
		if err := bw.AddFile(ctx, store.DatabaseFile, tmp); err != nil {
			return res, err
		}
		res.Database = "a copy of " + store.DatabaseFile + " taken in one transaction"
	} else {
		res.Database = "not included: the database is PostgreSQL; back it up with pg_dump before this archive"
	}
	files, err := workspaceFiles(a.st)
	if err != nil {
		return res, err
	}
	var total int64
	for _, f := range files {
		total += f.size
	}
	pr.Begin("back up files", total, "bytes")
	for _, f := range files {
		if err := bw.AddFile(ctx, f.rel, f.abs); err != nil {
			pr.End()
			return res, err
		}
		pr.Add(f.size)
	}
	pr.End()
	m := backup.Manifest{CreatedAt: time.Now().UTC(), CreatedBy: p.Name, Version: Version, Backend: res.Backend,
		Workspace: a.st.Dir(), Database: res.Database, Facts: map[string]any{"audit_seq": res.Snapshot.AuditSeq,
			"audit_hash": res.Snapshot.AuditHash, "datasets": res.Snapshot.Datasets, "evidence_items": res.Snapshot.Evidence}}
	for _, f := range bw.Files() {
		res.Files++
		res.Bytes += f.Size
	}
	if err := bw.Close(m, key); err != nil {
		return res, fmt.Errorf("write the backup: %w", err)
	}
	res.SHA256, res.Archive, res.Seconds = hex.EncodeToString(h.Sum(nil)), cw.n, time.Since(start).Seconds()
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: "workspace.backed_up", ObjectType: "workspace", ObjectID: a.st.Dir(),
			New: map[string]any{"sha256": res.SHA256, "archive_bytes": res.Archive, "files": res.Files, "audit_seq": res.Snapshot.AuditSeq,
				"backend": res.Backend}})
	}
	if err != nil {
		return res, fmt.Errorf("the backup was written, but recording it in the audit log failed: %w", err)
	}
	return res, nil
}

type workspaceFile struct {
	rel, abs string
	size     int64
}

// workspaceFiles lists the evidence files and the keys, by path relative to the workspace.
// The lock, the database's own files, spill files and uploads in tmp/ and generated worlds
// are not part of a backup.
func workspaceFiles(st *store.Store) ([]workspaceFile, error) {
	var out []workspaceFile
	for _, root := range []string{st.EvidenceDir(), st.KeysDir()} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipDir
			}
			if err != nil || d.IsDir() {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(st.Dir(), p)
			if err != nil {
				return err
			}
			out = append(out, workspaceFile{rel: filepath.ToSlash(rel), abs: p, size: info.Size()})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", root, err)
		}
	}
	return out, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// RestoreResult is what a restore found: the archive's manifest and the verification of the
// restored audit chain and evidence.
type RestoreResult struct {
	Workspace string                `json:"workspace"`
	Archive   string                `json:"archive"`
	SHA256    string                `json:"sha256"`
	Manifest  backup.Manifest       `json:"manifest"`
	Audit     AuditVerification     `json:"audit"`
	Evidence  evidence.VerifyReport `json:"evidence"`
	// SignedBy is the key id of the workspace audit key that signed the manifest ("" =
	// unsigned); Trusted says it is the key given as RestoreOptions.TrustKey.
	SignedBy string `json:"signed_by"`
	Trusted  bool   `json:"trusted"`
	// OK is true when every file matched the manifest and both verifications hold.
	OK bool `json:"ok"`
}

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// TrustKey is the audit public key (keys/audit-ed25519.pem.pub) kept outside the
	// workspace: the archive must be signed by it, so a forged archive with a rewritten
	// manifest is refused. "" accepts any signature, or none.
	TrustKey string
	Progress progress.Reporter
}

// Restore unpacks a backup archive into the workspace of c, which must not exist or be an
// empty directory, checking every file against the manifest; a damaged or altered archive is
// refused naming the file, and nothing is left behind. It then opens the workspace, verifies
// the audit chain and re-hashes the evidence, and records the restore in the audit log. With
// PostgreSQL (c.DB), restore the database with pg_restore first: the archive brings the
// evidence and keys. It needs no user: whoever can write the directory runs it.
func Restore(ctx context.Context, c Config, archive string, o RestoreOptions) (RestoreResult, error) {
	res := RestoreResult{Workspace: c.Workspace, Archive: archive}
	pr := o.Progress
	var trusted ed25519.PublicKey
	if o.TrustKey != "" {
		var err error
		if trusted, err = backup.ReadPublicKey(o.TrustKey); err != nil {
			return res, err
		}
	}
	if c.Workspace == "" {
		return res, fmt.Errorf("%w: say where to restore to: --workspace DIR (a new or empty directory)", ErrInvalid)
	}
	created, err := prepareTarget(c.Workspace)
	if err != nil {
		return res, err
	}
	cleanup := func() {
		if created {
			os.RemoveAll(c.Workspace)
			return
		}
		entries, _ := os.ReadDir(c.Workspace)
		for _, e := range entries {
			os.RemoveAll(filepath.Join(c.Workspace, e.Name()))
		}
	}
	f, err := os.Open(archive)
	if err != nil {
		cleanup()
		return res, fmt.Errorf("open the backup: %w", err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pr = progress.OrNop(pr)
	pr.Begin("restore", st.Size(), "bytes")
	h := sha256.New()
	x, err := backup.Extract(ctx, io.TeeReader(&progressReader{r: f, pr: pr}, h), c.Workspace)
	pr.End()
	if err != nil {
		cleanup()
		return res, fmt.Errorf("restore %s: %w", archive, err)
	}
	m := x.Manifest
	res.Manifest, res.SHA256 = m, hex.EncodeToString(h.Sum(nil))
	if x.SignedBy != nil {
		res.SignedBy = backup.KeyID(x.SignedBy)
	}
	if trusted != nil {
		if x.SignedBy == nil || !x.SignedBy.Equal(trusted) {
			cleanup()
			by := "nobody"
			if x.SignedBy != nil {
				by = "key " + res.SignedBy
			}
			return res, fmt.Errorf("restore %s: %w: it is signed by %s, not by the trusted key %s (%s); nothing was restored",
				archive, backup.ErrDamaged, by, backup.KeyID(trusted), o.TrustKey)
		}
		res.Trusted = true
	}
	switch {
	case m.Backend == store.BackendPostgres && c.DB == "":
		cleanup()
		return res, fmt.Errorf("%w: the backup is of a PostgreSQL workspace: restore its database with pg_restore, then run procura restore with --db URL", ErrInvalid)
	case m.Backend == store.BackendDuckDB && c.DB != "":
		cleanup()
		return res, fmt.Errorf("%w: the backup holds a DuckDB database; restore it without --db", ErrInvalid)
	}
	c.Command, c.User, c.RequireLogin, c.Unmask = "procura restore", "", false, false
	a, err := Open(ctx, c)
	if err != nil {
		cleanup()
		return res, fmt.Errorf("the restored workspace does not open: %w", err)
	}
	defer a.Close()
	if res.Audit, err = a.AuditVerify(ctx, false); err != nil {
		return res, err
	}
	if res.Evidence, err = a.EvidenceVerify(ctx); err != nil {
		return res, err
	}
	res.OK = res.Audit.OK && res.Evidence.OK
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: a.actorName(ctx), Action: "workspace.restored", ObjectType: "workspace", ObjectID: c.Workspace,
			New: map[string]any{"archive": archive, "sha256": res.SHA256, "backup_created_at": m.CreatedAt, "backup_created_by": m.CreatedBy,
				"signed_by": res.SignedBy, "trusted": res.Trusted,
				"files": len(m.Files), "audit_ok": res.Audit.OK, "evidence_ok": res.Evidence.OK}})
	}
	if err != nil {
		return res, fmt.Errorf("the workspace was restored, but recording the restore in the audit log failed: %w", err)
	}
	return res, nil
}

// prepareTarget makes sure dir is new or empty; created says it was made here.
func prepareTarget(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, os.MkdirAll(dir, 0o700)
	case err != nil:
		return false, fmt.Errorf("restore into %s: %w", dir, err)
	case len(entries) > 0:
		return false, fmt.Errorf("%w: %s is not empty (it holds %s …): restore into a new or empty directory, never over a workspace", ErrInvalid, dir, entries[0].Name())
	}
	return false, nil
}

type progressReader struct {
	r  io.Reader
	pr progress.Reporter
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.pr.Add(int64(n))
	return n, err
}

// BackupCheck is what VerifyBackup found.
type BackupCheck struct {
	Archive  string          `json:"archive"`
	SHA256   string          `json:"sha256"`
	Manifest backup.Manifest `json:"manifest"`
	SignedBy string          `json:"signed_by"`
	Trusted  bool            `json:"trusted"`
}

// VerifyBackup checks a backup archive where it is kept, without restoring it: every file
// against the manifest, the manifest's signature and, with trustKey, the signing key. It
// needs no workspace.
func VerifyBackup(ctx context.Context, archive, trustKey string) (BackupCheck, error) {
	res := BackupCheck{Archive: archive}
	f, err := os.Open(archive)
	if err != nil {
		return res, fmt.Errorf("open the backup: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	x, err := backup.Verify(ctx, io.TeeReader(f, h))
	if err != nil {
		return res, fmt.Errorf("verify %s: %w", archive, err)
	}
	res.Manifest, res.SHA256 = x.Manifest, hex.EncodeToString(h.Sum(nil))
	if x.SignedBy != nil {
		res.SignedBy = backup.KeyID(x.SignedBy)
	}
	if trustKey != "" {
		pub, err := backup.ReadPublicKey(trustKey)
		if err != nil {
			return res, err
		}
		if x.SignedBy == nil || !x.SignedBy.Equal(pub) {
			return res, fmt.Errorf("verify %s: %w: it is not signed by the trusted key %s (%s)", archive, backup.ErrDamaged, backup.KeyID(pub), trustKey)
		}
		res.Trusted = true
	}
	return res, nil
}
