package server

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"procura/internal/app"
)

// listsDir is where a workspace keeps its screening lists: each file or OFAC directory there
// is offered on the screening page (lists/ofac/ with sdn.csv, lists/un.xml, lists/x.ftm.json,
// lists/watch.csv), beside the workspace's own persons.
const listsDir = "lists"

// maxBatchNames bounds one uploaded CSV of names: a screening run holds every result in memory
// and the page shows them all.
const maxBatchNames = 20000

// screenList is one list the page offers: Spec is what the form sends (the path relative to
// the workspace), Label what the user reads.
type screenList struct {
	Spec, Label string
	Checked     bool
}

// workspaceLists finds the lists the workspace holds: "workspace" and the files of lists/.
func (s *Server) workspaceLists() []screenList {
	out := []screenList{{Spec: "workspace", Label: "workspace"}}
	entries, err := os.ReadDir(filepath.Join(s.app.Workspace(), listsDir))
	if err != nil {
		return out
	}
	for _, e := range entries {
		rel := listsDir + "/" + e.Name()
		name := strings.ToLower(e.Name())
		var kind string
		switch {
		case e.IsDir():
			if _, err := os.Stat(filepath.Join(s.app.Workspace(), listsDir, e.Name(), "sdn.csv")); err == nil {
				kind = "ofac"
			}
		case strings.HasSuffix(name, ".xml"):
			kind = "un"
		case strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".jsonl"):
			kind = "ftm"
		case strings.HasSuffix(name, ".csv"):
			kind = "csv"
		}
		if kind != "" {
			out = append(out, screenList{Spec: kind + ":" + rel, Label: kind + ": " + e.Name()})
		}
	}
	return out
}

// screenRow is one line of the results table: a query and one of its matches (or none).
type screenRow struct {
	Query, List, Name, Primary, Type, Explanation string
	Score                                         float64
	Matched                                       bool
}

type screenData struct {
	Lists    []screenList
	Name, ID string
	// Settings of the run, as typed: the entry type to keep and the score a match needs.
	Type, MinScore string
	Types          []string
	Error          string
	Ran            bool
	Batch          bool // an uploaded file: the result can be downloaded
	Result         app.ScreenResult
	Rows           []screenRow
	Download       string // URL of the batch result as CSV
}

func (s *Server) screenPage(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Can(r.Context(), app.ActScreeningRun); err != nil {
		s.pageError(w, r, err)
		return
	}
	d := screenData{Lists: s.workspaceLists(), Types: screenTypes}
	d.Lists[0].Checked = true
	s.render(w, r, http.StatusOK, "screen", "", "admin.screen.title", d)
}

// screenOne screens one name, and the ID or passport number when given (an identifier listed
// for an entry matches it exactly).
func (s *Server) screenOne(w http.ResponseWriter, r *http.Request) {
	d := screenData{Name: strings.TrimSpace(r.PostFormValue("name")), ID: strings.TrimSpace(r.PostFormValue("id_number")),
		Type: r.PostFormValue("type"), MinScore: strings.TrimSpace(r.PostFormValue("min_score"))}
	var queries []string
	for _, q := range []string{d.Name, d.ID} {
		if q != "" {
			queries = append(queries, q)
		}
	}
	s.runScreen(w, r, d, r.PostForm["list"], queries)
}

// screenBatch screens every name of an uploaded CSV and keeps the result for its CSV download.
func (s *Server) screenBatch(w http.ResponseWriter, r *http.Request) {
	up, ok := s.readUploadPage(w, r)
	if !ok {
		return
	}
	defer up.remove()
	// A multipart form keeps one value per field name, so the boxes are list.0, list.1, …
	var lists []string
	for k, v := range up.fields {
		if strings.HasPrefix(k, "list.") {
			lists = append(lists, v)
		}
	}
	slices.Sort(lists)
	queries, err := readNames(up.path)
	if err != nil {
		d := screenData{Lists: s.checkedLists(lists), Types: screenTypes, Error: fmt.Sprintf("%s: %v", up.name, err)}
		s.render(w, r, http.StatusBadRequest, "screen", "screenResults", "admin.screen.title", d)
		return
	}
	s.runScreen(w, r, screenData{Batch: true, Type: up.fields["type"], MinScore: strings.TrimSpace(up.fields["min_score"])}, lists, queries)
}

// checkedLists is the page's list choice with the lists the user chose ticked.
func (s *Server) checkedLists(chosen []string) []screenList {
	ls := s.workspaceLists()
	for i := range ls {
		ls[i].Checked = slices.Contains(chosen, ls[i].Spec)
	}
	return ls
}

// screenTypes are the entry types a run may keep (internal/app checks them).
var screenTypes = []string{"individual", "entity", "vessel", "aircraft"}

func (s *Server) runScreen(w http.ResponseWriter, r *http.Request, d screenData, lists, queries []string) {
	d.Lists, d.Types = s.checkedLists(lists), screenTypes
	req := app.ScreenRequest{Queries: queries}
	if d.Type != "" {
		req.Types = []string{d.Type}
	}
	if d.MinScore != "" {
		v, err := strconv.ParseFloat(d.MinScore, 64)
		if err != nil {
			d.Error = fmt.Sprintf("minimum score %q is not a number: write one from 0 to 1, such as 0.9", d.MinScore)
			s.render(w, r, http.StatusBadRequest, "screen", "screenResults", "admin.screen.title", d)
			return
		}
		req.MinScore = v
	}
	offered := map[string]bool{}
	for _, l := range d.Lists {
		offered[l.Spec] = true
	}
	var specs []string
	for _, l := range lists {
		if !offered[l] {
			d.Error = fmt.Sprintf("list %q is not one of this workspace's lists; choose among those shown", l)
			s.render(w, r, http.StatusBadRequest, "screen", "screenResults", "admin.screen.title", d)
			return
		}
		if l == "workspace" {
			specs = append(specs, l)
			continue
		}
		kind, rel, _ := strings.Cut(l, ":")
		p, _ := s.workspaceFile(rel)
		specs = append(specs, kind+":"+p)
	}
	if len(specs) == 0 {
		d.Error = "choose at least one list to screen against"
		s.render(w, r, http.StatusBadRequest, "screen", "screenResults", "admin.screen.title", d)
		return
	}
	req.Lists = specs
	res, err := s.app.Screen(r.Context(), req)
	if err != nil {
		status, _ := statusOf(err)
		if status == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		d.Error = s.hideWorkspace(err.Error())
		s.render(w, r, status, "screen", "screenResults", "admin.screen.title", d)
		return
	}
	for i := range res.Lists {
		res.Lists[i].Spec = s.hideWorkspace(res.Lists[i].Spec)
	}
	d.Ran, d.Result, d.Rows = true, res, screenRows(res)
	if d.Batch {
		p, _ := app.PrincipalFrom(r.Context())
		d.Download = "/screen/results/" + s.screens.keep(p.Name, res)
	}
	s.render(w, r, http.StatusOK, "screen", "screenResults", "admin.screen.title", d)
}

// hideWorkspace writes paths inside the workspace relative to it: pages do not reveal the
// server's layout.
func (s *Server) hideWorkspace(text string) string {
	return strings.ReplaceAll(text, s.app.Workspace()+string(filepath.Separator), "")
}

func screenRows(res app.ScreenResult) []screenRow {
	var rows []screenRow
	for _, q := range res.Results {
		if len(q.Matches) == 0 {
			rows = append(rows, screenRow{Query: q.Query})
			continue
		}
		for _, m := range q.Matches {
			list, _, _ := strings.Cut(m.ListID, ":")
			rows = append(rows, screenRow{Query: q.Query, List: list, Name: m.Name, Primary: m.PrimaryName, Type: m.Type,
				Score: m.Score, Explanation: m.Explanation, Matched: true})
		}
	}
	return rows
}

// readNames reads the names of a CSV: the column headed name (姓名) and, when there is one,
// the column of ID or passport numbers (id_number, passport, 证件号码) as further queries.
// A file without such a header is one name per line in its first column.
func readNames(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	nameCol, idCol, first := 0, -1, true
	var out []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%v; save the names as CSV, one name per line or with a column headed name", err)
		}
		if first {
			first = false
			if n, id, ok := nameHeader(rec); ok {
				nameCol, idCol = n, id
				continue
			}
		}
		for _, c := range []int{nameCol, idCol} {
			if c >= 0 && c < len(rec) && strings.TrimSpace(rec[c]) != "" && !strings.HasPrefix(strings.TrimSpace(rec[c]), "#") {
				out = append(out, strings.TrimSpace(rec[c]))
			}
		}
		if len(out) > maxBatchNames {
			return nil, fmt.Errorf("more than %d names; split the file", maxBatchNames)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no names in the file; put one name per line, or a column headed name")
	}
	return out, nil
}

func nameHeader(rec []string) (name, id int, ok bool) {
	name, id = -1, -1
	for i, h := range rec {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "name", "full_name", "姓名", "名称":
			name = i
		case "id_number", "id", "passport", "passport_number", "证件号码", "身份证号":
			id = i
		}
	}
	return name, id, name >= 0
}

// screenStash keeps recent batch results for their CSV download, by random id and owner: a
// download neither screens again nor writes a second audit entry for the same run.
type screenStash struct {
	mu    sync.Mutex
	order []string
	byID  map[string]stashedScreen
}

type stashedScreen struct {
	owner string
	res   app.ScreenResult
}

// maxStashed is how many batch results the server keeps; older ones must be screened again.
const maxStashed = 32

func (st *screenStash) keep(owner string, res app.ScreenResult) string {
	id := randomToken()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.byID == nil {
		st.byID = map[string]stashedScreen{}
	}
	st.byID[id] = stashedScreen{owner: owner, res: res}
	st.order = append(st.order, id)
	if len(st.order) > maxStashed {
		delete(st.byID, st.order[0])
		st.order = st.order[1:]
	}
	return id
}

func (st *screenStash) get(owner, id string) (app.ScreenResult, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.byID[id]
	return e.res, ok && e.owner == owner
}

// screenDownload sends a kept batch result as CSV: one line per match, or per query without one.
func (s *Server) screenDownload(w http.ResponseWriter, r *http.Request) {
	p, _ := app.PrincipalFrom(r.Context())
	res, ok := s.screens.get(p.Name, r.PathValue("id"))
	if !ok {
		s.pageError(w, r, errors.Join(app.ErrNotFound, errors.New("this screening result is gone (the server keeps the last few, until it restarts): screen the file again")))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="screening.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"query", "list_id", "name", "primary_name", "type", "score", "explanation"})
	for _, q := range res.Results {
		if len(q.Matches) == 0 {
			cw.Write([]string{csvSafe(q.Query), "", "", "", "", "", ""})
		}
		for _, m := range q.Matches {
			cw.Write([]string{csvSafe(q.Query), m.ListID, csvSafe(m.Name), csvSafe(m.PrimaryName), m.Type,
				strconv.FormatFloat(m.Score, 'f', 3, 64), csvSafe(m.Explanation)})
		}
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (=, +, -, @ at the start).
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
