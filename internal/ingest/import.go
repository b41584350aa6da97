// Package ingest imports files into datasets: it reads them (package tabular), maps their
// columns to a kind's fields (package schema), normalises every cell by its semantic type
// (package ident), and loads the rows in one transaction, rejecting each bad row with its file,
// line, column, reason and raw text. Nothing is dropped silently and nothing is imported twice.
package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"procura/internal/ingest/schema"
	"procura/internal/ingest/tabular"
	"procura/internal/progress"
	"procura/internal/store"
)

// Options says what to import and how.
type Options struct {
	Path    string
	Dataset string
	Kind    string            // "" = the profile's kind, or a plain dataset
	Profile string            // named mapping profile
	Map     map[string]string // kind datasets: field=column; plain datasets: column=type[:semantic]
	Read    tabular.Options   // format, encoding, delimiter, sheet, header row ("" / 0 = detect)

	SourceAgency string // who handed the data over (e.g. 某银行总行)
	RequestNo    string // the request it answers (协作编号 / 调证文书号)
	Importer     string // who imports it

	Location      *time.Location // zone of timestamps without one; default Asia/Shanghai
	DefaultRegion string         // phone numbers without a country code; default "CN"
	Workers       int            // converting goroutines; default GOMAXPROCS
	Progress      progress.Reporter
}

// Result is what an import did. Every input row is in RowsImported or RowsRejected.
type Result struct {
	Dataset             string           `json:"dataset"`
	Kind                string           `json:"kind"`
	BatchID             int64            `json:"batch_id"`
	File                string           `json:"file"`
	FileSHA256          string           `json:"file_sha256"`
	FileSize            int64            `json:"file_size"`
	EvidenceID          int64            `json:"evidence_id"` // the evidence item the file is kept as
	Format              string           `json:"format"`
	Encoding            string           `json:"encoding"`
	Delimiter           string           `json:"delimiter,omitempty"`
	Profile             string           `json:"profile,omitempty"`
	RowsRead            int64            `json:"rows_read"`
	RowsImported        int64            `json:"rows_imported"`
	RowsRejected        int64            `json:"rows_rejected"`
	RowsDuplicate       int64            `json:"rows_duplicate"`
	RowsDuplicateInFile int64            `json:"rows_duplicate_in_file"`
	RejectsByCode       map[string]int64 `json:"rejects_by_code,omitempty"`
	DuplicateOfBatch    int64            `json:"duplicate_of_batch,omitempty"`
	Mapping             []MappedColumn   `json:"mapping"`
	Warnings            []string         `json:"warnings,omitempty"`
	Seconds             float64          `json:"seconds"`
}

// MappedColumn tells where one stored column comes from.
type MappedColumn struct {
	Column   string `json:"column"`
	Type     string `json:"type"`
	Semantic string `json:"semantic"`
	From     string `json:"from"`
}

// ErrDuplicateFile is not returned; a re-import of the same content reports DuplicateOfBatch.

// Import reads the file in o.Path into dataset o.Dataset. The import is atomic: it commits
// everything or, on error or cancellation, nothing.
func Import(ctx context.Context, st *store.Store, o Options) (Result, error) {
	start := time.Now()
	o = withDefaults(o)
	pr := progress.OrNop(o.Progress)
	res := Result{Dataset: o.Dataset, File: o.Path, Profile: o.Profile}

	prof, kind, err := resolveKind(o)
	if err != nil {
		return res, err
	}
	res.Kind = kind
	if err := store.ValidateDatasetName(o.Dataset); err != nil {
		return res, err
	}
	if err := checkDatasetKind(ctx, st, o.Dataset, kind); err != nil {
		return res, err
	}

	fi, err := os.Stat(o.Path)
	if err != nil {
		return res, fmt.Errorf("import %s: %w", o.Path, err)
	}
	pr.Begin("hash", fi.Size(), "bytes")
	kept, err := keepOriginal(ctx, st, o, pr.Add)
	pr.End()
	if err != nil {
		return res, err
	}
	sha, size, stored := kept.SHA256, kept.Size, kept.Path
	res.FileSHA256, res.FileSize, res.EvidenceID = sha, size, kept.item.ID
	if prev, ok, err := st.BatchBySHA(ctx, o.Dataset, sha); err != nil {
		return res, err
	} else if ok {
		res.DuplicateOfBatch = prev.ID
		res.BatchID = prev.ID
		res.Warnings = append(res.Warnings, fmt.Sprintf("the same file content (sha256 %s…) was imported into %s as batch %d on %s from %s: nothing imported again", sha[:12], o.Dataset, prev.ID, prev.FinishedAt.Format("2006-01-02 15:04"), prev.FileName))
		res.Seconds = time.Since(start).Seconds()
		return res, nil
	}

	src, err := openSource(stored, o, pr, size)
	if err != nil {
		return res, err
	}
	defer src.Close()
	plan, err := planColumns(src, kind, prof, o)
	if err != nil {
		return res, err
	}
	det := src.reader.Detected()
	res.Format, res.Encoding = string(det.Format), det.Encoding
	if det.Delimiter != 0 {
		res.Delimiter = string(det.Delimiter)
	}
	res.Mapping, res.Warnings = plan.described(), append(res.Warnings, plan.mapping.Warnings...)

	if err := load(ctx, st, o, kind, plan, src, &res); err != nil {
		return res, err
	}
	if w := kept.link(ctx, o.Dataset, res.BatchID); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

func withDefaults(o Options) Options {
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		o.Location = loc
	}
	if o.DefaultRegion == "" {
		o.DefaultRegion = "CN"
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// resolveKind finds the profile and the kind it implies, and checks that they agree.
func resolveKind(o Options) (*schema.Profile, string, error) {
	var prof *schema.Profile
	kind := o.Kind
	if o.Profile != "" {
		p, ok := schema.ProfileByName(o.Profile)
		if !ok {
			return nil, "", fmt.Errorf("unknown mapping profile %q; known profiles: %s", o.Profile, profileNames())
		}
		prof = &p
		if kind == "" {
			kind = p.Kind
		} else if kind != p.Kind {
			return nil, "", fmt.Errorf("profile %s maps %s, not %s; drop --kind or choose another profile", p.Name, p.Kind, kind)
		}
	}
	if kind != "" {
		if _, ok := schema.KindByName(kind); !ok {
			return nil, "", fmt.Errorf("unknown kind %q; known kinds: %s", kind, kindNames())
		}
	}
	return prof, kind, nil
}

func profileNames() string {
	var names []string
	for _, p := range schema.Profiles() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

func kindNames() string { return strings.Join(schema.KindNames(), ", ") }

// checkDatasetKind refuses to add a file of one kind to a dataset of another.
func checkDatasetKind(ctx context.Context, st *store.Store, dataset, kind string) error {
	infos, err := st.Datasets(ctx)
	if err != nil {
		return err
	}
	for _, d := range infos {
		if d.Name == dataset && d.Kind != kind {
			have, want := d.Kind, kind
			if have == "" {
				have = "plain (no kind)"
			}
			if want == "" {
				want = "plain (no kind)"
			}
			return fmt.Errorf("dataset %s holds %s data, this import is %s; import into another dataset or pass --kind %s", dataset, have, want, d.Kind)
		}
	}
	return nil
}

// source is the opened file with the records read ahead for type inference.
type source struct {
	reader tabular.Reader
	file   *os.File
	ahead  []tabular.Record
	aheadE []error
	name   string
}

func (s *source) Close() error {
	s.reader.Close()
	return s.file.Close()
}

func openSource(stored string, o Options, pr progress.Reporter, size int64) (*source, error) {
	f, err := os.Open(stored)
	if err != nil {
		return nil, err
	}
	pr.Begin("import", size, "bytes")
	name := filepath.Base(o.Path)
	r, err := tabular.OpenReader(name, &countingReader{r: f, add: pr.Add}, o.Read)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("import %s: %w", o.Path, err)
	}
	return &source{reader: r, file: f, name: name}, nil
}

type countingReader struct {
	r   io.Reader
	add func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.add(int64(n))
	return n, err
}

// columnPlan is the mapping of a file to stored columns, plus the dataset's full schema.
type columnPlan struct {
	mapping schema.Mapping
	header  []string
	conv    *converter
	defs    []store.ColumnDef // every column of the dataset table (kind fields not in the file too)
	fields  []schema.Field
}

func (p *columnPlan) described() []MappedColumn {
	out := make([]MappedColumn, len(p.conv.cols))
	for i, c := range p.conv.cols {
		out[i] = MappedColumn{Column: c.name, Type: c.dataType, Semantic: c.plan.Field.Semantic, From: c.plan.Header}
	}
	return out
}

// planColumns maps the file to a kind, or infers a plain dataset's columns from the first rows.
func planColumns(src *source, kind string, prof *schema.Profile, o Options) (*columnPlan, error) {
	header := src.reader.Header()
	var m schema.Mapping
	var err error
	var k schema.Kind
	if kind != "" {
		k, _ = schema.KindByName(kind)
		m, err = schema.Resolve(header, kind, prof, o.Map)
	} else {
		sample := readAhead(src, 1000)
		m, err = schema.Infer(header, sample, o.Map)
	}
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", src.name, err)
	}
	conv := newConverter(m, header, convOptions{Location: o.Location, DefaultRegion: o.DefaultRegion})
	p := &columnPlan{mapping: m, header: header, conv: conv.clone()}
	p.defs = p.conv.columnDefs()
	have := map[string]bool{}
	for _, d := range p.defs {
		have[d.Name] = true
	}
	for _, f := range k.Fields {
		if !have[f.Name] {
			p.defs = append(p.defs, store.ColumnDef{Name: f.Name, Type: f.Type})
		}
	}
	for _, c := range p.conv.cols {
		p.fields = append(p.fields, c.plan.Field)
	}
	return p, nil
}

// readAhead buffers up to n records (for inference) and returns their cells; the buffered
// records are replayed by the loader, so none is lost.
func readAhead(src *source, n int) [][]string {
	var sample [][]string
	for len(src.ahead) < n {
		rec, err := src.reader.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rec.Fields = slices.Clone(rec.Fields) // the reader reuses the slice
		src.ahead = append(src.ahead, rec)
		src.aheadE = append(src.aheadE, err)
		if err == nil {
			sample = append(sample, rec.Fields)
		}
	}
	return sample
}

// schemaJSON is the dataset schema kept in the catalog.
func schemaJSON(kind string, defs []store.ColumnDef, fields []schema.Field) string {
	type col struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Semantic string `json:"semantic"`
	}
	sem := map[string]string{}
	for _, f := range fields {
		sem[f.Name] = f.Semantic
	}
	if k, ok := schema.KindByName(kind); ok {
		for _, f := range k.Fields {
			sem[f.Name] = f.Semantic
		}
	}
	cols := make([]col, len(defs))
	for i, d := range defs {
		cols[i] = col{Name: d.Name, Type: d.Type, Semantic: sem[d.Name]}
	}
	b, _ := json.Marshal(map[string]any{"kind": kind, "columns": cols})
	return string(b)
}
