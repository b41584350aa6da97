package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"

	"procura/internal/ingest"
	"procura/internal/mask"
	"procura/internal/store"
)

// ImportRequest is one file to import.
type ImportRequest = ingest.Options

// Import imports one file into a dataset, as the user who acts in ctx.
func (a *App) Import(ctx context.Context, req ImportRequest) (ingest.Result, error) {
	p, err := a.authorize(ctx, ActDatasetImport)
	if err != nil {
		return ingest.Result{}, err
	}
	req.Importer = p.Name
	res, err := ingest.Import(ctx, a.st, req)
	return a.auditImport(ctx, res, err)
}

// DryRun shows how a file would be imported without storing anything. It reads only the
// caller's own file and no workspace, so it needs no permission; the server calls App.DryRun.
func DryRun(req ImportRequest, rows int) (ingest.Preview, error) {
	return ingest.DryRun(req, rows)
}

// DryRun is DryRun for a user of the workspace (the server's import wizard): it needs the
// permission to import.
func (a *App) DryRun(ctx context.Context, req ImportRequest, rows int) (ingest.Preview, error) {
	if _, err := a.authorize(ctx, ActDatasetImport); err != nil {
		return ingest.Preview{}, err
	}
	pv, err := ingest.DryRun(req, rows)
	if err != nil {
		return pv, err
	}
	sem := map[string]string{}
	for _, m := range pv.Mapping {
		sem[m.Column] = m.Semantic
	}
	return pv, a.conceal(ctx, &pv, shown{Object: "import_preview", ID: pv.File, Rows: len(pv.Rows) + len(pv.Rejects)}, basePlan.withColumns(sem))
}

// Dataset is a dataset as users see it.
type Dataset struct {
	Name      string          `json:"name"`
	Kind      string          `json:"kind,omitempty"`
	Rows      int64           `json:"rows"`
	Columns   []DatasetColumn `json:"columns"`
	Batches   []store.Batch   `json:"batches"`
	CreatedAt string          `json:"created_at"`
	UpdatedAt string          `json:"updated_at"`
}

// DatasetColumn is one column of a dataset schema.
type DatasetColumn struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Semantic string `json:"semantic"`
}

// Datasets lists the workspace's datasets with row counts, schemas and import batches.
func (a *App) Datasets(ctx context.Context) ([]Dataset, error) {
	if _, err := a.authorize(ctx, ActDatasetRead); err != nil {
		return nil, err
	}
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Dataset, 0, len(infos))
	for _, d := range infos {
		var sch struct {
			Columns []DatasetColumn `json:"columns"`
		}
		if d.ColumnsJSON != "" {
			if err := json.Unmarshal([]byte(d.ColumnsJSON), &sch); err != nil {
				return nil, fmt.Errorf("dataset %s: stored schema is unreadable: %w", d.Name, err)
			}
		}
		batches := d.Batches
		if batches == nil {
			batches = []store.Batch{}
		}
		out = append(out, Dataset{Name: d.Name, Kind: d.Kind, Rows: d.Rows, Columns: sch.Columns, Batches: batches,
			CreatedAt: d.CreatedAt.Format("2006-01-02 15:04:05"), UpdatedAt: d.UpdatedAt.Format("2006-01-02 15:04:05")})
	}
	return out, nil
}

// DatasetNames lists the datasets' names in order, for choosers such as the clue queue's
// dataset filter: Datasets' permission, without its row counts and batches, from memory
// while the schemas are unchanged (datasetSchemas).
func (a *App) DatasetNames(ctx context.Context) ([]string, error) {
	if _, err := a.authorize(ctx, ActDatasetRead); err != nil {
		return nil, err
	}
	snap, err := a.datasetSchemas(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(snap.names), nil
}

// RejectPage is one page of a dataset's rejected rows.
type RejectPage struct {
	Dataset string         `json:"dataset"`
	Total   int64          `json:"total"`
	Offset  int            `json:"offset"`
	Rejects []store.Reject `json:"rejects"`
}

// Rejects lists rejected rows of a dataset (batch 0 = every batch).
func (a *App) Rejects(ctx context.Context, dataset string, batch int64, limit, offset int) (RejectPage, error) {
	if _, err := a.authorize(ctx, ActDatasetRead); err != nil {
		return RejectPage{}, err
	}
	if err := a.requireDataset(ctx, dataset); err != nil {
		return RejectPage{}, err
	}
	rs, total, err := a.st.Rejects(ctx, dataset, batch, limit, offset)
	if err != nil {
		return RejectPage{}, err
	}
	if rs == nil {
		rs = []store.Reject{}
	}
	page := RejectPage{Dataset: dataset, Total: total, Offset: offset, Rejects: rs}
	return page, a.conceal(ctx, &page, shown{Object: "dataset", ID: dataset, Rows: len(rs)}, basePlan)
}

func (a *App) requireDataset(ctx context.Context, name string) error {
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, d := range infos {
		if d.Name == name {
			return nil
		}
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return fmt.Errorf("%w: no dataset %q: the workspace has no datasets yet; import a file first", ErrNotFound, name)
	}
	return fmt.Errorf("%w: no dataset %q; the workspace has: %v", ErrNotFound, name, names)
}

// rejectsCSVHeader names the columns of a rejects download.
var rejectsCSVHeader = []string{"batch_id", "file", "line", "column_no", "column", "code", "reason", "raw"}

// ExportRejects writes every rejected row of a dataset (batch 0 = every batch) to w as CSV,
// UTF-8 with a byte-order mark so that Excel shows Chinese text, and records the export in
// the audit log. It returns the number of rows written.
func (a *App) ExportRejects(ctx context.Context, dataset string, batch int64, w io.Writer) (int, error) {
	if _, err := a.authorize(ctx, ActDatasetRead); err != nil {
		return 0, err
	}
	if err := a.requireDataset(ctx, dataset); err != nil {
		return 0, err
	}
	_, total, err := a.st.Rejects(ctx, dataset, batch, 1, 0)
	if err != nil {
		return 0, err
	}
	unmasked, err := a.exported(ctx, exportRecord{Object: "rejects", ID: dataset, Rows: int(total), Format: "csv",
		Detail: map[string]any{"batch": batch}})
	if err != nil {
		return 0, err
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(rejectsCSVHeader); err != nil {
		return 0, err
	}
	const pageRows = 10_000
	n := 0
	for off := 0; int64(off) < total; off += pageRows {
		rs, _, err := a.st.Rejects(ctx, dataset, batch, pageRows, off)
		if err != nil {
			return n, err
		}
		if len(rs) == 0 {
			break
		}
		if !unmasked {
			mask.Walk(&rs, basePlan.apply, maskRefs)
		}
		for _, r := range rs {
			rec := []string{strconv.FormatInt(r.BatchID, 10), filepath.Base(r.File), strconv.FormatInt(r.Line, 10),
				strconv.Itoa(r.ColumnNo), r.Column, r.Code, r.Reason, r.Raw}
			if err := cw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
	}
	cw.Flush()
	return n, cw.Error()
}
