package server

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"procura/internal/app"
	"procura/internal/audit"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditFilter is the filter form as the user typed it, kept to fill the form again and to
// build the paging and export links.
type auditFilter struct {
	Since, Until, Actor, Action, ObjectType, ObjectID, Case string
}

func (f auditFilter) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"since": f.Since, "until": f.Until, "actor": f.Actor, "action": f.Action,
		"object_type": f.ObjectType, "object_id": f.ObjectID, "case": f.Case} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// auditRow is an entry as the page shows it: old and new as (masked) JSON text.
type auditRow struct {
	audit.Entry
	OldText, NewText string
}

type auditData struct {
	Filter             auditFilter
	Rows               []auditRow
	Error              string
	NewerURL, OlderURL string
	ExportURL          string
	CanVerify          bool
}

// readAuditFilter reads the filter of the page's query; times are dates (2025-03-01), the
// browser's datetime-local (2025-03-01T09:30, read as UTC) or RFC 3339.
func readAuditFilter(r *http.Request) (auditFilter, app.AuditQuery, error) {
	g := func(k string) string { return strings.TrimSpace(r.URL.Query().Get(k)) }
	f := auditFilter{Since: g("since"), Until: g("until"), Actor: g("actor"), Action: g("action"),
		ObjectType: g("object_type"), ObjectID: g("object_id"), Case: g("case")}
	q := app.AuditQuery{Actor: f.Actor, Action: f.Action, ObjectType: f.ObjectType, ObjectID: f.ObjectID, Case: f.Case}
	var bad []string
	for _, t := range []struct {
		name, v string
		to      *time.Time
	}{{"since", f.Since, &q.Since}, {"until", f.Until, &q.Until}} {
		if t.v == "" {
			continue
		}
		v, err := parseFormTime(t.v)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s %q is not a time: write 2025-03-01 or 2025-03-01T09:30", t.name, t.v))
		}
		*t.to = v
	}
	if len(bad) > 0 {
		return f, q, errors.Join(app.ErrInvalid, errors.New(strings.Join(bad, "; ")))
	}
	return f, q, nil
}

func parseFormTime(v string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02T15:04", v); err == nil {
		return t, nil
	}
	return parseTime(v)
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	f, q, err := readAuditFilter(r)
	d := auditData{Filter: f, CanVerify: s.app.Can(r.Context(), app.ActAuditVerify) == nil}
	if err != nil {
		if cerr := s.app.Can(r.Context(), app.ActAuditRead); cerr != nil {
			s.pageError(w, r, cerr)
			return
		}
		d.Error = err.Error()
		s.render(w, r, http.StatusBadRequest, "audit", "", "admin.audit.title", d)
		return
	}
	before, berr := seqParam(r, "before")
	after, aerr := seqParam(r, "after")
	if berr != nil || aerr != nil {
		s.pageError(w, r, errors.Join(app.ErrInvalid, errors.New("before and after are entry numbers (seq), like before=120")))
		return
	}
	// Newest first; "newer" pages forward from after (oldest first, then turned round).
	q.Limit, q.Newest, q.BeforeSeq = auditPageSize+1, true, before
	if after > 0 {
		q.Newest, q.BeforeSeq, q.AfterSeq = false, 0, after
	}
	es, err := s.app.AuditLog(r.Context(), q)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	more := len(es) > auditPageSize
	if more {
		if q.Newest {
			es = es[1:] // oldest first: the extra entry is the oldest
		} else {
			es = es[:auditPageSize]
		}
	}
	slices.Reverse(es)
	for _, e := range es {
		d.Rows = append(d.Rows, auditRow{Entry: e, OldText: jsonText(e.Old), NewText: jsonText(e.New)})
	}
	base := f.values()
	link := func(k string, seq int64) string {
		v := url.Values{}
		for key, vals := range base {
			v[key] = vals
		}
		v.Set(k, strconv.FormatInt(seq, 10))
		return "/audit?" + v.Encode()
	}
	if len(es) > 0 {
		newest, oldest := es[0].Seq, es[len(es)-1].Seq
		if (q.Newest && more) || (!q.Newest && after > 0) {
			d.OlderURL = link("before", oldest)
		}
		if (!q.Newest && more) || (q.Newest && before > 0) {
			d.NewerURL = link("after", newest)
		}
	}
	d.ExportURL = "/audit/export?" + base.Encode()
	s.render(w, r, http.StatusOK, "audit", "", "admin.audit.title", d)
}

// seqParam reads a paging cursor: an entry number, or nothing.
func seqParam(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err == nil && n < 0 {
		err = strconv.ErrRange
	}
	return n, err
}

func jsonText(b []byte) string {
	if s := string(b); s != "" && s != "null" && s != "{}" {
		return s
	}
	return ""
}

// auditVerify recomputes the chain and shows the outcome in place.
func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request) {
	res, err := s.app.AuditVerify(r.Context(), false)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	res.KeyPath = s.relative(res.KeyPath)
	s.render(w, r, http.StatusOK, "audit_verify", "auditVerify", "admin.audit.verify_title", res)
}

// auditExport sends the filtered log (oldest first, up to 100,000 entries) as CSV.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) {
	_, q, err := readAuditFilter(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	q.Limit = 100000
	es, err := s.app.AuditExport(r.Context(), q, "csv")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-log.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "at", "actor", "action", "object_type", "object_id", "case_id", "old", "new", "prev_hash", "hash"})
	for _, e := range es {
		cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), csvSafe(e.Actor), e.Action,
			csvSafe(e.ObjectType), csvSafe(e.ObjectID), csvSafe(e.CaseID), jsonText(e.Old), jsonText(e.New), e.PrevHash, e.Hash})
	}
	cw.Flush()
}
