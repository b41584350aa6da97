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
)

// TestEveryClueAndCaseUseCaseObeysThePermissionTableAndNeedToKnow tries every clue and case use
// case as every role, on a case the user is granted and on one they are not, and asserts
// allow/deny: allowed exactly when the role may perform the action and, for anything inside a
// case, the role covers all cases or the user holds a grant.
func TestEveryClueAndCaseUseCaseObeysThePermissionTableAndNeedToKnow(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	admin := context.Background() // the CLI's local administrator sets the scene
	addUsers(t, a, RoleProsecutor, RoleReviewer, RoleAnalyst, RoleLiaison, RoleAuditor)
	if _, err := a.AddUser(admin, NewUser{Name: "boss", Role: RoleAdmin, Password: "a long passphrase"}); err != nil {
		t.Fatal(err)
	}
	users := map[string]string{RoleAdmin: "boss", RoleProsecutor: RoleProsecutor, RoleReviewer: RoleReviewer,
		RoleAnalyst: RoleAnalyst, RoleLiaison: RoleLiaison, RoleAuditor: RoleAuditor}

	type useCase struct {
		name   string
		acts   []Action // allowed when the role holds any of them
		inCase bool     // subject to need-to-know
		// setup puts the clue into the state the use case starts from.
		setup string
		call  func(ctx context.Context, caseID string, clue, item int64) (seen bool, err error)
	}
	cases := []useCase{
		{"clue list", []Action{ActClueRead}, true, "", func(ctx context.Context, c string, _, _ int64) (bool, error) {
			p, err := a.Clues(ctx, ClueQuery{CaseID: c})
			return p.Total > 0, err
		}},
		{"clue show", []Action{ActClueRead}, true, "", func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.Clue(ctx, id)
			return true, err
		}},
		{"clue assign", []Action{ActClueAssign}, true, "", func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.AssignClues(ctx, AssignRequest{Clues: Refs(id), Assignee: RoleReviewer})
			return true, err
		}},
		{"clue verify", []Action{ActClueReview}, true, "", func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.Verifying})
			return true, err
		}},
		{"clue confirm", []Action{ActClueReview}, true, casework.Verifying, func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.Confirmed})
			return true, err
		}},
		{"clue dismiss", []Action{ActClueReview}, true, casework.Verifying, func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.Dismissed, Reason: "不属实"})
			return true, err
		}},
		{"measure propose", []Action{ActClueReview}, true, casework.Confirmed, func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.MeasureProposed})
			return true, err
		}},
		{"measure approve", []Action{ActMeasureApprove}, true, casework.MeasureProposed, func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.MeasureApproved})
			return true, err
		}},
		{"measure escalate", []Action{ActMeasureApprove}, true, casework.ReplyReceived, func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.TransitionClues(ctx, TransitionRequest{Clues: Refs(id), To: casework.Escalated, Reason: "拒不整改"})
			return true, err
		}},
		{"clue comment", []Action{ActClueComment}, true, "", func(ctx context.Context, _ string, id, _ int64) (bool, error) {
			_, err := a.CommentClue(ctx, id, "已核实")
			return true, err
		}},
		{"clue attach", []Action{ActClueComment}, true, "", func(ctx context.Context, _ string, id, item int64) (bool, error) {
			_, err := a.AttachEvidence(ctx, id, []int64{item})
			return true, err
		}},
		{"case show", []Action{ActCaseRead}, true, "", func(ctx context.Context, c string, _, _ int64) (bool, error) {
			_, err := a.CaseShow(ctx, c)
			return true, err
		}},
		{"case timeline", []Action{ActCaseRead}, true, "", func(ctx context.Context, c string, _, _ int64) (bool, error) {
			_, err := a.CaseTimeline(ctx, c)
			return true, err
		}},
		{"case list", []Action{ActCaseRead}, true, "", func(ctx context.Context, c string, _, _ int64) (bool, error) {
			cs, err := a.Cases(ctx)
			for _, x := range cs {
				if x.ID == c {
					return true, err
				}
			}
			return false, err
		}},
		{"case link", []Action{ActCaseWrite}, true, "", func(ctx context.Context, c string, _, _ int64) (bool, error) {
			_, err := a.LinkCase(ctx, CaseLinkRequest{CaseID: c, Accounts: []string{"6222"}})
			return true, err
		}},
		{"case link clue", []Action{ActCaseWrite}, true, "", func(ctx context.Context, c string, _, _ int64) (bool, error) {
			free := seedModelClues(t, a, "free_"+c, 1)[0]
			_, err := a.LinkCase(ctx, CaseLinkRequest{CaseID: c, Clues: []int64{free}})
			return true, err
		}},
		{"case create", []Action{ActCaseWrite}, false, "", func(ctx context.Context, c string, _, _ int64) (bool, error) {
			_, err := a.CreateCase(ctx, NewCase{ID: c + "-new", Title: "新案"})
			return true, err
		}},
		{"ai report", []Action{ActModelRead, ActAuditRead}, false, "", func(ctx context.Context, _ string, _, _ int64) (bool, error) {
			_, err := a.AIReport(ctx)
			return true, err
		}},
	}
	dir := t.TempDir()
	for _, role := range Roles {
		for _, granted := range []bool{false, true} {
			caseID := fmt.Sprintf("C-%s-%t", role, granted)
			if _, err := a.CreateCase(admin, NewCase{ID: caseID, Title: "测试案件"}); err != nil {
				t.Fatal(err)
			}
			ids := seedModelClues(t, a, "model_"+caseID, len(cases))
			if _, err := a.LinkCase(admin, CaseLinkRequest{CaseID: caseID, Clues: ids}); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, caseID+".txt")
			os.WriteFile(file, []byte(caseID), 0o600)
			item, err := a.EvidenceAdd(admin, EvidenceAddRequest{Path: file, Intake: evidence.Intake{Source: "某银行", LegalBasis: "调证 1", CaseID: caseID}})
			if err != nil {
				t.Fatal(err)
			}
			if granted {
				if err := a.GrantCase(admin, users[role], caseID); err != nil {
					t.Fatal(err)
				}
			}
			ctx := as(users[role], role)
			for i, uc := range cases {
				if uc.setup != "" {
					if _, err := a.st.ReviewClue(admin, ids[i], uc.setup, "", "setup"); err != nil {
						t.Fatal(err)
					}
				}
				mayAct := false
				for _, act := range uc.acts {
					mayAct = mayAct || Allowed(role, act)
				}
				want := mayAct && (!uc.inCase || granted || CoversAllCases(role))
				seen, err := uc.call(ctx, caseID, ids[i], item.Item.ID)
				got := err == nil && seen
				if got != want {
					t.Errorf("%s as %s (grant %v): allowed=%v (err %v), want %v", uc.name, role, granted, got, err, want)
				}
				if err != nil && !errors.Is(err, ErrForbidden) {
					t.Errorf("%s as %s (grant %v): refused with %v, want ErrForbidden", uc.name, role, granted, err)
				}
				// Asked about a clue, a user without the grant does not learn which case holds it.
				if err != nil && !strings.HasPrefix(uc.name, "case") && strings.Contains(err.Error(), caseID) {
					t.Errorf("%s as %s: the refusal %q names case %s", uc.name, role, err, caseID)
				}
			}
		}
	}
}
