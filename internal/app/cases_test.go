package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/casework"
	"procura/internal/evidence"
	"procura/internal/ledger"
)

func TestACaseOpenedByAClueGathersEvidenceAndKeepsOtherCasesItemsOut(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *App) {
		ctx := context.Background()
		addUsers(t, a, RoleProsecutor)
		pros := as("prosecutor", RoleProsecutor)
		ids := seedClues(t, a, 2)
		// A prosecutor opens a case from a clue and is granted it on the way.
		d, err := a.CreateCase(pros, NewCase{ID: "C-3", Title: "某区违规发放补贴案", Kind: "行政公益诉讼", Clues: ids[:1]})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Clues) != 1 || d.Clues[0].CaseID != "C-3" || d.Clues[0].Version != 2 {
			t.Fatalf("case = %+v, want clue %d in it at version 2", d, ids[0])
		}
		if _, err := a.CreateCase(pros, NewCase{ID: "C-3", Title: "again"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("creating C-3 twice = %v", err)
		}
		// The prosecutor holds C-3 (granted on creation): the clue is visible, and in a case already.
		if _, err := a.CreateCase(pros, NewCase{ID: "C-5", Title: "另案", Clues: ids[:1]}); !errors.Is(err, ErrInvalid) {
			t.Errorf("prosecutor opening a case with a clue of C-3 = %v, want refused", err)
		}
		if _, err := a.CaseShow(ctx, "C-5"); !errors.Is(err, ErrNotFound) {
			t.Errorf("the refused case C-5 = %v, want it not created", err)
		}
		if err := a.RevokeCase(ctx, "prosecutor", "C-3"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.CreateCase(pros, NewCase{ID: "C-6", Title: "另案", Clues: ids[:1]}); !errors.Is(err, ErrForbidden) ||
			strings.Contains(err.Error(), "already") {
			t.Errorf("opening a case with a clue of a case not granted = %v, want refused without saying more", err)
		}
		if err := a.GrantCase(ctx, "prosecutor", "C-3"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.CreateCase(ctx, NewCase{ID: "C-4", Title: "另案", Clues: ids[:1]}); !errors.Is(err, ErrInvalid) ||
			!strings.Contains(err.Error(), "in case C-3") {
			t.Errorf("a clue joining a second case = %v, want refused naming C-3", err)
		}
		dir := t.TempDir()
		add := func(name, caseID string) int64 {
			p := filepath.Join(dir, name)
			os.WriteFile(p, []byte(name), 0o600)
			res, err := a.EvidenceAdd(ctx, EvidenceAddRequest{Path: p, Intake: evidence.Intake{Source: "银行", LegalBasis: "调证", CaseID: caseID}})
			if err != nil {
				t.Fatal(err)
			}
			return res.Item.ID
		}
		free, other := add("statement.csv", ""), add("other.csv", "C-9")
		d, err = a.LinkCase(pros, CaseLinkRequest{CaseID: "C-3", Evidence: []int64{free}, Version: d.Version,
			Parties: []Party{{Key: "110101195001011239", Name: "张甲", Role: "当事人"}}, Analyses: []string{"model_run:1"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Evidence) != 1 || len(d.Parties) != 1 || len(d.Analyses) != 1 {
			t.Errorf("case holds %+v", d)
		}
		// The item joined the case, so need-to-know protects it now.
		if item, err := a.EvidenceShow(ctx, free); err != nil || item.Item.CaseID != "C-3" {
			t.Errorf("linked item = %+v, %v; want it in C-3", item.Item, err)
		}
		if _, err := a.LinkCase(pros, CaseLinkRequest{CaseID: "C-3", Evidence: []int64{other}}); !errors.Is(err, ErrForbidden) ||
			strings.Contains(err.Error(), "C-9") {
			t.Errorf("linking an item of case C-9, not granted, to C-3 = %v, want refused without naming C-9", err)
		}
		if _, err := a.LinkCase(ctx, CaseLinkRequest{CaseID: "C-3", Evidence: []int64{other}}); !errors.Is(err, ErrInvalid) {
			t.Errorf("the administrator linking an item of case C-9 to C-3 = %v, want refused", err)
		}
		if _, err := a.LinkCase(pros, CaseLinkRequest{CaseID: "C-3", Analyses: []string{"model_run:999"}}); !errors.Is(err, ErrNotFound) {
			t.Errorf("linking a model run that does not exist = %v", err)
		}
		if _, err := a.AttachEvidence(ctx, ids[1], []int64{free}); err == nil || !strings.Contains(err.Error(), "case link C-3") {
			t.Errorf("attaching C-3's item to a clue outside the case = %v, want refused with what to do", err)
		}
		if _, err := a.LinkCase(pros, CaseLinkRequest{CaseID: "C-3", Accounts: []string{"1"}, Version: 1}); !errors.Is(err, ErrConflict) ||
			!strings.Contains(err.Error(), "prosecutor") {
			t.Errorf("a link expecting an old case version = %v, want a conflict naming who changed it", err)
		}
		registered := add("call-records.csv", "C-3")
		d, err = a.CaseShow(pros, "C-3")
		if err != nil || len(d.Evidence) != 2 || d.Evidence[1].Ref != fmt.Sprint(registered) {
			t.Errorf("case evidence = %+v, %v; want the linked item and the one registered with the case", d.Evidence, err)
		}
		tl, err := a.CaseTimeline(pros, "C-3")
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range tl {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, ","); got != "found,create,case,link,link,link,evidence" {
			t.Errorf("timeline kinds = %s", got)
		}
	})
}

func TestDismissingRejectsTheSuggestionAndReopeningMakesItPendingAgain(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	ids := seedClues(t, a, 3)
	step := func(to, reason, severity string, clues ...int64) {
		t.Helper()
		if _, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(clues...), To: to, Reason: reason, Severity: severity}); err != nil {
			t.Fatal(err)
		}
	}
	step(casework.Verifying, "", "", ids...)
	step(casework.Dismissed, "名下无车辆", "", ids[0])
	step(casework.Confirmed, "", "medium", ids[1])
	step(casework.Confirmed, "", "", ids[2])
	d, _ := a.Clue(ctx, ids[0])
	if s := d.Suggestion; s.Decision != ledger.Rejected || *s.Distance != 1 || !strings.Contains(s.Diff, `"verdict": "no violation"`) {
		t.Errorf("dismissed clue's suggestion = %+v", s)
	}
	d, _ = a.Clue(ctx, ids[1])
	if s := d.Suggestion; s.Decision != ledger.Edited || *s.Distance <= 0 || *s.Distance >= 1 ||
		s.Diff != "-  \"severity\": \"high\",\n+  \"severity\": \"medium\",\n" {
		t.Errorf("confirmed-with-edit suggestion = %+v (diff %q)", s, s.Diff)
	}
	rep, err := a.AIReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Features[0]
	if f.Accepted != 1 || f.Edited != 1 || f.Rejected != 1 || *f.AcceptanceRate != 1.0/3 || *f.EditedDistance <= 0 {
		t.Errorf("report = %+v", f)
	}
	step(casework.Verifying, "新证据：车管所回函", "", ids[0])
	d, _ = a.Clue(ctx, ids[0])
	if d.Suggestion.Decision != "" || d.Suggestion.Distance != nil {
		t.Errorf("reopened clue's suggestion = %+v, want pending", d.Suggestion)
	}
	es, _ := a.AuditLog(ctx, AuditQuery{Action: "clue.transition", ObjectID: "1"})
	found := false
	for _, e := range es {
		found = found || strings.Contains(string(e.New), `"decision":"rejected"`)
	}
	if !found {
		t.Error("the audit log does not record the ledger decision of the dismissal")
	}
}
