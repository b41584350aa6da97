package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"procura/internal/audit"
	"procura/internal/store"
)

// Kinds of analysis results a case keeps (besides references to model runs and graph files).
var savedAnalysisKinds = []string{"trace", "typology"}

// maxSavedAnalysis bounds the parameters and summary of one saved analysis: a summary is what
// a person keeps of a result (totals, the accounts that matter), not the result's every row.
const maxSavedAnalysis = 256 << 10

// SaveAnalysisRequest saves the parameters and summary of a trace or typology run to a case.
type SaveAnalysisRequest struct {
	CaseID  string          `json:"-"`
	Version int64           `json:"version,omitempty"` // the case version the person saw; 0 checks nothing
	Kind    string          `json:"kind"`              // trace or typology
	Name    string          `json:"name"`              // unique among the case's analyses of that kind
	Params  json.RawMessage `json:"params"`            // what the run was given
	Summary json.RawMessage `json:"summary"`           // what the person keeps of its result
}

// SavedAnalysis is an analysis result kept with a case.
type SavedAnalysis struct {
	CaseID  string    `json:"case_id"`
	Kind    string    `json:"kind"`
	Name    string    `json:"name"`
	Params  any       `json:"params"`
	Summary any       `json:"summary"`
	SavedBy string    `json:"saved_by"`
	SavedAt time.Time `json:"saved_at"`
}

// savedDetail is how a saved analysis is kept in its case link's detail.
type savedDetail struct {
	Params  json.RawMessage `json:"params"`
	Summary json.RawMessage `json:"summary"`
}

// checkSave names what is wrong with a save request.
func checkSave(req SaveAnalysisRequest) error {
	bad := map[string]string{}
	if !slices.Contains(savedAnalysisKinds, req.Kind) {
		bad["kind"] = "trace or typology"
	}
	if !caseIDRe.MatchString(req.Name) {
		bad["name"] = "1 to 64 characters without spaces, slashes, ? # or %, e.g. victim-7"
	}
	for field, v := range map[string]json.RawMessage{"params": req.Params, "summary": req.Summary} {
		if t := bytes.TrimSpace(v); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
			bad[field] = "a JSON object, e.g. {\"dataset\":\"tx\"}"
		}
	}
	if len(req.Params)+len(req.Summary) > maxSavedAnalysis {
		bad["summary"] = fmt.Sprintf("parameters and summary together may hold at most %d KiB: keep the totals and the rows that matter", maxSavedAnalysis>>10)
	}
	return fieldErrors(bad)
}

// SaveAnalysis keeps the parameters and summary of a trace or typology run with a case, as
// one change of the case (its version rises) with an audit entry, so the case records which
// analysis its conclusions rest on.
func (a *App) SaveAnalysis(ctx context.Context, req SaveAnalysisRequest) (SavedAnalysis, error) {
	p, err := a.authorizeCase(ctx, ActCaseWrite, req.CaseID)
	if err != nil {
		return SavedAnalysis{}, err
	}
	req.Name = strings.TrimSpace(req.Name)
	if err := checkSave(req); err != nil {
		return SavedAnalysis{}, err
	}
	detail, err := json.Marshal(savedDetail{Params: req.Params, Summary: req.Summary})
	if err != nil {
		return SavedAnalysis{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	now := a.now()
	lk := store.CaseLink{CaseID: req.CaseID, Kind: LinkAnalysis, Ref: req.Kind + ":" + req.Name, Label: req.Kind,
		DetailJSON: string(detail), AddedBy: p.Name, AddedAt: now}
	l, err := a.auditLog()
	if err != nil {
		return SavedAnalysis{}, err
	}
	_, err = l.Do(ctx, func(tx *store.Tx, rec *audit.Recorder) error {
		c, err := tx.Case(ctx, req.CaseID)
		if err != nil {
			return notFound(err)
		}
		if err := a.checkCaseVersion(ctx, c, req.Version); err != nil {
			return err
		}
		if err := tx.TouchCase(ctx, c.ID, c.Version, now); err != nil {
			return err
		}
		ok, err := tx.InsertCaseLink(ctx, lk)
		if err != nil {
			return err
		}
		if !ok {
			return &FieldError{Fields: map[string]string{"name": fmt.Sprintf("case %s keeps a %s named %s already: choose another name", c.ID, req.Kind, req.Name)}}
		}
		sum := sha256.Sum256(detail)
		e, err := rec.Append(ctx, audit.Event{Actor: p.Name, Action: "case.analysis_saved", ObjectType: "case", ObjectID: c.ID,
			CaseID: c.ID, Old: map[string]any{"version": c.Version}, New: map[string]any{"version": c.Version + 1,
				"analysis": lk.Ref, "params": req.Params, "detail_sha256": hex.EncodeToString(sum[:])}})
		if err != nil {
			return err
		}
		return tx.InsertWorkflowEvents(ctx, []store.WorkflowEvent{{ObjectType: "case", ObjectID: c.ID, CaseID: c.ID,
			Kind: "link", Actor: p.Name, At: now, New: LinkAnalysis + ":" + lk.Ref, Reason: req.Kind, AuditSeq: e.Seq}})
	})
	if err != nil {
		return SavedAnalysis{}, err
	}
	return a.CaseAnalysis(ctx, req.CaseID, req.Kind, req.Name)
}

// ErrNoAnalysis is returned for an analysis a case does not keep.
var ErrNoAnalysis = errors.New("no such saved analysis")

// CaseAnalysis opens an analysis saved with case caseID, its identifiers masked as every
// result is (unmask=1 shows them to those who may, recorded in the audit log).
func (a *App) CaseAnalysis(ctx context.Context, caseID, kind, name string) (SavedAnalysis, error) {
	if _, err := a.authorizeCase(ctx, ActCaseRead, caseID); err != nil {
		return SavedAnalysis{}, err
	}
	links, err := a.st.CaseLinks(ctx, caseID)
	if err != nil {
		return SavedAnalysis{}, err
	}
	ref := kind + ":" + name
	i := slices.IndexFunc(links, func(l store.CaseLink) bool { return l.Kind == LinkAnalysis && l.Ref == ref })
	var d savedDetail
	if i >= 0 {
		json.Unmarshal([]byte(links[i].DetailJSON), &d) // written by SaveAnalysis; a plain reference has none
	}
	if i < 0 || len(d.Summary) == 0 {
		if _, err := a.st.Case(ctx, caseID); err != nil {
			return SavedAnalysis{}, notFound(err)
		}
		return SavedAnalysis{}, fmt.Errorf("%w: %w: case %s keeps no saved %s named %s", ErrNotFound, ErrNoAnalysis, caseID, kind, name)
	}
	out := SavedAnalysis{CaseID: caseID, Kind: kind, Name: name, SavedBy: links[i].AddedBy, SavedAt: links[i].AddedAt}
	if err := json.Unmarshal(d.Params, &out.Params); err != nil {
		return out, err
	}
	if err := json.Unmarshal(d.Summary, &out.Summary); err != nil {
		return out, err
	}
	return out, a.conceal(ctx, &out, shown{Object: "case_analysis", ID: caseID + "/" + ref, CaseID: caseID, Rows: 1}, basePlan)
}

// IsSavedAnalysis reports whether a case link is an analysis saved with its result, which
// CaseAnalysis opens (as opposed to a reference to a model run or a graph file).
func IsSavedAnalysis(l store.CaseLink) bool {
	var d savedDetail
	return l.Kind == LinkAnalysis && json.Unmarshal([]byte(l.DetailJSON), &d) == nil && len(d.Summary) > 0
}
