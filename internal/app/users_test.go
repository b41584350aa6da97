package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testHash keeps argon2id cheap in tests; production uses DefaultHashParams.
var testHash = &HashParams{Time: 1, MemoryKiB: 1024, Threads: 1}

// fakeClock is a clock tests move forward.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestApp creates a workspace and opens it; the first admin's password is returned.
func newTestApp(t *testing.T, mod func(*Config)) (*App, *fakeClock, *FirstAdmin) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	c := Config{Workspace: filepath.Join(t.TempDir(), "ws"), Actor: "tester", HashParams: testHash, Clock: clock.Now}
	if mod != nil {
		mod(&c)
	}
	res, err := Init(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, clock, res.Admin
}

func TestInitCreatesAnAdminWhoseGeneratedPasswordLogsInOnce(t *testing.T) {
	a, _, admin := newTestApp(t, nil)
	if admin == nil || admin.Name != "admin" || len(admin.Password) != 20 {
		t.Fatalf("first admin = %+v, want admin with a 20-character password", admin)
	}
	s, err := a.Login(context.Background(), "admin", admin.Password)
	if err != nil {
		t.Fatal(err)
	}
	if !s.MustChangePassword || s.Role != RoleAdmin {
		t.Errorf("first login = %+v, want admin who must change the password", s)
	}
	again, err := a.EnsureAdmin(context.Background())
	if err != nil || again != nil {
		t.Errorf("EnsureAdmin on a workspace with users = %+v, %v; want nothing", again, err)
	}
}

func TestPasswordHashesAreArgon2idPHCStringsThatVerify(t *testing.T) {
	h, err := hashPassword("correct horse battery", *testHash)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Errorf("hash %q is not an argon2id PHC string", h)
	}
	h2, _ := hashPassword("correct horse battery", *testHash)
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}} {
		if ok, err := verifyPassword(tc.pw, h); err != nil || ok != tc.want {
			t.Errorf("verify %q = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	if _, err := verifyPassword("x", "$2a$10$bcrypt"); err == nil {
		t.Error("a bcrypt hash verified without error")
	}
}

func TestLoginIsThrottledAfterFiveFailuresAndAllowedAgainLater(t *testing.T) {
	a, clock, admin := newTestApp(t, nil)
	ctx := context.Background()
	for i := range 5 {
		if _, err := a.Login(ctx, "admin", "wrong password"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d = %v, want ErrInvalidCredentials", i+1, err)
		}
	}
	_, err := a.Login(ctx, "admin", admin.Password)
	var te *ThrottledError
	if !errors.As(err, &te) || te.RetryAfter != 30*time.Second {
		t.Fatalf("login after 5 failures = %v, want throttled for 30s", err)
	}
	clock.Add(31 * time.Second)
	if _, err := a.Login(ctx, "admin", "wrong again"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("sixth failure = %v", err)
	}
	if _, err := a.Login(ctx, "admin", admin.Password); !errors.As(err, &te) || te.RetryAfter != time.Minute {
		t.Fatalf("after the sixth failure = %v, want throttled for 1m (doubled)", err)
	}
	clock.Add(time.Minute)
	if _, err := a.Login(ctx, "admin", admin.Password); err != nil {
		t.Fatalf("login after the lock ended = %v", err)
	}
	if f, _ := a.st.LoginFailuresOf(ctx, "admin"); f.Failures != 0 {
		t.Errorf("a successful login left %d failures", f.Failures)
	}
}

func TestUnknownNamesAnswerLikeWrongPasswordsAndAreThrottledToo(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	_, errUnknown := a.Login(ctx, "ghost", "whatever")
	_, errWrong := a.Login(ctx, "admin", "whatever")
	if errUnknown == nil || errUnknown.Error() != errWrong.Error() {
		t.Errorf("unknown name says %v, wrong password says %v; want the same", errUnknown, errWrong)
	}
	for range 4 {
		a.Login(ctx, "ghost", "whatever")
	}
	if _, err := a.Login(ctx, "ghost", "whatever"); !errors.Is(err, ErrThrottled) {
		t.Errorf("sixth try of an unknown name = %v, want throttled", err)
	}
}

func TestSessionsExpireAndRevokedOnesAreRefused(t *testing.T) {
	a, clock, admin := newTestApp(t, func(c *Config) { c.SessionTTL = time.Hour })
	ctx := context.Background()
	s, err := a.Login(ctx, "admin", admin.Password)
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Authenticate(ctx, s.Secret)
	if err != nil || p.Name != "admin" || p.Role != RoleAdmin || p.CredentialID != s.Credential.ID {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	clock.Add(time.Hour)
	if _, err := a.Authenticate(ctx, s.Secret); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("session after its hour = %v, want expired", err)
	}

	s2, _ := a.Login(ctx, "admin", admin.Password)
	p2, _ := a.Authenticate(ctx, s2.Secret)
	if err := a.Logout(WithPrincipal(ctx, p2)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, s2.Secret); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("session after logout = %v, want revoked", err)
	}
	if _, err := a.Authenticate(ctx, "made-up"); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("a made-up secret = %v, want ErrUnauthenticated", err)
	}
}

func TestTokensActWithTheUsersRoleUntilRevokedOrTheUserIsDisabled(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	if _, err := a.AddUser(ctx, NewUser{Name: "wang", Role: RoleAnalyst, Password: "a long enough phrase"}); err != nil {
		t.Fatal(err)
	}
	tok, err := a.CreateTokenFor(ctx, "wang", "nightly import", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Secret, tokenPrefix) || tok.Credential.Kind != "token" {
		t.Errorf("token = %+v", tok)
	}
	p, err := a.Authenticate(ctx, tok.Secret)
	if err != nil || p.Role != RoleAnalyst {
		t.Fatalf("token principal = %+v, %v", p, err)
	}
	if err := a.SetDisabled(ctx, "wang", true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, tok.Secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("token of a disabled user = %v, want refused", err)
	}
	if _, err := a.Login(ctx, "wang", "a long enough phrase"); !errors.Is(err, ErrForbidden) {
		t.Errorf("login of a disabled user = %v, want ErrForbidden", err)
	}
}

func TestChangingOnesPasswordKeepsThisSessionAndEndsTheOthers(t *testing.T) {
	a, _, admin := newTestApp(t, nil)
	ctx := context.Background()
	s1, _ := a.Login(ctx, "admin", admin.Password)
	s2, _ := a.Login(ctx, "admin", admin.Password)
	p1, _ := a.Authenticate(ctx, s1.Secret)
	as := WithPrincipal(ctx, p1)
	if err := a.ChangeOwnPassword(as, "wrong", "a brand new passphrase"); !errors.Is(err, ErrInvalid) {
		t.Errorf("change with a wrong old password = %v", err)
	}
	if err := a.ChangeOwnPassword(as, admin.Password, "short"); !errors.Is(err, ErrInvalid) {
		t.Errorf("change to a short password = %v", err)
	}
	if err := a.ChangeOwnPassword(as, admin.Password, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, s1.Secret); err != nil {
		t.Errorf("the session that changed the password = %v, want kept", err)
	}
	if _, err := a.Authenticate(ctx, s2.Secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("the other session = %v, want revoked", err)
	}
	s3, err := a.Login(ctx, "admin", "a brand new passphrase")
	if err != nil || s3.MustChangePassword {
		t.Errorf("login with the new password = %+v, %v", s3, err)
	}
}

func TestTheCLIActsAsLocalAdminUnlessItNamesAUserOrTheServerRequiresLogin(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	if _, err := a.AddUser(ctx, NewUser{Name: "zhao", Role: RoleAuditor, Password: "auditor passphrase"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := a.Whoami(ctx); !p.Local || p.Role != RoleAdmin || p.Name != "tester" {
		t.Errorf("default CLI principal = %+v, want local admin tester", p)
	}
	ws := a.cfg.Workspace
	a.Close()

	asZhao, err := Open(ctx, Config{Workspace: ws, User: "zhao", HashParams: testHash})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asZhao.Import(ctx, ImportRequest{Path: "x.csv", Dataset: "x"}); !errors.Is(err, ErrForbidden) {
		t.Errorf("auditor import = %v, want ErrForbidden", err)
	}
	if _, err := asZhao.Datasets(ctx); err != nil {
		t.Errorf("auditor datasets = %v, want allowed", err)
	}
	asZhao.Close()

	server, err := Open(ctx, Config{Workspace: ws, RequireLogin: true})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if _, err := server.Datasets(ctx); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("datasets without a user on a RequireLogin app = %v, want ErrUnauthenticated", err)
	}
	if _, err := Open(ctx, Config{Workspace: ws + "-none", User: "nobody"}); err == nil {
		t.Error("opening a missing workspace as a user worked")
	}
}

func TestEveryRoleGetsExactlyTheActionsOfThePermissionTable(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	for _, role := range Roles {
		p := Principal{Name: "u_" + role, Role: role}
		for _, act := range Actions() {
			_, err := a.authorize(WithPrincipal(ctx, p), act)
			want := slices.Contains(permissions[act], role)
			if (err == nil) != want {
				t.Errorf("%s %s: err = %v, want allowed=%v", role, act, err, want)
			}
			if err != nil && (!errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), string(act))) {
				t.Errorf("%s %s: refusal %q does not name the action", role, act, err)
			}
		}
	}
	if _, err := a.authorize(WithPrincipal(ctx, Principal{Name: "x", Role: "root"}), ActDatasetRead); !errors.Is(err, ErrForbidden) {
		t.Errorf("an unknown role = %v, want refused", err)
	}
}

func TestCaseAccessNeedsAGrantUnlessTheRoleCoversAllCases(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	a.AddUser(ctx, NewUser{Name: "li", Role: RoleProsecutor, Password: "prosecutor passphrase"})
	li := WithPrincipal(ctx, Principal{Name: "li", Role: RoleProsecutor})
	if _, err := a.authorizeCase(li, ActCaseRead, "C-7"); !errors.Is(err, ErrForbidden) {
		t.Errorf("prosecutor without grant = %v, want refused", err)
	}
	if err := a.GrantCase(ctx, "li", "C-7"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.authorizeCase(li, ActCaseRead, "C-7"); err != nil {
		t.Errorf("prosecutor with grant = %v", err)
	}
	auditor := WithPrincipal(ctx, Principal{Name: "zhao", Role: RoleAuditor})
	if _, err := a.authorizeCase(auditor, ActCaseRead, "C-9"); err != nil {
		t.Errorf("auditor on any case = %v, want allowed", err)
	}
	if err := a.RevokeCase(ctx, "li", "C-7"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.authorizeCase(li, ActCaseRead, "C-7"); !errors.Is(err, ErrForbidden) {
		t.Errorf("after revoke = %v, want refused", err)
	}
}

func TestAddUserRefusesBadNamesRolesAndShortPasswords(t *testing.T) {
	a, _, _ := newTestApp(t, nil)
	ctx := context.Background()
	for _, nu := range []NewUser{
		{Name: "Li Wei", Role: RoleAnalyst},
		{Name: "li", Role: "superuser"},
		{Name: "li", Role: RoleAnalyst, Password: "short"},
	} {
		if _, err := a.AddUser(ctx, nu); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddUser(%+v) = %v, want ErrInvalid", nu, err)
		}
	}
	res, err := a.AddUser(ctx, NewUser{Name: "li", Role: RoleAnalyst})
	if err != nil || len(res.Password) != 20 || !res.User.MustChangePassword {
		t.Errorf("AddUser with a generated password = %+v, %v", res, err)
	}
	analyst := WithPrincipal(ctx, Principal{Name: "li", Role: RoleAnalyst})
	if _, err := a.AddUser(analyst, NewUser{Name: "mallory", Role: RoleAdmin}); !errors.Is(err, ErrForbidden) {
		t.Errorf("analyst adds an admin = %v, want refused", err)
	}
}

func TestThePermissionTableMatchesTheDocs(t *testing.T) {
	b, err := os.ReadFile("../../docs/server.md")
	if err != nil {
		t.Fatalf("docs/server.md: %v", err)
	}
	doc := string(b)
	for _, act := range Actions() {
		row := "| `" + string(act) + "` |"
		i := strings.Index(doc, row)
		if i < 0 {
			t.Errorf("docs/server.md has no row for %s", act)
			continue
		}
		line := doc[i : i+strings.Index(doc[i:], "\n")]
		cells := strings.Split(line, "|")[2:]
		for j, role := range Roles {
			want := Allowed(role, act)
			got := strings.TrimSpace(cells[j]) == "✓"
			if got != want {
				t.Errorf("docs/server.md: %s for %s says %v, the table says %v", act, role, got, want)
			}
		}
	}
}
