package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

// newCluesCmd is `procura clues` (list) and `procura clues review ID --status S`.
func newCluesCmd(g *globals) *cobra.Command {
	var q app.ClueQuery
	cmd := &cobra.Command{
		Use:   "clues [--model ID] [--status new]",
		Short: "List the clues that models found, with their explanation and evidence",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "clues")
			if err != nil {
				return err
			}
			defer a.Close()
			page, err := a.Clues(cmd.Context(), q)
			if err != nil {
				return err
			}
			return g.emit(page, func(w io.Writer) {
				if page.Total == 0 {
					fmt.Fprintln(w, "No clues. Run the models first: procura model run --all")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tMODEL\tSTATUS\tHOLDS\tSUBJECT\tTITLE\tEVIDENCE")
				for _, c := range page.Clues {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%t\t%s %s\t%s\t%d rows\n", c.ID, c.ModelID, c.Status, c.Holds, c.SubjectKey, c.SubjectName, c.TitleZH, len(c.Evidence))
				}
				tw.Flush()
				if shown := q.Offset + len(page.Clues); int64(shown) < page.Total {
					fmt.Fprintf(w, "%d of %d shown; more with --offset %d\n", len(page.Clues), page.Total, shown)
				}
			})
		},
	}
	cmd.Flags().StringVar(&q.ModelID, "model", "", "only clues of this model")
	cmd.Flags().StringVar(&q.Status, "status", "", "only clues with this review status: new, reviewing, confirmed, rejected")
	cmd.Flags().BoolVar(&q.Gone, "gone", false, "list clues that no longer hold after the latest run")
	cmd.Flags().BoolVar(&q.All, "all", false, "list clues that hold and clues that no longer hold")
	cmd.Flags().IntVar(&q.Limit, "limit", 100, "clues per page")
	cmd.Flags().IntVar(&q.Offset, "offset", 0, "clues to skip")
	cmd.AddCommand(newClueReviewCmd(g))
	wrapErrors(cmd, g)
	return cmd
}

func newClueReviewCmd(g *globals) *cobra.Command {
	var status, note string
	cmd := &cobra.Command{
		Use:   "review ID --status confirmed|rejected|reviewing|new [--note TEXT]",
		Short: "Record the review decision on a clue (it feeds the model's running precision)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("clue id %q is not a number: list clues with procura clues", args[0])
			}
			a, err := g.open(cmd.Context(), "clues review")
			if err != nil {
				return err
			}
			defer a.Close()
			c, err := a.ReviewClue(cmd.Context(), id, status, note)
			if err != nil {
				return err
			}
			return g.emit(c, func(w io.Writer) {
				fmt.Fprintf(w, "clue %d (%s): %s by %s\n", c.ID, c.ModelID, c.Status, c.ReviewedBy)
			})
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "review status: confirmed, rejected, reviewing or new")
	cmd.Flags().StringVar(&note, "note", "", "the reviewer's note")
	return cmd
}
