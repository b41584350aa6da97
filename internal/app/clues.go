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

// ErrConflict is returned when a change expected a clue or case as it was before someone else
// changed it; ConflictError says who.
var ErrConflict = errors.New("changed by someone else")

// ConflictError names the change that came first.
type ConflictError struct {
	Object   string    `json:"object"` // "clue 42"
	Expected int64     `json:"expected_version"`
	Version  int64     `json:"version"`
	Status   string    `json:"status"`
	By       string    `json:"changed_by"`
	At       time.Time `json:"changed_at"`
	Show     string    `json:"show"` // the command that shows it as it is now
}

func (e *ConflictError) Error() string {
	by := "someone else"
	if e.By != "" {
		by = fmt.Sprintf("%s at %s", e.By, e.At.UTC().Format("2006-01-02 15:04:05Z"))
	}
	return fmt.Sprintf("%s was changed by %s: it is now %s at version %d, you expected version %d; nothing was changed — look at it again (%s) and decide on what it is now",
		e.Object, by, e.Status, e.Version, e.Expected, e.Show)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// ClueQuery selects clues to list.
type ClueQuery struct {
	ModelID  string
	Status   string
	Assignee string
	CaseID   string
	Overdue  bool // only open clues whose due date has passed
	Gone     bool // list clues that no longer hold instead of those that do
	All      bool // list both
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
	if q.Status != "" {
		if err := casework.CheckStatus(q.Status); err != nil {
			return CluePage{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	f := store.ClueFilter{ModelID: q.ModelID, Status: q.Status, Assignee: q.Assignee, CaseID: q.CaseID, Limit: q.Limit,
		Offset: q.Offset, VisibleTo: visibleTo(p)}
	if q.Overdue {
		f.DueBefore = a.now()
	}
	if !q.All {
		holds := !q.Gone
		f.Holds = &holds
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
	return page, nil
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
	if c.CaseID != "" {
		if _, err := a.authorizeCase(ctx, act, c.CaseID); err != nil {
			return store.Clue{}, p, err
		}
	}
	return c, p, nil
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
	return d, nil
}

// ClueRef names a clue and, when the person saw it at a version, that version: the change is
// refused with a ConflictError when someone changed the clue since. Version 0 checks nothing.
type ClueRef struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version,omitempty"`
}

// Refs makes ClueRefs of ids without expected versions.
func Refs(ids ...int64) []ClueRef {
	out := make([]ClueRef, len(ids))
	for i, id := range ids {
		out[i] = ClueRef{ID: id}
	}
	return out
}

// TransitionRequest moves one or many clues to status To. Many clues move in one
// transaction and one audit entry: all of them or none.
type TransitionRequest struct {
	Clues    []ClueRef
	To       string
	Reason   string    // why; required to dismiss, escalate and reopen
	From     string    // when set, every clue must be in this status
	Assignee string    // who verifies; required to assign
	Due      time.Time // a new due date; zero keeps the current one
	// Severity, when confirming, corrects the severity the model suggested: the AI-assistance
	// ledger records the decision as edited, with the diff.
	Severity string
}

// TransitionResult is the clues as they are after a change, and the audit entry of the change.
type TransitionResult struct {
	Clues    []store.Clue `json:"clues"`
	AuditSeq int64        `json:"audit_seq"`
}

// gateAction maps the lifecycle's gates to the permission table.
var gateAction = map[casework.Gate]Action{
	casework.GateAssign:  ActClueAssign,
	casework.GateReview:  ActClueReview,
	casework.GateApprove: ActMeasureApprove,
}

// TransitionClues moves clues along the lifecycle (docs/workflow.md).
func (a *App) TransitionClues(ctx context.Context, req TransitionRequest) (TransitionResult, error) {
	if err := casework.CheckStatus(req.To); err != nil {
		return TransitionResult{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	act := gateAction[casework.GateOf(req.To)]
	if act == "" {
		return TransitionResult{}, fmt.Errorf("%w: no clue moves to %s: it is where clues start", ErrInvalid, req.To)
	}
	p, err := a.authorize(ctx, act)
	if err != nil {
		return TransitionResult{}, err
	}
	if req.From != "" {
		if err := casework.CheckStatus(req.From); err != nil {
			return TransitionResult{}, fmt.Errorf("%w: --from: %v", ErrInvalid, err)
		}
	}
	if casework.NeedsAssignee(req.To) {
		if err := a.checkAssignee(ctx, req.Assignee); err != nil {
			return TransitionResult{}, err
		}
	}
	if req.Severity != "" && req.To != casework.Confirmed {
		return TransitionResult{}, fmt.Errorf("%w: a severity is corrected when confirming a clue, not when moving it to %s", ErrInvalid, req.To)
	}
	now := a.now()
	reason := strings.TrimSpace(req.Reason)
	return a.changeClues(ctx, p, req.Clues, "clue.transition", func(c store.Clue) (store.Clue, store.WorkflowEvent, error) {
		if req.From != "" && c.Status != req.From {
			return c, store.WorkflowEvent{}, fmt.Errorf("%w: clue %d is %s, not %s", ErrInvalid, c.ID, c.Status, req.From)
		}
		if err := casework.Check(c.Status, req.To); err != nil {
			return c, store.WorkflowEvent{}, fmt.Errorf("%w: clue %d: %v", ErrInvalid, c.ID, err)
		}
		if reason == "" && casework.NeedsReason(c.Status, req.To) {
			return c, store.WorkflowEvent{}, fmt.Errorf("%w: clue %d: say why it moves from %s to %s (--reason)", ErrInvalid, c.ID, c.Status, req.To)
		}
		after := c
		after.Status = req.To
		if casework.NeedsAssignee(req.To) {
			after.Assignee = req.Assignee
		}
		if !req.Due.IsZero() {
			after.DueAt = req.Due
		}
		if req.To == casework.Confirmed || req.To == casework.Dismissed {
			after.ReviewNote, after.ReviewedBy, after.ReviewedAt, after.DecidedVersion = reason, p.Name, now, c.ModelVersion
			if req.Severity != "" {
				after.Severity = req.Severity
			}
		}
		ev := store.WorkflowEvent{Kind: "transition", Old: c.Status, New: req.To, Reason: reason}
		return after, ev, nil
	})
}

// AssignRequest gives clues to a person to verify, optionally with a due date. A new clue
// becomes assigned; a clue further along keeps its status and changes hands.
type AssignRequest struct {
	Clues    []ClueRef
	Assignee string
	Due      time.Time
	Reason   string
}

// AssignClues assigns clues, many at once in one transaction and one audit entry.
func (a *App) AssignClues(ctx context.Context, req AssignRequest) (TransitionResult, error) {
	p, err := a.authorize(ctx, ActClueAssign)
	if err != nil {
		return TransitionResult{}, err
	}
	if err := a.checkAssignee(ctx, req.Assignee); err != nil {
		return TransitionResult{}, err
	}
	return a.changeClues(ctx, p, req.Clues, "clue.assign", func(c store.Clue) (store.Clue, store.WorkflowEvent, error) {
		if len(casework.Next(c.Status)) == 0 {
			return c, store.WorkflowEvent{}, fmt.Errorf("%w: clue %d is %s: a closed clue is not assigned", ErrInvalid, c.ID, c.Status)
		}
		after := c
		after.Assignee = req.Assignee
		if c.Status == casework.New {
			after.Status = casework.Assigned
		}
		if !req.Due.IsZero() {
			after.DueAt = req.Due
		}
		ev := store.WorkflowEvent{Kind: "assign", Old: c.Assignee, New: req.Assignee, Reason: strings.TrimSpace(req.Reason)}
		return after, ev, nil
	})
}

func (a *App) checkAssignee(ctx context.Context, name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: say who verifies the clues (--to USER); list users with procura user list", ErrInvalid)
	}
	u, err := a.st.User(ctx, name)
	if err != nil {
		return fmt.Errorf("%w: assignee: %w", ErrInvalid, err)
	}
	if u.Disabled {
		return fmt.Errorf("%w: user %s is disabled and cannot be assigned clues", ErrInvalid, name)
	}
	return nil
}

// changeClues applies change to every clue of refs in one transaction with one audit entry,
// or to none: need-to-know, the expected versions and change itself are checked for every
// clue before anything is committed.
func (a *App) changeClues(ctx context.Context, p Principal, refs []ClueRef, action string,
	change func(store.Clue) (store.Clue, store.WorkflowEvent, error)) (TransitionResult, error) {
	if len(refs) == 0 {
		return TransitionResult{}, fmt.Errorf("%w: name the clues (ids from procura clue list)", ErrInvalid)
	}
	ids := make([]int64, len(refs))
	seen := map[int64]bool{}
	for i, r := range refs {
		if seen[r.ID] {
			return TransitionResult{}, fmt.Errorf("%w: clue %d is named twice", ErrInvalid, r.ID)
		}
		seen[r.ID], ids[i] = true, r.ID
	}
	granted, err := a.grantedCases(ctx, p)
	if err != nil {
		return TransitionResult{}, err
	}
	l, err := a.auditLog()
	if err != nil {
		return TransitionResult{}, err
	}
	var res TransitionResult
	_, err = l.Do(ctx, func(tx *store.Tx, rec *audit.Recorder) error {
		now := a.now()
		cs, err := tx.Clues(ctx, ids)
		if err != nil {
			return notFound(err)
		}
		res = TransitionResult{Clues: make([]store.Clue, len(cs))}
		old, new := map[string]any{}, map[string]any{}
		evs := make([]store.WorkflowEvent, len(cs))
		expect := make([]int64, len(cs))
		var decisions []clueDecision
		caseID := ""
		for i, c := range cs {
			if c.CaseID != "" && granted != nil && !granted[c.CaseID] {
				return fmt.Errorf("%w: user %s has no grant on case %s of clue %d; ask an administrator to grant it (procura user grant %s %s)",
					ErrForbidden, p.Name, c.CaseID, c.ID, p.Name, c.CaseID)
			}
			if v := refs[i].Version; v != 0 && v != c.Version {
				return a.clueConflict(ctx, c, v)
			}
			after, ev, err := change(c)
			if err != nil {
				return err
			}
			if err := runClueHook(ctx, i); err != nil {
				return err
			}
			after.Version, after.UpdatedAt = c.Version+1, now
			key := strconv.FormatInt(c.ID, 10)
			old[key], new[key] = clueState(c), clueState(after)
			ev.ObjectType, ev.ObjectID, ev.CaseID, ev.Actor, ev.At = "clue", key, after.CaseID, p.Name, now
			evs[i], res.Clues[i], expect[i] = ev, after, c.Version
			if i == 0 {
				caseID = after.CaseID
			} else if caseID != after.CaseID {
				caseID = ""
			}
			if d, ok := decisionOf(c, after); ok {
				decisions = append(decisions, d)
			}
		}
		if err := tx.UpdateCluesWorkflow(ctx, res.Clues, expect, now); err != nil {
			var stale *store.StaleClues
			if errors.As(err, &stale) {
				if cur, rerr := a.st.Clue(ctx, stale.IDs[0]); rerr == nil {
					return a.clueConflict(ctx, cur, expectOf(cs, stale.IDs[0]))
				}
			}
			return err
		}
		if err := runClueHook(ctx, len(cs)); err != nil {
			return err
		}
		aiNew, err := a.decideClueSuggestions(ctx, tx, p, decisions, now)
		if err != nil {
			return err
		}
		if len(aiNew) > 0 {
			new["ai_decisions"] = aiNew
		}
		objectID := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ids)), ","), "[]")
		if len(ids) > 1 {
			action = strings.Replace(action, "clue.", "clue.bulk_", 1)
		}
		e, err := rec.Append(ctx, audit.Event{Actor: p.Name, Action: action, ObjectType: "clue", ObjectID: objectID,
			CaseID: caseID, Old: old, New: new})
		if err != nil {
			return err
		}
		for i := range evs {
			evs[i].AuditSeq = e.Seq
		}
		res.AuditSeq = e.Seq
		return tx.InsertWorkflowEvents(ctx, evs)
	})
	if err != nil {
		return TransitionResult{}, err
	}
	return res, nil
}

// expectOf is the version clue id had when the change read it.
func expectOf(cs []store.Clue, id int64) int64 {
	for _, c := range cs {
		if c.ID == id {
			return c.Version
		}
	}
	return 0
}

// runClueHook runs the test hook of ctx, if any: after each clue of a change is checked
// (done = its index) and after all of them are written (done = their number).
func runClueHook(ctx context.Context, done int) error {
	if hook, ok := ctx.Value(clueHookKey{}).(func(context.Context, int) error); ok {
		return hook(ctx, done)
	}
	return nil
}

// clueHookKey carries a function that runs after each clue of a change is written, before
// the transaction commits: tests use it to cancel or kill a bulk change midway.
type clueHookKey struct{}

// clueState is what the audit log records of a clue before and after a change.
func clueState(c store.Clue) map[string]any {
	m := map[string]any{"status": c.Status, "version": c.Version, "assignee": c.Assignee}
	if !c.DueAt.IsZero() {
		m["due_at"] = c.DueAt.UTC().Format(time.RFC3339)
	}
	if c.CaseID != "" {
		m["case_id"] = c.CaseID
	}
	if c.ReviewNote != "" {
		m["note"] = c.ReviewNote
	}
	m["severity"] = c.Severity
	return m
}

// clueConflict is the ConflictError for clue c, which the caller expected at version want.
func (a *App) clueConflict(ctx context.Context, c store.Clue, want int64) error {
	e := &ConflictError{Object: fmt.Sprintf("clue %d", c.ID), Expected: want, Version: c.Version, Status: c.Status,
		Show: fmt.Sprintf("procura clue show %d", c.ID)}
	if last, err := a.st.LastChange(ctx, "clue", strconv.FormatInt(c.ID, 10)); err == nil {
		e.By, e.At = last.Actor, last.At
	}
	return e
}

// grantedCases returns the cases p is granted, or nil when p's role covers all cases.
func (a *App) grantedCases(ctx context.Context, p Principal) (map[string]bool, error) {
	if CoversAllCases(p.Role) {
		return nil, nil
	}
	gs, err := a.st.Grants(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, g := range gs {
		out[g.CaseID] = true
	}
	return out, nil
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
