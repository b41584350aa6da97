package app

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"procura/internal/synth"
)

// TestEveryUseCaseOutsideCasesObeysThePermissionTable tries every use case that is not about
// one case (those are TestEveryClueAndCaseUseCaseObeysThePermissionTableAndNeedToKnow's) as
// every role and asserts that it is refused exactly when the table in authz.go says so. An
// allowed call may still fail for want of data; it must not fail for want of permission.
func TestEveryUseCaseOutsideCasesObeysThePermissionTable(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	addUsers(t, a, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison, RoleAuditor)
	if _, err := a.AddUser(context.Background(), NewUser{Name: "boss", Role: RoleAdmin, Password: "a long passphrase"}); err != nil {
		t.Fatal(err)
	}
	users := map[string]string{RoleAdmin: "boss", RoleProsecutor: RoleProsecutor, RoleReviewer: RoleReviewer,
		RoleAnalyst: RoleAnalyst, RoleLiaison: RoleLiaison, RoleAuditor: RoleAuditor}
	missing := filepath.Join(t.TempDir(), "missing")
	useCases := []struct {
		name string
		acts []Action // allowed when the role holds any of them
		call func(ctx context.Context) error
	}{
		{"datasets", []Action{ActDatasetRead}, func(ctx context.Context) error { _, err := a.Datasets(ctx); return err }},
		{"rejects", []Action{ActDatasetRead}, func(ctx context.Context) error { _, err := a.Rejects(ctx, "tx", 0, 10, 0); return err }},
		{"import", []Action{ActDatasetImport}, func(ctx context.Context) error {
			_, err := a.Import(ctx, ImportRequest{Path: missing, Dataset: "tx"})
			return err
		}},
		{"import preview", []Action{ActDatasetImport}, func(ctx context.Context) error {
			_, err := a.DryRun(ctx, ImportRequest{Path: missing, Dataset: "tx"}, 5)
			return err
		}},
		{"synth", []Action{ActSynthGenerate}, func(ctx context.Context) error {
			_, err := a.Synthesize(ctx, "w", synth.Options{Out: missing, Scale: "no such scale"})
			return err
		}},
		{"models", []Action{ActModelRead}, func(ctx context.Context) error { _, err := a.Models(ctx); return err }},
		{"model show", []Action{ActModelRead}, func(ctx context.Context) error { _, err := a.Model(ctx, "pension_paid_during_custody"); return err }},
		{"model export", []Action{ActModelRead}, func(ctx context.Context) error {
			return a.ExportModel(ctx, "pension_paid_during_custody", io.Discard)
		}},
		{"ai report", []Action{ActModelRead}, func(ctx context.Context) error { _, err := a.AIReport(ctx); return err }},
		{"model import", []Action{ActModelWrite}, func(ctx context.Context) error { _, err := a.ImportModel(ctx, missing); return err }},
		{"model run", []Action{ActModelRun}, func(ctx context.Context) error {
			_, err := a.RunModels(ctx, RunRequest{IDs: []string{"no_such_model"}})
			return err
		}},
		{"backtest", []Action{ActModelRun}, func(ctx context.Context) error { _, err := a.Backtest(ctx, "no_such_model", missing, nil); return err }},
		{"trace", []Action{ActTraceRun}, func(ctx context.Context) error {
			_, err := a.Trace(ctx, TraceRequest{Dataset: "tx", FromAccount: "1"})
			return err
		}},
		{"typologies", []Action{ActTraceRun}, func(ctx context.Context) error {
			_, err := a.Typologies(ctx, TypologyRequest{Dataset: "tx"})
			return err
		}},
		{"match transfers", []Action{ActTraceRun}, func(ctx context.Context) error {
			_, err := a.MatchTransfers(ctx, MatchTransfersRequest{Out: "a", In: "b"})
			return err
		}},
		{"graph communities", []Action{ActGraphRead}, func(ctx context.Context) error {
			_, err := a.GraphCommunities(ctx, CommunitiesRequest{})
			return err
		}},
		{"graph neighbours", []Action{ActGraphRead}, func(ctx context.Context) error {
			_, err := a.GraphNeighbours(ctx, NeighboursRequest{Seeds: []string{"x"}})
			return err
		}},
		{"graph path", []Action{ActGraphRead}, func(ctx context.Context) error {
			_, err := a.GraphPath(ctx, PathRequest{From: "x", To: "y"})
			return err
		}},
		{"graph rank", []Action{ActGraphRead}, func(ctx context.Context) error {
			_, err := a.GraphRank(ctx, RankRequest{By: "pagerank"})
			return err
		}},
		{"graph collisions", []Action{ActGraphRead}, func(ctx context.Context) error {
			_, err := a.GraphCollisions(ctx, CollisionsRequest{})
			return err
		}},
		{"calls", []Action{ActGraphRead}, func(ctx context.Context) error {
			_, err := a.CallsAnalyze(ctx, CallsRequest{Dataset: "calls"})
			return err
		}},
		{"graph export", []Action{ActExport}, func(ctx context.Context) error {
			_, err := a.GraphExport(ctx, ExportRequest{Format: "json"}, io.Discard)
			return err
		}},
		{"resolve", []Action{ActResolveRun}, func(ctx context.Context) error {
			_, err := a.Resolve(ctx, ResolveRequest{Dataset: "persons"})
			return err
		}},
		{"screen", []Action{ActScreeningRun}, func(ctx context.Context) error {
			_, err := a.Screen(ctx, ScreenRequest{Lists: []string{"csv:" + missing}, Queries: []string{"张伟"}})
			return err
		}},
		{"evidence list", []Action{ActEvidenceRead, ActAuditRead}, func(ctx context.Context) error { _, err := a.EvidenceList(ctx); return err }},
		{"evidence add", []Action{ActEvidenceAdd}, func(ctx context.Context) error {
			_, err := a.EvidenceAdd(ctx, EvidenceAddRequest{Path: missing})
			return err
		}},
		{"evidence verify", []Action{ActAuditVerify, ActEvidenceAdd}, func(ctx context.Context) error { _, err := a.EvidenceVerify(ctx); return err }},
		{"audit log", []Action{ActAuditRead}, func(ctx context.Context) error { _, err := a.AuditLog(ctx, AuditQuery{Limit: 1}); return err }},
		{"audit verify", []Action{ActAuditVerify}, func(ctx context.Context) error { _, err := a.AuditVerify(ctx, false); return err }},
		{"users", []Action{ActUserManage}, func(ctx context.Context) error { _, err := a.Users(ctx); return err }},
		{"role change", []Action{ActUserManage}, func(ctx context.Context) error { return a.SetRole(ctx, "no-such-user", RoleAnalyst) }},
		{"grant", []Action{ActUserManage}, func(ctx context.Context) error { return a.GrantCase(ctx, "no-such-user", "C-1") }},
		{"own token", []Action{ActUserSelf}, func(ctx context.Context) error { _, err := a.CreateToken(ctx, "t", 0); return err }},
		{"backup", []Action{ActBackup}, func(ctx context.Context) error {
			_, err := a.Backup(ctx, io.Discard, nil)
			return err
		}},
	}
	for _, uc := range useCases {
		for _, role := range Roles {
			err := uc.call(as(users[role], role))
			allowed := slices.ContainsFunc(uc.acts, func(act Action) bool { return slices.Contains(permissions[act], role) })
			if denied := errors.Is(err, ErrForbidden); denied == allowed {
				t.Errorf("%s as %s: %v; the table says allowed = %v (%v)", uc.name, role, err, allowed, uc.acts)
			}
		}
	}
}
