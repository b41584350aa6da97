package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/server"
	"procura/internal/store"
)

func newServeCmd(g *globals) *cobra.Command {
	var addr, cert, key string
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [--tls-cert FILE --tls-key FILE]",
		Short: "Serve the web workbench and the JSON API for this workspace",
		Long: `Serve procura in the browser and as a JSON API (/api/v1, described at /api/v1/openapi.json).

The server holds the workspace while it runs; every page and API call needs a login. On a
workspace without users the administrator "admin" is created and its password printed once.
It listens on the loopback address by default: to serve other machines, give --addr and a
certificate (--tls-cert, --tls-key).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serveWorkspace(cmd, g, g.config("serve"), addr, cert, key)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&cert, "tls-cert", "", "TLS certificate file (PEM); serve HTTPS")
	cmd.Flags().StringVar(&key, "tls-key", "", "TLS private key file (PEM)")
	return cmd
}

// serveWorkspace serves the workspace of c until the command's context ends (Ctrl-C).
func serveWorkspace(cmd *cobra.Command, g *globals, c app.Config, addr, cert, key string) error {
	c.RequireLogin = true
	a, err := app.Open(cmd.Context(), c)
	if errors.Is(err, store.ErrWorkspaceHeld) {
		return heldByServer(err, c.Workspace, "serve")
	}
	if err != nil {
		return err
	}
	defer a.Close()
	admin, err := a.EnsureAdmin(cmd.Context())
	if err != nil {
		return err
	}
	if admin != nil {
		fmt.Fprintf(g.errOut, "Created the administrator %q with the password:\n\n    %s\n\nIt is shown only now; change it at the first login.\n\n", admin.Name, admin.Password)
	}
	log := slog.New(slog.NewTextHandler(g.errOut, nil))
	if g.json {
		log = slog.New(slog.NewJSONHandler(g.errOut, nil))
	}
	srv, err := server.New(a, server.Options{Logger: log})
	if err != nil {
		return err
	}
	return srv.ListenAndServe(cmd.Context(), addr, cert, key, func(url string) {
		log.Info("procura is serving", "url", url, "workspace", a.Workspace())
	})
}
