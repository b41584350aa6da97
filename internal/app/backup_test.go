package app

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"procura/internal/audit"
	"procura/internal/backup"
	"procura/internal/evidence"
	"procura/internal/store/pgtest"
)

// backupWorld is a workspace with a dataset, an evidence item and audit entries.
func backupWorld(t *testing.T, db string) (*App, Config) {
	t.Helper()
	c := Config{Workspace: filepath.Join(t.TempDir(), "ws"), DB: db, Actor: "tester", HashParams: testHash}
	if _, err := Init(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	a, err := Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ctx := context.Background()
	dir := t.TempDir()
	tx := filepath.Join(dir, "tx.csv")
	os.WriteFile(tx, []byte(txCSV), 0o600)
	if _, err := a.Import(ctx, ImportRequest{Path: tx, Dataset: "tx", Kind: "transactions"}); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(dir, "statement.pdf")
	os.WriteFile(doc, []byte("%PDF a bank statement"), 0o600)
	if _, err := a.EvidenceAdd(ctx, EvidenceAddRequest{Path: doc, Intake: evidence.Intake{Source: "某银行", LegalBasis: "调证通知书 1"}}); err != nil {
		t.Fatal(err)
	}
	return a, c
}

func backupTo(t *testing.T, a *App, ctx context.Context) (string, BackupResult) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ws.procura-backup")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := a.Backup(ctx, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	return path, res
}

// state is what a restore must bring back: datasets with their rows, evidence items by hash,
// and the audit chain up to the backup.
func state(t *testing.T, a *App, upTo int64) string {
	t.Helper()
	ctx := context.Background()
	ds, err := a.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "dataset %s %d rows %d batches\n", d.Name, d.Rows, len(d.Batches))
	}
	items, err := a.EvidenceList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		fmt.Fprintf(&b, "evidence %d %s %s\n", it.ID, it.SHA256, it.Source)
	}
	es, err := a.AuditLog(ctx, AuditQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Seq <= upTo {
			fmt.Fprintf(&b, "audit %d %s %s\n", e.Seq, e.Action, e.Hash)
		}
	}
	return b.String()
}

func TestABackupRestoresDatasetsEvidenceAndTheAuditChainVerified(t *testing.T) {
	a, _ := backupWorld(t, "")
	path, res := backupTo(t, a, context.Background())
	if res.Snapshot.AuditSeq == 0 || res.Snapshot.Datasets != 1 || res.Snapshot.Evidence < 2 {
		t.Errorf("snapshot = %+v, want the audit head, 1 dataset, 2 evidence items (the import's file and the statement)", res.Snapshot)
	}
	want := state(t, a, res.Snapshot.AuditSeq)
	target := Config{Workspace: filepath.Join(t.TempDir(), "restored"), Actor: "restorer", HashParams: testHash}
	rr, err := Restore(context.Background(), target, path, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rr.OK || !rr.Audit.OK || !rr.Evidence.OK || rr.SHA256 != res.SHA256 {
		t.Fatalf("restore = %+v, want verified and the archive's hash %s", rr, res.SHA256)
	}
	b, err := Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := state(t, b, res.Snapshot.AuditSeq); got != want {
		t.Errorf("restored workspace differs:\n got %s\nwant %s", got, want)
	}
	es, _ := b.AuditLog(context.Background(), AuditQuery{Action: "workspace.restored"})
	if len(es) != 1 || es[0].Actor != "restorer" {
		t.Errorf("restore audit entries = %+v, want one by restorer", es)
	}
	es, _ = a.AuditLog(context.Background(), AuditQuery{Action: "workspace.backed_up"})
	if len(es) != 1 || !strings.Contains(string(es[0].New), res.SHA256) {
		t.Errorf("backup audit entries = %+v, want one naming the archive's hash", es)
	}
}

// A backup taken while another goroutine writes (as the server's requests do) holds a
// database as of one instant: its chain verifies and every evidence item has its file.
func TestABackupTakenDuringWritesIsConsistent(t *testing.T) {
	a, _ := backupWorld(t, "")
	ctx := context.Background()
	l, err := a.auditLog()
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	going := make(chan struct{}) // closed once the writers have written 20 times
	var once sync.Once
	wrote := func() {
		if writes.Add(1) == 20 {
			once.Do(func() { close(going) })
		}
	}
	dir := t.TempDir()
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := l.Append(ctx, audit.Event{Actor: "writer", Action: "test.write", ObjectType: "n", ObjectID: fmt.Sprint(i)}); err != nil {
				t.Error(err)
				return
			}
			wrote()
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := filepath.Join(dir, fmt.Sprintf("doc%d.txt", i))
			os.WriteFile(p, []byte(fmt.Sprintf("document %d", i)), 0o600)
			if _, err := a.EvidenceAdd(ctx, EvidenceAddRequest{Path: p, Intake: evidence.Intake{Source: "s", LegalBasis: "b"}}); err != nil {
				t.Error(err)
				return
			}
			wrote()
		}
	}()
	select {
	case <-going:
	case <-time.After(time.Minute):
		t.Fatal("the writers did not write 20 times in a minute")
	}
	before := writes.Load()
	path, res := backupTo(t, a, ctx)
	during := writes.Load() - before
	close(stop)
	wg.Wait()
	if during == 0 {
		t.Error("nothing was written while the backup ran; the test proves nothing")
	}
	rr, err := Restore(ctx, Config{Workspace: filepath.Join(t.TempDir(), "r"), Actor: "restorer", HashParams: testHash}, path, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Audit.OK || !rr.Evidence.OK || rr.Audit.Entries < res.Snapshot.AuditSeq {
		t.Errorf("restored during %d writes: audit %+v evidence %+v; want both verified", writes.Load(), rr.Audit.Report, rr.Evidence)
	}
}

func TestATamperedBackupIsRefusedNamingTheFileAndRestoresNothing(t *testing.T) {
	a, _ := backupWorld(t, "")
	path, _ := backupTo(t, a, context.Background())
	var changed string
	tampered := repack(t, path, func(h *tar.Header, body []byte) []byte {
		if changed == "" && strings.HasPrefix(h.Name, backup.Prefix+"evidence/") {
			changed = strings.TrimPrefix(h.Name, backup.Prefix)
			body = append([]byte("forged "), body...)
		}
		return body
	})
	target := filepath.Join(t.TempDir(), "r")
	_, err := Restore(context.Background(), Config{Workspace: target, HashParams: testHash}, tampered, RestoreOptions{})
	if !errors.Is(err, backup.ErrDamaged) || changed == "" || !strings.Contains(err.Error(), changed) {
		t.Fatalf("restore of a tampered archive = %v, want it refused naming %s", err, changed)
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused restore left %s behind", target)
	}
}

func TestRestoreRefusesANonEmptyTargetAndBackupNeedsAnAdmin(t *testing.T) {
	a, c := backupWorld(t, "")
	path, _ := backupTo(t, a, context.Background())
	if _, err := Restore(context.Background(), Config{Workspace: c.Workspace}, path, RestoreOptions{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore over a workspace = %v, want refused", err)
	}
	analyst := WithPrincipal(context.Background(), Principal{Name: "li", Role: RoleAnalyst})
	if _, err := a.Backup(analyst, io.Discard, nil); !errors.Is(err, ErrForbidden) {
		t.Errorf("an analyst's backup = %v, want ErrForbidden", err)
	}
}

// With PostgreSQL the archive brings evidence and keys; the database comes back with
// pg_restore (here: it stays), and the restore verifies the two together.
func TestAPostgresBackupRestoresEvidenceAndKeysAgainstTheDatabase(t *testing.T) {
	url := os.Getenv(pgtest.Env)
	if url == "" {
		t.Skip(pgtest.Env + " is not set")
	}
	db := pgtest.FreshSchema(t, url)
	a, _ := backupWorld(t, db)
	path, res := backupTo(t, a, context.Background())
	if res.Backend != "postgres" || !strings.Contains(res.Database, "pg_dump") {
		t.Errorf("backup = %+v, want a PostgreSQL backup that names pg_dump", res)
	}
	a.Close()
	if _, err := Restore(context.Background(), Config{Workspace: filepath.Join(t.TempDir(), "r1")}, path, RestoreOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("restore of a PostgreSQL backup without --db = %v, want refused", err)
	}
	rr, err := Restore(context.Background(), Config{Workspace: filepath.Join(t.TempDir(), "r2"), DB: db, HashParams: testHash}, path, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rr.OK || rr.Evidence.Items < 2 {
		t.Errorf("restore = audit %+v evidence %+v, want verified with the two items", rr.Audit.Report, rr.Evidence)
	}
}

// repack rewrites an archive through edit and returns the new file.
func repack(t *testing.T, path string, edit func(h *tar.Header, body []byte) []byte) string {
	t.Helper()
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, _ := zstd.NewReader(bytes.NewReader(in))
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw, _ := zstd.NewWriter(&out)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		body = edit(h, body)
		h.Size = int64(len(body))
		tw.WriteHeader(h)
		tw.Write(body)
	}
	tw.Close()
	zw.Close()
	p := path + ".tampered"
	os.WriteFile(p, out.Bytes(), 0o600)
	return p
}

// An archive restores with --trust-key only when the workspace's own audit key signed it.
func TestRestoreWithATrustedKeyAcceptsOnlyArchivesItSigned(t *testing.T) {
	a, c := backupWorld(t, "")
	path, _ := backupTo(t, a, context.Background())
	own := filepath.Join(c.Workspace, "keys", "audit-ed25519.pem.pub")
	rr, err := Restore(context.Background(), Config{Workspace: filepath.Join(t.TempDir(), "r1"), HashParams: testHash}, path, RestoreOptions{TrustKey: own})
	if err != nil || !rr.Trusted || rr.SignedBy == "" {
		t.Fatalf("restore with the workspace's own key = %+v, %v; want trusted", rr, err)
	}
	other := Config{Workspace: filepath.Join(t.TempDir(), "other"), HashParams: testHash}
	if _, err := Init(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	o, err := Open(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.AuditVerify(context.Background(), false); err != nil { // creates its key
		t.Fatal(err)
	}
	o.Close()
	target := filepath.Join(t.TempDir(), "r2")
	_, err = Restore(context.Background(), Config{Workspace: target, HashParams: testHash}, path,
		RestoreOptions{TrustKey: filepath.Join(other.Workspace, "keys", "audit-ed25519.pem.pub")})
	if !errors.Is(err, backup.ErrDamaged) || !strings.Contains(err.Error(), "not by the trusted key") {
		t.Errorf("restore with another office's key = %v, want refused", err)
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Error("the refused restore left its target behind")
	}
}
