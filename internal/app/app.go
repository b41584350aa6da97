// Package app holds procura's use cases: one function per user action. The CLI and the HTTP
// server are two faces of these functions; nothing else opens the store for a user.
package app

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"procura/internal/store"
)

// Version is the procura release; the build may override it with -ldflags "-X procura/internal/app.Version=…".
var Version = "0.1.0-dev"

// Config locates the workspace and names who acts.
type Config struct {
	Workspace string // directory of the workspace (embedded database, evidence)
	DB        string // "postgres://…" to keep the data in PostgreSQL; "" = embedded DuckDB
	Command   string // what is running, for the workspace lock ("procura import")
	Actor     string // who acts; default the operating-system user
	TimeZone  string // default Asia/Shanghai

	// Who acts when a call's context carries no Principal (see WithPrincipal). The CLI runs as
	// the operating-system user, who could read the workspace's files anyway: by default that
	// user is the workspace's local administrator. User names a workspace user to act as
	// instead, with that user's role (PROCURA_USER); RequireLogin leaves no default at all, so
	// every call must carry a logged-in user (procura serve).
	User         string
	RequireLogin bool

	// Unmask asks, for every call, to see identifiers unmasked (procura --unmask); the role
	// must allow it and each unmasked view is audited (see WithUnmask).
	Unmask bool

	HashParams *HashParams      // argon2id cost of new passwords; nil = DefaultHashParams
	SessionTTL time.Duration    // browser sessions; 0 = DefaultSessionTTL
	Clock      func() time.Time // nil = time.Now; tests move time forward
}

// App is an opened workspace. It is safe for concurrent use: the server shares one App
// between requests, each with its own Principal in the context.
type App struct {
	st     *store.Store
	actor  string
	cfg    Config
	local  *Principal // who acts without a Principal in the context; nil = nobody
	views  viewCache  // the graph explorer's last graph (graph_view.go)
	graphs graphCache // the last transactions graph loaded (graphcache.go)
	// schemas and auth keep what every request needs in memory (caches.go).
	schemas schemaCache
	auth    authCache
}

func (c Config) options() store.Options {
	return store.Options{Workspace: c.Workspace, URL: c.DB, Holder: c.holder(), TimeZone: c.TimeZone}
}

func (c Config) actor() string {
	if c.Actor != "" {
		return c.Actor
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "unknown"
}

func (c Config) holder() string {
	host, _ := os.Hostname()
	cmd := c.Command
	if cmd == "" {
		cmd = "procura"
	}
	return fmt.Sprintf("%s (pid %d, user %s on host %s)", cmd, os.Getpid(), c.actor(), host)
}

// InitResult describes a new workspace.
type InitResult struct {
	Workspace string `json:"workspace"`
	Backend   string `json:"backend"`
	Evidence  string `json:"evidence_dir"`
	Version   string `json:"version"`
	// Admin is the administrator created with the workspace; its password is shown only here.
	Admin *FirstAdmin `json:"admin,omitempty"`
}

// Init creates a workspace.
func Init(ctx context.Context, c Config) (InitResult, error) {
	st, err := store.Init(ctx, c.options())
	if err != nil {
		return InitResult{}, err
	}
	defer st.Close()
	abs, _ := filepath.Abs(c.Workspace)
	a := &App{st: st, actor: c.actor(), cfg: c}
	admin, err := a.EnsureAdmin(ctx)
	if err != nil {
		return InitResult{}, err
	}
	return InitResult{Workspace: abs, Backend: st.Backend(), Evidence: st.EvidenceDir(), Version: Version, Admin: admin}, nil
}

// Open opens an existing workspace for the actor in c.
func Open(ctx context.Context, c Config) (*App, error) {
	st, err := store.Open(ctx, c.options())
	if err != nil {
		return nil, err
	}
	a := &App{st: st, actor: c.actor(), cfg: c}
	if err := a.setLocal(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// setLocal decides who acts for calls without a Principal (the rule is on Config.User).
func (a *App) setLocal(ctx context.Context) error {
	switch {
	case a.cfg.RequireLogin:
		return nil
	case a.cfg.User != "":
		u, err := a.st.User(ctx, a.cfg.User)
		if err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("%w: user %s is disabled; ask an administrator", ErrForbidden, u.Name)
		}
		a.local = &Principal{Name: u.Name, Role: u.Role}
		a.actor = u.Name
	default:
		a.local = &Principal{Name: a.actor, Role: RoleAdmin, Local: true}
	}
	return nil
}

// Workspace is the workspace directory.
func (a *App) Workspace() string { return a.cfg.Workspace }

// Close releases the workspace.
func (a *App) Close() error { return a.st.Close() }

// Actor is who this App acts for.
func (a *App) Actor() string { return a.actor }
