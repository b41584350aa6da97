package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/store"
)

func dueText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02")
}

func printEvents(w io.Writer, evs []store.WorkflowEvent) {
	for _, e := range evs {
		change := e.New
		if e.Old != "" {
			change = e.Old + " → " + e.New
		}
		line := fmt.Sprintf("  %s  %-8s %s %s %s", e.At.Local().Format("2006-01-02 15:04"), e.Actor, e.ObjectType+" "+e.ObjectID, e.Kind, change)
		if e.Reason != "" {
			line += "  「" + e.Reason + "」"
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

func newCaseCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "case",
		Short: "Cases: create, show, link clues, evidence, parties, accounts, analyses and measures, timeline",
		Long: `A case gathers clues, parties, accounts, evidence items, saved analyses and measures, with a
timeline of everything that happened. A user whose role does not cover all cases sees a case only
with a grant (procura user grant NAME CASE); creating a case grants it to its creator.`,
	}
	cmd.AddCommand(newCaseCreateCmd(g), newCaseShowCmd(g), newCaseLinkCmd(g), newCaseTimelineCmd(g), newCaseListCmd(g))
	return cmd
}

func newCaseCreateCmd(g *globals) *cobra.Command {
	var nc app.NewCase
	var clues []string
	cmd := &cobra.Command{
		Use:   "create NUMBER --title TEXT [--kind K] [--charge C] [--clue ID]...",
		Short: "Open a case; clues named with --clue open it (they join the new case)",
		Args:  cobra.ExactArgs(1),
		RunE: withApp(g, "case create", func(ctx context.Context, a *app.App, args []string) error {
			nc.ID = args[0]
			if len(clues) > 0 {
				ids, err := parseIDs("clue", clues, "")
				if err != nil {
					return err
				}
				nc.Clues = ids
			}
			d, err := a.CreateCase(ctx, nc)
			if err != nil {
				return err
			}
			return g.emit(d, func(w io.Writer) { fmt.Fprintf(w, "case %s opened: %s (%d clues)\n", d.ID, d.Title, len(d.Clues)) })
		}),
	}
	f := cmd.Flags()
	f.StringVar(&nc.Title, "title", "", "what the case is about")
	f.StringVar(&nc.Kind, "kind", "", "kind of case, e.g. 行政公益诉讼, 刑事")
	f.StringVar(&nc.Charge, "charge", "", "charge or cause of action")
	f.StringSliceVar(&clues, "clue", nil, "a clue that opens the case (repeat or comma-separate)")
	return cmd
}

func newCaseShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show NUMBER",
		Short: "Show a case with its clues, parties, accounts, evidence, analyses and measures",
		Args:  cobra.ExactArgs(1),
		RunE: withApp(g, "case show", func(ctx context.Context, a *app.App, args []string) error {
			d, err := a.CaseShow(ctx, args[0])
			if err != nil {
				return err
			}
			return g.emit(d, func(w io.Writer) {
				fmt.Fprintf(w, "case %s  %s  (%s, version %d)\n", d.ID, d.Title, d.Status, d.Version)
				if d.Kind != "" || d.Charge != "" {
					fmt.Fprintf(w, "  kind %s  charge %s\n", dash(d.Kind), dash(d.Charge))
				}
				fmt.Fprintf(w, "  opened by %s on %s\n", d.CreatedBy, d.CreatedAt.Local().Format("2006-01-02 15:04"))
				for _, c := range d.Clues {
					fmt.Fprintf(w, "  clue %d  %s  %s %s  %s\n", c.ID, c.Status, c.SubjectKey, c.SubjectName, c.TitleZH)
				}
				for _, group := range [][]store.CaseLink{d.Parties, d.Accounts, d.Evidence, d.Analyses, d.Measures} {
					for _, l := range group {
						fmt.Fprintf(w, "  %-8s %s %s\n", l.Kind, l.Ref, l.Label)
					}
				}
			})
		}),
	}
}

func newCaseLinkCmd(g *globals) *cobra.Command {
	var req app.CaseLinkRequest
	var clues, evidence, parties []string
	cmd := &cobra.Command{
		Use:   "link NUMBER [--clue ID] [--evidence ID] [--party KEY=NAME:ROLE] [--account NO] [--analysis model_run:ID] [--measure TEXT]",
		Short: "Add clues, evidence items, parties, accounts, saved analyses or measures to a case",
		Args:  cobra.ExactArgs(1),
		RunE: withApp(g, "case link", func(ctx context.Context, a *app.App, args []string) error {
			req.CaseID = args[0]
			var err error
			if len(clues) > 0 {
				if req.Clues, err = parseIDs("clue", clues, ""); err != nil {
					return err
				}
			}
			if len(evidence) > 0 {
				if req.Evidence, err = parseIDs("evidence", evidence, ""); err != nil {
					return err
				}
			}
			for _, p := range parties {
				key, rest, _ := strings.Cut(p, "=")
				name, role, _ := strings.Cut(rest, ":")
				req.Parties = append(req.Parties, app.Party{Key: key, Name: name, Role: role})
			}
			d, err := a.LinkCase(ctx, req)
			if err != nil {
				return err
			}
			return g.emit(d, func(w io.Writer) {
				fmt.Fprintf(w, "case %s (version %d): %d clues, %d parties, %d accounts, %d evidence items, %d analyses, %d measures\n",
					d.ID, d.Version, len(d.Clues), len(d.Parties), len(d.Accounts), len(d.Evidence), len(d.Analyses), len(d.Measures))
			})
		}),
	}
	f := cmd.Flags()
	f.StringSliceVar(&clues, "clue", nil, "clue ids that join the case")
	f.StringSliceVar(&evidence, "evidence", nil, "evidence item ids")
	f.StringArrayVar(&parties, "party", nil, "a party: KEY=NAME:ROLE (identifier, name, role such as suspect)")
	f.StringArrayVar(&req.Accounts, "account", nil, "an account number")
	f.StringArrayVar(&req.Analyses, "analysis", nil, "a saved analysis: model_run:ID, trace:NAME or graph:FILE")
	f.StringArrayVar(&req.Measures, "measure", nil, "a measure taken, e.g. 检察建议书 京检建〔2025〕3号")
	f.Int64Var(&req.Version, "expect-version", 0, "the case version you saw; refused if the case changed since")
	return cmd
}

func newCaseTimelineCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "timeline NUMBER",
		Short: "Everything that happened in a case, oldest first",
		Args:  cobra.ExactArgs(1),
		RunE: withApp(g, "case timeline", func(ctx context.Context, a *app.App, args []string) error {
			evs, err := a.CaseTimeline(ctx, args[0])
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"case": args[0], "events": evs}, func(w io.Writer) {
				if len(evs) == 0 {
					fmt.Fprintln(w, "Nothing has happened in this case yet.")
				}
				printEvents(w, evs)
			})
		}),
	}
}

func newCaseListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the cases you may see",
		Args:  cobra.NoArgs,
		RunE: withApp(g, "case list", func(ctx context.Context, a *app.App, _ []string) error {
			cs, err := a.Cases(ctx)
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"cases": cs}, func(w io.Writer) {
				if len(cs) == 0 {
					fmt.Fprintln(w, "No cases you may see. Open one with procura case create NUMBER --title TEXT")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "CASE\tSTATUS\tKIND\tCHARGE\tTITLE\tOPENED BY")
				for _, c := range cs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Status, dash(c.Kind), dash(c.Charge), c.Title, c.CreatedBy)
				}
				tw.Flush()
			})
		}),
	}
}
