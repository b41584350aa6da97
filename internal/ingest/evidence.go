package ingest

import (
	"context"
	"fmt"
	"path/filepath"

	"procura/internal/audit"
	"procura/internal/evidence"
	"procura/internal/store"
)

// original is an imported file as kept in the workspace's evidence store, with the evidence
// item that records its receipt.
type original struct {
	evidence.Blob
	item  evidence.Item
	ev    *evidence.Store
	actor string
}

// keepOriginal copies the file as received into the evidence store, named by its SHA-256
// (evidence/sha256/ab/abcdef…), and records it as an evidence item (source agency, importer,
// request number as the legal basis) unless the same content is an item already. The copy is
// what a court can be shown: every imported row points to a line of this exact file.
func keepOriginal(ctx context.Context, st *store.Store, o Options, progress func(int64)) (original, error) {
	log, err := audit.Open(st, audit.Options{})
	if err != nil {
		return original{}, err
	}
	ev := evidence.New(st, log)
	blob, err := ev.Put(o.Path, progress)
	if err != nil {
		return original{}, err
	}
	actor := o.Importer
	if actor == "" {
		actor = "procura"
	}
	item, _, err := ev.Register(ctx, actor, blob, evidence.Intake{FileName: filepath.Base(o.Path),
		Source: o.SourceAgency, ReceivedBy: actor, LegalBasis: o.RequestNo}, false)
	if err != nil {
		return original{}, fmt.Errorf("record %s as evidence: %w", o.Path, err)
	}
	return original{Blob: blob, item: item, ev: ev, actor: actor}, nil
}

// link records that batch batchID of dataset was read from the original. It runs after the
// import committed: a failure leaves the batch without its link (its file_sha256 still names
// the item), so it is reported as a warning, not as a failed import.
func (k original) link(ctx context.Context, dataset string, batchID int64) string {
	if err := k.ev.LinkBatch(ctx, k.actor, k.item.ID, batchID, dataset); err != nil {
		return fmt.Sprintf("batch %d was imported but not linked to evidence item %d (same sha256): %v", batchID, k.item.ID, err)
	}
	return ""
}
