package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"procura/internal/app"
)

// digitRun finds identifier-length digit runs (cards, IDs, phones) in an answer.
var digitRun = regexp.MustCompile(`[0-9]{11,19}`)

func TestRejectsAreMaskedUnlessAnAllowedUserAsksAndTheViewIsAudited(t *testing.T) {
	f := newFixture(t)
	status, masked, _ := f.do("analyst", "GET", "/api/v1/datasets/bank_tx/rejects", nil, "")
	if status != http.StatusOK || !strings.Contains(string(masked), "****") {
		t.Fatalf("analyst rejects: %d %s", status, masked)
	}
	if runs := digitRun.FindAllString(string(masked), -1); len(runs) > 0 {
		t.Errorf("an analyst sees unmasked identifiers %v in %s", runs, masked)
	}
	if status, b, _ := f.do("analyst", "GET", "/api/v1/datasets/bank_tx/rejects?unmask=1", nil, ""); status != http.StatusForbidden {
		t.Errorf("analyst asking to unmask: %d %s, want 403", status, b)
	}
	status, clear, _ := f.do("prosecutor", "GET", "/api/v1/datasets/bank_tx/rejects?unmask=1", nil, "")
	if status != http.StatusOK || len(digitRun.FindAllString(string(clear), -1)) == 0 {
		t.Errorf("prosecutor asking to unmask: %d %s, want identifiers in the clear", status, clear)
	}
	es, err := f.app.AuditLog(app.WithPrincipal(context.Background(), app.Principal{Name: "u_auditor", Role: app.RoleAuditor}),
		app.AuditQuery{Action: "identifiers.unmasked"})
	if err != nil || len(es) != 1 || es[0].Actor != "u_prosecutor" || es[0].ObjectID != "bank_tx" {
		t.Errorf("unmasked views in the audit log: %+v, %v; want one by u_prosecutor on bank_tx", es, err)
	}
}

func TestTheRunningServerStreamsABackupThatRestores(t *testing.T) {
	f := newFixture(t)
	if status, b, _ := f.do("prosecutor", "POST", "/api/v1/backup", nil, ""); status != http.StatusForbidden {
		t.Errorf("a prosecutor's backup: %d %s, want 403", status, b)
	}
	status, arc, h := f.do("admin", "POST", "/api/v1/backup", nil, "")
	if status != http.StatusOK || h.Get("Content-Type") != "application/zstd" || !strings.Contains(h.Get("Content-Disposition"), ".procura-backup") {
		t.Fatalf("admin backup: %d %v (%d bytes)", status, h, len(arc))
	}
	path := filepath.Join(t.TempDir(), "b.procura-backup")
	os.WriteFile(path, arc, 0o600)
	rr, err := app.Restore(context.Background(), app.Config{Workspace: filepath.Join(t.TempDir(), "r"), HashParams: cheapHash}, path, app.RestoreOptions{})
	if err != nil || !rr.OK {
		t.Fatalf("restore of the server's backup: %+v, %v", rr, err)
	}
	if rr.Manifest.CreatedBy != "u_admin" {
		t.Errorf("manifest = %+v, want created by u_admin", rr.Manifest)
	}
}

func TestTheRejectsPageOffersUnmaskingOnlyToRolesThatMay(t *testing.T) {
	f := newFixture(t)
	_, analyst, _ := f.do("analyst", "GET", "/datasets/bank_tx/rejects?lang=en", nil, "")
	if !strings.Contains(string(analyst), "are masked") || strings.Contains(string(analyst), "unmask=1") {
		t.Errorf("the analyst's page does not say the identifiers are masked, or offers to unmask them")
	}
	_, pros, _ := f.do("prosecutor", "GET", "/datasets/bank_tx/rejects?lang=en", nil, "")
	if !strings.Contains(string(pros), "unmask=1") {
		t.Errorf("the prosecutor's page offers no way to unmask")
	}
	_, clear, _ := f.do("prosecutor", "GET", "/datasets/bank_tx/rejects?lang=en&unmask=1", nil, "")
	if !strings.Contains(string(clear), "recorded in the audit log") || len(digitRun.FindAllString(string(clear), -1)) == 0 {
		t.Errorf("the unmasked page shows no identifiers or does not say it was recorded")
	}
}
