package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Case is a case file: a number, a title, what it is about, and a version for optimistic
// concurrency. Its clues, parties, accounts, evidence, analyses and measures are CaseLinks
// (clues through clues.case_id).
type Case struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind,omitempty"`   // e.g. 行政公益诉讼, 刑事, 民事监督
	Charge    string    `json:"charge,omitempty"` // the charge or cause of action
	Status    string    `json:"status"`
	Version   int64     `json:"version"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CaseLink is one thing a case holds.
type CaseLink struct {
	CaseID     string    `json:"case_id"`
	Kind       string    `json:"kind"` // party, account, evidence, analysis, measure
	Ref        string    `json:"ref"`
	Label      string    `json:"label,omitempty"`
	DetailJSON string    `json:"-"`
	AddedBy    string    `json:"added_by"`
	AddedAt    time.Time `json:"added_at"`
}

// ErrNoCase is returned for an unknown case number; ErrCaseExists when creating one twice.
var (
	ErrNoCase     = errors.New("no such case")
	ErrCaseExists = errors.New("case exists")
)

const caseColumns = `id, title, kind, charge, status, version, created_by, created_at, updated_at`

func scanCase(r rowScanner) (Case, error) {
	var c Case
	err := r.Scan(&c.ID, &c.Title, &c.Kind, &c.Charge, &c.Status, &c.Version, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// InsertCase creates case c.
func (tx *Tx) InsertCase(ctx context.Context, c Case) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE id = $1`, c.ID).Scan(&n); err != nil {
		return fmt.Errorf("create case %s: %w", c.ID, err)
	}
	if n > 0 {
		return userError(ErrCaseExists, "case %s exists already: show it with procura case show %s", c.ID, c.ID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7)`,
		c.ID, c.Title, c.Kind, c.Charge, c.Status, c.CreatedBy, c.CreatedAt)
	if err != nil {
		return fmt.Errorf("create case %s: %w", c.ID, err)
	}
	return nil
}

// Case returns case id.
//
// On DuckDB the answer is kept until the next write (readcache.go).
func (s *Store) Case(ctx context.Context, id string) (Case, error) {
	v, err := s.remember("case", []any{id}, func() (any, int, error) {
		c, err := caseFrom(s.db.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id), id)
		return c, 1, err
	})
	if err != nil {
		return Case{}, err
	}
	return v.(Case), nil
}

// Case returns case id inside the transaction.
func (tx *Tx) Case(ctx context.Context, id string) (Case, error) {
	return caseFrom(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id), id)
}

func caseFrom(r *sql.Row, id string) (Case, error) {
	c, err := scanCase(r)
	if errors.Is(err, sql.ErrNoRows) {
		return c, userError(ErrNoCase, "case %s does not exist: list cases with procura case list, or create it with procura case create %s --title …", id, id)
	}
	if err != nil {
		return c, fmt.Errorf("read case %s: %w", id, err)
	}
	return c, nil
}

// TouchCase raises the version of case id when it is still at version expect (0 = any).
func (tx *Tx) TouchCase(ctx context.Context, id string, expect int64, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET version = version + 1, updated_at = $3
		WHERE id = $1 AND ($2 = 0 OR version = $2)`, id, expect, at)
	if err != nil {
		return fmt.Errorf("update case %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("case %s is no longer at version %d: %w", id, expect, ErrStale)
	}
	return nil
}

// Cases lists cases by number; visibleTo ("" = everyone's) keeps those granted to that user.
func (s *Store) Cases(ctx context.Context, visibleTo string) ([]Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE $1 = ''
		OR id IN (SELECT case_id FROM case_grants WHERE user_name = $1) ORDER BY id`, visibleTo)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertCaseLink adds l to its case; it reports false when the case held it already.
func (tx *Tx) InsertCaseLink(ctx context.Context, l CaseLink) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO case_links (case_id, kind, ref, label, detail_json, added_by, added_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id, kind, ref) DO NOTHING`,
		l.CaseID, l.Kind, l.Ref, l.Label, orJSON(l.DetailJSON), l.AddedBy, l.AddedAt)
	if err != nil {
		return false, fmt.Errorf("link %s %s to case %s: %w", l.Kind, l.Ref, l.CaseID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// CaseLinks lists what case id holds, by kind and time.
//
// On DuckDB the answer is kept until the next write (readcache.go).
func (s *Store) CaseLinks(ctx context.Context, id string) ([]CaseLink, error) {
	v, err := s.remember("case links", []any{id}, func() (any, int, error) {
		ls, err := s.caseLinks(ctx, id)
		return ls, len(ls) + 1, err
	})
	if err != nil {
		return nil, err
	}
	return slices.Clone(v.([]CaseLink)), nil
}

func (s *Store) caseLinks(ctx context.Context, id string) ([]CaseLink, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT case_id, kind, ref, label, detail_json, added_by, added_at
		FROM case_links WHERE case_id = $1 ORDER BY kind, added_at, ref`, id)
	if err != nil {
		return nil, fmt.Errorf("list links of case %s: %w", id, err)
	}
	defer rows.Close()
	out := []CaseLink{}
	for rows.Next() {
		var l CaseLink
		if err := rows.Scan(&l.CaseID, &l.Kind, &l.Ref, &l.Label, &l.DetailJSON, &l.AddedBy, &l.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// GrantCase lets g.User see g.CaseID inside the transaction (the creator of a case, whose
// role needs grants, is granted it with the case); granting twice keeps the first grant.
func (tx *Tx) GrantCase(ctx context.Context, g Grant) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_grants (user_name, case_id, granted_by, granted_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (user_name, case_id) DO NOTHING`, g.User, g.CaseID, g.GrantedBy, g.GrantedAt)
	if err != nil {
		return fmt.Errorf("grant case %s to %s: %w", g.CaseID, g.User, err)
	}
	return nil
}

// EvidenceCase returns the case of evidence item id ("" = none) inside the transaction.
func (tx *Tx) EvidenceCase(ctx context.Context, id int64) (string, error) {
	var c string
	err := tx.QueryRowContext(ctx, `SELECT case_id FROM evidence_items WHERE id = $1`, id).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("evidence item %d does not exist: list items with procura evidence list", id)
	}
	return c, err
}

// SetEvidenceCase puts evidence item id, which belongs to no case yet, into case caseID, so
// that need-to-know protects it from then on.
func (tx *Tx) SetEvidenceCase(ctx context.Context, id int64, caseID string) error {
	res, err := tx.ExecContext(ctx, `UPDATE evidence_items SET case_id = $2 WHERE id = $1 AND case_id = ''`, id, caseID)
	if err != nil {
		return fmt.Errorf("put evidence item %d into case %s: %w", id, caseID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("evidence item %d belongs to another case now: %w", id, ErrStale)
	}
	return nil
}

// ModelRunExists reports whether model run id is recorded.
func (tx *Tx) ModelRunExists(ctx context.Context, id int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM model_runs WHERE id = $1`, id).Scan(&n)
	return n > 0, err
}

// CaseEvidence lists the evidence items registered with case id (evidence add --case, or
// linked), as links of kind evidence labelled with the file name.
//
// On DuckDB the answer is kept until the next write (readcache.go).
func (s *Store) CaseEvidence(ctx context.Context, id string) ([]CaseLink, error) {
	v, err := s.remember("case evidence", []any{id}, func() (any, int, error) {
		ls, err := s.caseEvidence(ctx, id)
		return ls, len(ls) + 1, err
	})
	if err != nil {
		return nil, err
	}
	return slices.Clone(v.([]CaseLink)), nil
}

func (s *Store) caseEvidence(ctx context.Context, id string) ([]CaseLink, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, file_name, added_by, added_at FROM evidence_items
		WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("list evidence of case %s: %w", id, err)
	}
	defer rows.Close()
	var out []CaseLink
	for rows.Next() {
		l := CaseLink{CaseID: id, Kind: "evidence"}
		var item int64
		if err := rows.Scan(&item, &l.Label, &l.AddedBy, &l.AddedAt); err != nil {
			return nil, err
		}
		l.Ref = fmt.Sprint(item)
		out = append(out, l)
	}
	return out, rows.Err()
}
