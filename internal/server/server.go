// Package server is procura's HTTP face: a JSON API under /api/v1 and server-rendered pages
// (html/template + htmx), both calling the use cases of internal/app with the logged-in user in
// the context. It checks no permission itself: internal/app does.
package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"procura/internal/app"
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger // nil = slog.Default()
	// Secure marks cookies Secure; ListenAndServe sets it when serving TLS.
	Secure bool
}

// Server serves one opened workspace. The App must have been opened with RequireLogin.
type Server struct {
	app     *app.App
	log     *slog.Logger
	secure  bool
	csrfKey []byte // HMAC key of CSRF tokens; new per process, pages carry fresh tokens
	jobs    *jobs
	ui      *ui
	uploads string // <workspace>/tmp/uploads: case data never goes to the system temp dir
	routes  []route
	mux     *http.ServeMux

	pendingMu sync.Mutex
	pending   map[string]pendingUpload // previewed uploads awaiting "Import", by upload id

	screens screenStash // recent batch screening results, for their CSV download
}

// New builds the server's routes and templates.
func New(a *app.App, o Options) (*Server, error) {
	s := &Server{app: a, log: o.Logger, secure: o.Secure, jobs: newJobs(),
		uploads: filepath.Join(a.Workspace(), "tmp", "uploads"), pending: map[string]pendingUpload{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.csrfKey = make([]byte, 32)
	rand.Read(s.csrfKey)
	// Uploads of an earlier run were never imported (their jobs ended with the process).
	os.RemoveAll(s.uploads)
	if err := os.MkdirAll(s.uploads, 0o700); err != nil {
		return nil, fmt.Errorf("create upload directory: %w", err)
	}
	var err error
	if s.ui, err = newUI(); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.routes = s.apiRoutes()
	for _, r := range s.routes {
		s.mux.Handle(r.method+" "+r.path, r.handler)
	}
	s.pageRoutes(s.mux)
	return s, nil
}

// Handler is the whole server with its middleware: logging, security headers, cross-origin
// protection, authentication and CSRF.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	return s.logRequests(securityHeaders(cop.Handler(s.authenticate(s.mux))))
}

// ListenAndServe serves on addr until ctx ends, then shuts down gracefully: running requests
// get up to 10 s, background jobs are cancelled. With certFile and keyFile it serves TLS.
func (s *Server) ListenAndServe(ctx context.Context, addr, certFile, keyFile string, ready func(url string)) error {
	if (certFile == "") != (keyFile == "") {
		return errors.New("give both --tls-cert and --tls-key, or neither")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w; choose another address with --addr", addr, err)
	}
	scheme := "http"
	if certFile != "" {
		scheme = "https"
		s.secure = true
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	removeServeFile, err := writeServeFile(s.app.Workspace(), ln.Addr(), scheme)
	if err != nil {
		ln.Close()
		return err
	}
	defer removeServeFile()
	if ready != nil {
		ready(scheme + "://" + ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- hs.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "reason", context.Cause(ctx))
	s.jobs.cancelAll()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx)
	s.jobs.wait(sctx)
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// csrfToken binds a CSRF token to a session: an attacker's page cannot read it and a token of
// one session is worthless in another.
func (s *Server) csrfToken(credentialID string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("csrf\x00" + credentialID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) validCSRF(credentialID, token string) bool {
	return token != "" && hmac.Equal([]byte(token), []byte(s.csrfToken(credentialID)))
}
