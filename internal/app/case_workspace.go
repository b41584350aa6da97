package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"procura/internal/evidence"
	"procura/internal/store"
)

// FieldError is an invalid request that names each field at fault, so that a form can show
// the message next to its field and an API client can tell which parameter to fix.
type FieldError struct {
	Fields map[string]string // field name → what to do
}

func (e *FieldError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "fix " + strings.Join(parts, "; ")
}

func (e *FieldError) Unwrap() error { return ErrInvalid }

// fieldErrors returns a FieldError of fields, or nil when there are none.
func fieldErrors(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &FieldError{Fields: fields}
}

// CaseQuery selects, orders and pages the cases a user may see; zero fields select all.
type CaseQuery struct {
	Status string // open or closed
	Search string // words found in the number, title, kind or charge (all of them, any case)
	Sort   string // one of CaseSorts; default "-updated" (most recently changed first)
	Limit  int    // 1..1000, default 50
	Offset int
}

// CaseSorts are the orders CaseList knows; a leading "-" reverses one.
var CaseSorts = []string{"id", "-id", "title", "-title", "updated", "-updated", "created", "-created"}

// CasePage is one page of cases and how many match in all.
type CasePage struct {
	Total  int          `json:"total"`
	Offset int          `json:"offset"`
	Limit  int          `json:"limit"`
	Cases  []store.Case `json:"cases"`
}

// CaseList lists one page of the cases the user may see, filtered and ordered as q says.
// Cases are few (hundreds in an office), so the filter runs over the visible cases in memory.
func (a *App) CaseList(ctx context.Context, q CaseQuery) (CasePage, error) {
	bad := map[string]string{}
	if q.Status != "" && q.Status != CaseOpen && q.Status != CaseClosed {
		bad["status"] = "open or closed (or nothing for both)"
	}
	if q.Sort == "" {
		q.Sort = "-updated"
	}
	if !slices.Contains(CaseSorts, q.Sort) {
		bad["sort"] = "one of " + strings.Join(CaseSorts, ", ")
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 1000 {
		bad["limit"] = "a whole number from 1 to 1000"
	}
	if q.Offset < 0 {
		bad["offset"] = "a whole number from 0"
	}
	cs, err := a.Cases(ctx)
	if err != nil {
		return CasePage{}, err
	}
	if err := fieldErrors(bad); err != nil {
		return CasePage{}, err
	}
	words := strings.Fields(strings.ToLower(q.Search))
	out := []store.Case{}
	for _, c := range cs {
		if q.Status != "" && c.Status != q.Status {
			continue
		}
		hay := strings.ToLower(c.ID + " " + c.Title + " " + c.Kind + " " + c.Charge)
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(hay, w) }) {
			out = append(out, c)
		}
	}
	key, desc := strings.CutPrefix(q.Sort, "-")
	slices.SortStableFunc(out, func(x, y store.Case) int {
		var c int
		switch key {
		case "title":
			c = strings.Compare(x.Title, y.Title)
		case "updated":
			c = x.UpdatedAt.Compare(y.UpdatedAt)
		case "created":
			c = x.CreatedAt.Compare(y.CreatedAt)
		}
		if c == 0 {
			c = strings.Compare(x.ID, y.ID)
		}
		if desc {
			c = -c
		}
		return c
	})
	pg := CasePage{Total: len(out), Offset: q.Offset, Limit: q.Limit}
	pg.Cases = out[min(q.Offset, len(out)):min(q.Offset+q.Limit, len(out))]
	return pg, nil
}

// CaseEvidence lists the evidence items of case id, for a user granted the case who may see
// evidence (evidence.read, or audit.read for the auditor).
func (a *App) CaseEvidence(ctx context.Context, id string) ([]evidence.Item, error) {
	if _, err := a.authorizeCase(ctx, ActCaseRead, id); err != nil {
		return nil, err
	}
	if _, err := a.authorizeAny(ctx, ActEvidenceRead, ActAuditRead); err != nil {
		return nil, err
	}
	if _, err := a.st.Case(ctx, id); err != nil {
		return nil, notFound(err)
	}
	items, err := a.st.EvidenceItems(ctx)
	if err != nil {
		return nil, err
	}
	out := []evidence.Item{}
	for _, it := range items {
		if it.CaseID == id {
			out = append(out, it)
		}
	}
	return out, nil
}

// AddCaseEvidence registers a file as evidence of an existing case (EvidenceAdd with the
// case checked first, so an upload to a mistyped case number is refused, not filed under it).
func (a *App) AddCaseEvidence(ctx context.Context, req EvidenceAddRequest) (EvidenceAdded, error) {
	p, err := a.authorizeCase(ctx, ActEvidenceAdd, req.CaseID)
	if err != nil {
		return EvidenceAdded{}, err
	}
	if _, err := a.st.Case(ctx, req.CaseID); err != nil {
		return EvidenceAdded{}, notFound(err)
	}
	if err := checkIntake(req); err != nil {
		return EvidenceAdded{}, err
	}
	if err := a.checkNotHeldElsewhere(ctx, p, req); err != nil {
		return EvidenceAdded{}, err
	}
	return a.EvidenceAdd(ctx, req)
}

// checkNotHeldElsewhere refuses content that is an item of another case or of none already.
// The store keeps content once, so such an upload would only add a receipt to that item: the
// case would not get it, and the answer would show an item of a case the user may not know.
func (a *App) checkNotHeldElsewhere(ctx context.Context, p Principal, req EvidenceAddRequest) error {
	sha, err := fileSHA256(req.Path)
	if err != nil {
		return err
	}
	items, err := a.st.EvidenceItems(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(items, func(it evidence.Item) bool { return it.SHA256 == sha })
	if i < 0 || items[i].CaseID == req.CaseID {
		return nil
	}
	it := items[i]
	if it.CaseID == "" {
		return fmt.Errorf("%w: the same content is evidence item %d already, of no case: link it to case %s (procura case link %s --evidence %d) instead of adding it again",
			ErrInvalid, it.ID, req.CaseID, req.CaseID, it.ID)
	}
	if !CoversAllCases(p.Role) {
		ok, err := a.st.HasGrant(ctx, p.Name, it.CaseID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: the same content is held already as evidence of a case you have no grant on; ask an administrator", ErrForbidden)
		}
	}
	return fmt.Errorf("%w: the same content is evidence item %d of case %s already; an item belongs to one case", ErrInvalid, it.ID, it.CaseID)
}

// fileSHA256 is the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkIntake names the facts of a receipt that are missing: procura keeps no evidence
// without its source and legal basis, and an empty file proves nothing.
func checkIntake(req EvidenceAddRequest) error {
	bad := map[string]string{}
	if strings.TrimSpace(req.Source) == "" {
		bad["source"] = "say who handed the file over: bank, operator, police unit (--source)"
	}
	if strings.TrimSpace(req.LegalBasis) == "" {
		bad["legal_basis"] = "say under which request or instrument it was obtained, e.g. the 调证通知书 number (--legal-basis)"
	}
	if req.Path == "" {
		bad["file"] = "give the file to store"
	} else if fi, err := os.Stat(req.Path); err != nil {
		bad["file"] = fmt.Sprintf("%s cannot be read: %v", req.Path, err)
	} else if fi.IsDir() {
		bad["file"] = fmt.Sprintf("%s is a directory: give one file", req.Path)
	} else if fi.Size() == 0 {
		bad["file"] = "the file is empty: choose the file received, not an empty one"
	}
	return fieldErrors(bad)
}

// EvidenceDownload is the file of an item being downloaded; the caller closes File.
type EvidenceDownload struct {
	Item  evidence.Item
	Event evidence.Event
	File  io.ReadCloser
	Size  int64
}

// EvidenceDownload opens the file of item id for download by the user. A download is a copy
// leaving the workspace, so it needs the export permission (as procura evidence export) and a
// purpose, checks the file against its SHA-256, and is recorded in the item's custody and the
// audit log, with the user as recipient, before the first byte is sent.
func (a *App) EvidenceDownload(ctx context.Context, id int64, purpose string) (EvidenceDownload, error) {
	ev, _, err := a.evidenceItem(ctx, id, ActExport)
	if err != nil {
		return EvidenceDownload{}, err
	}
	if strings.TrimSpace(purpose) == "" {
		return EvidenceDownload{}, fieldErrors(map[string]string{"purpose": fmt.Sprintf("say why evidence item %d is downloaded; the chain of custody records it", id)})
	}
	actor := a.actorName(ctx)
	f, item, event, err := ev.Download(ctx, id, actor, actor, purpose)
	if err != nil {
		return EvidenceDownload{}, err
	}
	return EvidenceDownload{Item: item, Event: event, File: f, Size: item.Size}, nil
}
