package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"procura/internal/app"
)

// Cookie names.
const (
	sessionCookie = "procura_session"
	loginCookie   = "procura_login" // double-submit CSRF token of the login form, before a session exists
	langCookie    = "procura_lang"
)

// contentSecurityPolicy allows nothing from other origins and no inline script or style:
// every script and style sheet is a file under /static.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store") // pages and answers hold case data
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush lets Server-Sent Events through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request: never the query string, which may hold identifiers.
// The user is known only inside (authenticate, or a login), so the handlers name it through a
// slot in the request's context (logUser).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		var user string
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), logUserKey{}, &user)))
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
			"ms", time.Since(start).Milliseconds(), "user", user, "remote", r.RemoteAddr)
	})
}

type logUserKey struct{}

// logUser names the user of r in its request log line.
func logUser(r *http.Request, name string) {
	if slot, ok := r.Context().Value(logUserKey{}).(*string); ok {
		*slot = name
	}
}

// authenticate puts the user of a session cookie or bearer token into the request context and
// enforces CSRF tokens on unsafe requests that rely on the cookie. It refuses nothing else:
// each handler calls internal/app, which refuses calls without a permitted user.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		var secret string
		bearer := false
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			secret, bearer = strings.TrimPrefix(h, "Bearer "), true
		} else if c, err := r.Cookie(sessionCookie); err == nil {
			secret = c.Value
		}
		if secret != "" {
			p, err := s.app.Authenticate(ctx, secret)
			if err != nil {
				if bearer {
					s.apiError(w, r, err)
					return
				}
				// A stale cookie: forget it and carry on as nobody (the login page works).
				http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
			} else {
				ctx = app.WithPrincipal(ctx, p)
				logUser(r, p.Name)
				if u := r.URL.Query().Get("unmask"); u == "1" || u == "true" {
					ctx = app.WithUnmask(ctx) // identifiers in the clear: the use case checks and audits
				}
				if !bearer && unsafeMethod(r.Method) {
					switch tok := r.Header.Get("X-CSRF-Token"); {
					case tok != "":
						if !s.validCSRF(p.CredentialID, tok) {
							s.fail(w, r, http.StatusForbidden, "csrf", msgCSRF, nil)
							return
						}
					case isMultipart(r) && isUploadPath(r.URL.Path):
						// The token is a field of the streamed upload; readUpload checks it
						// before anything is done with the file.
						ctx = context.WithValue(ctx, csrfPendingKey{}, p.CredentialID)
					default:
						if isMultipart(r) || !s.validCSRF(p.CredentialID, r.PostFormValue("csrf")) {
							s.fail(w, r, http.StatusForbidden, "csrf", msgCSRF, nil)
							return
						}
					}
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

const msgCSRF = "the form's security token is missing or stale: reload the page and try again"

type csrfPendingKey struct{}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}
