package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	if req.Severity != "" && !slices.Contains(supervise.Severities, req.Severity) {
		return TransitionResult{}, fmt.Errorf("%w: severity %q is not known: use one of %s", ErrInvalid, req.Severity, strings.Join(supervise.Severities, ", "))
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
				return clueForbidden(p, c.ID)
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
		recorded := action // this function may run again on a retry: leave action as it was
		if len(ids) > 1 {
			recorded = strings.Replace(action, "clue.", "clue.bulk_", 1)
		}
		e, err := rec.Append(ctx, audit.Event{Actor: p.Name, Action: recorded, ObjectType: "clue", ObjectID: objectID,
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
	return res, a.maskChanged(ctx, &res)
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
