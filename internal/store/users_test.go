package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

func TestUsersAreCreatedReadChangedAndNotDuplicated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := store.User{Name: "li", DisplayName: "李检察官", Role: "prosecutor", PasswordHash: "$argon2id$x", CreatedBy: "admin"}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateUser(ctx, u); !errors.Is(err, store.ErrUserExists) {
			t.Fatalf("second CreateUser = %v, want ErrUserExists", err)
		}
		role, disabled := "reviewer", true
		if err := st.UpdateUser(ctx, "li", store.UserChange{Role: &role, Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		got, err := st.User(ctx, "li")
		if err != nil {
			t.Fatal(err)
		}
		if got.Role != "reviewer" || !got.Disabled || got.DisplayName != "李检察官" || got.PasswordHash != "$argon2id$x" {
			t.Errorf("user after change = %+v", got)
		}
		if _, err := st.User(ctx, "nobody"); !errors.Is(err, store.ErrNoUser) {
			t.Errorf("User(nobody) = %v, want ErrNoUser", err)
		}
		if n, _ := st.CountUsers(ctx); n != 1 {
			t.Errorf("CountUsers = %d, want 1", n)
		}
	})
}

func TestCaseGrantsAreGrantedOnceAndRevoked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		g := store.Grant{User: "li", CaseID: "C-1", GrantedBy: "admin", GrantedAt: time.Now()}
		for range 2 {
			if err := st.GrantCase(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		if ok, _ := st.HasGrant(ctx, "li", "C-1"); !ok {
			t.Error("HasGrant after GrantCase = false")
		}
		if gs, _ := st.Grants(ctx, ""); len(gs) != 1 {
			t.Errorf("Grants = %v, want one", gs)
		}
		if ok, _ := st.RevokeCase(ctx, "li", "C-1"); !ok {
			t.Error("RevokeCase found no grant")
		}
		if ok, _ := st.HasGrant(ctx, "li", "C-1"); ok {
			t.Error("HasGrant after RevokeCase = true")
		}
	})
}

func TestCredentialsAreFoundBySecretHashAndRevokedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().Truncate(time.Second)
		for _, c := range []store.Credential{
			{ID: "s1", SecretSHA256: "h1", User: "li", Kind: store.CredentialSession, CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			{ID: "t1", SecretSHA256: "h2", User: "li", Kind: store.CredentialToken, Label: "ci", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		} {
			if err := st.AddCredential(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		c, err := st.CredentialBySecret(ctx, "h2")
		if err != nil || c.ID != "t1" || c.Label != "ci" || !c.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("CredentialBySecret = %+v, %v", c, err)
		}
		if _, err := st.CredentialBySecret(ctx, "nope"); !errors.Is(err, store.ErrNoCredential) {
			t.Errorf("unknown secret = %v, want ErrNoCredential", err)
		}
		if n, err := st.RevokeCredentials(ctx, "li", "", store.CredentialSession, "admin", now); err != nil || n != 1 {
			t.Fatalf("revoke sessions of li = %d, %v; want 1", n, err)
		}
		if n, _ := st.RevokeCredentials(ctx, "li", "s1", "", "admin", now); n != 0 {
			t.Errorf("revoking a revoked session counted %d", n)
		}
		s, _ := st.Credential(ctx, "s1")
		if s.RevokedAt.IsZero() || s.RevokedBy != "admin" {
			t.Errorf("revoked session = %+v", s)
		}
	})
}

func TestLoginFailuresAreCountedAndCleared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().Truncate(time.Second)
		for i := 1; i <= 2; i++ {
			if err := st.SetLoginFailures(ctx, "li", store.LoginFailures{Failures: i, LastFailure: now, LockedUntil: now}); err != nil {
				t.Fatal(err)
			}
		}
		if f, _ := st.LoginFailuresOf(ctx, "li"); f.Failures != 2 {
			t.Errorf("failures = %d, want 2", f.Failures)
		}
		if err := st.ClearLoginFailures(ctx, "li"); err != nil {
			t.Fatal(err)
		}
		if f, _ := st.LoginFailuresOf(ctx, "li"); f.Failures != 0 {
			t.Errorf("failures after clear = %d, want 0", f.Failures)
		}
	})
}
