package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// params reads query parameters and collects what is wrong with them, so one 400 answer names
// every bad parameter in details.
type params struct {
	r    *http.Request
	errs map[string]any
}

func queryParams(r *http.Request) *params { return &params{r: r} }

func (p *params) bad(name, want string) {
	if p.errs == nil {
		p.errs = map[string]any{}
	}
	p.errs[name] = want
}

func (p *params) str(name string) string { return strings.TrimSpace(p.r.URL.Query().Get(name)) }

// list reads a comma-separated parameter; repeating the parameter works too.
func (p *params) list(name string) []string {
	var out []string
	for _, v := range p.r.URL.Query()[name] {
		out = append(out, splitComma(v)...)
	}
	return out
}

func (p *params) int(name string, def, lo, hi int) int {
	v := p.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.bad(name, "a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return def
	}
	return n
}

func (p *params) float(name string, def float64) float64 {
	v := p.str(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		p.bad(name, "a number ≥ 0, like 0.8")
		return def
	}
	return f
}

func (p *params) bool(name string) bool {
	switch strings.ToLower(p.str(name)) {
	case "", "0", "false", "no":
		return false
	case "1", "true", "yes":
		return true
	}
	p.bad(name, "1 or 0 (true or false)")
	return false
}

func (p *params) duration(name string) time.Duration {
	d, err := parseSpan(p.str(name))
	if err != nil {
		p.bad(name, "a duration like 72h, 90m or 5d")
	}
	return d
}

func (p *params) time(name string) time.Time {
	v := p.str(name)
	if v == "" {
		return time.Time{}
	}
	t, err := parseTime(v)
	if err != nil {
		p.bad(name, "a time as 2006-01-02 or 2006-01-02T15:04:05Z (RFC 3339)")
	}
	return t
}

// ok answers 400 naming every bad parameter when there is one.
func (p *params) ok(s *Server, w http.ResponseWriter) bool {
	if p.errs == nil {
		return true
	}
	s.fail(w, p.r, http.StatusBadRequest, "invalid", "fix the query parameters named in details", p.errs)
	return false
}

func splitComma(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// parseSpan reads a duration as Go writes it (72h, 90m) or in days (5d); "" is 0.
func parseSpan(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || !(n >= 0 && n <= 100*365) { // !(…) also refuses NaN
			return 0, strconv.ErrSyntax
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = strconv.ErrSyntax
	}
	return d, err
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// workspaceFile turns a path the client names into a file of the workspace: the API reads no
// other file of the server. rel must be local (no leading /, no ..).
func (s *Server) workspaceFile(rel string) (string, bool) {
	rel = filepath.FromSlash(strings.TrimSpace(rel))
	if rel == "" || !filepath.IsLocal(rel) {
		return "", false
	}
	return filepath.Join(s.app.Workspace(), rel), true
}

// readOptionalJSON is readJSON for a body that may be left out (empty, or no body at all).
func (s *Server) readOptionalJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		s.fail(w, r, http.StatusBadRequest, "invalid", "the request body is not the JSON this endpoint takes: "+err.Error(), nil)
		return false
	}
	return true
}
