package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"procura/internal/audit"
	"procura/internal/casework"
	"procura/internal/store"
)

// caseIDRe is what a case number may look like: it appears in commands, grants and paths of
// the web UI, so no spaces or slashes; Chinese numbers such as 京检刑诉〔2025〕17号 are fine.
var caseIDRe = regexp.MustCompile(`^[^\s/\\?#%]{1,64}$`)

// NewCase describes a case to open; Clues, when given, open it (each joins the new case).
type NewCase struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Kind   string  `json:"kind,omitempty"`
	Charge string  `json:"charge,omitempty"`
	Clues  []int64 `json:"clues,omitempty"`
}

// Case statuses.
const (
	CaseOpen   = "open"
	CaseClosed = "closed"
)

// CreateCase opens a case. A creator whose role needs grants is granted the new case, or they
// could not see what they just made.
func (a *App) CreateCase(ctx context.Context, nc NewCase) (CaseDetail, error) {
	p, err := a.authorize(ctx, ActCaseWrite)
	if err != nil {
		return CaseDetail{}, err
	}
	nc.ID, nc.Title = strings.TrimSpace(nc.ID), strings.TrimSpace(nc.Title)
	if !caseIDRe.MatchString(nc.ID) {
		return CaseDetail{}, fmt.Errorf("%w: case number %q: give 1 to 64 characters without spaces, slashes, ? # or %%, e.g. C-3", ErrInvalid, nc.ID)
	}
	if nc.Title == "" {
		return CaseDetail{}, fmt.Errorf("%w: give the case a title (--title)", ErrInvalid)
	}
	granted, err := a.grantedCases(ctx, p)
	if err != nil {
		return CaseDetail{}, err
	}
	now := a.now()
	c := store.Case{ID: nc.ID, Title: nc.Title, Kind: nc.Kind, Charge: nc.Charge, Status: CaseOpen, Version: 1,
		CreatedBy: p.Name, CreatedAt: now, UpdatedAt: now}
	l, err := a.auditLog()
	if err != nil {
		return CaseDetail{}, err
	}
	_, err = l.Do(ctx, func(tx *store.Tx, rec *audit.Recorder) error {
		if err := tx.InsertCase(ctx, c); err != nil {
			if errors.Is(err, store.ErrCaseExists) {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
			return err
		}
		if granted != nil {
			if err := tx.GrantCase(ctx, store.Grant{User: p.Name, CaseID: c.ID, GrantedBy: p.Name, GrantedAt: now}); err != nil {
				return err
			}
			granted[c.ID] = true
		}
		e, err := rec.Append(ctx, audit.Event{Actor: p.Name, Action: "case.created", ObjectType: "case", ObjectID: c.ID,
			CaseID: c.ID, New: map[string]any{"title": c.Title, "kind": c.Kind, "charge": c.Charge, "status": c.Status,
				"opened_by_clues": nc.Clues, "creator_granted": granted != nil}})
		if err != nil {
			return err
		}
		if err := tx.InsertWorkflowEvents(ctx, []store.WorkflowEvent{{ObjectType: "case", ObjectID: c.ID, CaseID: c.ID,
			Kind: "create", Actor: p.Name, At: now, New: c.Title, AuditSeq: e.Seq}}); err != nil {
			return err
		}
		if len(nc.Clues) > 0 {
			if err := a.checkCluesVisible(ctx, tx, p, granted, nc.Clues); err != nil {
				return err
			}
			return a.joinClues(ctx, tx, rec, p, granted, c.ID, nc.Clues)
		}
		return nil
	})
	if err != nil {
		return CaseDetail{}, err
	}
	return a.CaseShow(ctx, c.ID)
}

// joinClues puts clues into case caseID inside tx, each a workflow change of the clue (its
// version rises), with one audit entry.
func (a *App) joinClues(ctx context.Context, tx *store.Tx, rec *audit.Recorder, p Principal, granted map[string]bool, caseID string, ids []int64) error {
	cs, err := tx.Clues(ctx, ids)
	if err != nil {
		return notFound(err)
	}
	now := a.now()
	var evs []store.WorkflowEvent
	var joined []int64
	var afters []store.Clue
	var expect []int64
	for _, c := range cs {
		switch {
		case c.CaseID == caseID:
			continue
		case c.CaseID != "":
			return fmt.Errorf("%w: clue %d is in case %s already; a clue belongs to one case", ErrInvalid, c.ID, c.CaseID)
		}
		after := c
		after.CaseID = caseID
		afters, expect = append(afters, after), append(expect, c.Version)
		joined = append(joined, c.ID)
		evs = append(evs, store.WorkflowEvent{ObjectType: "clue", ObjectID: strconv.FormatInt(c.ID, 10), CaseID: caseID,
			Kind: "case", Actor: p.Name, At: now, New: caseID})
	}
	if err := tx.UpdateCluesWorkflow(ctx, afters, expect, now); err != nil {
		var stale *store.StaleClues
		if errors.As(err, &stale) {
			if cur, rerr := a.st.Clue(ctx, stale.IDs[0]); rerr == nil {
				return a.clueConflict(ctx, cur, expectOf(cs, stale.IDs[0]))
			}
		}
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	e, err := rec.Append(ctx, audit.Event{Actor: p.Name, Action: "case.clues_joined", ObjectType: "case", ObjectID: caseID,
		CaseID: caseID, Old: map[string]any{"case_of_clues": ""}, New: map[string]any{"clues": joined}})
	if err != nil {
		return err
	}
	for i := range evs {
		evs[i].AuditSeq = e.Seq
	}
	return tx.InsertWorkflowEvents(ctx, evs)
}

// CaseDetail is a case with everything it holds.
type CaseDetail struct {
	store.Case
	Clues    []store.Clue     `json:"clues"`
	Parties  []store.CaseLink `json:"parties"`
	Accounts []store.CaseLink `json:"accounts"`
	Evidence []store.CaseLink `json:"evidence"`
	Analyses []store.CaseLink `json:"analyses"`
	Measures []store.CaseLink `json:"measures"`
	// ByStatus counts the case's clues per lifecycle status.
	ByStatus map[string]int `json:"clues_by_status"`
}

// CaseShow shows case id to a user who may see it.
func (a *App) CaseShow(ctx context.Context, id string) (CaseDetail, error) {
	if _, err := a.authorizeCase(ctx, ActCaseRead, id); err != nil {
		return CaseDetail{}, err
	}
	c, err := a.st.Case(ctx, id)
	if err != nil {
		return CaseDetail{}, notFound(err)
	}
	d := CaseDetail{Case: c, Clues: []store.Clue{}, Parties: []store.CaseLink{}, Accounts: []store.CaseLink{},
		Evidence: []store.CaseLink{}, Analyses: []store.CaseLink{}, Measures: []store.CaseLink{}, ByStatus: map[string]int{}}
	cs, _, err := a.st.Clues(ctx, store.ClueFilter{CaseID: id, Limit: 100000})
	if err != nil {
		return d, err
	}
	for _, cl := range cs {
		d.Clues = append(d.Clues, cl)
		d.ByStatus[cl.Status]++
	}
	links, err := a.st.CaseLinks(ctx, id)
	if err != nil {
		return d, err
	}
	// Items registered with the case (procura evidence add --case) belong to it without a link.
	items, err := a.st.CaseEvidence(ctx, id)
	if err != nil {
		return d, err
	}
	linked := map[string]bool{}
	for _, l := range links {
		if l.Kind == LinkEvidence {
			linked[l.Ref] = true
		}
	}
	for _, it := range items {
		if !linked[it.Ref] {
			links = append(links, it)
		}
	}
	// The measure stages of the case's clues are measures of the case too.
	for _, cl := range d.Clues {
		if cl.Status != casework.Confirmed && casework.Decided(cl.Status) {
			links = append(links, store.CaseLink{CaseID: id, Kind: LinkMeasure, Ref: fmt.Sprintf("clue:%d", cl.ID),
				Label: cl.Status, AddedBy: cl.ReviewedBy, AddedAt: cl.UpdatedAt})
		}
	}
	for _, l := range links {
		switch l.Kind {
		case LinkParty:
			d.Parties = append(d.Parties, l)
		case LinkAccount:
			d.Accounts = append(d.Accounts, l)
		case LinkEvidence:
			d.Evidence = append(d.Evidence, l)
		case LinkAnalysis:
			d.Analyses = append(d.Analyses, l)
		case LinkMeasure:
			d.Measures = append(d.Measures, l)
		}
	}
	return d, a.maskCase(ctx, &d)
}

// Cases lists the cases the user may see.
func (a *App) Cases(ctx context.Context) ([]store.Case, error) {
	p, err := a.authorize(ctx, ActCaseRead)
	if err != nil {
		return nil, err
	}
	return a.st.Cases(ctx, visibleTo(p))
}

// Kinds of what a case holds besides clues.
const (
	LinkParty    = "party"    // a person or organisation: ref is its identifier, label its name, detail its role
	LinkAccount  = "account"  // a bank, payment or telecom account
	LinkEvidence = "evidence" // an evidence item (ref is its id)
	LinkAnalysis = "analysis" // a saved analysis: model_run:ID, trace:…, graph:…
	LinkMeasure  = "measure"  // a measure taken in the case (检察建议 number, 起诉书 …)
)

// CaseLinkRequest adds clues and other things to a case.
type CaseLinkRequest struct {
	CaseID   string
	Version  int64 // the case version the person saw; 0 checks nothing
	Clues    []int64
	Evidence []int64
	Parties  []Party
	Accounts []string
	Analyses []string // model_run:ID, trace:NAME, graph:FILE
	Measures []string
}

// Party is a person or organisation in a case.
type Party struct {
	Key  string `json:"key"`            // the identifier (resident ID, credit code)
	Name string `json:"name,omitempty"` // the name
	Role string `json:"role,omitempty"` // suspect, victim, agency, witness …
}

// LinkCase adds to a case what req names, in one transaction and one audit entry.
func (a *App) LinkCase(ctx context.Context, req CaseLinkRequest) (CaseDetail, error) {
	p, err := a.authorizeCase(ctx, ActCaseWrite, req.CaseID)
	if err != nil {
		return CaseDetail{}, err
	}
	links, err := caseLinks(req, p.Name, a.now())
	if err != nil {
		return CaseDetail{}, err
	}
	if len(links) == 0 && len(req.Clues) == 0 {
		return CaseDetail{}, fmt.Errorf("%w: say what to link: --clue ID, --evidence ID, --party KEY[=NAME[:ROLE]], --account NO, --analysis model_run:ID, --measure TEXT", ErrInvalid)
	}
	granted, err := a.grantedCases(ctx, p)
	if err != nil {
		return CaseDetail{}, err
	}
	l, err := a.auditLog()
	if err != nil {
		return CaseDetail{}, err
	}
	_, err = l.Do(ctx, func(tx *store.Tx, rec *audit.Recorder) error {
		c, err := tx.Case(ctx, req.CaseID)
		if err != nil {
			return notFound(err)
		}
		if err := a.checkCaseVersion(ctx, c, req.Version); err != nil {
			return err
		}
		if err := tx.TouchCase(ctx, c.ID, c.Version, a.now()); err != nil {
			return err
		}
		var added []store.CaseLink
		var evs []store.WorkflowEvent
		for _, lk := range links {
			if err := a.checkLink(ctx, tx, c.ID, lk, granted); err != nil {
				return err
			}
			ok, err := tx.InsertCaseLink(ctx, lk)
			if err != nil {
				return err
			}
			if ok {
				added = append(added, lk)
				evs = append(evs, store.WorkflowEvent{ObjectType: "case", ObjectID: c.ID, CaseID: c.ID, Kind: "link",
					Actor: p.Name, At: lk.AddedAt, New: lk.Kind + ":" + lk.Ref, Reason: lk.Label})
			}
		}
		if len(added) > 0 {
			list := make([]map[string]string, len(added))
			for i, lk := range added {
				list[i] = map[string]string{"kind": lk.Kind, "ref": lk.Ref, "label": lk.Label}
			}
			e, err := rec.Append(ctx, audit.Event{Actor: p.Name, Action: "case.linked", ObjectType: "case", ObjectID: c.ID,
				CaseID: c.ID, Old: map[string]any{"version": c.Version}, New: map[string]any{"version": c.Version + 1, "links": list}})
			if err != nil {
				return err
			}
			for i := range evs {
				evs[i].AuditSeq = e.Seq
			}
			if err := tx.InsertWorkflowEvents(ctx, evs); err != nil {
				return err
			}
		}
		if len(req.Clues) > 0 {
			if err := a.checkCluesVisible(ctx, tx, p, granted, req.Clues); err != nil {
				return err
			}
			return a.joinClues(ctx, tx, rec, p, granted, c.ID, req.Clues)
		}
		return nil
	})
	if err != nil {
		return CaseDetail{}, err
	}
	return a.CaseShow(ctx, req.CaseID)
}

// checkCaseVersion refuses a change made on version expected of case c when someone changed
// the case since, naming who and when; expected 0 checks nothing.
func (a *App) checkCaseVersion(ctx context.Context, c store.Case, expected int64) error {
	if expected == 0 || expected == c.Version {
		return nil
	}
	e := &ConflictError{Object: "case " + c.ID, Expected: expected, Version: c.Version, Status: c.Status,
		Show: "procura case show " + c.ID}
	if last, err := a.st.LastChange(ctx, "case", c.ID); err == nil {
		e.By, e.At = last.Actor, last.At
	}
	return e
}

// checkCluesVisible refuses clues of cases p is not granted.
func (a *App) checkCluesVisible(ctx context.Context, tx *store.Tx, p Principal, granted map[string]bool, ids []int64) error {
	if granted == nil {
		return nil
	}
	cs, err := tx.Clues(ctx, ids)
	if err != nil {
		return notFound(err)
	}
	for _, c := range cs {
		if c.CaseID != "" && !granted[c.CaseID] {
			return clueForbidden(p, c.ID)
		}
	}
	return nil
}

// caseLinks turns a request into links, checking their form.
func caseLinks(req CaseLinkRequest, by string, now time.Time) ([]store.CaseLink, error) {
	var out []store.CaseLink
	add := func(kind, ref, label string, detail map[string]string) {
		dj := ""
		if len(detail) > 0 {
			b, _ := json.Marshal(detail)
			dj = string(b)
		}
		out = append(out, store.CaseLink{CaseID: req.CaseID, Kind: kind, Ref: ref, Label: label, DetailJSON: dj, AddedBy: by, AddedAt: now})
	}
	for _, id := range req.Evidence {
		add(LinkEvidence, strconv.FormatInt(id, 10), "", nil)
	}
	for _, pt := range req.Parties {
		if strings.TrimSpace(pt.Key) == "" {
			return nil, fmt.Errorf("%w: a party needs its identifier: --party KEY=NAME:ROLE", ErrInvalid)
		}
		add(LinkParty, strings.TrimSpace(pt.Key), pt.Name, map[string]string{"role": pt.Role})
	}
	for _, acc := range req.Accounts {
		if acc = strings.TrimSpace(acc); acc == "" {
			return nil, fmt.Errorf("%w: an account number is empty", ErrInvalid)
		}
		add(LinkAccount, acc, "", nil)
	}
	for _, an := range req.Analyses {
		kind, ref, ok := strings.Cut(an, ":")
		if !ok || ref == "" || (kind != "model_run" && kind != "trace" && kind != "graph") {
			return nil, fmt.Errorf("%w: analysis %q: write model_run:ID, trace:NAME or graph:FILE", ErrInvalid, an)
		}
		add(LinkAnalysis, an, kind, nil)
	}
	for _, m := range req.Measures {
		if m = strings.TrimSpace(m); m == "" {
			return nil, fmt.Errorf("%w: a measure is empty", ErrInvalid)
		}
		add(LinkMeasure, m, "", nil)
	}
	return out, nil
}

// checkLink checks that what a link names exists and may join the case: an evidence item of
// no case joins it (need-to-know protects it from then on); an item of another case may not.
func (a *App) checkLink(ctx context.Context, tx *store.Tx, caseID string, lk store.CaseLink, granted map[string]bool) error {
	switch lk.Kind {
	case LinkEvidence:
		id, _ := strconv.ParseInt(lk.Ref, 10, 64)
		itemCase, err := tx.EvidenceCase(ctx, id)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
		switch itemCase {
		case caseID:
			return nil
		case "":
			return tx.SetEvidenceCase(ctx, id, caseID)
		default:
			if granted != nil && !granted[itemCase] {
				return fmt.Errorf("%w: evidence item %d belongs to a case you have no grant on", ErrForbidden, id)
			}
			return fmt.Errorf("%w: evidence item %d belongs to case %s", ErrInvalid, id, itemCase)
		}
	case LinkAnalysis:
		if run, ok := strings.CutPrefix(lk.Ref, "model_run:"); ok {
			id, err := strconv.ParseInt(run, 10, 64)
			if err != nil {
				return fmt.Errorf("%w: model run %q is not a number: list runs with procura model show ID", ErrInvalid, run)
			}
			if ok, err := tx.ModelRunExists(ctx, id); err != nil || !ok {
				return errors.Join(fmt.Errorf("%w: model run %d does not exist", ErrNotFound, id), err)
			}
		}
	}
	return nil
}

// CaseTimeline lists everything that happened in a case, oldest first: the case's own events
// and every event of the clues in it, from their creation on.
func (a *App) CaseTimeline(ctx context.Context, id string) ([]store.WorkflowEvent, error) {
	if _, err := a.authorizeCase(ctx, ActCaseRead, id); err != nil {
		return nil, err
	}
	if _, err := a.st.Case(ctx, id); err != nil {
		return nil, notFound(err)
	}
	evs, err := a.st.WorkflowEvents(ctx, store.EventFilter{CaseID: id})
	if err != nil {
		return nil, err
	}
	// A clue's first event is its finding by a model run, which the clue itself records.
	cs, _, err := a.st.Clues(ctx, store.ClueFilter{CaseID: id, Limit: 100000})
	if err != nil {
		return nil, err
	}
	found := make([]store.WorkflowEvent, 0, len(cs)+len(evs))
	for _, c := range cs {
		found = append(found, store.WorkflowEvent{ObjectType: "clue", ObjectID: strconv.FormatInt(c.ID, 10), CaseID: id,
			Kind: "found", Actor: fmt.Sprintf("model %s v%d", c.ModelID, c.ModelVersion), At: c.CreatedAt, New: casework.New,
			Reason: fmt.Sprintf("run %d: %s", c.FirstRun, c.TitleZH)})
	}
	out := append(found, evs...)
	// Evidence received, read, exported or transferred for the case, from the audit chain.
	es, err := a.st.AuditEntries(ctx, store.AuditFilter{CaseID: id, Action: "evidence", Limit: 100000})
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		out = append(out, store.WorkflowEvent{ObjectType: e.ObjectType, ObjectID: e.ObjectID, CaseID: id, Kind: "evidence",
			Actor: e.Actor, At: e.At, New: e.Action, AuditSeq: e.Seq})
	}
	slices.SortStableFunc(out, func(x, y store.WorkflowEvent) int { return x.At.Compare(y.At) })
	return out, a.conceal(ctx, &out, shown{Object: "case_timeline", ID: id, CaseID: id, Rows: len(out)}, basePlan)
}
