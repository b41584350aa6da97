// Package evidence keeps evidence files content-addressed in the workspace and records their
// chain of custody. A file is stored once, as received, under its SHA-256
// (evidence/sha256/ab/abcdef…), read-only, and is never modified; an item records where it came
// from, who received it and under which legal basis. Every receipt, access, export and transfer
// is a custody event, written together with an entry of the audit chain in one transaction.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"procura/internal/audit"
	"procura/internal/store"
)

// Item is one evidence file and the facts of its receipt.
type Item = store.EvidenceItem

// Event is one link of an item's chain of custody.
type Event = store.CustodyEvent

// Custody event kinds.
const (
	Added       = "added"
	Accessed    = "accessed"
	Exported    = "exported"
	Transferred = "transferred"
)

// Store is the evidence store of one workspace.
type Store struct {
	st  *store.Store
	log *audit.Log
	dir string
	now func() time.Time
}

// New returns the evidence store of st, recording custody in log.
func New(st *store.Store, log *audit.Log) *Store {
	return &Store{st: st, log: log, dir: st.EvidenceDir(), now: time.Now}
}

// Blob is file content held in the store.
type Blob struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Path   string `json:"path"`
}

// Path is where the content with the given SHA-256 is kept.
func (s *Store) Path(sha string) string {
	return filepath.Join(s.dir, "sha256", sha[:2], sha)
}

// Put copies the file at path into the store, named by its SHA-256, and makes the copy
// read-only. Storing content that is held already changes nothing. progress, if not nil, is
// told how many bytes were read.
func (s *Store) Put(path string, progress func(int64)) (Blob, error) {
	in, err := os.Open(path)
	if err != nil {
		return Blob{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer in.Close()
	dir := filepath.Join(s.dir, "sha256")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Blob{}, fmt.Errorf("evidence store %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".incoming-*")
	if err != nil {
		return Blob{}, fmt.Errorf("evidence store %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h, progressWriter(progress)), in)
	if err == nil {
		// The copy is what a court may be shown: make it durable before it is named.
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Blob{}, fmt.Errorf("copy %s into the evidence store: %w", path, err)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	b := Blob{SHA256: sha, Size: size, Path: s.Path(sha)}
	if _, err := os.Stat(b.Path); err == nil {
		return b, nil
	}
	if err := os.MkdirAll(filepath.Dir(b.Path), 0o750); err != nil {
		return Blob{}, fmt.Errorf("evidence store: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o440); err != nil {
		return Blob{}, fmt.Errorf("evidence store: %w", err)
	}
	if err := os.Rename(tmp.Name(), b.Path); err != nil {
		return Blob{}, fmt.Errorf("evidence store: %w", err)
	}
	return b, nil
}

type progressWriter func(int64)

func (p progressWriter) Write(b []byte) (int, error) {
	if p != nil {
		p(int64(len(b)))
	}
	return len(b), nil
}

// Intake says how a file was received.
type Intake struct {
	FileName   string    `json:"file_name"` // as received; default the base name of the path
	Source     string    `json:"source"`    // who handed it over
	ReceivedBy string    `json:"received_by"`
	LegalBasis string    `json:"legal_basis"` // request number, warrant, 调证通知书 …
	ReceivedAt time.Time `json:"received_at"` // default now
	CaseID     string    `json:"case_id,omitempty"`
	Note       string    `json:"note,omitempty"`
}

// Add stores the file at path and records it as an item received as in says. When the same
// content is held already, the existing item is returned with existing true and the new receipt
// is recorded as another "added" event of it, so no receipt is lost.
func (s *Store) Add(ctx context.Context, actor, path string, in Intake, progress func(int64)) (item Item, existing bool, err error) {
	b, err := s.Put(path, progress)
	if err != nil {
		return Item{}, false, err
	}
	if in.FileName == "" {
		in.FileName = filepath.Base(path)
	}
	return s.Register(ctx, actor, b, in, true)
}

// Register records content already Put as an item. For content that is held already it returns
// the existing item and, when again is true, records the receipt as another "added" event.
func (s *Store) Register(ctx context.Context, actor string, b Blob, in Intake, again bool) (Item, bool, error) {
	if actor == "" {
		return Item{}, false, fmt.Errorf("record evidence %s: no actor: say who adds it", in.FileName)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = now
	}
	if in.ReceivedBy == "" {
		in.ReceivedBy = actor
	}
	var item Item
	var existing bool
	_, err := s.log.Do(ctx, func(tx *store.Tx, rec *audit.Recorder) error {
		// Two receipts of the same content at once: the second insert breaks the unique
		// sha256 and Do runs this again, when the look-up finds the first.
		found, ok, err := tx.EvidenceBySHA(ctx, b.SHA256)
		if err != nil {
			return err
		}
		existing = ok
		if ok {
			item = found
			if !again {
				return nil
			}
		} else {
			item, err = tx.InsertEvidenceItem(ctx, Item{SHA256: b.SHA256, Size: b.Size, FileName: in.FileName,
				Source: in.Source, ReceivedBy: in.ReceivedBy, LegalBasis: in.LegalBasis, ReceivedAt: in.ReceivedAt,
				CaseID: in.CaseID, Note: in.Note, Custodian: in.ReceivedBy, AddedBy: actor, AddedAt: now})
			if err != nil {
				return err
			}
		}
		_, err = s.record(ctx, tx, rec, item, Event{Event: Added, Actor: actor, Counterparty: in.Source, Purpose: in.LegalBasis}, in)
		return err
	})
	if err != nil {
		return Item{}, false, err
	}
	return item, existing, nil
}

// record writes one custody event and its audit entry inside the transaction.
func (s *Store) record(ctx context.Context, tx *store.Tx, rec *audit.Recorder, item Item, ev Event, detail any) (Event, error) {
	e, err := rec.Append(ctx, audit.Event{Actor: ev.Actor, Action: "evidence." + ev.Event, ObjectType: "evidence",
		ObjectID: fmt.Sprint(item.ID), CaseID: item.CaseID, New: map[string]any{
			"sha256": item.SHA256, "file_name": item.FileName, "counterparty": ev.Counterparty,
			"purpose": ev.Purpose, "detail": detail}})
	if err != nil {
		return Event{}, err
	}
	ev.EvidenceID, ev.At, ev.AuditSeq = item.ID, e.At, e.Seq
	dj, err := auditJSON(detail)
	if err != nil {
		return Event{}, err
	}
	ev.DetailJSON = dj
	if ev.ID, err = tx.InsertCustodyEvent(ctx, ev); err != nil {
		return Event{}, err
	}
	return ev, nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "{}", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("custody detail: %w", err)
	}
	return string(b), nil
}

// Item returns item id.
func (s *Store) Item(ctx context.Context, id int64) (Item, error) { return s.st.EvidenceItem(ctx, id) }

// Items lists every item by id.
func (s *Store) Items(ctx context.Context) ([]Item, error) { return s.st.EvidenceItems(ctx) }

// Custody returns the chain of custody of item id, oldest first.
func (s *Store) Custody(ctx context.Context, id int64) ([]Event, error) {
	if _, err := s.st.EvidenceItem(ctx, id); err != nil {
		return nil, err
	}
	return s.st.CustodyEvents(ctx, id)
}

// Batches lists the import batches that were read from item id.
func (s *Store) Batches(ctx context.Context, id int64) ([]store.Batch, error) {
	return s.st.EvidenceBatches(ctx, id)
}

func validSHA(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	return strings.Trim(sha, "0123456789abcdef") == ""
}
