package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"procura/internal/audit"
	"procura/internal/evidence"
	"procura/internal/ingest"
	"procura/internal/store"
)

// auditLog opens the workspace's audit chain (creating its checkpoint key on first use).
func (a *App) auditLog() (*audit.Log, error) { return audit.Open(a.st, audit.Options{}) }

func (a *App) evidenceStore() (*evidence.Store, error) {
	l, err := a.auditLog()
	if err != nil {
		return nil, err
	}
	return evidence.New(a.st, l), nil
}

// auditImport records a completed import in the audit chain. The import has committed when
// this runs, so a failure to record it is reported with the batch it concerns.
func (a *App) auditImport(ctx context.Context, res ingest.Result, err error) (ingest.Result, error) {
	if err != nil || res.DuplicateOfBatch != 0 || res.BatchID == 0 {
		return res, err
	}
	l, lerr := a.auditLog()
	if lerr == nil {
		_, lerr = l.Append(ctx, audit.Event{Actor: a.actorName(ctx), Action: "dataset.imported", ObjectType: "import_batch",
			ObjectID: strconv.FormatInt(res.BatchID, 10), New: map[string]any{
				"dataset": res.Dataset, "kind": res.Kind, "file": res.File, "file_sha256": res.FileSHA256,
				"evidence_id": res.EvidenceID, "rows_read": res.RowsRead, "rows_imported": res.RowsImported,
				"rows_rejected": res.RowsRejected, "rows_duplicate": res.RowsDuplicate}})
	}
	if lerr != nil {
		return res, fmt.Errorf("batch %d was imported into %s, but recording it in the audit log failed: %w; check the chain with procura audit verify", res.BatchID, res.Dataset, lerr)
	}
	return res, nil
}

// AuditQuery selects audit entries; zero fields select everything.
type AuditQuery struct {
	Case, Actor, Action, ObjectType, ObjectID string
	Since, Until                              time.Time
	Limit                                     int  // 0 = 1000
	Newest                                    bool // the newest Limit entries instead of the oldest
	// AfterSeq and BeforeSeq page through the log: only entries after (before) that seq.
	AfterSeq, BeforeSeq int64
}

// AuditLog lists audit entries, oldest first.
func (a *App) AuditLog(ctx context.Context, q AuditQuery) ([]audit.Entry, error) {
	if _, err := a.authorize(ctx, ActAuditRead); err != nil {
		return nil, err
	}
	l, err := a.auditLog()
	if err != nil {
		return nil, err
	}
	es, err := l.Entries(ctx, audit.Filter{CaseID: q.Case, Actor: q.Actor, Action: q.Action, ObjectType: q.ObjectType,
		ObjectID: q.ObjectID, Since: q.Since, Until: q.Until, Limit: q.Limit, Newest: q.Newest, AfterSeq: q.AfterSeq, BeforeSeq: q.BeforeSeq})
	if es == nil {
		es = []audit.Entry{}
	}
	if err != nil {
		return es, err
	}
	return es, a.maskAudit(ctx, es)
}

// AuditExport lists audit entries, as AuditLog does, for a file the user takes away; the
// export itself is recorded (with the filter), so the log shows who carried which part of it
// out. Auditors may export the log they may read: the metadata view, masked like AuditLog.
func (a *App) AuditExport(ctx context.Context, q AuditQuery, format string) ([]audit.Entry, error) {
	p, err := a.authorize(ctx, ActAuditRead)
	if err != nil {
		return nil, err
	}
	es, err := a.AuditLog(ctx, q)
	if err != nil {
		return nil, err
	}
	filter := map[string]any{}
	for k, v := range map[string]string{"case": q.Case, "actor": q.Actor, "action": q.Action, "object_type": q.ObjectType, "object_id": q.ObjectID} {
		if v != "" {
			filter[k] = v
		}
	}
	if !q.Since.IsZero() {
		filter["since"] = q.Since.UTC().Format(time.RFC3339)
	}
	if !q.Until.IsZero() {
		filter["until"] = q.Until.UTC().Format(time.RFC3339)
	}
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: "audit_log.exported", ObjectType: "audit_log", ObjectID: "entries",
			New: map[string]any{"rows": len(es), "format": format, "filter": filter}})
	}
	if err != nil {
		return nil, fmt.Errorf("an export must be recorded in the audit log, and recording it failed: %w", err)
	}
	return es, nil
}

// AuditVerification is the outcome of AuditVerify.
type AuditVerification struct {
	audit.Report
	KeyPath string `json:"key_path"`
	// Signed is the checkpoint written after a clean verification with sign set.
	Signed *store.AuditCheckpoint `json:"signed,omitempty"`
}

// AuditVerify recomputes the audit chain and checks its checkpoints. With sign, a chain that
// holds gets a checkpoint on its current head, so later deletion of the newest entries shows.
func (a *App) AuditVerify(ctx context.Context, sign bool) (AuditVerification, error) {
	if _, err := a.authorize(ctx, ActAuditVerify); err != nil {
		return AuditVerification{}, err
	}
	l, err := a.auditLog()
	if err != nil {
		return AuditVerification{}, err
	}
	rep, err := l.Verify(ctx)
	if err != nil {
		return AuditVerification{}, err
	}
	out := AuditVerification{Report: rep, KeyPath: a.st.AuditKeyPath()}
	if sign && rep.OK && rep.Unsigned > 0 {
		cp, err := l.Checkpoint(ctx)
		if err != nil {
			return out, err
		}
		if cp.Seq > 0 {
			out.Signed = &cp
		}
	}
	return out, nil
}

// EvidenceAddRequest is one file to register as evidence.
type EvidenceAddRequest struct {
	Path string
	evidence.Intake
}

// EvidenceAdded is a registered item; Existing says the content was held already and this
// receipt was added to its custody.
type EvidenceAdded struct {
	Item     evidence.Item `json:"item"`
	Existing bool          `json:"existing"`
	Path     string        `json:"stored_at"`
}

// EvidenceAdd stores a file as evidence with the facts of its receipt.
func (a *App) EvidenceAdd(ctx context.Context, req EvidenceAddRequest) (EvidenceAdded, error) {
	p, err := a.authorizeItem(ctx, ActEvidenceAdd, req.CaseID)
	if err != nil {
		return EvidenceAdded{}, err
	}
	if err := checkIntake(req); err != nil {
		return EvidenceAdded{}, err
	}
	ev, err := a.evidenceStore()
	if err != nil {
		return EvidenceAdded{}, err
	}
	item, existing, err := ev.Add(ctx, p.Name, req.Path, req.Intake, nil)
	if err != nil {
		return EvidenceAdded{}, err
	}
	return EvidenceAdded{Item: item, Existing: existing, Path: ev.Path(item.SHA256)}, nil
}

// EvidenceDetail is an item with its chain of custody and the batches imported from it.
type EvidenceDetail struct {
	Item    evidence.Item    `json:"item"`
	Path    string           `json:"stored_at"`
	Custody []evidence.Event `json:"custody"`
	Batches []store.Batch    `json:"batches"`
}

// EvidenceShow returns item id with its custody. Metadata only: reading the file is Export.
func (a *App) EvidenceShow(ctx context.Context, id int64) (EvidenceDetail, error) {
	ev, item, err := a.evidenceItem(ctx, id, ActEvidenceRead, ActAuditRead)
	if err != nil {
		return EvidenceDetail{}, err
	}
	d := EvidenceDetail{Item: item, Path: ev.Path(item.SHA256)}
	if d.Custody, err = ev.Custody(ctx, id); err != nil {
		return d, err
	}
	if d.Batches, err = ev.Batches(ctx, id); err != nil {
		return d, err
	}
	if d.Custody == nil {
		d.Custody = []evidence.Event{}
	}
	if d.Batches == nil {
		d.Batches = []store.Batch{}
	}
	return d, nil
}

// EvidenceList lists the items the user may see: all for roles that cover every case, else
// those without a case and those of granted cases.
func (a *App) EvidenceList(ctx context.Context) ([]evidence.Item, error) {
	p, err := a.authorizeAny(ctx, ActEvidenceRead, ActAuditRead)
	if err != nil {
		return nil, err
	}
	ev, err := a.evidenceStore()
	if err != nil {
		return nil, err
	}
	items, err := ev.Items(ctx)
	if err != nil {
		return nil, err
	}
	out := []evidence.Item{}
	granted := map[string]bool{}
	for _, it := range items {
		if it.CaseID != "" && !CoversAllCases(p.Role) {
			ok, seen := granted[it.CaseID]
			if !seen {
				if ok, err = a.st.HasGrant(ctx, p.Name, it.CaseID); err != nil {
					return nil, err
				}
				granted[it.CaseID] = ok
			}
			if !ok {
				continue
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// EvidenceExport copies the file of item id out of the workspace, verified against its hash,
// and records the recipient and purpose in its custody and the audit log.
func (a *App) EvidenceExport(ctx context.Context, id int64, dest, recipient, purpose string) (evidence.ExportResult, error) {
	ev, _, err := a.evidenceItem(ctx, id, ActExport)
	if err != nil {
		return evidence.ExportResult{}, err
	}
	if dest == "" {
		return evidence.ExportResult{}, fmt.Errorf("%w: say where to write the copy: --out FILE", ErrInvalid)
	}
	if purpose == "" {
		return evidence.ExportResult{}, fmt.Errorf("%w: say why evidence item %d is exported (--purpose); the chain of custody records it", ErrInvalid, id)
	}
	return ev.Export(ctx, id, a.actorName(ctx), dest, recipient, purpose)
}

// EvidenceTransfer hands custody of item id to another officer or agency.
func (a *App) EvidenceTransfer(ctx context.Context, id int64, to, purpose string) (evidence.Item, error) {
	ev, _, err := a.evidenceItem(ctx, id, ActEvidenceAdd)
	if err != nil {
		return evidence.Item{}, err
	}
	if strings.TrimSpace(to) == "" {
		return evidence.Item{}, fieldErrors(map[string]string{"to": fmt.Sprintf("say to whom custody of evidence item %d passes (--to)", id)})
	}
	item, _, err := ev.Transfer(ctx, id, a.actorName(ctx), to, purpose)
	return item, err
}

// EvidenceVerify re-hashes every evidence file and records the check in the audit log.
func (a *App) EvidenceVerify(ctx context.Context) (evidence.VerifyReport, error) {
	p, err := a.authorizeAny(ctx, ActAuditVerify, ActEvidenceAdd)
	if err != nil {
		return evidence.VerifyReport{}, err
	}
	l, err := a.auditLog()
	if err != nil {
		return evidence.VerifyReport{}, err
	}
	rep, err := evidence.New(a.st, l).Verify(ctx)
	if err != nil {
		return rep, err
	}
	var bad []map[string]any
	for _, pr := range rep.Problems {
		bad = append(bad, map[string]any{"kind": pr.Kind, "item_id": pr.ItemID, "sha256": pr.SHA256})
	}
	_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: "evidence.verified", ObjectType: "evidence_store", ObjectID: "all",
		New: map[string]any{"ok": rep.OK, "items": rep.Items, "bytes": rep.Bytes, "problems": bad}})
	return rep, err
}

// authorizeItem authorizes act, on caseID when the item belongs to a case.
func (a *App) authorizeItem(ctx context.Context, act Action, caseID string) (Principal, error) {
	if caseID != "" {
		return a.authorizeCase(ctx, act, caseID)
	}
	return a.authorize(ctx, act)
}

// authorizeAny passes when the user may perform any of acts, and reports the first refusal.
func (a *App) authorizeAny(ctx context.Context, acts ...Action) (Principal, error) {
	var first error
	for _, act := range acts {
		p, err := a.authorize(ctx, act)
		if err == nil {
			return p, nil
		}
		if first == nil || !errors.Is(err, ErrForbidden) {
			first = err
		}
	}
	return Principal{}, first
}

// evidenceItem reads item id for a user who may perform one of acts on its case.
func (a *App) evidenceItem(ctx context.Context, id int64, acts ...Action) (*evidence.Store, evidence.Item, error) {
	p, err := a.authorizeAny(ctx, acts...)
	if err != nil {
		return nil, evidence.Item{}, err
	}
	ev, err := a.evidenceStore()
	if err != nil {
		return nil, evidence.Item{}, err
	}
	item, err := ev.Item(ctx, id)
	if err != nil {
		return nil, item, err
	}
	if item.CaseID != "" && !CoversAllCases(p.Role) {
		ok, err := a.st.HasGrant(ctx, p.Name, item.CaseID)
		if err != nil {
			return nil, item, err
		}
		if !ok {
			// Need-to-know: say no more about the item than that it is not for this user.
			return nil, evidence.Item{}, fmt.Errorf("%w: user %s has no grant on the case of evidence item %d; ask an administrator", ErrForbidden, p.Name, id)
		}
	}
	return ev, item, nil
}
