package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"procura/internal/mask"
)

func TestTheMaskPlanFollowsEveryImportAtOnce(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	before, err := a.columnPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := before.kinds["holder_id_number"]; ok {
		t.Fatal("an empty workspace's plan already knows holder_id_number")
	}
	if names, err := a.DatasetNames(ctx); err != nil || len(names) != 0 {
		t.Fatalf("DatasetNames of an empty workspace = %v, %v", names, err)
	}
	p := filepath.Join(t.TempDir(), "accounts.csv")
	csv := "account,bank,holder_name,holder_id_number,opened_at,phone\n6222021234567890,工商银行,张三,11010519491231002X,2025-01-01 09:00:00,13812345678\n"
	if err := os.WriteFile(p, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(ctx, ImportRequest{Path: p, Dataset: "accounts", Kind: "accounts"}); err != nil {
		t.Fatal(err)
	}
	after, err := a.columnPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if k := after.kinds["holder_id_number"]; k != mask.ResidentID {
		t.Errorf("after the import holder_id_number masks as %v, want a resident ID", k)
	}
	if names, err := a.DatasetNames(ctx); err != nil || len(names) != 1 || names[0] != "accounts" {
		t.Errorf("DatasetNames after the import = %v, %v", names, err)
	}
	if _, err := a.DatasetNames(as("someone", "nobody")); !errors.Is(err, ErrForbidden) {
		t.Errorf("DatasetNames for a role without dataset.read = %v, want ErrForbidden", err)
	}
}

func TestCachedSessionsStillExpireAndRevocationAndRoleChangesApplyAtOnce(t *testing.T) {
	a, clock, _ := newTestApp(t, func(c *Config) { c.SessionTTL = 2 * time.Second })
	ctx := context.Background()
	if _, err := a.AddUser(ctx, NewUser{Name: "wang", Role: RoleAnalyst, Password: "a long enough phrase"}); err != nil {
		t.Fatal(err)
	}
	s, err := a.Login(ctx, "wang", "a long enough phrase")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := a.Authenticate(ctx, s.Secret); err != nil || p.Role != RoleAnalyst {
		t.Fatalf("first request = %+v, %v", p, err)
	}
	if err := a.SetRole(ctx, "wang", RoleReviewer); err != nil {
		t.Fatal(err)
	}
	if p, err := a.Authenticate(ctx, s.Secret); err != nil || p.Role != RoleReviewer {
		t.Errorf("the request after the role change = %+v, %v, want the reviewer role", p, err)
	}
	// Cached a moment ago, the session must still be refused once it has expired.
	clock.Add(2 * time.Second)
	if _, err := a.Authenticate(ctx, s.Secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("an expired session read from the cache = %v, want refused", err)
	}

	s2, _ := a.Login(ctx, "wang", "a long enough phrase")
	if _, err := a.Authenticate(ctx, s2.Secret); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeCredential(ctx, s2.Credential.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, s2.Secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("the request after the revocation = %v, want refused", err)
	}

	s3, _ := a.Login(ctx, "wang", "a long enough phrase")
	if _, err := a.Authenticate(ctx, s3.Secret); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ResetPassword(ctx, "wang", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, s3.Secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("the request after a password reset = %v, want refused", err)
	}
}

// Another process (PostgreSQL) revokes by writing the database; this App learns of it
// within authCacheTTL, as docs/server.md says.
func TestAWriteByAnotherProcessReachesTheCacheWithinItsTTL(t *testing.T) {
	a, clock, _ := newTestApp(t, nil)
	ctx := context.Background()
	if _, err := a.AddUser(ctx, NewUser{Name: "wang", Role: RoleAnalyst, Password: "a long enough phrase"}); err != nil {
		t.Fatal(err)
	}
	s, _ := a.Login(ctx, "wang", "a long enough phrase")
	if _, err := a.Authenticate(ctx, s.Secret); err != nil {
		t.Fatal(err)
	}
	// Not through the Store's methods: its generation does not move, as for another process.
	if _, err := a.st.DB().ExecContext(ctx, `UPDATE credentials SET revoked_at = $1, revoked_by = 'other' WHERE id = $2`,
		clock.Now(), s.Credential.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, s.Secret); err != nil {
		t.Errorf("within the TTL the cached session = %v, want still accepted", err)
	}
	clock.Add(authCacheTTL)
	if _, err := a.Authenticate(ctx, s.Secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("after the TTL the revoked session = %v, want refused", err)
	}
}
