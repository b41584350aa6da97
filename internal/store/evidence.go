package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// EvidenceItem is one evidence file with the facts of its receipt. The file itself is
// content-addressed: EvidenceDir()/sha256/<first two hex digits>/<SHA256>.
type EvidenceItem struct {
	ID         int64     `json:"id"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	FileName   string    `json:"file_name"`
	Source     string    `json:"source"`      // who handed it over (bank, operator, police unit)
	ReceivedBy string    `json:"received_by"` // the receiving officer
	LegalBasis string    `json:"legal_basis"` // the request or instrument it was obtained under
	ReceivedAt time.Time `json:"received_at"`
	CaseID     string    `json:"case_id,omitempty"`
	Note       string    `json:"note,omitempty"`
	Custodian  string    `json:"custodian"` // who holds it now; changes with each transfer
	AddedBy    string    `json:"added_by"`
	AddedAt    time.Time `json:"added_at"`
}

// CustodyEvent is one link of an item's chain of custody.
type CustodyEvent struct {
	ID           int64     `json:"id"`
	EvidenceID   int64     `json:"evidence_id"`
	Event        string    `json:"event"` // added, accessed, exported, transferred
	Actor        string    `json:"actor"`
	At           time.Time `json:"at"`
	Counterparty string    `json:"counterparty,omitempty"` // source, recipient or new custodian
	Purpose      string    `json:"purpose,omitempty"`
	DetailJSON   string    `json:"-"`
	AuditSeq     int64     `json:"audit_seq"`
}

// ErrNoEvidence is returned for an evidence id that does not exist.
var ErrNoEvidence = errors.New("no such evidence item")

const evidenceColumns = `id, sha256, size, file_name, source, received_by, legal_basis, received_at,
	case_id, note, custodian, added_by, added_at`

func scanEvidence(r rowScanner) (EvidenceItem, error) {
	var it EvidenceItem
	err := r.Scan(&it.ID, &it.SHA256, &it.Size, &it.FileName, &it.Source, &it.ReceivedBy, &it.LegalBasis,
		&it.ReceivedAt, &it.CaseID, &it.Note, &it.Custodian, &it.AddedBy, &it.AddedAt)
	return it, err
}

// InsertEvidenceItem records a new item and returns it with its id. An item with the same
// content recorded concurrently makes it fail with IsWriteConflict true.
func (tx *Tx) InsertEvidenceItem(ctx context.Context, it EvidenceItem) (EvidenceItem, error) {
	if err := tx.QueryRowContext(ctx, `SELECT nextval('evidence_items_id_seq')`).Scan(&it.ID); err != nil {
		return it, fmt.Errorf("reserve an evidence id: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO evidence_items (`+evidenceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		it.ID, it.SHA256, it.Size, it.FileName, it.Source, it.ReceivedBy, it.LegalBasis, it.ReceivedAt,
		it.CaseID, it.Note, it.Custodian, it.AddedBy, it.AddedAt)
	if err != nil {
		if IsWriteConflict(err) {
			return it, fmt.Errorf("record evidence %s: %w: %v", it.FileName, ErrWriteConflict, err)
		}
		return it, fmt.Errorf("record evidence %s: %w", it.FileName, err)
	}
	return it, nil
}

// EvidenceBySHA finds the item that holds the content with the given SHA-256.
func (tx *Tx) EvidenceBySHA(ctx context.Context, sha string) (EvidenceItem, bool, error) {
	it, err := scanEvidence(tx.QueryRowContext(ctx, `SELECT `+evidenceColumns+` FROM evidence_items WHERE sha256 = $1`, sha))
	if errors.Is(err, sql.ErrNoRows) {
		return EvidenceItem{}, false, nil
	}
	if err != nil {
		return EvidenceItem{}, false, fmt.Errorf("look up evidence with sha256 %s: %w", sha, err)
	}
	return it, true, nil
}

// EvidenceForUpdate reads item id inside the transaction.
func (tx *Tx) EvidenceForUpdate(ctx context.Context, id int64) (EvidenceItem, error) {
	it, err := scanEvidence(tx.QueryRowContext(ctx, `SELECT `+evidenceColumns+` FROM evidence_items WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, userError(ErrNoEvidence, "evidence item %d does not exist: list items with procura evidence list", id)
	}
	if err != nil {
		return it, fmt.Errorf("read evidence item %d: %w", id, err)
	}
	return it, nil
}

// SetEvidenceCustodian records who holds item id now.
func (tx *Tx) SetEvidenceCustodian(ctx context.Context, id int64, custodian string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE evidence_items SET custodian = $2 WHERE id = $1`, id, custodian); err != nil {
		return fmt.Errorf("record the custodian of evidence item %d: %w", id, err)
	}
	return nil
}

// InsertCustodyEvent records one custody event and returns its id.
func (tx *Tx) InsertCustodyEvent(ctx context.Context, ev CustodyEvent) (int64, error) {
	if ev.DetailJSON == "" {
		ev.DetailJSON = "{}"
	}
	if err := tx.QueryRowContext(ctx, `SELECT nextval('evidence_custody_id_seq')`).Scan(&ev.ID); err != nil {
		return 0, fmt.Errorf("reserve a custody event id: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO evidence_custody (id, evidence_id, event, actor, event_at, counterparty,
		purpose, detail_json, audit_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ev.ID, ev.EvidenceID, ev.Event, ev.Actor, ev.At, ev.Counterparty, ev.Purpose, ev.DetailJSON, ev.AuditSeq)
	if err != nil {
		return 0, fmt.Errorf("record %s event of evidence item %d: %w", ev.Event, ev.EvidenceID, err)
	}
	return ev.ID, nil
}

// LinkBatchEvidence records that import batch batchID was read from evidence item evidenceID.
func (tx *Tx) LinkBatchEvidence(ctx context.Context, batchID, evidenceID int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE import_batches SET evidence_id = $2 WHERE id = $1`, batchID, evidenceID)
	if err != nil {
		return fmt.Errorf("link batch %d to evidence item %d: %w", batchID, evidenceID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("link batch %d to evidence item %d: batch %d does not exist", batchID, evidenceID, batchID)
	}
	return nil
}

// EvidenceItem returns item id.
func (s *Store) EvidenceItem(ctx context.Context, id int64) (EvidenceItem, error) {
	it, err := scanEvidence(s.db.QueryRowContext(ctx, `SELECT `+evidenceColumns+` FROM evidence_items WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, userError(ErrNoEvidence, "evidence item %d does not exist: list items with procura evidence list", id)
	}
	if err != nil {
		return it, fmt.Errorf("read evidence item %d: %w", id, err)
	}
	return it, nil
}

// EvidenceItems lists every item by id.
func (s *Store) EvidenceItems(ctx context.Context) ([]EvidenceItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+evidenceColumns+` FROM evidence_items ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	defer rows.Close()
	var out []EvidenceItem
	for rows.Next() {
		it, err := scanEvidence(rows)
		if err != nil {
			return nil, fmt.Errorf("list evidence: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// CustodyEvents returns the chain of custody of item id, oldest first.
func (s *Store) CustodyEvents(ctx context.Context, id int64) ([]CustodyEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, evidence_id, event, actor, event_at, counterparty, purpose,
		detail_json, audit_seq FROM evidence_custody WHERE evidence_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read the custody of evidence item %d: %w", id, err)
	}
	defer rows.Close()
	var out []CustodyEvent
	for rows.Next() {
		var ev CustodyEvent
		if err := rows.Scan(&ev.ID, &ev.EvidenceID, &ev.Event, &ev.Actor, &ev.At, &ev.Counterparty,
			&ev.Purpose, &ev.DetailJSON, &ev.AuditSeq); err != nil {
			return nil, fmt.Errorf("read the custody of evidence item %d: %w", id, err)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// EvidenceBatches lists the import batches read from item id.
func (s *Store) EvidenceBatches(ctx context.Context, id int64) ([]Batch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+batchColumns+` FROM import_batches WHERE evidence_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("list batches of evidence item %d: %w", id, err)
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("list batches of evidence item %d: %w", id, err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BatchEvidenceID returns the evidence item import batch batchID was read from.
func (s *Store) BatchEvidenceID(ctx context.Context, batchID int64) (int64, bool, error) {
	var id sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT evidence_id FROM import_batches WHERE id = $1`, batchID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("batch %d does not exist", batchID)
	}
	if err != nil {
		return 0, false, fmt.Errorf("read the evidence of batch %d: %w", batchID, err)
	}
	return id.Int64, id.Valid, nil
}
