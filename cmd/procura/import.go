package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/ingest"
	"procura/internal/ingest/tabular"
)

func newImportCmd(g *globals) *cobra.Command {
	var (
		req       app.ImportRequest
		format    string
		delimiter string
		timeZone  string
		dryRun    bool
		rows      int
	)
	cmd := &cobra.Command{
		Use:   "import FILE... --dataset NAME [--kind KIND | --profile NAME] [--map field=column,...]",
		Short: "Import files into a dataset; every row is imported or rejected with its reason",
		Long: `Import CSV/TSV, XLSX, JSON lines, JSON arrays or Parquet files into a dataset.

The encoding (UTF-8, GBK/GB18030, UTF-16), delimiter and header row are detected; the columns
are mapped to the kind's fields by their Chinese or English names, by a named profile, or by
--map. Each file is one import batch, kept with its SHA-256 in the workspace's evidence store;
importing the same content twice into one dataset imports nothing the second time.`,
		Example: `  procura import 流水.xlsx --dataset bank_tx --profile cn-bank-inquiry --source-agency 某银行 --request-no 2024-001
  procura import bank.csv --dataset bank_tx --kind transactions --map amount=交易金额,counterparty_account=对手账号
  procura import roster.csv --dataset roster --dry-run`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if req.Dataset == "" && !dryRun {
				return fmt.Errorf("--dataset is required: the name of the dataset to import into (lower-case letters, digits and _), e.g. --dataset bank_tx")
			}
			req.Read.Format = tabular.Format(format)
			if delimiter != "" {
				d, err := parseDelimiter(delimiter)
				if err != nil {
					return err
				}
				req.Read.Delimiter = d
			}
			if timeZone != "" {
				loc, err := time.LoadLocation(timeZone)
				if err != nil {
					return fmt.Errorf("--time-zone %q: %v; use an IANA name such as Asia/Shanghai", timeZone, err)
				}
				req.Location = loc
			}
			if dryRun {
				return dryRunFiles(g, req, args, rows)
			}
			a, rc, err := g.openOrForward(cmd.Context(), "import")
			if err != nil {
				return err
			}
			if rc != nil {
				return forwardImport(cmd, g, rc, req, args)
			}
			defer a.Close()
			var results []any
			for _, path := range args {
				r := req
				r.Path = path
				r.Progress = g.newBar()
				res, err := a.Import(cmd.Context(), r)
				if err != nil {
					return err
				}
				results = append(results, res)
				if !g.json {
					printImport(g.out, res)
				}
			}
			return emitImports(g, results)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Dataset, "dataset", "", "dataset to import into (created on first import)")
	f.StringVar(&req.Kind, "kind", "", "kind of data: transactions, calls, persons, accounts, cases, ... (empty = plain dataset with inferred types)")
	f.StringVar(&req.Profile, "profile", "", "named mapping profile, e.g. cn-bank-inquiry, cn-police-feedback, en-bank-statement, amlsim")
	f.StringToStringVar(&req.Map, "map", nil, "column mapping overrides: field=column,... (column by header text or 1-based number); for plain datasets column=type[:semantic]")
	f.StringVar(&format, "format", "", "csv, tsv, xlsx, jsonl, json or parquet (default: detect)")
	f.StringVar(&req.Read.Encoding, "encoding", "", "utf-8, gbk, gb18030, utf-16le or utf-16be (default: detect)")
	f.StringVar(&delimiter, "delimiter", "", `CSV delimiter: ",", ";", "|" or "tab" (default: detect)`)
	f.StringVar(&req.Read.Sheet, "sheet", "", "XLSX sheet to import (default: every sheet with data)")
	f.IntVar(&req.Read.HeaderRow, "header-row", 0, "1-based row number of the header (default: detect, skipping title rows)")
	f.StringVar(&req.SourceAgency, "source-agency", "", "agency that handed the data over")
	f.StringVar(&req.RequestNo, "request-no", "", "number of the request the data answers (协作编号)")
	f.StringVar(&timeZone, "time-zone", "", "time zone of timestamps without one (default Asia/Shanghai)")
	f.StringVar(&req.DefaultRegion, "region", "", "country of phone numbers without a country code (default CN)")
	f.BoolVar(&dryRun, "dry-run", false, "show the detected encoding, delimiter, mapping and the first rows as they would be stored; store nothing")
	f.IntVar(&rows, "rows", 10, "rows to show with --dry-run")
	return cmd
}

func parseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "tab", `\t`:
		return '\t', nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	case "pipe":
		return '|', nil
	}
	if utf8.RuneCountInString(s) != 1 {
		return 0, fmt.Errorf("--delimiter %q: give one character, or tab", s)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r, nil
}

// emitImports ends an import (local or sent to a server): with --json one file's result, or
// {"imports": [...]} for several; the table was printed file by file already.
func emitImports(g *globals, results []any) error {
	if !g.json {
		return nil
	}
	if len(results) == 1 {
		return g.emit(results[0], nil)
	}
	return g.emit(map[string]any{"imports": results}, nil)
}

func printImport(w io.Writer, r ingest.Result) {
	if r.DuplicateOfBatch != 0 {
		fmt.Fprintf(w, "%s: already imported into %s as batch %d (same SHA-256); nothing imported.\n", r.File, r.Dataset, r.DuplicateOfBatch)
		return
	}
	kind := r.Kind
	if kind == "" {
		kind = "plain"
	}
	fmt.Fprintf(w, "%s → dataset %s (%s), batch %d\n", r.File, r.Dataset, kind, r.BatchID)
	fmt.Fprintf(w, "  %s, %s", r.Format, r.Encoding)
	if r.Delimiter != "" {
		fmt.Fprintf(w, ", delimiter %q", r.Delimiter)
	}
	fmt.Fprintf(w, ", sha256 %s\n", r.FileSHA256)
	fmt.Fprintf(w, "  rows read %d, imported %d, rejected %d", r.RowsRead, r.RowsImported, r.RowsRejected)
	if r.RowsDuplicate > 0 {
		fmt.Fprintf(w, " (of which %d duplicates of earlier batches)", r.RowsDuplicate)
	}
	if r.RowsDuplicateInFile > 0 {
		fmt.Fprintf(w, "; %d identical rows within the file kept", r.RowsDuplicateInFile)
	}
	fmt.Fprintf(w, " in %.1fs\n", r.Seconds)
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	if r.RowsRejected > 0 {
		fmt.Fprintf(w, "  see the rejected rows: procura rejects --dataset %s --batch %d\n", r.Dataset, r.BatchID)
	}
}

func dryRunFiles(g *globals, req app.ImportRequest, files []string, rows int) error {
	var previews []any
	for _, path := range files {
		r := req
		r.Path = path
		pv, err := app.DryRun(r, rows)
		if err != nil {
			return err
		}
		previews = append(previews, pv)
		if !g.json {
			printPreview(g.out, pv)
		}
	}
	if g.json {
		if len(previews) == 1 {
			return g.emit(previews[0], nil)
		}
		return g.emit(map[string]any{"previews": previews}, nil)
	}
	return nil
}

func printPreview(w io.Writer, pv ingest.Preview) {
	kind := pv.Kind
	if kind == "" {
		kind = "plain (types inferred)"
	}
	fmt.Fprintf(w, "%s: %s, encoding %s", pv.File, pv.Format, pv.Encoding)
	if pv.Delimiter != "" {
		fmt.Fprintf(w, ", delimiter %q", pv.Delimiter)
	}
	fmt.Fprintf(w, ", header on line %d, kind %s\n", pv.HeaderLine, kind)
	for _, t := range pv.TitleLines {
		fmt.Fprintf(w, "  title line: %s\n", t)
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "  COLUMN\tTYPE\tSEMANTIC\tFROM")
	for _, m := range pv.Mapping {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", m.Column, m.Type, m.Semantic, m.From)
	}
	tw.Flush()
	for _, warn := range pv.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	fmt.Fprintf(w, "First rows as they would be stored:\n")
	tw = tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprint(tw, "  LINE")
	for _, m := range pv.Mapping {
		fmt.Fprintf(tw, "\t%s", m.Column)
	}
	fmt.Fprintln(tw)
	for _, r := range pv.Rows {
		fmt.Fprintf(tw, "  %d", r.Line)
		for _, m := range pv.Mapping {
			fmt.Fprintf(tw, "\t%s", r.Values[m.Column])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	for _, r := range pv.Rejects {
		fmt.Fprintf(w, "  would reject line %d: %s\n", r.Line, r.Reason)
	}
}
