package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"procura/internal/audit"
	"procura/internal/store"
)

// HashParams are the argon2id cost parameters for new password hashes. Stored hashes carry
// their own parameters, so raising the cost later keeps old passwords working.
type HashParams struct {
	Time      uint32 // passes
	MemoryKiB uint32
	Threads   uint8
}

// DefaultHashParams is the second recommended option of RFC 9106 §4 (t=3, 64 MiB), which
// suits machines where 2 GiB per login is too much.
var DefaultHashParams = HashParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Durations of credentials unless Config says otherwise.
const (
	DefaultSessionTTL = 12 * time.Hour      // one working day; the browser logs in again after it
	DefaultTokenTTL   = 90 * 24 * time.Hour // API tokens: one quarter, then a new one
	maxTokenTTL       = 366 * 24 * time.Hour
	minPasswordLen    = 12
)

// Login throttling: after throttleFree consecutive failures a name is locked for
// throttleBase, doubling with each further failure up to throttleMax. A success clears it.
const (
	throttleFree = 5
	throttleBase = 30 * time.Second
	throttleMax  = 15 * time.Minute
)

var userNameRe = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,63}$`)

func (a *App) now() time.Time {
	if a.cfg.Clock != nil {
		return a.cfg.Clock()
	}
	return time.Now()
}

func (a *App) hashParams() HashParams {
	if a.cfg.HashParams != nil {
		return *a.cfg.HashParams
	}
	return DefaultHashParams
}

// hashPassword returns the PHC string of password: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func hashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword checks password against a PHC string written by hashPassword.
func verifyPassword(password, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("stored password hash is not an argon2id PHC string")
	}
	var v int
	var p HashParams
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, fmt.Errorf("stored password hash has argon2 version %q, want %d", parts[2], argon2.Version)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("stored password hash has unreadable parameters %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errors.New("stored password hash is not valid base64")
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// randomSecret is n random bytes in unpadded base64url.
func randomSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand.Read documents it)
	return base64.RawURLEncoding.EncodeToString(b)
}

// generatePassword returns 20 characters from an alphabet without look-alikes (0/O, 1/l/I),
// about 113 bits: enough to be printed once and typed from paper.
func generatePassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)] // 256 % 57 bias is < 1 bit over 20 characters
	}
	return string(b)
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func checkPassword(pw string) error {
	if utf8.RuneCountInString(pw) < minPasswordLen {
		return fmt.Errorf("%w: the password has %d characters; use at least %d (a phrase of several words works well)",
			ErrInvalid, utf8.RuneCountInString(pw), minPasswordLen)
	}
	return nil
}

// FirstAdmin is the administrator created on a workspace without users.
type FirstAdmin struct {
	Name     string `json:"name"`
	Password string `json:"password"` // shown once; only its hash is stored
}

// EnsureAdmin creates the user "admin" with a generated password when the workspace has no
// users at all, and returns it; with users present it returns nil. The password is shown once
// and must be changed at the first login.
func (a *App) EnsureAdmin(ctx context.Context) (*FirstAdmin, error) {
	n, err := a.st.CountUsers(ctx)
	if err != nil || n > 0 {
		return nil, err
	}
	pw := generatePassword()
	hash, err := hashPassword(pw, a.hashParams())
	if err != nil {
		return nil, err
	}
	u := store.User{Name: "admin", DisplayName: "Administrator", Role: RoleAdmin, PasswordHash: hash,
		MustChangePassword: true, CreatedBy: a.actorName(ctx)}
	if err := a.st.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrUserExists) { // another process won the race
			return nil, nil
		}
		return nil, err
	}
	return &FirstAdmin{Name: u.Name, Password: pw}, nil
}

// NewUser describes a user to add. An empty Password is generated and returned once.
type NewUser struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Password    string `json:"password,omitempty"`
}

// UserAdded is the new user and, when procura generated it, the password to hand over.
type UserAdded struct {
	User     store.User `json:"user"`
	Password string     `json:"password,omitempty"`
}

// AddUser adds a user (admin only).
func (a *App) AddUser(ctx context.Context, nu NewUser) (UserAdded, error) {
	p, err := a.authorize(ctx, ActUserManage)
	if err != nil {
		return UserAdded{}, err
	}
	if !userNameRe.MatchString(nu.Name) {
		return UserAdded{}, fmt.Errorf("%w: user name %q is not allowed: use a lower-case letter followed by up to 63 lower-case letters, digits, '.', '_' or '-'", ErrInvalid, nu.Name)
	}
	if err := ValidRole(nu.Role); err != nil {
		return UserAdded{}, err
	}
	out := UserAdded{}
	pw := nu.Password
	if pw == "" {
		pw = generatePassword()
		out.Password = pw
	} else if err := checkPassword(pw); err != nil {
		return UserAdded{}, err
	}
	hash, err := hashPassword(pw, a.hashParams())
	if err != nil {
		return UserAdded{}, err
	}
	display := nu.DisplayName
	if display == "" {
		display = nu.Name
	}
	// A generated password was seen by the administrator, so its owner must replace it.
	u := store.User{Name: nu.Name, DisplayName: display, Role: nu.Role, PasswordHash: hash,
		MustChangePassword: out.Password != "", CreatedBy: p.Name}
	if err := a.st.CreateUser(ctx, u); err != nil {
		return UserAdded{}, err
	}
	if out.User, err = a.st.User(ctx, nu.Name); err != nil {
		return out, err
	}
	return out, a.auditUser(ctx, p, "user.added", "user", nu.Name, nil,
		map[string]any{"role": nu.Role, "display_name": display, "password_generated": out.Password != ""})
}

// auditUser records a change to users, grants or credentials. The change is made already, so
// a failure to record it is reported as such: the administrator checks the chain.
func (a *App) auditUser(ctx context.Context, p Principal, action, objectType, objectID string, old, new any) error {
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: action, ObjectType: objectType, ObjectID: objectID, Old: old, New: new})
	}
	if err != nil {
		return fmt.Errorf("%s %s was changed, but recording it in the audit log failed: %w; check the chain with procura audit verify", objectType, objectID, err)
	}
	return nil
}

// Users lists the workspace's users (admin only).
func (a *App) Users(ctx context.Context) ([]store.User, error) {
	if _, err := a.authorize(ctx, ActUserManage); err != nil {
		return nil, err
	}
	return a.st.Users(ctx)
}

// SetRole changes a user's role (admin only). Live sessions keep working with the new role
// from their next request (the change moves the store's auth generation, which empties the
// App's credential cache).
func (a *App) SetRole(ctx context.Context, name, role string) error {
	p, err := a.authorize(ctx, ActUserManage)
	if err != nil {
		return err
	}
	if err := ValidRole(role); err != nil {
		return err
	}
	u, err := a.st.User(ctx, name)
	if err != nil {
		return err
	}
	if err := a.st.UpdateUser(ctx, name, store.UserChange{Role: &role}); err != nil {
		return err
	}
	return a.auditUser(ctx, p, "user.role_changed", "user", name, map[string]any{"role": u.Role}, map[string]any{"role": role})
}

// SetDisabled disables or re-enables a user (admin only); disabling revokes every session
// and token of the user at once.
func (a *App) SetDisabled(ctx context.Context, name string, disabled bool) error {
	p, err := a.authorize(ctx, ActUserManage)
	if err != nil {
		return err
	}
	if disabled && name == p.Name {
		return fmt.Errorf("%w: you cannot disable yourself; ask another administrator", ErrInvalid)
	}
	if err := a.st.UpdateUser(ctx, name, store.UserChange{Disabled: &disabled}); err != nil {
		return err
	}
	action := "user.enabled"
	if disabled {
		action = "user.disabled"
		if _, err := a.st.RevokeCredentials(ctx, name, "", "", p.Name, a.now()); err != nil {
			return err
		}
	}
	return a.auditUser(ctx, p, action, "user", name, nil, map[string]any{"disabled": disabled})
}

// ResetPassword sets a user's password (admin only; "" generates one, returned once, which
// the user must change at the next login) and revokes the user's sessions and tokens.
func (a *App) ResetPassword(ctx context.Context, name, password string) (string, error) {
	p, err := a.authorize(ctx, ActUserManage)
	if err != nil {
		return "", err
	}
	generated := ""
	if password == "" {
		password = generatePassword()
		generated = password
	} else if err := checkPassword(password); err != nil {
		return "", err
	}
	if err := a.setPassword(ctx, name, password, generated != "", p.Name); err != nil {
		return "", err
	}
	return generated, a.auditUser(ctx, p, "user.password_reset", "user", name, nil, map[string]any{"password_generated": generated != ""})
}

// ChangeOwnPassword replaces the acting user's password after checking the old one, and
// revokes the user's other sessions and tokens.
func (a *App) ChangeOwnPassword(ctx context.Context, old, password string) error {
	p, err := a.authorize(ctx, ActUserSelf)
	if err != nil {
		return err
	}
	if p.Local {
		return fmt.Errorf("%w: the local operator has no password; use procura user passwd NAME to set a user's password", ErrInvalid)
	}
	u, err := a.st.User(ctx, p.Name)
	if err != nil {
		return err
	}
	if ok, err := verifyPassword(old, u.PasswordHash); err != nil || !ok {
		return fmt.Errorf("%w: the current password is wrong", ErrInvalid)
	}
	if err := checkPassword(password); err != nil {
		return err
	}
	if password == old {
		return fmt.Errorf("%w: the new password is the old one; choose another", ErrInvalid)
	}
	return a.setPassword(ctx, p.Name, password, false, p.Name, p.CredentialID)
}

// setPassword stores a new hash and revokes the user's credentials except keep (the session
// that changed its own password stays logged in).
func (a *App) setPassword(ctx context.Context, name, password string, mustChange bool, by string, keep ...string) error {
	hash, err := hashPassword(password, a.hashParams())
	if err != nil {
		return err
	}
	if err := a.st.UpdateUser(ctx, name, store.UserChange{PasswordHash: &hash, MustChangePassword: &mustChange}); err != nil {
		return err
	}
	creds, err := a.st.Credentials(ctx, name)
	if err != nil {
		return err
	}
	for _, c := range creds {
		if c.RevokedAt.IsZero() && !containsString(keep, c.ID) {
			if _, err := a.st.RevokeCredentials(ctx, name, c.ID, "", by, a.now()); err != nil {
				return err
			}
		}
	}
	return a.st.ClearLoginFailures(ctx, name)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// GrantCase lets user see caseID (admin only).
func (a *App) GrantCase(ctx context.Context, user, caseID string) error {
	p, err := a.authorize(ctx, ActUserManage)
	if err != nil {
		return err
	}
	if strings.TrimSpace(caseID) == "" {
		return fmt.Errorf("%w: name the case to grant", ErrInvalid)
	}
	if _, err := a.st.User(ctx, user); err != nil {
		return err
	}
	if err := a.st.GrantCase(ctx, store.Grant{User: user, CaseID: caseID, GrantedBy: p.Name, GrantedAt: a.now()}); err != nil {
		return err
	}
	return a.auditGrant(ctx, p, "case.granted", user, caseID)
}

// auditGrant records a grant or its withdrawal on the case, so the case's audit trail shows
// who was let in.
func (a *App) auditGrant(ctx context.Context, p Principal, action, user, caseID string) error {
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: action, ObjectType: "user", ObjectID: user, CaseID: caseID,
			New: map[string]any{"user": user, "case_id": caseID}})
	}
	if err != nil {
		return fmt.Errorf("the grant of case %s to %s was changed, but recording it in the audit log failed: %w; check the chain with procura audit verify", caseID, user, err)
	}
	return nil
}

// RevokeCase withdraws user's grant on caseID (admin only).
func (a *App) RevokeCase(ctx context.Context, user, caseID string) error {
	p, err := a.authorize(ctx, ActUserManage)
	if err != nil {
		return err
	}
	ok, err := a.st.RevokeCase(ctx, user, caseID)
	if err == nil && !ok {
		err = fmt.Errorf("%w: user %s has no grant on case %s", ErrInvalid, user, caseID)
	}
	if err != nil {
		return err
	}
	return a.auditGrant(ctx, p, "case.revoked", user, caseID)
}

// Grants lists case grants: an administrator sees anyone's ("" = all), others their own.
func (a *App) Grants(ctx context.Context, user string) ([]store.Grant, error) {
	p, err := a.authorize(ctx, ActUserSelf)
	if err != nil {
		return nil, err
	}
	if user != p.Name {
		if _, err := a.authorize(ctx, ActUserManage); err != nil {
			return nil, err
		}
	}
	return a.st.Grants(ctx, user)
}

// Session is a new browser session or API token: Secret is shown once and never stored.
type Session struct {
	Secret             string           `json:"secret"`
	Credential         store.Credential `json:"credential"`
	Role               string           `json:"role"`
	MustChangePassword bool             `json:"must_change_password"`
}

// ThrottledError says how long a name stays locked after repeated failed logins.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins for this name: try again in %s, or ask an administrator to reset the password",
		e.RetryAfter.Round(time.Second))
}
func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// dummyHash is verified when the name does not exist, so that a login takes as long for an
// unknown name as for a wrong password and timing does not reveal which names exist.
var dummyHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$QWxsIHRoZSB3b3JsZCdzIGEgc3RhZ2UuLi4uLi4"

// Login checks a name and password and opens a session. Failures count per name; after five in
// a row the name is locked for 30 s, doubling up to 15 min (ThrottledError).
func (a *App) Login(ctx context.Context, name, password string) (Session, error) {
	now := a.now()
	name = strings.TrimSpace(name)
	f, err := a.st.LoginFailuresOf(ctx, name)
	if err != nil {
		return Session{}, err
	}
	if now.Before(f.LockedUntil) {
		return Session{}, &ThrottledError{RetryAfter: f.LockedUntil.Sub(now)}
	}
	u, uerr := a.st.User(ctx, name)
	hash := u.PasswordHash
	if uerr != nil {
		if !errors.Is(uerr, store.ErrNoUser) {
			return Session{}, uerr
		}
		hash = dummyHash
	}
	ok, verr := verifyPassword(password, hash)
	if uerr != nil || verr != nil || !ok {
		f.Failures++
		f.LastFailure = now
		if f.Failures >= throttleFree {
			f.LockedUntil = now.Add(min(throttleBase<<min(f.Failures-throttleFree, 10), throttleMax))
		}
		if err := a.st.SetLoginFailures(ctx, name, f); err != nil {
			return Session{}, err
		}
		return Session{}, fmt.Errorf("%w: check both and try again", ErrInvalidCredentials)
	}
	if u.Disabled {
		return Session{}, fmt.Errorf("%w: user %s is disabled; ask an administrator", ErrForbidden, name)
	}
	if err := a.st.ClearLoginFailures(ctx, name); err != nil {
		return Session{}, err
	}
	ttl := a.cfg.SessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	s, err := a.newCredential(ctx, u.Name, store.CredentialSession, "", ttl, "")
	s.Role, s.MustChangePassword = u.Role, u.MustChangePassword
	return s, err
}

// tokenPrefix marks procura API tokens, so secret scanners and people recognise a leaked one.
const tokenPrefix = "procura_"

func (a *App) newCredential(ctx context.Context, user, kind, label string, ttl time.Duration, prefix string) (Session, error) {
	secret := prefix + randomSecret(32)
	now := a.now()
	c := store.Credential{ID: randomSecret(9), SecretSHA256: sha256Hex(secret), User: user, Kind: kind, Label: label,
		CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := a.st.AddCredential(ctx, c); err != nil {
		return Session{}, err
	}
	return Session{Secret: secret, Credential: c}, nil
}

// Authenticate turns a session or token secret into the principal it proves. Unknown,
// expired and revoked secrets, and secrets of disabled users, are ErrUnauthenticated with a
// message that says which.
func (a *App) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if secret == "" {
		return Principal{}, fmt.Errorf("%w: log in first", ErrUnauthenticated)
	}
	hash := sha256Hex(secret)
	now := a.now()
	// A credential that authenticated a moment ago is taken from memory (caches.go) unless a
	// write to users or credentials happened since; the checks below run on it all the same.
	gen := a.st.Generations().Auth
	e, cached := a.auth.get(hash, gen, now)
	c := e.cred
	if !cached {
		var err error
		c, err = a.st.CredentialBySecret(ctx, hash)
		if errors.Is(err, store.ErrNoCredential) {
			return Principal{}, fmt.Errorf("%w: the session or token is unknown; log in again", ErrUnauthenticated)
		}
		if err != nil {
			return Principal{}, err
		}
	}
	switch {
	case !c.RevokedAt.IsZero():
		return Principal{}, fmt.Errorf("%w: the %s was revoked at %s; log in again", ErrUnauthenticated, c.Kind, c.RevokedAt.Format(time.RFC3339))
	case !now.Before(c.ExpiresAt):
		return Principal{}, fmt.Errorf("%w: the %s expired at %s; log in again", ErrUnauthenticated, c.Kind, c.ExpiresAt.Format(time.RFC3339))
	}
	if !cached {
		u, err := a.st.User(ctx, c.User)
		if err != nil {
			return Principal{}, fmt.Errorf("%w: the user of this %s no longer exists", ErrUnauthenticated, c.Kind)
		}
		if u.Disabled {
			return Principal{}, fmt.Errorf("%w: user %s is disabled; ask an administrator", ErrUnauthenticated, u.Name)
		}
		e = authEntry{cred: c, name: u.Name, role: u.Role, gen: gen, readAt: now}
		a.auth.put(hash, e)
	}
	// Record use at most once a minute: a busy page must not write on every request.
	if now.Sub(c.LastUsedAt) > time.Minute {
		if err := a.st.TouchCredential(ctx, c.ID, now); err != nil {
			return Principal{}, err
		}
		a.auth.touched(hash, now)
	}
	return Principal{Name: e.name, Role: e.role, CredentialID: c.ID, CredentialKind: c.Kind}, nil
}

// Logout revokes the session (or token) the acting principal used.
func (a *App) Logout(ctx context.Context) error {
	p, err := a.principal(ctx)
	if err != nil || p.CredentialID == "" {
		return err
	}
	_, err = a.st.RevokeCredentials(ctx, p.Name, p.CredentialID, "", p.Name, a.now())
	return err
}

// CreateToken issues an API token for the acting user that acts with the user's role and
// expires after ttl (0 = 90 days, at most 366 days).
func (a *App) CreateToken(ctx context.Context, label string, ttl time.Duration) (Session, error) {
	p, err := a.authorize(ctx, ActUserSelf)
	if err != nil {
		return Session{}, err
	}
	if p.Local {
		return Session{}, fmt.Errorf("%w: the local operator is not a workspace user; create the token as a user (procura user token NAME)", ErrInvalid)
	}
	return a.issueToken(ctx, p.Name, label, ttl)
}

// CreateTokenFor issues an API token for user name (admin only).
func (a *App) CreateTokenFor(ctx context.Context, name, label string, ttl time.Duration) (Session, error) {
	if _, err := a.authorize(ctx, ActUserManage); err != nil {
		return Session{}, err
	}
	u, err := a.st.User(ctx, name)
	if err != nil {
		return Session{}, err
	}
	if u.Disabled {
		return Session{}, fmt.Errorf("%w: user %s is disabled", ErrInvalid, name)
	}
	return a.issueToken(ctx, name, label, ttl)
}

func (a *App) issueToken(ctx context.Context, user, label string, ttl time.Duration) (Session, error) {
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < 0 || ttl > maxTokenTTL {
		return Session{}, fmt.Errorf("%w: a token lives between a minute and 366 days, not %s", ErrInvalid, ttl)
	}
	u, err := a.st.User(ctx, user)
	if err != nil {
		return Session{}, err
	}
	s, err := a.newCredential(ctx, user, store.CredentialToken, label, ttl, tokenPrefix)
	s.Role = u.Role
	return s, err
}

// Credentials lists sessions and tokens: one's own, or (admin) anyone's ("" = everyone's).
func (a *App) Credentials(ctx context.Context, user string) ([]store.Credential, error) {
	p, err := a.authorize(ctx, ActUserSelf)
	if err != nil {
		return nil, err
	}
	if user != p.Name {
		if _, err := a.authorize(ctx, ActUserManage); err != nil {
			return nil, err
		}
	}
	return a.st.Credentials(ctx, user)
}

// RevokeCredential revokes one session or token by id: one's own, or (admin) anyone's.
func (a *App) RevokeCredential(ctx context.Context, id string) error {
	p, err := a.authorize(ctx, ActUserSelf)
	if err != nil {
		return err
	}
	c, err := a.st.Credential(ctx, id)
	if err != nil {
		return err
	}
	if c.User != p.Name {
		if _, err := a.authorize(ctx, ActUserManage); err != nil {
			return err
		}
	}
	if !c.RevokedAt.IsZero() {
		return fmt.Errorf("%w: %s %s was already revoked at %s", ErrInvalid, c.Kind, id, c.RevokedAt.Format(time.RFC3339))
	}
	if _, err = a.st.RevokeCredentials(ctx, c.User, id, "", p.Name, a.now()); err != nil {
		return err
	}
	return a.auditUser(ctx, p, "credential.revoked", "credential", id, nil, map[string]any{"user": c.User, "kind": c.Kind})
}
