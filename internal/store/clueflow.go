package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// WorkflowEvent is one thing that happened to a clue or a case: a transition (old and new
// status), an assignment, a comment, an attachment, a due date, a link. AuditSeq is the audit
// entry written in the same transaction.
type WorkflowEvent struct {
	ID         int64     `json:"id"`
	ObjectType string    `json:"object_type"` // clue or case
	ObjectID   string    `json:"object_id"`
	CaseID     string    `json:"case_id,omitempty"`
	Kind       string    `json:"kind"` // transition, assign, comment, attach, due, case, link, create
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
	Old        string    `json:"old,omitempty"`
	New        string    `json:"new,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	DetailJSON string    `json:"-"`
	AuditSeq   int64     `json:"audit_seq"`
}

// ErrStale is returned when a change expected a version of a row that another change has
// replaced in the meantime.
var ErrStale = errors.New("changed by someone else")

// Clue returns clue id.
func (s *Store) Clue(ctx context.Context, id int64) (Clue, error) {
	c, err := scanClue(s.db.QueryRowContext(ctx, `SELECT `+clueColumns+` FROM clues WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, userError(ErrNoClue, "clue %d does not exist: list clues with procura clue list", id)
	}
	if err != nil {
		return c, fmt.Errorf("read clue %d: %w", id, err)
	}
	return c, nil
}

// Clues returns the clues ids inside the transaction, in the order of ids; an unknown id is
// ErrNoClue naming it.
func (tx *Tx) Clues(ctx context.Context, ids []int64) ([]Clue, error) {
	byID := make(map[int64]Clue, len(ids))
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		list := make([]string, len(part))
		for j, id := range part {
			list[j] = strconv.FormatInt(id, 10)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+clueColumns+` FROM clues WHERE id IN (`+strings.Join(list, ",")+`)`)
		if err != nil {
			return nil, fmt.Errorf("read clues: %w", err)
		}
		for rows.Next() {
			c, err := scanClue(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read clues: %w", err)
			}
			byID[c.ID] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read clues: %w", err)
		}
	}
	out := make([]Clue, len(ids))
	for i, id := range ids {
		c, ok := byID[id]
		if !ok {
			return nil, userError(ErrNoClue, "clue %d does not exist: list clues with procura clue list", id)
		}
		out[i] = c
	}
	return out, nil
}

// StaleClues is returned by UpdateCluesWorkflow when some clues were no longer at the
// version expected; IDs names them.
type StaleClues struct{ IDs []int64 }

func (e *StaleClues) Error() string { return fmt.Sprintf("clues %v changed in the meantime", e.IDs) }
func (e *StaleClues) Unwrap() error { return ErrStale }

// UpdateCluesWorkflow writes the workflow fields (status, assignee, due date, case, review note
// and decision, severity) of every clue of cs that is still at version expect[i], and raises
// its version; one statement per 500 clues, or a staging table for many. When any clue is no
// longer at its expected version it returns *StaleClues (ErrStale) naming them, and the caller
// must roll back.
func (tx *Tx) UpdateCluesWorkflow(ctx context.Context, cs []Clue, expect []int64, at time.Time) error {
	if len(cs) > bulkFrom {
		return tx.updateCluesStaged(ctx, cs, expect, at)
	}
	const chunk = 500
	for i := 0; i < len(cs); i += chunk {
		part := cs[i:min(i+chunk, len(cs))]
		var b strings.Builder
		b.WriteString(`UPDATE clues SET status = v.status, assignee = v.assignee, due_at = v.due_at, case_id = v.case_id,
			review_note = v.review_note, reviewed_by = v.reviewed_by, reviewed_at = v.reviewed_at,
			decided_version = v.decided_version, severity = v.severity, version = clues.version + 1, updated_at = $1
			FROM (VALUES `)
		args := []any{at}
		for j, c := range part {
			if j > 0 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "(CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS TEXT), CAST($%d AS TEXT), CAST($%d AS TIMESTAMPTZ), "+
				"CAST($%d AS TEXT), CAST($%d AS TEXT), CAST($%d AS TEXT), CAST($%d AS TIMESTAMPTZ), CAST($%d AS INTEGER), CAST($%d AS TEXT))",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11)
			args = append(args, c.ID, expect[i+j], c.Status, c.Assignee, nullTime(c.DueAt), c.CaseID, c.ReviewNote, c.ReviewedBy,
				nullTime(c.ReviewedAt), nullInt(int64(c.DecidedVersion)), c.Severity)
		}
		b.WriteString(`) AS v(id, expect, status, assignee, due_at, case_id, review_note, reviewed_by, reviewed_at,
			decided_version, severity) WHERE clues.id = v.id AND clues.version = v.expect`)
		rows, err := tx.QueryContext(ctx, b.String()+` RETURNING clues.id`, args...)
		if err != nil {
			return fmt.Errorf("update %d clues: %w", len(part), err)
		}
		done := make(map[int64]bool, len(part))
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("update %d clues: %w", len(part), err)
			}
			done[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("update %d clues: %w", len(part), err)
		}
		if len(done) != len(part) {
			stale := &StaleClues{}
			for _, c := range part {
				if !done[c.ID] {
					stale.IDs = append(stale.IDs, c.ID)
				}
			}
			return stale
		}
	}
	return nil
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// InsertWorkflowEvents appends events: one statement per 200, or the bulk path for many.
func (tx *Tx) InsertWorkflowEvents(ctx context.Context, evs []WorkflowEvent) error {
	if len(evs) > bulkFrom {
		return tx.loadWorkflowEvents(ctx, evs)
	}
	const chunk = 200
	for i := 0; i < len(evs); i += chunk {
		part := evs[i:min(i+chunk, len(evs))]
		var b strings.Builder
		b.WriteString(`INSERT INTO workflow_events (id, object_type, object_id, case_id, kind, actor, event_at, old_value,
			new_value, reason, detail_json, audit_seq) VALUES `)
		args := make([]any, 0, len(part)*11)
		for j, e := range part {
			if j > 0 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "(nextval('workflow_events_id_seq'), $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11)
			args = append(args, e.ObjectType, e.ObjectID, e.CaseID, e.Kind, e.Actor, e.At, e.Old, e.New, e.Reason,
				orJSON(e.DetailJSON), e.AuditSeq)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("record workflow events: %w", err)
		}
	}
	return nil
}

// EventFilter selects workflow events: those of one object, or everything of one case (the
// case's own events and those of every clue that is in the case now).
type EventFilter struct {
	ObjectType, ObjectID string
	CaseID               string
	Kind                 string
}

// WorkflowEvents lists events, oldest first.
func (s *Store) WorkflowEvents(ctx context.Context, f EventFilter) ([]WorkflowEvent, error) {
	q := `SELECT id, object_type, object_id, case_id, kind, actor, event_at, old_value, new_value, reason, detail_json,
		audit_seq FROM workflow_events WHERE `
	var args []any
	switch {
	case f.CaseID != "":
		q += `(case_id = $1 OR (object_type = 'clue' AND object_id IN
			(SELECT CAST(id AS TEXT) FROM clues WHERE case_id = $1)))`
		args = append(args, f.CaseID)
	default:
		q += `object_type = $1 AND object_id = $2`
		args = append(args, f.ObjectType, f.ObjectID)
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		q += fmt.Sprintf(` AND kind = $%d`, len(args))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY event_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list workflow events: %w", err)
	}
	defer rows.Close()
	out := []WorkflowEvent{}
	for rows.Next() {
		var e WorkflowEvent
		if err := rows.Scan(&e.ID, &e.ObjectType, &e.ObjectID, &e.CaseID, &e.Kind, &e.Actor, &e.At, &e.Old, &e.New,
			&e.Reason, &e.DetailJSON, &e.AuditSeq); err != nil {
			return nil, fmt.Errorf("list workflow events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// LastChange is the newest event of an object that changed its version (a transition or an
// assignment): who made it and when. A conflict error names it.
func (s *Store) LastChange(ctx context.Context, objectType, objectID string) (WorkflowEvent, error) {
	var e WorkflowEvent
	err := s.db.QueryRowContext(ctx, `SELECT kind, actor, event_at, old_value, new_value FROM workflow_events
		WHERE object_type = $1 AND object_id = $2 AND kind IN ('transition', 'assign', 'case', 'link', 'create')
		ORDER BY id DESC LIMIT 1`, objectType, objectID).Scan(&e.Kind, &e.Actor, &e.At, &e.Old, &e.New)
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil
	}
	return e, err
}

// Attachment is an evidence item attached to a clue.
type Attachment struct {
	ClueID     int64     `json:"clue_id"`
	EvidenceID int64     `json:"evidence_id"`
	AddedBy    string    `json:"added_by"`
	AddedAt    time.Time `json:"added_at"`
}

// AttachEvidence attaches item evidenceID to clue clueID; it reports false when the item was
// attached already.
func (tx *Tx) AttachEvidence(ctx context.Context, a Attachment) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO clue_attachments (clue_id, evidence_id, added_by, added_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (clue_id, evidence_id) DO NOTHING`, a.ClueID, a.EvidenceID, a.AddedBy, a.AddedAt)
	if err != nil {
		return false, fmt.Errorf("attach evidence %d to clue %d: %w", a.EvidenceID, a.ClueID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Attachments lists the evidence items attached to clue id.
func (s *Store) Attachments(ctx context.Context, clueID int64) ([]Attachment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT clue_id, evidence_id, added_by, added_at FROM clue_attachments
		WHERE clue_id = $1 ORDER BY added_at, evidence_id`, clueID)
	if err != nil {
		return nil, fmt.Errorf("list attachments of clue %d: %w", clueID, err)
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ClueID, &a.EvidenceID, &a.AddedBy, &a.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// IDString is the clue's id as the ledger and the audit log name it.
func (c Clue) IDString() string { return strconv.FormatInt(c.ID, 10) }

// bulkFrom is the size of a change from which the bulk path (load into a staging table or the
// target, then one set-based statement) beats statements with inline values: on DuckDB
// binding thousands of parameters costs more than creating a table.
const bulkFrom = 100

// updateCluesStaged is UpdateCluesWorkflow through a staging table.
func (tx *Tx) updateCluesStaged(ctx context.Context, cs []Clue, expect []int64, at time.Time) error {
	stage, err := tx.stagingTable(ctx, "clue_change", `id BIGINT, expect BIGINT, status TEXT, assignee TEXT,
		due_at {{timestamp}}, case_id TEXT, review_note TEXT, reviewed_by TEXT, reviewed_at {{timestamp}},
		decided_version INTEGER, severity TEXT`)
	if err != nil {
		return fmt.Errorf("update %d clues: %w", len(cs), err)
	}
	vals := make([][]any, len(cs))
	for i, c := range cs {
		vals[i] = []any{c.ID, expect[i], c.Status, c.Assignee, nullTime(c.DueAt), c.CaseID, c.ReviewNote, c.ReviewedBy,
			nullTime(c.ReviewedAt), nullInt(int64(c.DecidedVersion)), c.Severity}
	}
	if _, err := tx.BulkLoad(ctx, stage, []string{"id", "expect", "status", "assignee", "due_at", "case_id", "review_note",
		"reviewed_by", "reviewed_at", "decided_version", "severity"}, RowsOf(vals)); err != nil {
		return fmt.Errorf("update %d clues: %w", len(cs), err)
	}
	rows, err := tx.QueryContext(ctx, `UPDATE clues SET status = v.status, assignee = v.assignee, due_at = v.due_at,
		case_id = v.case_id, review_note = v.review_note, reviewed_by = v.reviewed_by, reviewed_at = v.reviewed_at,
		decided_version = v.decided_version, severity = v.severity, version = clues.version + 1, updated_at = $1
		FROM `+stage+` v WHERE clues.id = v.id AND clues.version = v.expect RETURNING clues.id`, at)
	if err != nil {
		return fmt.Errorf("update %d clues: %w", len(cs), err)
	}
	done := make(map[int64]bool, len(cs))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("update %d clues: %w", len(cs), err)
		}
		done[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("update %d clues: %w", len(cs), err)
	}
	if len(done) != len(cs) {
		stale := &StaleClues{}
		for _, c := range cs {
			if !done[c.ID] {
				stale.IDs = append(stale.IDs, c.ID)
			}
		}
		return stale
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+stage); err != nil {
		return fmt.Errorf("update %d clues: %w", len(cs), err)
	}
	return nil
}

// loadWorkflowEvents is InsertWorkflowEvents through the bulk path.
func (tx *Tx) loadWorkflowEvents(ctx context.Context, evs []WorkflowEvent) error {
	ids, err := tx.reserveIDs(ctx, "workflow_events_id_seq", len(evs))
	if err != nil {
		return fmt.Errorf("record workflow events: %w", err)
	}
	vals := make([][]any, len(evs))
	for i, e := range evs {
		vals[i] = []any{ids[i], e.ObjectType, e.ObjectID, e.CaseID, e.Kind, e.Actor, e.At, e.Old, e.New, e.Reason,
			orJSON(e.DetailJSON), e.AuditSeq}
	}
	if _, err := tx.BulkLoad(ctx, "workflow_events", []string{"id", "object_type", "object_id", "case_id", "kind", "actor",
		"event_at", "old_value", "new_value", "reason", "detail_json", "audit_seq"}, RowsOf(vals)); err != nil {
		return fmt.Errorf("record workflow events: %w", err)
	}
	return nil
}
