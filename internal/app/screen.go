package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"procura/internal/audit"
	"procura/internal/progress"
	"procura/internal/screen"
	"procura/internal/screen/sources/csv"
	"procura/internal/screen/sources/ftm"
	"procura/internal/screen/sources/ofac"
	"procura/internal/screen/sources/un"
	"procura/internal/store"
)

// ScreenRequest names the lists to screen against and the names to screen.
type ScreenRequest struct {
	// Lists are "ofac:DIR", "un:FILE.xml", "ftm:FILE.json", "csv:FILE" or "workspace" (the
	// persons, case_parties and companies datasets of the workspace).
	Lists    []string
	Queries  []string // names, or identifiers (passport, ID numbers)
	Top      int      // matches per query; 0 = screen.DefaultTop
	MinScore float64  // 0 = screen.DefaultMinScore
	Types    []string // keep only entries of these types (individual, entity, vessel, aircraft); empty = all
	Progress progress.Reporter
}

// entryTypes are the types a listed entry may have.
var entryTypes = []string{"individual", "entity", "vessel", "aircraft"}

// ScreenedList describes one list the index was built from.
type ScreenedList struct {
	Spec     string `json:"list"`
	Entities int    `json:"entities"`
}

// ScreenQuery is the answer for one query.
type ScreenQuery struct {
	Query   string         `json:"query"`
	Matches []screen.Match `json:"matches"`
}

// ScreenResult is a screening run.
type ScreenResult struct {
	Lists    []ScreenedList `json:"lists"`
	Names    int            `json:"names_indexed"`
	MinScore float64        `json:"min_score"`
	Top      int            `json:"top"`
	Hits     int            `json:"queries_with_matches"`
	Results  []ScreenQuery  `json:"results"`
}

// listParsers read a one-file list source each; the spec's prefix chooses the parser. OFAC
// lists are a directory of files and are read by ofac.Read.
var listParsers = map[string]func(context.Context, io.Reader, string) ([]screen.Entity, error){
	"un": un.Parse, "ftm": ftm.Parse, "csv": csv.Parse,
}

// Screen screens names against sanctions and watch lists and the workspace's own persons. A
// screening run is a sensitive read: who looked up whom is recorded in the audit log, with
// the queries themselves.
func (a *App) Screen(ctx context.Context, req ScreenRequest) (ScreenResult, error) {
	p, err := a.authorize(ctx, ActScreeningRun)
	if err != nil {
		return ScreenResult{}, err
	}
	if len(req.Lists) == 0 {
		return ScreenResult{}, fmt.Errorf("%w: name at least one list: --list ofac:DIR, un:FILE.xml, ftm:FILE.json, csv:FILE or workspace", ErrInvalid)
	}
	var queries []string
	for _, q := range req.Queries {
		if q = strings.TrimSpace(q); q != "" {
			queries = append(queries, q)
		}
	}
	if len(queries) == 0 {
		return ScreenResult{}, fmt.Errorf("%w: nothing to screen; give --query NAME or --query-file FILE", ErrInvalid)
	}
	opt := screen.Options{Top: req.Top, MinScore: req.MinScore, Types: req.Types}
	for _, t := range req.Types {
		if !slices.Contains(entryTypes, t) {
			return ScreenResult{}, fmt.Errorf("%w: --type %q: use %s", ErrInvalid, t, strings.Join(entryTypes, ", "))
		}
	}
	if opt.MinScore < 0 || opt.MinScore > 1 {
		return ScreenResult{}, fmt.Errorf("%w: --min-score %v is outside 0..1", ErrInvalid, opt.MinScore)
	}
	res := ScreenResult{MinScore: screen.DefaultMinScore, Top: screen.DefaultTop}
	if opt.MinScore > 0 {
		res.MinScore = math.Round(opt.MinScore*1000) / 1000
	}
	if opt.Top > 0 {
		res.Top = opt.Top
	}
	prog := progress.OrNop(req.Progress)
	var ents []screen.Entity
	for _, spec := range req.Lists {
		got, err := a.readList(ctx, spec, prog)
		if err != nil {
			return ScreenResult{}, err
		}
		res.Lists = append(res.Lists, ScreenedList{Spec: spec, Entities: len(got)})
		ents = append(ents, got...)
	}
	ix, err := screen.NewIndex(ctx, ents, prog)
	if err != nil {
		return ScreenResult{}, err
	}
	_, res.Names = ix.Size()
	res.Results = searchAll(ctx, ix, queries, opt, prog)
	if err := ctx.Err(); err != nil {
		return ScreenResult{}, err
	}
	for _, r := range res.Results {
		if len(r.Matches) > 0 {
			res.Hits++
		}
	}
	if err := a.auditScreening(ctx, p, req.Lists, queries, res); err != nil {
		return ScreenResult{}, err
	}
	return res, a.conceal(ctx, &res, shown{Object: "screening", Rows: res.Hits}, basePlan)
}

// searchAll screens the queries on every core, keeping their order.
func searchAll(ctx context.Context, ix *screen.Index, queries []string, opt screen.Options, prog progress.Reporter) []ScreenQuery {
	out := make([]ScreenQuery, len(queries))
	prog.Begin("screening", int64(len(queries)), "queries")
	defer prog.End()
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(queries))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(queries); i += workers {
				if i%256 == w && ctx.Err() != nil {
					return
				}
				ms := ix.Search(queries[i], opt)
				if ms == nil {
					ms = []screen.Match{}
				}
				out[i] = ScreenQuery{Query: queries[i], Matches: ms}
				prog.Add(1)
			}
		}(w)
	}
	wg.Wait()
	return out
}

// readList reads one list spec, reporting the bytes read of a list file to prog.
func (a *App) readList(ctx context.Context, spec string, prog progress.Reporter) ([]screen.Entity, error) {
	kind, path, _ := strings.Cut(spec, ":")
	switch {
	case spec == "workspace":
		return a.workspaceEntities(ctx)
	case kind == "ofac" && path != "":
		return ofac.Read(ctx, path)
	}
	parse := listParsers[kind]
	if parse == nil || path == "" {
		return nil, fmt.Errorf("%w: list %q: write ofac:DIR, un:FILE.xml, ftm:FILE.json, csv:FILE or workspace", ErrInvalid, spec)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w; check the path after %s:", spec, err, kind)
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	prog.Begin("reading "+path, size, "bytes")
	defer prog.End()
	return parse(ctx, &countingReader{r: f, prog: prog}, path)
}

// countingReader reports the bytes read through it.
type countingReader struct {
	r    io.Reader
	prog progress.Reporter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.prog.Add(int64(n))
	return n, err
}

// workspaceKinds are the dataset kinds whose rows are screened as the workspace's own list,
// with the columns that hold names and identifiers.
var workspaceKinds = map[string]struct{ names, ids []string }{
	"persons":      {names: []string{"name"}, ids: []string{"id_number"}},
	"case_parties": {names: []string{"name"}, ids: []string{"id_number", "bank_card", "account", "phone"}},
	"companies":    {names: []string{"name"}, ids: []string{"uscc"}},
}

// workspaceEntities reads the persons, case parties and companies of the workspace as a list.
// An entry's id is "workspace:DATASET:BATCH:LINE": the import batch and the line of the
// imported file it came from. Persons without a full name column use surname and given name.
func (a *App) workspaceEntities(ctx context.Context) ([]screen.Entity, error) {
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	var ents []screen.Entity
	for _, info := range infos {
		cols, ok := workspaceKinds[info.Kind]
		if !ok {
			continue
		}
		var sch struct {
			Columns []DatasetColumn `json:"columns"`
		}
		if err := json.Unmarshal([]byte(info.ColumnsJSON), &sch); err != nil {
			return nil, fmt.Errorf("dataset %s: stored schema is unreadable: %w", info.Name, err)
		}
		have := map[string]bool{}
		for _, c := range sch.Columns {
			have[c.Name] = true
		}
		read := []string{store.ColBatch, store.ColLine}
		for _, c := range append(append(append([]string{}, cols.names...), cols.ids...), "surname", "given_name", "case_no") {
			if have[c] {
				read = append(read, c)
			}
		}
		if len(read) == 2 {
			continue
		}
		err := a.st.ScanText(ctx, info.Name, read, 50_000, func(rows [][]string) error {
			for _, r := range rows {
				ents = append(ents, workspaceEntity(info.Name, info.Kind, read, r, cols.ids))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read dataset %s for screening: %w", info.Name, err)
		}
	}
	return ents, nil
}

func workspaceEntity(dataset, kind string, cols, row []string, idCols []string) screen.Entity {
	val := map[string]string{}
	for i, c := range cols {
		if i < len(row) {
			val[c] = strings.TrimSpace(row[i])
		}
	}
	e := screen.Entity{ListID: "workspace:" + dataset + ":" + val[store.ColBatch] + ":" + val[store.ColLine], Type: "individual"}
	if kind == "companies" {
		e.Type = "entity"
	}
	if v := val["case_no"]; v != "" {
		e.Programs = []string{"case " + v}
	}
	name := val["name"]
	if name == "" {
		name = strings.TrimSpace(val["surname"] + " " + val["given_name"])
	}
	if name != "" {
		e.Names = []string{name}
	}
	for _, c := range idCols {
		if v := val[c]; v != "" {
			e.IDs = append(e.IDs, screen.Identifier{Kind: c, Value: v})
		}
	}
	return e
}

// maxAuditedQueries is how many queries a screening event records as typed; a bulk run
// records the first ones, the count and the SHA-256 of them all (the query file can be checked
// against it).
const maxAuditedQueries = 1000

// auditScreening records the run: the lists, the queries (who was looked up is what an
// auditor asks about) and how many matched.
func (a *App) auditScreening(ctx context.Context, p Principal, lists, queries []string, res ScreenResult) error {
	h := sha256.New()
	for _, q := range queries {
		h.Write([]byte(q))
		h.Write([]byte{0})
	}
	digest := hex.EncodeToString(h.Sum(nil))
	matched := 0
	for _, r := range res.Results {
		matched += len(r.Matches)
	}
	ev := map[string]any{"lists": lists, "queries": queries, "queries_sha256": digest, "query_count": len(queries),
		"queries_with_matches": res.Hits, "matches": matched, "min_score": res.MinScore, "top": res.Top}
	if len(queries) > maxAuditedQueries {
		ev["queries"], ev["queries_recorded"] = queries[:maxAuditedQueries], maxAuditedQueries
	}
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: "screening.run", ObjectType: "screening", ObjectID: digest[:16], New: ev})
	}
	if err != nil {
		return fmt.Errorf("the screening ran, but recording it in the audit log failed, so its result is withheld: %w; check the chain with procura audit verify", err)
	}
	return nil
}
