package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/casework"
)

// withApp opens the workspace for one command (as PROCURA_USER when set: globals.config) and runs f.
func withApp(g *globals, name string, f func(ctx context.Context, a *app.App, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a, err := g.open(cmd.Context(), name)
		if err != nil {
			return err
		}
		defer a.Close()
		return f(cmd.Context(), a, args)
	}
}

// parseIDs reads clue or item ids from arguments and, with from set, from a file ("-" is
// standard input) with one id per line.
func parseIDs(what string, args []string, from string) ([]int64, error) {
	var out []int64
	add := func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "#") {
			return nil
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s id %q is not a number: list them with procura %s list", what, s, what)
		}
		out = append(out, id)
		return nil
	}
	for _, a := range args {
		for _, s := range strings.Split(a, ",") {
			if err := add(s); err != nil {
				return nil, err
			}
		}
	}
	if from != "" {
		r := io.Reader(os.Stdin)
		if from != "-" {
			f, err := os.Open(from)
			if err != nil {
				return nil, fmt.Errorf("read %s ids: %w", what, err)
			}
			defer f.Close()
			r = f
		}
		sc := bufio.NewScanner(r)
		for line := 1; sc.Scan(); line++ {
			if err := add(sc.Text()); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", from, line, err)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("name the %ss: ids as arguments (12 13 or 12,13) or --ids-from FILE", what)
	}
	return out, nil
}

// clueRefs reads clue ids from the arguments and the --ids-from file and makes them
// references; an expected version applies to a single clue.
func clueRefs(args []string, from string, version int64) ([]app.ClueRef, error) {
	ids, err := parseIDs("clue", args, from)
	if err != nil {
		return nil, err
	}
	if version != 0 && len(ids) != 1 {
		return nil, fmt.Errorf("--expect-version applies to one clue; for many, use --from STATUS")
	}
	rs := app.Refs(ids...)
	if version != 0 {
		rs[0].Version = version
	}
	return rs, nil
}

// changeClues ends a clue change: it sends body to the server holding the workspace (which
// reads the due date in the workspace's time zone) or runs local here with the due date read
// the same way, then prints the clues changed.
func changeClues(cmd *cobra.Command, g *globals, name, path string, body map[string]any, due string,
	local func(ctx context.Context, a *app.App, due time.Time) (app.TransitionResult, error)) error {
	ctx := cmd.Context()
	a, rc, err := g.openOrForward(ctx, name)
	if err != nil {
		return err
	}
	var res app.TransitionResult
	if rc != nil {
		err = rc.postJSON(ctx, path, body, &res)
	} else {
		defer a.Close()
		var d time.Time
		if d, err = a.ParseDue(due); err != nil {
			return err
		}
		res, err = local(ctx, a, d)
	}
	if err != nil {
		return err
	}
	return g.emit(res, printChanged(res))
}

// newClueCmd is `procura clue …`; `procura clues` (list) and `procura clues review` are the
// names before the lifecycle and keep working.
func newClueCmd(g *globals) *cobra.Command {
	list := newClueListCmd(g)
	cmd := &cobra.Command{
		Use:     "clue",
		Aliases: []string{"clues"},
		Short:   "Clues: list, show, assign, move through the lifecycle, comment, attach evidence",
		Long: `Clues are what models find. Each moves through the lifecycle
  new → assigned → verifying → confirmed | dismissed → measure_proposed → measure_approved → sent
  → reply_received → rectified | escalated
with who, when and why recorded on every step (docs/workflow.md). Without a subcommand, lists clues.`,
		Args: cobra.NoArgs,
		RunE: list.RunE,
	}
	cmd.Flags().AddFlagSet(list.Flags())
	cmd.AddCommand(list, newClueShowCmd(g), newClueAssignCmd(g), newClueTransitionCmd(g), newClueCommentCmd(g),
		newClueAttachCmd(g), newClueReviewCmd(g))
	return cmd
}

func newClueListCmd(g *globals) *cobra.Command {
	q := &app.ClueQuery{}
	cmd := &cobra.Command{
		Use:   "list [--model ID] [--status new] [--assignee USER] [--case C-3]",
		Short: "List the clues that models found, with their status, assignee and case",
		Args:  cobra.NoArgs,
		RunE: withApp(g, "clue list", func(ctx context.Context, a *app.App, _ []string) error {
			page, err := a.Clues(ctx, *q)
			if err != nil {
				return err
			}
			return g.emit(page, func(w io.Writer) {
				if page.Total == 0 {
					fmt.Fprintln(w, "No clues. Run the models first: procura model run --all")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tMODEL\tSTATUS\tV\tASSIGNEE\tCASE\tHOLDS\tSUBJECT\tTITLE\tEVIDENCE")
				for _, c := range page.Clues {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%t\t%s %s\t%s\t%d rows\n", c.ID, c.ModelID, c.Status, c.Version,
						dash(c.Assignee), dash(c.CaseID), c.Holds, c.SubjectKey, c.SubjectName, c.TitleZH, len(c.Evidence))
				}
				tw.Flush()
				if shown := q.Offset + len(page.Clues); int64(shown) < page.Total {
					fmt.Fprintf(w, "%d of %d shown; more with --offset %d\n", len(page.Clues), page.Total, shown)
				}
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&q.ModelID, "model", "", "only clues of this model")
	f.StringVar(&q.Status, "status", "", "only clues in this status: "+strings.Join(casework.Statuses, ", "))
	f.StringVar(&q.Assignee, "assignee", "", "only clues assigned to this user")
	f.StringVar(&q.CaseID, "case", "", "only clues of this case")
	f.BoolVar(&q.Overdue, "overdue", false, "only open clues whose due date has passed")
	f.BoolVar(&q.Gone, "gone", false, "list clues that no longer hold after the latest run")
	f.BoolVar(&q.All, "all", false, "list clues that hold and clues that no longer hold")
	f.StringVar(&q.Severity, "severity", "", "only clues of this severity: low, medium, high")
	f.StringVar(&q.Dataset, "dataset", "", "only clues with evidence rows in this dataset")
	f.StringVar(&q.Text, "text", "", "only clues whose title, subject name or model contains this text")
	f.StringVar(&q.Sort, "sort", "", "sort by one of "+strings.Join(app.ClueSorts(), ", ")+" (default: model, then id)")
	f.StringVar(&q.Order, "order", "asc", "sort direction: asc or desc")
	f.IntVar(&q.Limit, "limit", 100, "clues per page")
	f.IntVar(&q.Offset, "offset", 0, "clues to skip")
	return cmd
}

func newClueShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a clue: explanation, evidence rows, history, attachments, the moves it may make, the AI ledger",
		Args:  cobra.ExactArgs(1),
		RunE: withApp(g, "clue show", func(ctx context.Context, a *app.App, args []string) error {
			ids, err := parseIDs("clue", args, "")
			if err != nil {
				return err
			}
			d, err := a.Clue(ctx, ids[0])
			if err != nil {
				return err
			}
			return g.emit(d, func(w io.Writer) {
				fmt.Fprintf(w, "clue %d  %s (version %d)  model %s v%d  severity %s\n", d.ID, d.Status, d.Version, d.ModelID, d.ModelVersion, d.Severity)
				fmt.Fprintf(w, "  %s\n  %s\n", d.TitleZH, d.ExplanationZH)
				fmt.Fprintf(w, "  subject: %s %s %s\n", d.SubjectType, d.SubjectKey, d.SubjectName)
				if d.Assignee != "" || !d.DueAt.IsZero() || d.CaseID != "" {
					fmt.Fprintf(w, "  assignee %s  due %s  case %s\n", dash(d.Assignee), dueText(d.DueAt), dash(d.CaseID))
				}
				for _, e := range d.Evidence {
					fmt.Fprintf(w, "  evidence: %s batch %d line %d\n", e.Dataset, e.Batch, e.Line)
				}
				for _, at := range d.Attachments {
					fmt.Fprintf(w, "  attached: evidence item %d by %s\n", at.EvidenceID, at.AddedBy)
				}
				printEvents(w, d.Events)
				if len(d.Next) > 0 {
					fmt.Fprintf(w, "  next: procura clue transition %d --to %s --expect-version %d\n", d.ID, strings.Join(d.Next, "|"), d.Version)
				}
				if s := d.Suggestion; s != nil {
					fmt.Fprintf(w, "  AI ledger: suggested by %s v%s in run %d; decision %s\n", s.Engine, s.EngineVersion, s.RunID, dash(s.Decision))
				}
			})
		}),
	}
}

func newClueTransitionCmd(g *globals) *cobra.Command {
	var req app.TransitionRequest
	var version int64
	var due, from string
	cmd := &cobra.Command{
		Use:   "transition ID... --to STATUS [--reason TEXT] [--expect-version N]",
		Short: "Move clues to the next status of the lifecycle; many clues move all together or not at all",
		Long: `Move clues to the next status. Statuses: ` + strings.Join(casework.Statuses, ", ") + `.
Dismissing, escalating and reopening need --reason. With --expect-version (the version procura clue
show printed) the move is refused when someone changed the clue since. Many ids move in one
transaction and one audit entry: all or none.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if req.Clues, err = clueRefs(args, from, version); err != nil {
				return err
			}
			body := map[string]any{"clues": req.Clues, "to": req.To, "reason": req.Reason,
				"from": req.From, "assignee": req.Assignee, "due": due, "severity": req.Severity}
			return changeClues(cmd, g, "clue transition", "/api/v1/clues/transition", body, due,
				func(ctx context.Context, a *app.App, d time.Time) (app.TransitionResult, error) {
					req.Due = d
					return a.TransitionClues(ctx, req)
				})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.To, "to", "", "the new status")
	f.StringVar(&req.Reason, "reason", "", "why (required to dismiss, escalate, reopen)")
	f.StringVar(&req.From, "from", "", "refuse unless every clue is in this status")
	f.StringVar(&req.Assignee, "assignee", "", "who verifies (moving to assigned)")
	f.StringVar(&due, "due", "", "due date YYYY-MM-DD")
	f.StringVar(&req.Severity, "severity", "", "when confirming: the corrected severity (the AI ledger records an edit)")
	f.Int64Var(&version, "expect-version", 0, "the version you saw; refused if the clue changed since")
	f.StringVar(&from, "ids-from", "", "read clue ids from this file, one per line (- = standard input)")
	return cmd
}

func newClueAssignCmd(g *globals) *cobra.Command {
	var req app.AssignRequest
	var version int64
	var due, from string
	cmd := &cobra.Command{
		Use:   "assign ID... --to USER [--due YYYY-MM-DD]",
		Short: "Give clues to a person to verify; many clues in one transaction and one audit entry",
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if req.Clues, err = clueRefs(args, from, version); err != nil {
				return err
			}
			body := map[string]any{"clues": req.Clues, "assignee": req.Assignee, "due": due, "reason": req.Reason}
			return changeClues(cmd, g, "clue assign", "/api/v1/clues/assign", body, due,
				func(ctx context.Context, a *app.App, d time.Time) (app.TransitionResult, error) {
					req.Due = d
					return a.AssignClues(ctx, req)
				})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Assignee, "to", "", "the user who verifies")
	f.StringVar(&due, "due", "", "due date YYYY-MM-DD")
	f.StringVar(&req.Reason, "reason", "", "why")
	f.Int64Var(&version, "expect-version", 0, "the version you saw; refused if the clue changed since")
	f.StringVar(&from, "ids-from", "", "read clue ids from this file, one per line (- = standard input)")
	return cmd
}

func printChanged(res app.TransitionResult) func(io.Writer) {
	return func(w io.Writer) {
		if len(res.Clues) > 10 {
			fmt.Fprintf(w, "%d clues changed (audit entry %d)\n", len(res.Clues), res.AuditSeq)
			return
		}
		for _, c := range res.Clues {
			fmt.Fprintf(w, "clue %d: %s, version %d, assignee %s, due %s (audit entry %d)\n", c.ID, c.Status, c.Version,
				dash(c.Assignee), dueText(c.DueAt), res.AuditSeq)
		}
	}
}

func newClueCommentCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "comment ID TEXT",
		Short: "Add a comment to a clue's history",
		Args:  cobra.ExactArgs(2),
		RunE: withApp(g, "clue comment", func(ctx context.Context, a *app.App, args []string) error {
			ids, err := parseIDs("clue", args[:1], "")
			if err != nil {
				return err
			}
			ev, err := a.CommentClue(ctx, ids[0], args[1])
			if err != nil {
				return err
			}
			return g.emit(ev, func(w io.Writer) { fmt.Fprintf(w, "comment added to clue %d (audit entry %d)\n", ids[0], ev.AuditSeq) })
		}),
	}
}

func newClueAttachCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "attach ID EVIDENCE_ID...",
		Short: "Attach evidence items (procura evidence list) to a clue",
		Args:  cobra.MinimumNArgs(2),
		RunE: withApp(g, "clue attach", func(ctx context.Context, a *app.App, args []string) error {
			ids, err := parseIDs("clue", args[:1], "")
			if err != nil {
				return err
			}
			items, err := parseIDs("evidence", args[1:], "")
			if err != nil {
				return err
			}
			att, err := a.AttachEvidence(ctx, ids[0], items)
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"attached": att}, func(w io.Writer) {
				fmt.Fprintf(w, "%d evidence items attached to clue %d\n", len(att), ids[0])
			})
		}),
	}
}

// newClueReviewCmd is the review command before the lifecycle, kept for scripts.
func newClueReviewCmd(g *globals) *cobra.Command {
	var status, note string
	cmd := &cobra.Command{
		Use:   "review ID --status confirmed|dismissed|verifying [--note TEXT]",
		Short: "Record a review decision (older name; prefer procura clue transition)",
		Args:  cobra.ExactArgs(1),
		RunE: withApp(g, "clue review", func(ctx context.Context, a *app.App, args []string) error {
			ids, err := parseIDs("clue", args, "")
			if err != nil {
				return err
			}
			c, err := a.ReviewClue(ctx, ids[0], status, note)
			if err != nil {
				return err
			}
			return g.emit(c, func(w io.Writer) {
				fmt.Fprintf(w, "clue %d (%s): %s by %s\n", c.ID, c.ModelID, c.Status, c.ReviewedBy)
			})
		}),
	}
	cmd.Flags().StringVar(&status, "status", "", "confirmed, dismissed (or rejected) or verifying (or reviewing)")
	cmd.Flags().StringVar(&note, "note", "", "the reviewer's note (the reason)")
	return cmd
}
