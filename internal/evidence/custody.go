package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"procura/internal/audit"
	"procura/internal/store"
)

// ErrChanged means a stored evidence file no longer has the SHA-256 it was stored under.
var ErrChanged = errors.New("evidence file changed")

// Open opens the file of item id for reading and records the access with its purpose.
func (s *Store) Open(ctx context.Context, id int64, actor, purpose string) (*os.File, Item, error) {
	item, err := s.st.EvidenceItem(ctx, id)
	if err != nil {
		return nil, Item{}, err
	}
	f, err := os.Open(s.Path(item.SHA256))
	if err != nil {
		return nil, Item{}, fmt.Errorf("open the file of evidence item %d (%s): %w: run procura evidence verify", id, item.FileName, err)
	}
	if _, err := s.Access(ctx, id, actor, purpose, nil); err != nil {
		f.Close()
		return nil, Item{}, err
	}
	return f, item, nil
}

// Access records that actor read item id for purpose, with optional details.
func (s *Store) Access(ctx context.Context, id int64, actor, purpose string, detail any) (Event, error) {
	return s.event(ctx, id, func(ctx context.Context, tx *store.Tx, rec *audit.Recorder, item Item) (Event, error) {
		return s.record(ctx, tx, rec, item, Event{Event: Accessed, Actor: actor, Purpose: purpose}, detail)
	})
}

// LinkBatch records that import batch batchID of dataset was read from item id: the batch
// points to the item, and the item's custody shows the access.
func (s *Store) LinkBatch(ctx context.Context, actor string, id, batchID int64, dataset string) error {
	_, err := s.event(ctx, id, func(ctx context.Context, tx *store.Tx, rec *audit.Recorder, item Item) (Event, error) {
		if err := tx.LinkBatchEvidence(ctx, batchID, id); err != nil {
			return Event{}, err
		}
		return s.record(ctx, tx, rec, item, Event{Event: Accessed, Actor: actor,
			Purpose: fmt.Sprintf("imported into dataset %s as batch %d", dataset, batchID)},
			map[string]any{"dataset": dataset, "batch_id": batchID})
	})
	return err
}

// Transfer hands custody of item id to another officer or agency.
func (s *Store) Transfer(ctx context.Context, id int64, actor, to, purpose string) (Item, Event, error) {
	if to == "" {
		return Item{}, Event{}, fmt.Errorf("transfer evidence item %d: say to whom (--to)", id)
	}
	var after Item
	ev, err := s.event(ctx, id, func(ctx context.Context, tx *store.Tx, rec *audit.Recorder, item Item) (Event, error) {
		if err := tx.SetEvidenceCustodian(ctx, id, to); err != nil {
			return Event{}, err
		}
		after = item
		after.Custodian = to
		return s.record(ctx, tx, rec, after, Event{Event: Transferred, Actor: actor, Counterparty: to, Purpose: purpose},
			map[string]any{"from": item.Custodian, "to": to})
	})
	return after, ev, err
}

// event runs f on item id in one audited transaction.
func (s *Store) event(ctx context.Context, id int64, f func(context.Context, *store.Tx, *audit.Recorder, Item) (Event, error)) (Event, error) {
	var ev Event
	_, err := s.log.Do(ctx, func(tx *store.Tx, rec *audit.Recorder) error {
		item, err := tx.EvidenceForUpdate(ctx, id)
		if err != nil {
			return err
		}
		ev, err = f(ctx, tx, rec, item)
		return err
	})
	return ev, err
}

// ExportResult describes one export of an item.
type ExportResult struct {
	Item  Item   `json:"item"`
	Path  string `json:"path"`
	Size  int64  `json:"size"`
	Event Event  `json:"custody_event"`
}

// Export copies the file of item id to dest (which must not exist), checks that the copy has
// the item's SHA-256, and records the export with its recipient and purpose. A copy that does
// not match, or that cannot be recorded, is removed again.
func (s *Store) Export(ctx context.Context, id int64, actor, dest, recipient, purpose string) (ExportResult, error) {
	item, err := s.st.EvidenceItem(ctx, id)
	if err != nil {
		return ExportResult{}, err
	}
	abs, err := filepath.Abs(dest)
	if err != nil {
		return ExportResult{}, fmt.Errorf("export evidence item %d to %s: %w", id, dest, err)
	}
	size, err := copyVerified(s.Path(item.SHA256), abs, item.SHA256)
	if err != nil {
		return ExportResult{}, fmt.Errorf("export evidence item %d (%s): %w", id, item.FileName, err)
	}
	ev, err := s.event(ctx, id, func(ctx context.Context, tx *store.Tx, rec *audit.Recorder, item Item) (Event, error) {
		return s.record(ctx, tx, rec, item, Event{Event: Exported, Actor: actor, Counterparty: recipient, Purpose: purpose},
			map[string]any{"path": abs, "size": size})
	})
	if err != nil {
		os.Remove(abs)
		return ExportResult{}, err
	}
	return ExportResult{Item: item, Path: abs, Size: size, Event: ev}, nil
}

func copyVerified(src, dest, sha string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, fmt.Errorf("the stored file is unreadable: %w: run procura evidence verify", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("%s exists already: choose a new file name (an export never overwrites)", dest)
	}
	if err != nil {
		return 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if got := hex.EncodeToString(h.Sum(nil)); got != sha {
			err = fmt.Errorf("%w: the stored file now has sha256 %s, not %s: do not use it; run procura evidence verify", ErrChanged, got, sha)
		}
	}
	if err != nil {
		os.Remove(dest)
		return 0, err
	}
	return n, nil
}

// Download opens the file of item id for a copy that leaves the workspace through the
// server, after checking that it still has the item's SHA-256, and records the export with its
// recipient and purpose before a byte is sent: a download is an export whose destination is
// the recipient's browser. The caller closes the file.
func (s *Store) Download(ctx context.Context, id int64, actor, recipient, purpose string) (*os.File, Item, Event, error) {
	item, err := s.st.EvidenceItem(ctx, id)
	if err != nil {
		return nil, Item{}, Event{}, err
	}
	f, err := os.Open(s.Path(item.SHA256))
	if err != nil {
		return nil, Item{}, Event{}, fmt.Errorf("download evidence item %d (%s): the stored file is unreadable: %w: run procura evidence verify", id, item.FileName, err)
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err == nil {
		if got := hex.EncodeToString(h.Sum(nil)); got != item.SHA256 {
			err = fmt.Errorf("%w: the stored file now has sha256 %s, not %s: do not use it; run procura evidence verify", ErrChanged, got, item.SHA256)
		}
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, Item{}, Event{}, fmt.Errorf("download evidence item %d (%s): %w", id, item.FileName, err)
	}
	ev, err := s.event(ctx, id, func(ctx context.Context, tx *store.Tx, rec *audit.Recorder, item Item) (Event, error) {
		return s.record(ctx, tx, rec, item, Event{Event: Exported, Actor: actor, Counterparty: recipient, Purpose: purpose},
			map[string]any{"download": true, "size": size})
	})
	if err != nil {
		f.Close()
		return nil, Item{}, Event{}, err
	}
	return f, item, ev, nil
}
