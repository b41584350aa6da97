package app

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"procura/internal/audit"
	"procura/internal/graph"
	"procura/internal/mask"
)

// Identifiers (resident IDs, cards, accounts, phones, passports, IMEIs, IMSIs, e-mail
// addresses) leave procura masked: in CLI tables and JSON, API answers, pages and exports.
// A user sees them unmasked only when the role may (identifiers.unmask), the user holds a
// grant on the case the data belongs to, and the user asks for it in that call (--unmask,
// ?unmask=1); every unmasked view is then a sensitive read written to the audit log. The
// rules are those of package mask (docs/security.md).

type unmaskKey struct{}

// WithUnmask returns a context in which the user asks to see identifiers unmasked. The
// server sets it for a request with unmask=1; Config.Unmask does the same for every call of
// the CLI.
func WithUnmask(ctx context.Context) context.Context {
	return context.WithValue(ctx, unmaskKey{}, true)
}

// unmaskAsked reports whether the call in ctx asks for unmasked identifiers.
func (a *App) unmaskAsked(ctx context.Context) bool {
	asked, _ := ctx.Value(unmaskKey{}).(bool)
	// Config.Unmask is the CLI's flag; a server (RequireLogin) decides per request.
	return asked || a.cfg.Unmask && !a.cfg.RequireLogin
}

type scoringKey struct{}

// scoringOnly marks a context whose results are compared with ground truth inside procura
// and never shown to anyone (the demo's scoring): they are not masked. Unexported, so only
// use cases can use it.
func scoringOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, scoringKey{}, true)
}

// shown names what an output shows, for the audit entry of an unmasked view.
type shown struct {
	Object string // clue, dataset, trace, graph, resolve …
	ID     string
	CaseID string
	Rows   int
}

// revealed checks, when the call asks for unmasked identifiers, that the user may see them
// and records the view; it reports whether the output may stay unmasked. A call that asks
// and may not is refused, never silently masked: the user asked for something else.
func (a *App) revealed(ctx context.Context, what shown) (bool, error) {
	if !a.unmaskAsked(ctx) {
		return false, nil
	}
	p, err := a.authorizeItem(ctx, ActUnmask, what.CaseID)
	if err != nil {
		return false, fmt.Errorf("%w (asked to see identifiers unmasked: leave out --unmask / unmask=1 to see them masked)", err)
	}
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: "identifiers.unmasked", ObjectType: what.Object,
			ObjectID: what.ID, CaseID: what.CaseID, New: map[string]any{"rows": what.Rows}})
	}
	if err != nil {
		return false, fmt.Errorf("an unmasked view must be recorded in the audit log, and recording it failed: %w", err)
	}
	return true, nil
}

// conceal masks the identifiers in *v (a use case's result) unless the call may and asks to
// see them, in which case the view is recorded instead. plan says how each field masks.
func (a *App) conceal(ctx context.Context, v any, what shown, plan maskPlan) error {
	if ctx.Value(scoringKey{}) != nil {
		return nil
	}
	show, err := a.revealed(ctx, what)
	if err != nil || show {
		return err
	}
	mask.Walk(v, plan.apply, maskRefs)
	return nil
}

// maskPlan says how the strings of a result are masked, by the JSON name of their field
// (or, for clue fields and preview rows, the column): a kind of identifier, left as it is,
// or, for every other name, free text in which identifier-shaped runs are masked.
type maskPlan struct {
	kinds map[string]mask.Kind
}

// fieldKinds are the fields of engine results that hold identifiers of a known kind.
var fieldKinds = map[string]mask.Kind{
	"account": mask.Account, "accounts": mask.Account, "flagged_accounts": mask.Account,
	"from": mask.Account, "to": mask.Account, "counterparty": mask.Account, "card": mask.BankCard,
	"id_number": mask.ResidentID, "phone": mask.Phone, "email": mask.Email, "imei": mask.IMEI, "imsi": mask.IMSI,
}

// keptFields hold no identifiers, or identifiers of transactions and files that name no
// one: they are never masked.
var keptFields = map[string]bool{
	"tx_id": true, "transactions": true, "out_tx": true, "in_tx": true, "fingerprint": true, "sha256": true,
	"file_sha256": true, "hash": true, "prev_hash": true, "model_id": true, "dataset": true, "datasets": true,
	"status": true, "kind": true, "code": true, "semantic": true, "type": true, "direction": true, "policy": true,
	"created_at": true, "updated_at": true, "subject_type": true, "subject_key": true, "case_no": true,
}

// basePlan masks engine results by field name.
var basePlan = maskPlan{kinds: fieldKinds}

// withColumns is the plan extended by column semantic types: a field named after a column
// (or "alias.column", as clue fields are) masks by the column's semantic type.
func (p maskPlan) withColumns(semantic map[string]string) maskPlan {
	kinds := make(map[string]mask.Kind, len(p.kinds)+len(semantic))
	for k, v := range p.kinds {
		kinds[k] = v
	}
	for col, sem := range semantic {
		if k, ok := mask.KindOf(sem); ok {
			kinds[col] = k
		}
	}
	return maskPlan{kinds: kinds}
}

func (p maskPlan) apply(name, s string) string {
	if s == "" || keptFields[name] {
		return s
	}
	if k, ok := p.kinds[name]; ok {
		return mask.Value(k, s)
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		if k, ok := p.kinds[name[i+1:]]; ok {
			return mask.Value(k, s)
		}
	}
	return mask.Text(s)
}

// nodeKinds are the graph's node types whose keys are personal identifiers.
var nodeKinds = map[graph.NodeType]mask.Kind{
	graph.Person: mask.ResidentID, graph.Account: mask.Account, graph.Phone: mask.Phone,
	graph.IMEI: mask.IMEI, graph.IMSI: mask.IMSI, graph.Email: mask.Email,
}

var refType = reflect.TypeFor[graph.Ref]()

// maskRefs masks a graph node reference by its node type (a person's key is an ID number);
// it is the hook of mask.Walk.
func maskRefs(v reflect.Value) bool {
	if v.Type() != refType {
		return false
	}
	r := v.Addr().Interface().(*graph.Ref)
	if k, ok := nodeKinds[r.Type]; ok {
		r.Key = mask.Value(k, r.Key)
	}
	r.Label = mask.Text(r.Label)
	return true
}

// subjectKinds mask a clue's subject key by its subject type.
var subjectKinds = map[string]mask.Kind{"account": mask.Account, "card": mask.BankCard, "person": mask.ResidentID,
	"phone": mask.Phone, "device": mask.IMEI, "imei": mask.IMEI, "email": mask.Email}

// maskClues masks a page of clues for the user in ctx (caseID: the case they belong to, ""
// when none or several), or records the unmasked view in one audit entry for the page.
func (a *App) maskClues(ctx context.Context, caseID string, vs []*ClueView) error {
	if ctx.Value(scoringKey{}) != nil {
		return nil
	}
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, fmt.Sprint(v.ID))
	}
	show, err := a.revealed(ctx, shown{Object: "clue", ID: strings.Join(ids, ","), CaseID: caseID, Rows: len(vs)})
	if err != nil || show {
		return err
	}
	plan, err := a.columnPlan(ctx)
	if err != nil {
		return err
	}
	for _, v := range vs {
		v.SubjectKey = maskSubject(v.SubjectType, v.SubjectKey)
		mask.Walk(v, plan.apply, maskRefs)
	}
	return nil
}

// maskSubject masks a clue's subject key by its subject type.
func maskSubject(typ, key string) string {
	if k, ok := subjectKinds[typ]; ok {
		return mask.Value(k, key)
	}
	return mask.Text(key)
}

// maskCase masks what a case shows, or records the unmasked view: its clues' subjects by
// subject type, its accounts as accounts, and identifiers in every other text (party keys,
// labels, titles) by their shape.
func (a *App) maskCase(ctx context.Context, d *CaseDetail) error {
	if ctx.Value(scoringKey{}) != nil {
		return nil
	}
	show, err := a.revealed(ctx, shown{Object: "case", ID: d.ID, CaseID: d.ID, Rows: len(d.Clues) + len(d.Parties) + len(d.Accounts)})
	if err != nil || show {
		return err
	}
	for i := range d.Clues {
		d.Clues[i].SubjectKey = maskSubject(d.Clues[i].SubjectType, d.Clues[i].SubjectKey)
	}
	for i := range d.Accounts {
		d.Accounts[i].Ref = mask.Value(mask.Account, d.Accounts[i].Ref)
	}
	mask.Walk(d, basePlan.apply, maskRefs)
	return nil
}

// maskSuggestion masks a ledger entry's recorded documents (what the model read and
// suggested, the clue's fields among them) as the clue they belong to is masked.
func (a *App) maskSuggestion(ctx context.Context, caseID string, v *SuggestionView) error {
	if ctx.Value(scoringKey{}) != nil {
		return nil
	}
	show, err := a.revealed(ctx, shown{Object: "ai_suggestion", ID: fmt.Sprint(v.ID), CaseID: caseID, Rows: 1})
	if err != nil || show {
		return err
	}
	plan, err := a.columnPlan(ctx)
	if err != nil {
		return err
	}
	return maskDocuments(plan, v)
}

// maskDocuments masks the JSON documents of a ledger entry; a clue's subject key masks by
// the subject type beside it.
func maskDocuments(plan maskPlan, v *SuggestionView) error {
	for _, raw := range []*json.RawMessage{&v.Inputs, &v.Params, &v.Sources, &v.Suggested, &v.Final} {
		if len(*raw) == 0 {
			continue
		}
		var doc any
		if err := json.Unmarshal(*raw, &doc); err != nil {
			return fmt.Errorf("ledger entry %d: a recorded document is unreadable: %w", v.ID, err)
		}
		if m, ok := doc.(map[string]any); ok {
			if key, ok := m["subject_key"].(string); ok {
				typ, _ := m["subject_type"].(string)
				m["subject_key"] = maskSubject(typ, key)
			}
		}
		mask.Walk(&doc, plan.apply, maskRefs)
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		*raw = b
	}
	return nil
}

// maskClueDetail masks one clue with its history and its ledger entry, or records the
// unmasked view, once for all of it.
func (a *App) maskClueDetail(ctx context.Context, d *ClueDetail) error {
	if ctx.Value(scoringKey{}) != nil {
		return nil
	}
	show, err := a.revealed(ctx, shown{Object: "clue", ID: fmt.Sprint(d.ID), CaseID: d.CaseID, Rows: 1})
	if err != nil || show {
		return err
	}
	plan, err := a.columnPlan(ctx)
	if err != nil {
		return err
	}
	d.SubjectKey = maskSubject(d.SubjectType, d.SubjectKey)
	mask.Walk(&d.ClueView, plan.apply, maskRefs)
	mask.Walk(&d.Events, plan.apply, maskRefs)
	if d.Suggestion != nil {
		return maskDocuments(plan, d.Suggestion)
	}
	return nil
}

// maskChanged masks the clues a workflow change answers with.
func (a *App) maskChanged(ctx context.Context, res *TransitionResult) error {
	if ctx.Value(scoringKey{}) != nil {
		return nil
	}
	show, err := a.revealed(ctx, shown{Object: "clue", ID: "changed", Rows: len(res.Clues)})
	if err != nil || show {
		return err
	}
	plan, err := a.columnPlan(ctx)
	if err != nil {
		return err
	}
	for i := range res.Clues {
		res.Clues[i].SubjectKey = maskSubject(res.Clues[i].SubjectType, res.Clues[i].SubjectKey)
	}
	mask.Walk(&res.Clues, plan.apply, maskRefs)
	return nil
}

// columnPlan is basePlan extended by the semantic types of the workspace's columns, kept
// until the datasets' schemas change (datasetSchemas).
func (a *App) columnPlan(ctx context.Context) (maskPlan, error) {
	snap, err := a.datasetSchemas(ctx)
	if err != nil {
		return maskPlan{}, err
	}
	return snap.plan, nil
}

// exportRecord describes data leaving the workspace, for the audit log.
type exportRecord struct {
	Object string // graph, trace …
	ID     string
	Rows   int
	Format string
	Dest   string // where it was written, when known
	Detail map[string]any
}

// exported records an export in the audit log (who exported what, how many rows, whether
// unmasked) and reports whether the export may hold unmasked identifiers: the same rule as
// for views, checked here so that one entry says both.
func (a *App) exported(ctx context.Context, e exportRecord) (unmasked bool, err error) {
	p, err := a.authorize(ctx, ActExport)
	if err != nil {
		return false, err
	}
	if a.unmaskAsked(ctx) {
		if _, err := a.authorize(ctx, ActUnmask); err != nil {
			return false, fmt.Errorf("%w (asked to export identifiers unmasked: leave out --unmask to export them masked)", err)
		}
		unmasked = true
	}
	entry := map[string]any{"rows": e.Rows, "format": e.Format, "unmasked": unmasked}
	if e.Dest != "" {
		entry["destination"] = e.Dest
	}
	for k, v := range e.Detail {
		entry[k] = v
	}
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: e.Object + ".exported", ObjectType: e.Object, ObjectID: e.ID, New: entry})
	}
	if err != nil {
		return false, fmt.Errorf("an export must be recorded in the audit log, and recording it failed: %w", err)
	}
	return unmasked, nil
}

// ExportRecord describes an export the CLI writes from a result it got from a use case (a
// trace written as CSV or a Sankey file).
type ExportRecord struct {
	Object string `json:"object"`
	ID     string `json:"id"`
	Rows   int    `json:"rows"`
	Format string `json:"format"`
	Dest   string `json:"destination"`
}

// RecordExport checks that the user may export and writes the export to the audit log; call
// it before writing. The result exported was masked (or not) by the use case that made it;
// unmasked reports which.
func (a *App) RecordExport(ctx context.Context, e ExportRecord) (unmasked bool, err error) {
	return a.exported(ctx, exportRecord{Object: e.Object, ID: e.ID, Rows: e.Rows, Format: e.Format, Dest: e.Dest})
}

// maskAudit masks identifiers in the old and new values of audit entries (the auditor reads
// metadata, never raw identifiers). The hash stays the stored one: the chain is verified from
// the database (procura audit verify), never from this view.
func (a *App) maskAudit(ctx context.Context, es []audit.Entry) error {
	show, err := a.revealed(ctx, shown{Object: "audit_log", ID: "entries", Rows: len(es)})
	if err != nil || show {
		return err
	}
	for i := range es {
		es[i].Old, es[i].New = maskJSON(es[i].Old), maskJSON(es[i].New)
		es[i].ObjectID = basePlan.apply("object_id", es[i].ObjectID)
	}
	return nil
}

// maskJSON masks the strings of a JSON value by their keys (basePlan); numbers keep their
// exact text.
func maskJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || !mask.MayHold(string(raw)) {
		return raw
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return json.RawMessage(mask.Text(string(raw))) // not JSON after all: mask it as text
	}
	v = maskAny("", v)
	out, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return out
}

func maskAny(key string, v any) any {
	switch x := v.(type) {
	case string:
		return basePlan.apply(key, x)
	case map[string]any:
		for k, e := range x {
			x[k] = maskAny(k, e)
		}
	case []any:
		for i, e := range x {
			x[i] = maskAny(key, e)
		}
	}
	return v
}
