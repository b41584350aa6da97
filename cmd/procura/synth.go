package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/synth"
)

func newSynthCmd(g *globals) *cobra.Command {
	var (
		o       synth.Options
		formats string
	)
	cmd := &cobra.Command{
		Use:   "synth --out DIR [--seed N] [--scale small|medium|large|<N>tx] [--formats canonical,bank-cn,xlsx,gbk,en]",
		Short: "Generate a synthetic telecom-fraud world with ground truth",
		Long: `Generate a deterministic synthetic world: population, banks, cards, phones and devices, a
year of background transactions and calls, fraud rings with mule layers and card dealers,
victims, cases, judgments, rosters, benefits, licences, companies and penalties, with injected
supervision violations. Files for every dataset kind, realistic bank and telecom exports, and
the ground truth under truth/. docs/synth.md describes them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Out == "" {
				return fmt.Errorf("--out is required: the directory to write the world into")
			}
			if _, err := synth.ParseScale(o.Scale); err != nil {
				return err
			}
			o.Formats = nil
			for _, f := range strings.Split(formats, ",") {
				if f = strings.TrimSpace(f); f != "" {
					o.Formats = append(o.Formats, f)
				}
			}
			bar := g.newBar()
			o.Progress = app.SynthProgress(bar, "generate")
			sum, err := app.Synthesize(cmd.Context(), o)
			bar.End()
			if err != nil {
				return err
			}
			return g.emit(sum, func(w io.Writer) {
				fmt.Fprintf(w, "World (seed %d) written to %s in %.1fs: %d transactions, %d calls, %d persons, %d accounts, %d fraud rings, %d victims, %d cases.\n",
					sum.Seed, sum.Out, sum.Seconds, sum.Transactions, sum.Calls, sum.Persons, sum.Accounts, sum.Rings, sum.Victims, sum.Cases)
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "FILE\tKIND\tPROFILE\tROWS")
				for _, f := range sum.Files {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", f.Path, f.Kind, f.Profile, f.Rows)
				}
				tw.Flush()
				fmt.Fprintf(w, "Ground truth: %d files under %s/truth\n", len(sum.Truth), sum.Out)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "", "directory to write the world into")
	f.Int64Var(&o.Seed, "seed", 7, "random seed: the same seed gives the same files")
	f.StringVar(&o.Scale, "scale", "small", "small (≈200k transactions), medium (≈5M), large (≈50M) or a count such as 20000tx")
	f.StringVar(&formats, "formats", strings.Join(synth.Formats, ","), "layouts to write besides the canonical files: "+strings.Join(synth.Formats, ", "))
	return cmd
}
