// Package audit keeps procura's append-only, hash-chained audit log. Every change and every
// sensitive read is one entry: actor, action, object, old and new values, time, and a SHA-256
// hash over the entry's canonical encoding, which includes the previous entry's hash. Every
// CheckpointEvery entries the head hash is signed with the workspace's Ed25519 key, so a chain
// rewritten from some entry onwards no longer matches its signed checkpoints. Verify recomputes
// the chain and reports the first entry that does not hold.
package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"procura/internal/store"
)

// Event is what a caller records: who did what to which object, with the values before and
// after (any JSON-encodable value; nil for none).
type Event struct {
	Actor      string
	Action     string // dotted, domain first: "evidence.exported", "dataset.import", "clue.transition"
	ObjectType string // "evidence", "import_batch", "clue", "case" ...
	ObjectID   string
	CaseID     string // the case the object belongs to, when known; `procura audit log --case` selects on it
	Old, New   any
}

// Entry is one entry of the chain as stored.
type Entry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	CaseID     string          `json:"case_id,omitempty"`
	Old        json.RawMessage `json:"old"`
	New        json.RawMessage `json:"new"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// Options configure a Log. The zero value works.
type Options struct {
	// CheckpointEvery signs the head after every this many entries; 0 means 100.
	CheckpointEvery int64
	// KeyPath is the checkpoint key file; "" means the workspace's (store.AuditKeyPath).
	KeyPath string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Log appends to and verifies the audit chain of one store.
type Log struct {
	st    *store.Store
	key   ed25519.PrivateKey
	every int64
	now   func() time.Time
}

// GenesisHash is the previous hash of the first entry.
var GenesisHash = hex.EncodeToString(make([]byte, sha256.Size))

// maxAttempts bounds the retries of a transaction that lost a race for the chain's head.
const maxAttempts = 50

// Open returns the audit log of st, creating the workspace's checkpoint key on first use.
func Open(st *store.Store, o Options) (*Log, error) {
	path := o.KeyPath
	if path == "" {
		path = st.AuditKeyPath()
	}
	key, err := LoadOrCreateKey(path)
	if err != nil {
		return nil, err
	}
	l := &Log{st: st, key: key, every: o.CheckpointEvery, now: o.Now}
	if l.every <= 0 {
		l.every = 100
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l, nil
}

// PublicKey is the key that checkpoints of this log are signed with.
func (l *Log) PublicKey() ed25519.PublicKey { return l.key.Public().(ed25519.PublicKey) }

// Recorder appends entries inside the transaction of Log.Do.
type Recorder struct {
	l        *Log
	tx       *store.Tx
	loaded   bool
	seq      int64
	hash     string
	appended []Entry
}

// Append adds ev to the chain inside the transaction; it becomes visible when the
// transaction commits, together with the changes it records.
func (r *Recorder) Append(ctx context.Context, ev Event) (Entry, error) {
	if !r.loaded {
		if err := r.tx.LockAuditChain(ctx); err != nil {
			return Entry{}, err
		}
		seq, hash, err := r.tx.AuditHead(ctx)
		if err != nil {
			return Entry{}, err
		}
		if seq == 0 {
			hash = GenesisHash
		}
		r.seq, r.hash, r.loaded = seq, hash, true
	}
	e, err := r.l.newEntry(ev, r.seq+1, r.hash)
	if err != nil {
		return Entry{}, err
	}
	if err := r.tx.InsertAuditEntry(ctx, toStore(e)); err != nil {
		return Entry{}, err
	}
	r.seq, r.hash = e.Seq, e.Hash
	r.appended = append(r.appended, e)
	return e, nil
}

// Do runs fn in one transaction with a Recorder, signs a checkpoint when the appended entries
// reach the next multiple of CheckpointEvery, and commits. When another writer appended to
// the chain at the same time, the transaction is rolled back and fn runs again on the new head,
// so fn must keep its effects inside tx.
func (l *Log) Do(ctx context.Context, fn func(tx *store.Tx, rec *Recorder) error) ([]Entry, error) {
	for attempt := 1; ; attempt++ {
		entries, err := l.try(ctx, fn)
		if err == nil {
			return entries, nil
		}
		if !store.IsWriteConflict(err) || attempt >= maxAttempts || ctx.Err() != nil {
			if store.IsWriteConflict(err) {
				return nil, fmt.Errorf("the audit chain is too busy (%d attempts lost a race with other writers): try again: %w", attempt, err)
			}
			return nil, err
		}
		// Jittered backoff so racing writers do not collide again in lockstep.
		wait := time.Duration(rand.Int64N(int64(attempt)*int64(2*time.Millisecond) + 1))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (l *Log) try(ctx context.Context, fn func(tx *store.Tx, rec *Recorder) error) ([]Entry, error) {
	tx, err := l.st.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rec := &Recorder{l: l, tx: tx}
	if err := fn(tx, rec); err != nil {
		return nil, err
	}
	if n := len(rec.appended); n > 0 {
		first, last := rec.appended[0].Seq, rec.appended[n-1].Seq
		// Sign the head when this transaction crossed a multiple of every.
		if (first-1)/l.every != last/l.every {
			if err := tx.InsertAuditCheckpoint(ctx, l.sign(last, rec.hash, l.stamp())); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return rec.appended, nil
}

// Append adds one entry to the chain in a transaction of its own.
func (l *Log) Append(ctx context.Context, ev Event) (Entry, error) {
	var e Entry
	_, err := l.Do(ctx, func(tx *store.Tx, rec *Recorder) error {
		var err error
		e, err = rec.Append(ctx, ev)
		return err
	})
	return e, err
}

// Checkpoint signs the current head of the chain now, so that deleting the newest entries is
// detected too. It does nothing when the head is signed already or the chain is empty.
func (l *Log) Checkpoint(ctx context.Context) (store.AuditCheckpoint, error) {
	var cp store.AuditCheckpoint
	_, err := l.Do(ctx, func(tx *store.Tx, _ *Recorder) error {
		if err := tx.LockAuditChain(ctx); err != nil {
			return err
		}
		seq, hash, err := tx.AuditHead(ctx)
		if err != nil || seq == 0 {
			return err
		}
		cp = l.sign(seq, hash, l.stamp())
		err = tx.InsertAuditCheckpoint(ctx, cp)
		if store.IsWriteConflict(err) {
			// The head is signed already (by a periodic checkpoint or another caller).
			cp = store.AuditCheckpoint{}
			return errAlreadySigned
		}
		return err
	})
	if errors.Is(err, errAlreadySigned) {
		return store.AuditCheckpoint{}, nil
	}
	return cp, err
}

var errAlreadySigned = errors.New("head already signed")

// stamp is the current time at the precision both databases keep (microseconds), in UTC, so the
// time read back encodes exactly as the time hashed.
func (l *Log) stamp() time.Time { return l.now().UTC().Truncate(time.Microsecond) }

func (l *Log) newEntry(ev Event, seq int64, prev string) (Entry, error) {
	if ev.Actor == "" || ev.Action == "" || ev.ObjectType == "" {
		return Entry{}, fmt.Errorf("audit entry %q on %q by %q: actor, action and object type are all required", ev.Action, ev.ObjectType, ev.Actor)
	}
	oldJ, err := canonicalJSON(ev.Old)
	if err != nil {
		return Entry{}, fmt.Errorf("audit %s of %s %s: old value: %w", ev.Action, ev.ObjectType, ev.ObjectID, err)
	}
	newJ, err := canonicalJSON(ev.New)
	if err != nil {
		return Entry{}, fmt.Errorf("audit %s of %s %s: new value: %w", ev.Action, ev.ObjectType, ev.ObjectID, err)
	}
	e := Entry{Seq: seq, At: l.stamp(), Actor: ev.Actor, Action: ev.Action, ObjectType: ev.ObjectType,
		ObjectID: ev.ObjectID, CaseID: ev.CaseID, Old: oldJ, New: newJ, PrevHash: prev}
	e.Hash = HashEntry(toStore(e))
	return e, nil
}

// canonicalJSON encodes v with sorted object keys and no insignificant space; values that are
// JSON already ([]byte, json.RawMessage) are re-encoded the same way. nil is "null".
func canonicalJSON(v any) (json.RawMessage, error) {
	var raw []byte
	switch x := v.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case json.RawMessage:
		raw = x
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	// Decoding into any with UseNumber and encoding again sorts keys (encoding/json sorts map
	// keys) and keeps numbers exactly as written.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// timeLayout is the time in the canonical encoding: UTC, always six fractional digits.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Canonical is the byte string an entry's hash is computed over: the tag "procura-audit/1",
// then the previous hash, seq, time, actor, action, object type, object id, case id, old JSON
// and new JSON, each as a uvarint byte length followed by its UTF-8 bytes. Length prefixes
// make the encoding unambiguous: no two different entries encode alike (docs/audit.md).
func Canonical(e store.AuditEntry) []byte {
	fields := [...]string{"procura-audit/1", e.PrevHash, strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format(timeLayout), e.Actor, e.Action, e.ObjectType, e.ObjectID, e.CaseID,
		e.OldJSON, e.NewJSON}
	n := 0
	for _, f := range fields {
		n += len(f) + binary.MaxVarintLen64
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// HashEntry is the hex SHA-256 of Canonical(e).
func HashEntry(e store.AuditEntry) string {
	sum := sha256.Sum256(Canonical(e))
	return hex.EncodeToString(sum[:])
}

func toStore(e Entry) store.AuditEntry {
	return store.AuditEntry{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, CaseID: e.CaseID, OldJSON: string(e.Old), NewJSON: string(e.New),
		PrevHash: e.PrevHash, Hash: e.Hash}
}

func fromStore(e store.AuditEntry) Entry {
	return Entry{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, CaseID: e.CaseID, Old: rawOrNull(e.OldJSON), New: rawOrNull(e.NewJSON),
		PrevHash: e.PrevHash, Hash: e.Hash}
}

func rawOrNull(s string) json.RawMessage {
	if !json.Valid([]byte(s)) {
		// A tampered row may hold anything; show it as a string rather than break the output.
		b, _ := json.Marshal(s)
		return b
	}
	return json.RawMessage(s)
}

// Filter selects entries for Entries.
type Filter = store.AuditFilter

// Entries returns the entries that match f, oldest first.
func (l *Log) Entries(ctx context.Context, f Filter) ([]Entry, error) {
	rows, err := l.st.AuditEntries(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = fromStore(r)
	}
	return out, nil
}
