package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"procura/internal/progress"
)

func TestScreenFindsListedAndWorkspacePersonsAndIsAudited(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	dir := t.TempDir()
	list := filepath.Join(dir, "watch.csv")
	if err := os.WriteFile(list, []byte("id,name,aliases,id_number\nW1,\"AL-AMIN, Mohammed Yusuf\",Abu Yusuf,J287011\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	persons := filepath.Join(dir, "persons.csv")
	if err := os.WriteFile(persons, []byte("person_id,name,id_number\nP1,张伟,110101199003074514\nP2,李娜,110101198505051234\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	imp, err := a.Import(ctx, ImportRequest{Path: persons, Dataset: "persons", Kind: "persons"})
	if err != nil {
		t.Fatal(err)
	}
	prog := &progress.Counter{}
	res, err := a.Screen(ctx, ScreenRequest{Lists: []string{"csv:" + list, "workspace"},
		Queries: []string{"Muhammad Youssef al Amin", "Zhang Wei", "J287011", "Jane Citizen"}, Progress: prog})
	if err != nil {
		t.Fatal(err)
	}
	if phase, done, total := prog.Snapshot(); phase != "screening" || done != 4 || total != 4 {
		t.Errorf("progress ended at %s %d/%d, want screening 4/4", phase, done, total)
	}
	if len(res.Lists) != 2 || res.Lists[0].Entities != 1 || int64(res.Lists[1].Entities) != imp.RowsImported || imp.RowsImported == 0 {
		t.Errorf("lists read = %+v", res.Lists)
	}
	want := []string{"csv:W1", "workspace:persons:1:2", "csv:W1", ""} // batch 1, line 2 of the file
	for i, r := range res.Results {
		got := ""
		if len(r.Matches) > 0 {
			got = r.Matches[0].ListID
		}
		if got != want[i] {
			t.Errorf("query %q matched %q, want %q (%+v)", r.Query, got, want[i], r.Matches)
		}
	}
	if res.Hits != 3 {
		t.Errorf("%d queries with matches, want 3", res.Hits)
	}
	es, err := a.AuditLog(ctx, AuditQuery{Action: "screening.run"})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit entries %v, %v; want one screening.run", es, err)
	}
	if !strings.Contains(string(es[0].New), "Jane Citizen") {
		t.Errorf("the audit entry does not name who was looked up: %s", es[0].New)
	}
}

func TestScreenRefusesBadRequestsAndRolesWithoutThePermission(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	for _, req := range []ScreenRequest{
		{Queries: []string{"x"}},
		{Lists: []string{"workspace"}},
		{Lists: []string{"sdn:foo"}, Queries: []string{"x"}},
		{Lists: []string{"workspace"}, Queries: []string{"x"}, MinScore: 2},
		{Lists: []string{"workspace"}, Queries: []string{"x"}, Types: []string{"person"}},
	} {
		if _, err := a.Screen(ctx, req); !errors.Is(err, ErrInvalid) {
			t.Errorf("Screen(%+v) = %v, want ErrInvalid", req, err)
		}
	}
	if _, err := a.AddUser(ctx, NewUser{Name: "qian", Role: RoleAuditor, Password: "auditor passphrase"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(permissions[ActScreeningRun], RoleReviewer) || Allowed(RoleAuditor, ActScreeningRun) {
		t.Error("reviewers must be able to screen and auditors not")
	}
	ws := a.cfg.Workspace
	a.Close()
	as, err := Open(ctx, Config{Workspace: ws, User: "qian", HashParams: testHash})
	if err != nil {
		t.Fatal(err)
	}
	defer as.Close()
	if _, err := as.Screen(ctx, ScreenRequest{Lists: []string{"workspace"}, Queries: []string{"x"}}); !errors.Is(err, ErrForbidden) {
		t.Errorf("auditor screening = %v, want ErrForbidden", err)
	}
}

func TestScreenReadsCasePartiesAndCompaniesOfTheWorkspace(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	dir := t.TempDir()
	parties := filepath.Join(dir, "parties.csv")
	companies := filepath.Join(dir, "companies.csv")
	if err := os.WriteFile(parties, []byte("case_no,role,name,id_number\nA-2024-7,suspect,王建国,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(companies, []byte("uscc,name\n91350100M000100Y43,Golden Dragon Trading Co. Ltd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, imp := range []ImportRequest{{Path: parties, Dataset: "parties", Kind: "case_parties"}, {Path: companies, Dataset: "firms", Kind: "companies"}} {
		res, err := a.Import(ctx, imp)
		if err != nil || res.RowsImported != 1 {
			t.Fatalf("import %s: %+v, %v", imp.Dataset, res, err)
		}
	}
	res, err := a.Screen(ctx, ScreenRequest{Lists: []string{"workspace"}, Queries: []string{"Wang Jianguo", "GOLDEN DRAGON TRADING COMPANY LIMITED", "91350100M000100Y43"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"workspace:parties:1:2", "workspace:firms:2:2", "workspace:firms:2:2"}
	for i, r := range res.Results {
		if len(r.Matches) == 0 || r.Matches[0].ListID != want[i] {
			t.Errorf("%q matched %+v, want %s", r.Query, r.Matches, want[i])
		}
	}
}
