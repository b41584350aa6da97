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
	var (
		o       app.DemoOptions
		noServe bool
		addr    string
	)
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
			if err := g.emit(res, func(w io.Writer) { printDemo(w, res) }); err != nil || noServe {
				return err
			}
			if res.Admin != nil {
				fmt.Fprintf(g.errOut, "\nLog in to the workbench as %s with the password %s (a demo workspace: change it for real use).\n", res.Admin.Name, res.Admin.Password)
			}
			return serveWorkspace(cmd, g, c, addr, "", "")
		},
	}
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "print the findings and exit instead of serving the web workbench")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to serve the web workbench on")
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
	f := r.Findings
	fmt.Fprintf(w, "\nWhat procura found:\n")
	fmt.Fprintf(w, "  Supervision models: %d clues from %d models.\n", f.Clues, len(f.Models))
	for _, m := range f.Models {
		if m.Clues > 0 {
			fmt.Fprintf(w, "    %-45s %4d clues\n", m.ID, m.Clues)
		}
	}
	fmt.Fprintf(w, "  Fund tracing: %d victim payments, %s yuan; %s yuan reached cash-out (ATM, gold/POS).\n",
		f.Victims, f.VictimMoney, f.CashedOut)
	for i, a := range f.Level1 {
		if i == 5 {
			fmt.Fprintf(w, "    … and %d more level-1 cards\n", len(f.Level1)-5)
			break
		}
		fmt.Fprintf(w, "    level-1 card %s (%s) received %s yuan of victims' money\n", a.Account, a.Holder, a.Amount)
	}
	fmt.Fprintf(w, "  Laundering typologies: %d accounts flagged %v.\n", f.Flagged, f.Typologies)
	fmt.Fprintf(w, "  Across cases: %d pairs of cases share identifiers; %d cards and %d offenders the case files missed; %d controllers (devices, persons, SIM farms) tied to many others' accounts.\n\n",
		f.LinkedCases, f.MissedCards, f.MissedOffenders, f.Controllers)
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
