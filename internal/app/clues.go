package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"procura/internal/audit"
	"procura/internal/casework"
	"procura/internal/store"
	"procura/internal/supervise"
)

// ClueQuery selects clues to list.
type ClueQuery struct {
	ModelID  string
	Status   string
	Assignee string
	CaseID   string
	Overdue  bool // only open clues whose due date has passed
	Gone     bool // list clues that no longer hold instead of those that do
	All      bool // list both
	Severity string
	Dataset  string // clues with evidence rows in this dataset
	Text     string // in the title, the subject's name or the model
	Sort     string // one of ClueSorts(); "" = by model, then id
	Order    string // asc (default) or desc
	Limit    int
	Offset   int
}

// ClueView is a clue with its fields and evidence decoded.
type ClueView struct {
	store.Clue
	Fields   map[string][]string  `json:"fields"`
	Evidence []supervise.Evidence `json:"evidence"`
}

// CluePage is one page of clues.
type CluePage struct {
	Total  int64      `json:"total"`
	Offset int        `json:"offset"`
	Clues  []ClueView `json:"clues"`
}

// visibleTo is the user whose grants limit what p sees, or "" when p's role covers all cases.
func visibleTo(p Principal) string {
	if CoversAllCases(p.Role) {
		return ""
	}
	return p.Name
}

// Clues lists the clues the user may see: those outside cases, and those of granted cases
// unless the role covers all cases.
func (a *App) Clues(ctx context.Context, q ClueQuery) (CluePage, error) {
	p, err := a.authorize(ctx, ActClueRead)
	if err != nil {
		return CluePage{}, err
	}
	f, err := a.clueFilter(p, q)
	if err != nil {
		return CluePage{}, err
	}
	cs, total, err := a.st.Clues(ctx, f)
	if err != nil {
		return CluePage{}, err
	}
	page := CluePage{Total: total, Offset: q.Offset, Clues: []ClueView{}}
	for _, c := range cs {
		v, err := clueView(c)
		if err != nil {
			return CluePage{}, err
		}
		page.Clues = append(page.Clues, v)
	}
	views := make([]*ClueView, len(page.Clues))
	for i := range page.Clues {
		views[i] = &page.Clues[i]
	}
	return page, a.maskClues(ctx, q.CaseID, views)
}

func clueView(c store.Clue) (ClueView, error) {
	v := ClueView{Clue: c, Fields: map[string][]string{}, Evidence: []supervise.Evidence{}}
	if err := json.Unmarshal([]byte(c.FieldsJSON), &v.Fields); err != nil {
		return v, fmt.Errorf("clue %d: stored fields are unreadable: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(c.EvidenceJSON), &v.Evidence); err != nil {
		return v, fmt.Errorf("clue %d: stored evidence is unreadable: %w", c.ID, err)
	}
	return v, nil
}

// ClueDetail is one clue with its history, attachments, the moves it may make next and the
// AI-assistance ledger's record of it.
type ClueDetail struct {
	ClueView
	Next        []string              `json:"next"`
	Events      []store.WorkflowEvent `json:"events"`
	Attachments []store.Attachment    `json:"attachments"`
	Suggestion  *SuggestionView       `json:"suggestion,omitempty"`
}

// clue reads clue id for act, with need-to-know on its case.
func (a *App) clue(ctx context.Context, act Action, id int64) (store.Clue, Principal, error) {
	p, err := a.authorize(ctx, act)
	if err != nil {
		return store.Clue{}, p, err
	}
	c, err := a.st.Clue(ctx, id)
	if err != nil {
		return c, p, notFound(err)
	}
	if c.CaseID != "" && !CoversAllCases(p.Role) {
		ok, err := a.st.HasGrant(ctx, p.Name, c.CaseID)
		if err != nil {
			return store.Clue{}, p, err
		}
		if !ok {
			return store.Clue{}, p, clueForbidden(p, id)
		}
	}
	return c, p, nil
}

// clueForbidden refuses a clue of a case p has no grant on. Like evidence items, it says no
// more about the clue than that it is not for this user.
func clueForbidden(p Principal, id int64) error {
	return fmt.Errorf("%w: user %s has no grant on the case of clue %d; ask an administrator for a grant on it", ErrForbidden, p.Name, id)
}

// notFound marks the store's "does not exist" errors as ErrNotFound for the server.
func notFound(err error) error {
	if errors.Is(err, store.ErrNoClue) || errors.Is(err, store.ErrNoCase) || errors.Is(err, store.ErrNoSuggestion) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// Clue shows clue id.
func (a *App) Clue(ctx context.Context, id int64) (ClueDetail, error) {
	c, _, err := a.clue(ctx, ActClueRead, id)
	if err != nil {
		return ClueDetail{}, err
	}
	v, err := clueView(c)
	if err != nil {
		return ClueDetail{}, err
	}
	d := ClueDetail{ClueView: v, Next: casework.Next(c.Status)}
	if d.Events, err = a.st.WorkflowEvents(ctx, store.EventFilter{ObjectType: "clue", ObjectID: strconv.FormatInt(id, 10)}); err != nil {
		return d, err
	}
	if d.Attachments, err = a.st.Attachments(ctx, id); err != nil {
		return d, err
	}
	s, err := a.st.SuggestionOn(ctx, featureClue, "clue", strconv.FormatInt(id, 10))
	switch {
	case err == nil:
		v := suggestionView(s)
		d.Suggestion = &v
	case !errors.Is(err, store.ErrNoSuggestion):
		return d, err
	}
	return d, a.maskClueDetail(ctx, &d)
}

// CommentClue adds a comment to clue id.
func (a *App) CommentClue(ctx context.Context, id int64, text string) (store.WorkflowEvent, error) {
	c, p, err := a.clue(ctx, ActClueComment, id)
	if err != nil {
		return store.WorkflowEvent{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return store.WorkflowEvent{}, fmt.Errorf("%w: the comment is empty: procura clue comment %d \"TEXT\"", ErrInvalid, id)
	}
	ev := store.WorkflowEvent{ObjectType: "clue", ObjectID: strconv.FormatInt(id, 10), CaseID: c.CaseID, Kind: "comment",
		Actor: p.Name, At: a.now(), Reason: text}
	return ev, a.recordEvents(ctx, audit.Event{Actor: p.Name, Action: "clue.commented", ObjectType: "clue",
		ObjectID: ev.ObjectID, CaseID: c.CaseID, New: map[string]any{"comment": text}}, nil, &ev)
}

// AttachEvidence attaches evidence items to clue id. An item of a case may be attached only
// to a clue of the same case, so attaching never shows an item to people without its grant.
func (a *App) AttachEvidence(ctx context.Context, id int64, items []int64) ([]store.Attachment, error) {
	c, p, err := a.clue(ctx, ActClueComment, id)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%w: name the evidence items to attach (ids from procura evidence list)", ErrInvalid)
	}
	granted, err := a.grantedCases(ctx, p)
	if err != nil {
		return nil, err
	}
	now := a.now()
	var out []store.Attachment
	key := strconv.FormatInt(id, 10)
	l, err := a.auditLog()
	if err != nil {
		return nil, err
	}
	_, err = l.Do(ctx, func(tx *store.Tx, rec *audit.Recorder) error {
		out = nil
		var evs []store.WorkflowEvent
		for _, item := range items {
			itemCase, err := tx.EvidenceCase(ctx, item)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrNotFound, err)
			}
			if itemCase != "" && itemCase != c.CaseID {
				if granted != nil && !granted[itemCase] {
					return fmt.Errorf("%w: evidence item %d belongs to a case you have no grant on", ErrForbidden, item)
				}
				return fmt.Errorf("%w: evidence item %d belongs to case %s and clue %d does not: link the clue to that case first (procura case link %s --clue %d)",
					ErrInvalid, item, itemCase, id, itemCase, id)
			}
			at := store.Attachment{ClueID: id, EvidenceID: item, AddedBy: p.Name, AddedAt: now}
			added, err := tx.AttachEvidence(ctx, at)
			if err != nil {
				return err
			}
			if added {
				out = append(out, at)
				evs = append(evs, store.WorkflowEvent{ObjectType: "clue", ObjectID: key, CaseID: c.CaseID, Kind: "attach",
					Actor: p.Name, At: now, New: strconv.FormatInt(item, 10)})
			}
		}
		if len(evs) == 0 {
			return nil
		}
		e, err := rec.Append(ctx, audit.Event{Actor: p.Name, Action: "clue.evidence_attached", ObjectType: "clue",
			ObjectID: key, CaseID: c.CaseID, New: map[string]any{"evidence": items}})
		if err != nil {
			return err
		}
		for i := range evs {
			evs[i].AuditSeq = e.Seq
		}
		return tx.InsertWorkflowEvents(ctx, evs)
	})
	if out == nil {
		out = []store.Attachment{}
	}
	return out, err
}

// recordEvents writes an audit entry and the workflow events it covers in one transaction;
// more, when set, runs first in the same transaction.
func (a *App) recordEvents(ctx context.Context, ae audit.Event, more func(*store.Tx) error, evs ...*store.WorkflowEvent) error {
	l, err := a.auditLog()
	if err != nil {
		return err
	}
	_, err = l.Do(ctx, func(tx *store.Tx, rec *audit.Recorder) error {
		if more != nil {
			if err := more(tx); err != nil {
				return err
			}
		}
		e, err := rec.Append(ctx, ae)
		if err != nil {
			return err
		}
		list := make([]store.WorkflowEvent, len(evs))
		for i, ev := range evs {
			ev.AuditSeq = e.Seq
			list[i] = *ev
		}
		return tx.InsertWorkflowEvents(ctx, list)
	})
	return err
}

// ReviewClue is the review of procura before the lifecycle (procura clues review): it moves
// one clue to status, accepting the old names rejected (dismissed) and reviewing (verifying).
// Confirming a clue nobody has started verifying passes through verifying first, as the old
// review did in one step; each step is an event and an audit entry of its own.
func (a *App) ReviewClue(ctx context.Context, id int64, status, note string) (store.Clue, error) {
	switch status {
	case "rejected":
		status = casework.Dismissed
	case "reviewing":
		status = casework.Verifying
	}
	if status == casework.Confirmed {
		c, _, err := a.clue(ctx, ActClueReview, id)
		if err != nil {
			return store.Clue{}, err
		}
		if c.Status == casework.New || c.Status == casework.Assigned {
			if _, err := a.TransitionClues(ctx, TransitionRequest{Clues: []ClueRef{{ID: id, Version: c.Version}}, To: casework.Verifying}); err != nil {
				return store.Clue{}, err
			}
		}
	}
	res, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: status, Reason: note})
	if err != nil {
		return store.Clue{}, err
	}
	return res.Clues[0], nil
}

// ParseDue reads a due date: YYYY-MM-DD (the end of that day in the workspace's time zone)
// or an RFC 3339 time.
func (a *App) ParseDue(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, a.st.Location()); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: due date %q: write YYYY-MM-DD, e.g. 2025-04-30", ErrInvalid, s)
	}
	return t, nil
}
