package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

func newAICmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ai",
		Short: "The AI-assistance ledger: what procura's automation suggested and what people decided",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "report",
		Short: "Per feature and model: suggestions accepted, edited, rejected, and how far decisions were from them",
		Args:  cobra.NoArgs,
		RunE: withApp(g, "ai report", func(ctx context.Context, a *app.App, _ []string) error {
			rep, err := a.AIReport(ctx)
			if err != nil {
				return err
			}
			return g.emit(rep, func(w io.Writer) {
				if len(rep.Features) == 0 {
					fmt.Fprintln(w, "The ledger is empty: no automation has suggested anything yet (procura model run --all).")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "FEATURE\tENGINE\tVERSION\tSUGGESTED\tPENDING\tACCEPTED\tEDITED\tREJECTED\tMEAN DISTANCE")
				for _, f := range rep.Features {
					fmt.Fprintf(tw, "%s\t(all)\t\t%d\t%d\t%d\t%d\t%d\t%s\n", f.Feature, f.Suggestions, f.Pending, f.Accepted, f.Edited, f.Rejected, ratio(f.MeanDistance))
					for _, e := range f.Engines {
						fmt.Fprintf(tw, "\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", e.Engine, e.EngineVersion, e.Suggestions, e.Pending, e.Accepted, e.Edited, e.Rejected, ratio(e.MeanDistance))
					}
				}
				tw.Flush()
				fmt.Fprintln(w, "Distance: 0 = taken as suggested, 1 = rejected; edits in between (docs/workflow.md).")
			})
		}),
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show clue ID",
		Short: "The ledger's record of one suggestion: engine version, inputs, sources, what was suggested, the decision and its diff",
		Args:  cobra.ExactArgs(2),
		RunE: withApp(g, "ai show", func(ctx context.Context, a *app.App, args []string) error {
			v, err := a.AISuggestion(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			return g.emit(v, func(w io.Writer) {
				fmt.Fprintf(w, "%s %s %s: suggested by %s version %s (run %d) on %s\n", v.Feature, v.SubjectType, v.SubjectID,
					v.Engine, v.EngineVersion, v.RunID, v.CreatedAt.Local().Format("2006-01-02 15:04"))
				fmt.Fprintf(w, "  inputs:    %s\n  sources:   %s\n  suggested: %s\n", v.Inputs, v.Sources, v.Suggested)
				if v.Decision == "" {
					fmt.Fprintln(w, "  decision:  pending — no person has decided yet")
					return
				}
				fmt.Fprintf(w, "  decision:  %s by %s on %s, distance %s\n", v.Decision, v.DecidedBy,
					v.DecidedAt.Local().Format("2006-01-02 15:04"), ratio(v.Distance))
				if v.Diff != "" {
					fmt.Fprintf(w, "  diff:\n%s", v.Diff)
				}
			})
		}),
	})
	return cmd
}

func ratio(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.3f", *p)
}
