package server

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"procura/internal/app"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The request log names who made each request: the bearer of a token, and the user who just
// logged in (the principal is known only inside the middleware).
func TestTheRequestLogNamesTheUser(t *testing.T) {
	f := newFixture(t)
	var logs syncBuffer
	f.s.log = slog.New(slog.NewTextHandler(&logs, nil))

	if status, _, _ := f.do(app.RoleAnalyst, "GET", "/api/v1/me", nil, ""); status != 200 {
		t.Fatalf("GET /api/v1/me = %d", status)
	}
	if status, _ := f.call("", "POST", "/api/v1/login", map[string]string{"name": "u_auditor", "password": testPassword}, nil); status != 200 {
		t.Fatalf("login = %d", status)
	}
	f.do("", "GET", "/api/v1/me", nil, "")

	want := []string{"path=/api/v1/me status=200", "user=u_analyst", "path=/api/v1/login status=200", "user=u_auditor", "path=/api/v1/me status=401"}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("log has %d lines, want 3:\n%s", len(lines), logs.String())
	}
	for i, pair := range [][2]string{{want[0], want[1]}, {want[2], want[3]}, {want[4], `user=""`}} {
		for _, w := range pair {
			if !strings.Contains(lines[i], w) {
				t.Errorf("log line %d lacks %q: %s", i+1, w, lines[i])
			}
		}
	}
	_, _, h := f.do(app.RoleAnalyst, "GET", "/api/v1/me", nil, "")
	if h.Get("X-Procura-User") != "" {
		t.Errorf("the answer carries X-Procura-User: %q (the log's business only)", h.Get("X-Procura-User"))
	}
}
