// Package app holds procura's use cases: one function per user action. The CLI and the HTTP
// server are two faces of these functions; nothing else opens the store for a user.
package app

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"

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
}

// App is an opened workspace.
type App struct {
	st    *store.Store
	actor string
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
}

// Init creates a workspace.
func Init(ctx context.Context, c Config) (InitResult, error) {
	st, err := store.Init(ctx, c.options())
	if err != nil {
		return InitResult{}, err
	}
	defer st.Close()
	abs, _ := filepath.Abs(c.Workspace)
	return InitResult{Workspace: abs, Backend: st.Backend(), Evidence: st.EvidenceDir(), Version: Version}, nil
}

// Open opens an existing workspace for the actor in c.
func Open(ctx context.Context, c Config) (*App, error) {
	st, err := store.Open(ctx, c.options())
	if err != nil {
		return nil, err
	}
	return &App{st: st, actor: c.actor()}, nil
}

// Close releases the workspace.
func (a *App) Close() error { return a.st.Close() }

// Actor is who this App acts for.
func (a *App) Actor() string { return a.actor }
