package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors of users and credentials.
var (
	ErrUserExists   = errors.New("user already exists")
	ErrNoUser       = errors.New("no such user")
	ErrNoCredential = errors.New("no such session or token")
)

// User is one person who may use the workspace. PasswordHash is an argon2id PHC string.
type User struct {
	Name               string    `json:"name"`
	DisplayName        string    `json:"display_name"`
	Role               string    `json:"role"`
	PasswordHash       string    `json:"-"`
	Disabled           bool      `json:"disabled"`
	MustChangePassword bool      `json:"must_change_password"`
	CreatedBy          string    `json:"created_by"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
	PasswordChangedAt  time.Time `json:"password_changed_at"`
}

const userColumns = `name, display_name, role, password_hash, disabled, must_change_password, created_by,
	created_at, updated_at, password_changed_at`

func scanUser(r rowScanner) (User, error) {
	var u User
	err := r.Scan(&u.Name, &u.DisplayName, &u.Role, &u.PasswordHash, &u.Disabled, &u.MustChangePassword,
		&u.CreatedBy, &u.CreatedAt, &u.UpdatedAt, &u.PasswordChangedAt)
	return u, err
}

// CreateUser adds u; a user of the same name is ErrUserExists.
func (s *Store) CreateUser(ctx context.Context, u User) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE name = $1`, u.Name).Scan(&n); err != nil {
		return fmt.Errorf("add user %s: %w", u.Name, err)
	}
	if n > 0 {
		return userError(ErrUserExists, "user %q already exists: choose another name, or change the user with procura user", u.Name)
	}
	now := time.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)`,
		u.Name, u.DisplayName, u.Role, u.PasswordHash, u.Disabled, u.MustChangePassword, u.CreatedBy, now); err != nil {
		return fmt.Errorf("add user %s: %w", u.Name, err)
	}
	return tx.Commit()
}

// User returns the user called name, or an error wrapping ErrNoUser.
func (s *Store) User(ctx context.Context, name string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, userError(ErrNoUser, "no user %q: list users with procura user list", name)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %s: %w", name, err)
	}
	return u, nil
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers is the number of users, disabled ones included.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UserChange is a change to a user; nil fields stay as they are.
type UserChange struct {
	DisplayName        *string
	Role               *string
	Disabled           *bool
	PasswordHash       *string // also sets password_changed_at
	MustChangePassword *bool
}

// UpdateUser applies ch to the user called name.
func (s *Store) UpdateUser(ctx context.Context, name string, ch UserChange) error {
	defer s.authGen.Add(1) // after the write: see Generations
	u, err := s.User(ctx, name)
	if err != nil {
		return err
	}
	now := time.Now()
	if ch.DisplayName != nil {
		u.DisplayName = *ch.DisplayName
	}
	if ch.Role != nil {
		u.Role = *ch.Role
	}
	if ch.Disabled != nil {
		u.Disabled = *ch.Disabled
	}
	if ch.PasswordHash != nil {
		u.PasswordHash = *ch.PasswordHash
		u.PasswordChangedAt = now
	}
	if ch.MustChangePassword != nil {
		u.MustChangePassword = *ch.MustChangePassword
	}
	_, err = s.db.ExecContext(ctx, `UPDATE users SET display_name = $2, role = $3, disabled = $4, password_hash = $5,
		must_change_password = $6, password_changed_at = $7, updated_at = $8 WHERE name = $1`,
		name, u.DisplayName, u.Role, u.Disabled, u.PasswordHash, u.MustChangePassword, u.PasswordChangedAt, now)
	if err != nil {
		return fmt.Errorf("change user %s: %w", name, err)
	}
	return nil
}

// Grant gives a user access to one case.
type Grant struct {
	User      string    `json:"user"`
	CaseID    string    `json:"case_id"`
	GrantedBy string    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// GrantCase lets user see case caseID; granting twice keeps the first grant.
func (s *Store) GrantCase(ctx context.Context, g Grant) error {
	defer s.changed() // after the write: see readcache.go
	_, err := s.db.ExecContext(ctx, `INSERT INTO case_grants (user_name, case_id, granted_by, granted_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (user_name, case_id) DO NOTHING`, g.User, g.CaseID, g.GrantedBy, g.GrantedAt)
	if err != nil {
		return fmt.Errorf("grant case %s to %s: %w", g.CaseID, g.User, err)
	}
	return nil
}

// RevokeCase removes user's grant on caseID and reports whether there was one.
func (s *Store) RevokeCase(ctx context.Context, user, caseID string) (bool, error) {
	defer s.changed() // after the write: see readcache.go
	res, err := s.db.ExecContext(ctx, `DELETE FROM case_grants WHERE user_name = $1 AND case_id = $2`, user, caseID)
	if err != nil {
		return false, fmt.Errorf("revoke case %s from %s: %w", caseID, user, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Grants lists the case grants of user ("" = of every user).
func (s *Store) Grants(ctx context.Context, user string) ([]Grant, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_name, case_id, granted_by, granted_at FROM case_grants
		WHERE $1 = '' OR user_name = $1 ORDER BY user_name, case_id`, user)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.User, &g.CaseID, &g.GrantedBy, &g.GrantedAt); err != nil {
			return nil, fmt.Errorf("list grants: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// HasGrant reports whether user may see case caseID through a grant.
//
// On DuckDB the answer is kept until the next write (readcache.go).
func (s *Store) HasGrant(ctx context.Context, user, caseID string) (bool, error) {
	v, err := s.remember("has grant", []any{user, caseID}, func() (any, int, error) {
		ok, err := s.hasGrant(ctx, user, caseID)
		return ok, 1, err
	})
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

func (s *Store) hasGrant(ctx context.Context, user, caseID string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM case_grants WHERE user_name = $1 AND case_id = $2`,
		user, caseID).Scan(&n); err != nil {
		return false, fmt.Errorf("check grant of case %s to %s: %w", caseID, user, err)
	}
	return n > 0, nil
}

// Credential kinds.
const (
	CredentialSession = "session"
	CredentialToken   = "token"
)

// Credential is a browser session or an API token. Only the SHA-256 of its secret is kept.
type Credential struct {
	ID           string    `json:"id"`
	SecretSHA256 string    `json:"-"`
	User         string    `json:"user"`
	Kind         string    `json:"kind"`
	Label        string    `json:"label,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	LastUsedAt   time.Time `json:"last_used_at,omitzero"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokedBy    string    `json:"revoked_by,omitempty"`
}

const credentialColumns = `id, secret_sha256, user_name, kind, label, created_at, expires_at, last_used_at, revoked_at, revoked_by`

func scanCredential(r rowScanner) (Credential, error) {
	var c Credential
	var used, revoked sql.NullTime
	err := r.Scan(&c.ID, &c.SecretSHA256, &c.User, &c.Kind, &c.Label, &c.CreatedAt, &c.ExpiresAt, &used, &revoked, &c.RevokedBy)
	c.LastUsedAt, c.RevokedAt = used.Time, revoked.Time
	return c, err
}

// AddCredential stores a new session or token.
func (s *Store) AddCredential(ctx context.Context, c Credential) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO credentials (`+credentialColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, '')`,
		c.ID, c.SecretSHA256, c.User, c.Kind, c.Label, c.CreatedAt, c.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store %s of %s: %w", c.Kind, c.User, err)
	}
	return nil
}

// CredentialBySecret finds the credential whose secret hashes to secretSHA256, expired and
// revoked ones included (the caller decides and says why it refuses).
func (s *Store) CredentialBySecret(ctx context.Context, secretSHA256 string) (Credential, error) {
	c, err := scanCredential(s.db.QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE secret_sha256 = $1`, secretSHA256))
	if errors.Is(err, sql.ErrNoRows) {
		return Credential{}, ErrNoCredential
	}
	if err != nil {
		return Credential{}, fmt.Errorf("look up session: %w", err)
	}
	return c, nil
}

// Credential returns the credential with public id.
func (s *Store) Credential(ctx context.Context, id string) (Credential, error) {
	c, err := scanCredential(s.db.QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Credential{}, userError(ErrNoCredential, "no session or token %q: list them with procura user tokens", id)
	}
	if err != nil {
		return Credential{}, fmt.Errorf("read session %s: %w", id, err)
	}
	return c, nil
}

// TouchCredential records that credential id was used at t.
func (s *Store) TouchCredential(ctx context.Context, id string, t time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE credentials SET last_used_at = $2 WHERE id = $1`, id, t); err != nil {
		return fmt.Errorf("record use of session %s: %w", id, err)
	}
	return nil
}

// Credentials lists the sessions and tokens of user ("" = everyone's), newest first.
func (s *Store) Credentials(ctx context.Context, user string) ([]Credential, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+credentialColumns+` FROM credentials
		WHERE $1 = '' OR user_name = $1 ORDER BY created_at DESC, id`, user)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	out := []Credential{}
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RevokeCredentials revokes the live credentials that match: one by id, or all of a user
// (id ""), optionally of one kind (kind ""). It returns how many it revoked.
func (s *Store) RevokeCredentials(ctx context.Context, user, id, kind, by string, at time.Time) (int64, error) {
	defer s.authGen.Add(1) // after the write: see Generations
	res, err := s.db.ExecContext(ctx, `UPDATE credentials SET revoked_at = $5, revoked_by = $4
		WHERE revoked_at IS NULL AND ($1 = '' OR user_name = $1) AND ($2 = '' OR id = $2) AND ($3 = '' OR kind = $3)`,
		user, id, kind, by, at)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// LoginFailures counts consecutive failed logins of one user name.
type LoginFailures struct {
	Failures    int
	LastFailure time.Time
	LockedUntil time.Time
}

// LoginFailuresOf returns the failure record of name (zero when it has none).
func (s *Store) LoginFailuresOf(ctx context.Context, name string) (LoginFailures, error) {
	var f LoginFailures
	err := s.db.QueryRowContext(ctx, `SELECT failures, last_failure, locked_until FROM login_failures WHERE user_name = $1`,
		name).Scan(&f.Failures, &f.LastFailure, &f.LockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return LoginFailures{}, nil
	}
	if err != nil {
		return LoginFailures{}, fmt.Errorf("read failed logins of %s: %w", name, err)
	}
	return f, nil
}

// SetLoginFailures records f for name.
func (s *Store) SetLoginFailures(ctx context.Context, name string, f LoginFailures) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO login_failures (user_name, failures, last_failure, locked_until)
		VALUES ($1, $2, $3, $4) ON CONFLICT (user_name) DO UPDATE SET failures = excluded.failures,
		last_failure = excluded.last_failure, locked_until = excluded.locked_until`,
		name, f.Failures, f.LastFailure, f.LockedUntil)
	if err != nil {
		return fmt.Errorf("record failed login of %s: %w", name, err)
	}
	return nil
}

// ClearLoginFailures forgets the failed logins of name after a successful one.
func (s *Store) ClearLoginFailures(ctx context.Context, name string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE user_name = $1`, name); err != nil {
		return fmt.Errorf("clear failed logins of %s: %w", name, err)
	}
	return nil
}
