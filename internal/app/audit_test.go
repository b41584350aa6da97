package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/evidence"
)

func actions(t *testing.T, a *App, ctx context.Context, q AuditQuery) []string {
	t.Helper()
	es, err := a.AuditLog(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

func TestAnImportIsAuditedWithItsEvidence(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	res, err := a.Import(ctx, ImportRequest{Path: "../../docs/examples/bank-statement-cn.csv", Dataset: "bank_tx",
		Profile: "cn-bank-inquiry", SourceAgency: "某银行", RequestNo: "调证 1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.EvidenceID == 0 {
		t.Fatal("the import names no evidence item")
	}
	got := strings.Join(actions(t, a, ctx, AuditQuery{}), ",")
	if !strings.Contains(got, "evidence.added,evidence.accessed") || !strings.HasSuffix(got, "dataset.imported") {
		t.Fatalf("audit actions = %s, want the receipt, the access by the import and the import", got)
	}
	v, err := a.AuditVerify(ctx, true)
	if err != nil || !v.OK || v.Signed == nil {
		t.Fatalf("AuditVerify = %+v, %v; want OK and a signed head", v, err)
	}
	d, err := a.EvidenceShow(ctx, res.EvidenceID)
	if err != nil || len(d.Batches) != 1 || d.Batches[0].ID != res.BatchID {
		t.Fatalf("EvidenceShow = %+v, %v; want the import batch", d, err)
	}
}

func TestEvidenceUseCasesCheckRoleAndCaseGrant(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "call-records.csv")
	if err := os.WriteFile(src, []byte("caller,callee\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	added, err := a.EvidenceAdd(ctx, EvidenceAddRequest{Path: src, Intake: evidence.Intake{Source: "运营商", LegalBasis: "调证 6"}})
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret.csv")
	os.WriteFile(secret, []byte("case-only"), 0o600)
	req := EvidenceAddRequest{Path: secret}
	req.CaseID, req.Source, req.LegalBasis = "C-7", "运营商", "调证 7"
	inCase, err := a.EvidenceAdd(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	analyst := WithPrincipal(ctx, Principal{Name: "ana", Role: RoleAnalyst})
	auditor := WithPrincipal(ctx, Principal{Name: "aud", Role: RoleAuditor})
	tests := []struct {
		name    string
		call    func() error
		allowed bool
	}{
		{"an analyst sees an item of no case", func() error { _, err := a.EvidenceShow(analyst, added.Item.ID); return err }, true},
		{"an analyst without a grant does not see a case's item", func() error { _, err := a.EvidenceShow(analyst, inCase.Item.ID); return err }, false},
		{"an auditor sees a case's item", func() error { _, err := a.EvidenceShow(auditor, inCase.Item.ID); return err }, true},
		{"an auditor may not export evidence", func() error {
			_, err := a.EvidenceExport(auditor, added.Item.ID, filepath.Join(t.TempDir(), "x"), "court", "trial")
			return err
		}, false},
		{"an analyst may not read the audit log", func() error { _, err := a.AuditLog(analyst, AuditQuery{}); return err }, false},
		{"an auditor verifies evidence", func() error { _, err := a.EvidenceVerify(auditor); return err }, true},
		{"the local admin exports with a purpose", func() error {
			_, err := a.EvidenceExport(ctx, inCase.Item.ID, filepath.Join(t.TempDir(), "y"), "court", "trial")
			return err
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.allowed && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.allowed && !errors.Is(err, ErrForbidden) {
				t.Fatalf("got %v, want ErrForbidden", err)
			}
		})
	}
	list, err := a.EvidenceList(analyst)
	if err != nil || len(list) != 1 || list[0].ID != added.Item.ID {
		t.Fatalf("analyst's list = %+v, %v; want only the item of no case", list, err)
	}
	if got := actions(t, a, ctx, AuditQuery{Case: "C-7"}); strings.Join(got, ",") != "evidence.added,evidence.exported" {
		t.Fatalf("case C-7 audit = %v", got)
	}
}

func TestAModelRunIsAuditedWithWhatItChanged(t *testing.T) {
	a, analyst, _, _ := maskWorld(t, "")
	ctx := context.Background() // the local administrator reads the log
	es, err := a.AuditLog(ctx, AuditQuery{Action: "model.run"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].ObjectID != "cards_at_many_banks" || !strings.Contains(string(es[0].New), `"clues_new"`) {
		t.Fatalf("model.run entries after one run = %+v, want one naming the model and the clues it added", es)
	}
	if _, err := a.RunModels(analyst, RunRequest{IDs: []string{"cards_at_many_banks"}}); err != nil {
		t.Fatal(err)
	}
	es, _ = a.AuditLog(ctx, AuditQuery{Action: "model.run"})
	if len(es) != 2 || es[1].Actor != "li" {
		t.Fatalf("a second run by li = %+v, want a second entry by li", es)
	}
}
