package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

func newDatasetsCmd(g *globals) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "List datasets with row counts, schemas and import batches",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "datasets")
			if err != nil {
				return err
			}
			defer a.Close()
			ds, err := a.Datasets(cmd.Context())
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"datasets": ds}, func(w io.Writer) {
				if len(ds) == 0 {
					fmt.Fprintln(w, "No datasets yet. Import a file: procura import FILE --dataset NAME --kind KIND")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "DATASET\tKIND\tROWS\tCOLUMNS\tBATCHES\tUPDATED")
				for _, d := range ds {
					kind := d.Kind
					if kind == "" {
						kind = "-"
					}
					fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", d.Name, kind, d.Rows, len(d.Columns), len(d.Batches), d.UpdatedAt)
				}
				tw.Flush()
				if !verbose {
					return
				}
				for _, d := range ds {
					fmt.Fprintf(w, "\n%s\n", d.Name)
					tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
					fmt.Fprintln(tw, "  COLUMN\tTYPE\tSEMANTIC")
					for _, c := range d.Columns {
						fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, c.Type, c.Semantic)
					}
					fmt.Fprintln(tw, "  BATCH\tFILE\tREAD\tIMPORTED\tREJECTED\tAGENCY\tREQUEST\tBY\tAT")
					for _, b := range d.Batches {
						fmt.Fprintf(tw, "  %d\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", b.ID, b.FileName, b.RowsRead, b.RowsImported, b.RowsRejected, b.SourceAgency, b.RequestNo, b.Importer, b.FinishedAt.Format("2006-01-02 15:04"))
					}
					tw.Flush()
				}
			})
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also print each dataset's columns and batches")
	return cmd
}

func newRejectsCmd(g *globals) *cobra.Command {
	var (
		dataset       string
		batch         int64
		limit, offset int
		csvOut        string
	)
	cmd := &cobra.Command{
		Use:   "rejects --dataset NAME [--batch ID] [--csv FILE]",
		Short: "List rejected rows with file, line, column, reason and raw text",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataset == "" {
				return fmt.Errorf("--dataset is required; list datasets with: procura datasets")
			}
			a, err := g.open(cmd.Context(), "rejects")
			if err != nil {
				return err
			}
			defer a.Close()
			if csvOut != "" {
				return exportRejects(cmd.Context(), g, a, dataset, batch, csvOut)
			}
			page, err := a.Rejects(cmd.Context(), dataset, batch, limit, offset)
			if err != nil {
				return err
			}
			return g.emit(page, func(w io.Writer) {
				if page.Total == 0 {
					fmt.Fprintf(w, "No rejected rows in %s.\n", dataset)
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "BATCH\tFILE\tLINE\tCOLUMN\tCODE\tREASON\tRAW")
				for _, r := range page.Rejects {
					col := r.Column
					if r.ColumnNo > 0 {
						col = fmt.Sprintf("%d %s", r.ColumnNo, r.Column)
					}
					fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", r.BatchID, filepath.Base(r.File), r.Line, col, r.Code, r.Reason, clip(r.Raw, 60))
				}
				tw.Flush()
				if shown := offset + len(page.Rejects); int64(shown) < page.Total {
					fmt.Fprintf(w, "%d of %d shown; more with --offset %d\n", shown-offset, page.Total, shown)
				}
			})
		},
	}
	cmd.Flags().StringVar(&dataset, "dataset", "", "dataset whose rejects to list")
	cmd.Flags().Int64Var(&batch, "batch", 0, "only this import batch (default: all)")
	cmd.Flags().IntVar(&limit, "limit", 100, "rows per page")
	cmd.Flags().IntVar(&offset, "offset", 0, "rows to skip")
	cmd.Flags().StringVar(&csvOut, "csv", "", "write every rejected row to this CSV file (UTF-8 with BOM, opens in Excel); an audited export")
	return cmd
}

// exportRejects writes the rejects download to path and says where it went.
func exportRejects(ctx context.Context, g *globals, a *app.App, dataset string, batch int64, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("rejects CSV: %w (choose a new file name; an existing file is never overwritten)", err)
	}
	n, err := a.ExportRejects(ctx, dataset, batch, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	res := map[string]any{"dataset": dataset, "rows": n, "file": path}
	return g.emit(res, func(w io.Writer) { fmt.Fprintf(w, "Wrote %d rejected rows of %s to %s.\n", n, dataset, path) })
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
