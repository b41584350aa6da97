package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

func newResolveCmd(g *globals) *cobra.Command {
	var (
		req    app.ResolveRequest
		fields string
		links  int
	)
	cmd := &cobra.Command{
		Use:   "resolve (--dataset NAME | FILE.csv) [--id-column C] [--fields name,dob,id_number,phone,address] [--threshold P]",
		Short: "Find the records that describe one person, with every link explained by its field weights",
		Long: `Entity resolution: blocking on several keys (pinyin and phonetic name keys among them),
graded field comparisons, Fellegi-Sunter weights estimated without labels (EM) and clustering
that refuses to chain dissimilar groups. docs/links.md explains the model and its figures.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				req.File = args[0]
			}
			if (req.File == "") == (req.Dataset == "") {
				return fmt.Errorf("name either --dataset or a CSV file to resolve, not both; list datasets with: procura datasets")
			}
			if fields != "" {
				req.Fields = strings.Split(fields, ",")
			}
			req.Progress = g.newBar()
			var res app.ResolveResult
			var err error
			if req.File != "" {
				res, err = app.ResolveFile(cmd.Context(), req)
			} else {
				a, oerr := g.open(cmd.Context(), "resolve")
				if oerr != nil {
					return oerr
				}
				defer a.Close()
				res, err = a.Resolve(cmd.Context(), req)
			}
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) { printResolve(w, res, links) })
		},
	}
	cmd.Flags().StringVar(&req.Dataset, "dataset", "", "dataset of person records")
	cmd.Flags().StringVar(&req.IDColumn, "id-column", "", "column holding the record id (default person_id, rec_id or unique_id; else the line)")
	cmd.Flags().StringVar(&fields, "fields", "", "fields to compare, comma-separated: name,dob,id_number,phone,email,address,city,postcode (default: all present)")
	cmd.Flags().Float64Var(&req.Threshold, "threshold", 0, "match probability a link needs (default 0.9)")
	cmd.Flags().IntVar(&links, "show-links", 10, "links to print with their field weights (table output)")
	return cmd
}

func printResolve(w io.Writer, res app.ResolveResult, links int) {
	s := res.Stats
	fmt.Fprintf(w, "%s: %d records, %d candidate pairs, %d links, %d entities of two or more records (%d links refused by the chaining guard)\n",
		res.Source, s.Records, s.CandidatePairs, s.Links, s.Clusters, s.RefusedLinks)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTITY\tRECORDS")
	for i, c := range res.Clusters {
		if i == 20 {
			fmt.Fprintf(tw, "…\t%d more (all with --json)\n", len(res.Clusters)-20)
			break
		}
		fmt.Fprintf(tw, "%d\t%s\n", c.ID, strings.Join(c.Records, ", "))
	}
	tw.Flush()
	for i, l := range res.Links {
		if i == links {
			break
		}
		var parts []string
		for _, f := range l.Fields {
			parts = append(parts, fmt.Sprintf("%s %s %+.1f", f.Field, f.Level, f.Weight))
		}
		fmt.Fprintf(w, "%s ~ %s  p=%.3f weight %.1f: %s\n", l.A, l.B, l.Probability, l.Weight, strings.Join(parts, "; "))
	}
}
