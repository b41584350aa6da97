package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

func newDemoCmd(g *globals) *cobra.Command {
	var o app.DemoOptions
	cmd := &cobra.Command{
		Use:   "demo [--seed N] [--scale small] [--workspace DIR]",
		Short: "Generate a synthetic fraud world, import it, run every analysis and score it against the truth",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := g.config("demo")
			if g.workspace == "" {
				c.Workspace = "procura-demo"
			}
			o.Progress = g.newBar()
			res, err := app.RunDemo(cmd.Context(), c, o)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) { printDemo(w, res) })
		},
	}
	cmd.Flags().Int64Var(&o.Seed, "seed", 7, "random seed of the world")
	cmd.Flags().StringVar(&o.Scale, "scale", "small", "size of the world: small, medium, large or a count such as 20000tx")
	return cmd
}

func printDemo(w io.Writer, r app.DemoResult) {
	ws := r.World
	fmt.Fprintf(w, "Synthetic world (seed %d): %d transactions, %d calls, %d persons, %d accounts; %d fraud rings with %d victims; %d cases.\n",
		ws.Seed, ws.Transactions, ws.Calls, ws.Persons, ws.Accounts, ws.Rings, ws.Victims, ws.Cases)
	fmt.Fprintf(w, "Imported into %s in %.1fs:\n", r.Workspace, r.ImportSeconds)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "  DATASET\tFILE\tROWS\tIMPORTED\tREJECTED")
	for _, im := range r.Imports {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\n", im.Dataset, im.File, im.Expected, im.Imported, im.Rejected)
	}
	tw.Flush()
	fmt.Fprintf(w, "Scores against the world's truth:\n")
	names := make([]string, 0, len(r.Scores))
	for n := range r.Scores {
		names = append(names, n)
	}
	sort.Strings(names)
	tw = tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "  CAPABILITY\tPRECISION\tRECALL\tF1\t")
	for _, n := range names {
		s := r.Scores[n]
		fmt.Fprintf(tw, "  %s\t%.3f\t%.3f\t%.3f\t%s\n", n, s.Precision, s.Recall, s.F1, s.Detail)
	}
	tw.Flush()
	fmt.Fprintf(w, "Done in %.1fs (analysis %.1fs). Explore: procura datasets -v --workspace %s\n", r.Seconds, r.AnalysisSeconds, r.Workspace)
}
