package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/supervise"
)

// newModelCmd is `procura model list|show|validate|run|backtest|export|import`.
func newModelCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "List, show, validate, run, backtest, export and import supervision models",
	}
	cmd.AddCommand(newModelListCmd(g), newModelShowCmd(g), newModelValidateCmd(g), newModelRunCmd(g), newModelBacktestCmd(g),
		newModelExportCmd(g), newModelImportCmd(g))
	return cmd
}

func newModelListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in and imported models with clue counts and review precision",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "model list")
			if err != nil {
				return err
			}
			defer a.Close()
			ms, err := a.Models(cmd.Context())
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"models": ms}, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "MODEL\tVER\tSEVERITY\tMEASURE\tCLUES\tPRECISION\tTITLE")
				for _, m := range ms {
					prec := "-"
					if m.Precision != nil {
						prec = fmt.Sprintf("%.2f (%d)", *m.Precision, m.Confirmed+m.Dismissed)
					}
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.Version, m.Severity, m.Measure, m.Clues, prec, m.Title.ZH)
				}
				tw.Flush()
			})
		},
	}
}

func newModelShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a model's definition, parameters and recent runs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.open(cmd.Context(), "model show")
			if err != nil {
				return err
			}
			defer a.Close()
			d, err := a.Model(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return g.emit(d, func(w io.Writer) {
				fmt.Fprintf(w, "%s v%d (%s)\n%s\n%s\n\n", d.ID, d.Version, d.Source, d.Title.ZH, d.Title.EN)
				fmt.Fprint(w, d.YAML)
				if len(d.Runs) == 0 {
					fmt.Fprintf(w, "\nNot run yet: procura model run %s\n", d.ID)
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "\nRUN\tSTATUS\tROWS\tCLUES\tNEW\tKEPT\tGONE\tMS\tSTARTED")
				for _, r := range d.Runs {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Status, r.RowsMatched, r.CluesFound, r.CluesNew, r.CluesKept, r.CluesGone, r.DurationMS, r.StartedAt.Format("2006-01-02 15:04"))
				}
				tw.Flush()
			})
		},
	}
}

func newModelValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a model file and report every problem with its line (no workspace needed)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := app.ValidateModelFile(args[0])
			if err != nil {
				return err
			}
			if err := g.emit(res, func(w io.Writer) {
				if res.Valid {
					fmt.Fprintf(w, "%s: model %s is valid\n", res.File, res.ID)
					return
				}
				for _, p := range res.Problems {
					fmt.Fprintf(w, "%s:%d: %s\n", res.File, p.Line, p.Message)
				}
			}); err != nil {
				return err
			}
			if !res.Valid {
				// The problems are printed already; the exit status says the file is invalid.
				return errInvalidModel{len(res.Problems)}
			}
			return nil
		},
	}
}

type errInvalidModel struct{ n int }

func (e errInvalidModel) Error() string { return fmt.Sprintf("the model has %d problem(s)", e.n) }

func newModelRunCmd(g *globals) *cobra.Command {
	var (
		all    bool
		params []string
	)
	cmd := &cobra.Command{
		Use:   "run [ID...] [--all] [--param name=value]",
		Short: "Run models on the workspace's datasets and store their clues",
		RunE: func(cmd *cobra.Command, args []string) error {
			ps := map[string]string{}
			for _, p := range params {
				k, v, ok := strings.Cut(p, "=")
				if !ok || k == "" {
					return fmt.Errorf("--param %q: write name=value, such as --param min_banks=5", p)
				}
				ps[k] = v
			}
			a, rc, err := g.openOrForward(cmd.Context(), "model run")
			if err != nil {
				return err
			}
			var res []supervise.RunResult
			if rc != nil {
				res, err = forwardModelRun(cmd.Context(), g, rc, app.RunRequest{IDs: args, All: all, Params: ps})
			} else {
				defer a.Close()
				res, err = a.RunModels(cmd.Context(), app.RunRequest{IDs: args, All: all, Params: ps, Progress: g.newBar()})
			}
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"runs": res}, func(w io.Writer) {
				if len(res) == 0 {
					fmt.Fprintln(w, "No model could run: import the datasets the models read (procura model show ID lists its inputs).")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "MODEL\tRUN\tROWS\tCLUES\tNEW\tKEPT\tNO LONGER HOLD\tMS")
				for _, r := range res {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", r.ModelID, r.RunID, r.RowsMatched, r.CluesFound, r.CluesNew, r.CluesKept, r.CluesGone, r.DurationMS)
				}
				tw.Flush()
				fmt.Fprintln(w, "List the clues: procura clues")
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "run every model whose input datasets the workspace has")
	cmd.Flags().StringArrayVar(&params, "param", nil, "override a parameter, name=value (repeatable)")
	return cmd
}

func newModelBacktestCmd(g *globals) *cobra.Command {
	var truth string
	cmd := &cobra.Command{
		Use:   "backtest ID --truth DIR|FILE",
		Short: "Score a model's clues against a labelled truth file: precision, recall, F1",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if truth == "" {
				return fmt.Errorf("--truth is required: a truth directory or its violations.json (a JSON array of {type, id_number, ids}), such as a synthetic world's truth/")
			}
			a, err := g.open(cmd.Context(), "model backtest")
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.Backtest(cmd.Context(), args[0], truth, nil)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				fmt.Fprintf(w, "%s against %s: %d clues, %d truth entries\nprecision %.3f  recall %.3f  F1 %.3f\n",
					res.ModelID, res.TruthType, res.Clues, res.Truth, res.Precision, res.Recall, res.F1)
				if len(res.Missed) > 0 {
					fmt.Fprintf(w, "missed: %s\n", strings.Join(res.Missed, ", "))
				}
				if len(res.Extra) > 0 {
					fmt.Fprintf(w, "not in the truth: %s\n", strings.Join(res.Extra, ", "))
				}
			})
		},
	}
	cmd.Flags().StringVar(&truth, "truth", "", "truth directory or labelled truth file (violations.json)")
	return cmd
}

func newModelExportCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export ID [--out FILE]",
		Short: "Write a model with its fixture as a package another office can import and verify",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				out = args[0] + ".procura-model.zip"
			}
			a, err := g.open(cmd.Context(), "model export")
			if err != nil {
				return err
			}
			defer a.Close()
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return fmt.Errorf("model package %s: %w (choose another --out or remove the file)", out, err)
			}
			if err := a.ExportModel(cmd.Context(), args[0], f); err != nil {
				f.Close()
				os.Remove(out)
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			return g.emit(map[string]any{"model": args[0], "package": out}, func(w io.Writer) {
				fmt.Fprintf(w, "model %s written to %s; import it with procura model import %s\n", args[0], out, out)
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "package file to write (default ID.procura-model.zip)")
	return cmd
}

func newModelImportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Import a model package after running its fixture; a model that fails its fixture is refused",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.open(cmd.Context(), "model import")
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.ImportModel(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := g.emit(res, func(w io.Writer) {
				switch {
				case res.Accepted:
					fmt.Fprintf(w, "model %s v%d imported: its fixture found the expected clues (%s)\n", res.ID, res.Version, strings.Join(res.Fixture.Got, ", "))
				case len(res.Problems) > 0:
					for _, p := range res.Problems {
						fmt.Fprintf(w, "model.yaml:%d: %s\n", p.Line, p.Message)
					}
				default:
					fmt.Fprintf(w, "model %s v%d refused: its fixture did not find the expected clues\n", res.ID, res.Version)
					for _, p := range res.Fixture.Problems {
						fmt.Fprintf(w, "  %s\n", p)
					}
				}
			}); err != nil {
				return err
			}
			if !res.Accepted {
				return errRefusedModel{res.ID}
			}
			return nil
		},
	}
}

type errRefusedModel struct{ id string }

func (e errRefusedModel) Error() string {
	return fmt.Sprintf("model %s was not imported: fix the model or its fixture and export it again", e.id)
}
