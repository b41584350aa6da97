package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/funds"
)

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func newTraceCmd(g *globals) *cobra.Command {
	var (
		req                   app.TraceRequest
		seedTx, after, policy string
		export, out           string
		minAmount             float64
	)
	cmd := &cobra.Command{
		Use:   "trace --dataset TX (--seed-tx ID,... | --seed-file F | --from-account ACC [--after T])",
		Short: "Trace victims' money through accounts, with amounts conserved",
		Long: `Follow seed transactions (victims' payments) forward to level-1, level-2 … accounts and to
where the money left (cash-out, accounts outside the data, still on balance), or backward to
where it came from. Policies: fifo (first in, first out), libr (lowest intermediate balance
rule: the holder's own money leaves first), proportional. docs/funds.md explains each.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.Dataset == "" {
				return fmt.Errorf("--dataset is required; list datasets with: procura datasets")
			}
			switch export {
			case "", "sankey", "csv":
			default:
				return fmt.Errorf("--export %q: write sankey or csv", export)
			}
			if export != "" && out == "" {
				return fmt.Errorf("--export %s needs --out (a file for sankey, a folder for csv)", export)
			}
			p, err := funds.ParsePolicy(policy)
			if err != nil {
				return err
			}
			req.Options.Policy = p
			req.Options.MinCents = int64(minAmount*100 + 0.5)
			req.SeedTxIDs = splitList(seedTx)
			if req.After, err = parseWhen("--after", after); err != nil {
				return err
			}
			a, err := g.open(cmd.Context(), "trace")
			if err != nil {
				return err
			}
			defer a.Close()
			req.Progress = g.newBar()
			r, err := a.Trace(cmd.Context(), req)
			if err != nil {
				return err
			}
			if export != "" {
				if _, err := a.RecordExport(cmd.Context(), app.ExportRecord{Object: "trace", ID: req.Dataset,
					Rows: len(r.Flows), Format: export, Dest: out}); err != nil {
					return err
				}
			}
			if err := exportTrace(r.Result, export, out); err != nil {
				return err
			}
			return g.emit(r, func(w io.Writer) {
				printTrace(w, r)
				if export != "" {
					fmt.Fprintf(w, "Exported the trace (%s) to %s.\n", export, out)
				}
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Dataset, "dataset", "", "transactions dataset to trace in")
	f.StringVar(&seedTx, "seed-tx", "", "seed transaction ids, comma-separated")
	f.StringVar(&req.SeedFile, "seed-file", "", "CSV with a tx_id column, or one transaction id per line")
	f.StringVar(&req.FromAccount, "from-account", "", "trace every outgoing (forward) or incoming (backward) transaction of this account")
	f.StringVar(&after, "after", "", "with --from-account: only transactions at or after this time")
	f.StringVar(&req.Options.Direction, "direction", funds.Forward, "forward or backward")
	f.StringVar(&policy, "policy", "fifo", "fifo, libr or proportional")
	f.IntVar(&req.Options.MaxHops, "max-hops", 6, "levels to follow")
	f.DurationVar(&req.Options.HopWindow, "hop-window", 72*time.Hour, "money staying longer than this in an account is not followed further (0 = no limit)")
	f.Float64Var(&minAmount, "min-amount", 100, "do not follow parts smaller than this amount")
	f.StringVar(&export, "export", "", "also write the trace: sankey (JSON for ECharts, --out FILE) or csv (schedules, --out DIR)")
	f.StringVar(&out, "out", "", "file (sankey) or folder (csv) to export to")
	return cmd
}

func printTrace(w io.Writer, r app.TraceResult) {
	fmt.Fprintf(w, "Traced %d seed transactions %s with %s over %d transactions (%d accounts).\n",
		len(r.Seeds), r.Direction, r.Policy, r.Edges, r.Accounts)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "LEVEL\tACCOUNT\tHOLDER\tIN\tOUT\tCASH-OUT\tRETAINED\tFIRST\tLAST")
	for i, a := range r.Result.Accounts {
		if i == 200 {
			fmt.Fprintf(tw, "…\t%d more accounts (use --json)\n", len(r.Result.Accounts)-200)
			break
		}
		holder := a.Holder
		if !a.InData {
			holder += " (no statement)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Level, a.Account, holder, a.In, a.Out, a.CashOut, a.Retained,
			a.First.Format(time.DateTime), a.Last.Format(time.DateTime))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "WHERE THE MONEY ENDED\tAMOUNT")
	for _, k := range []string{funds.ExitCashOut, funds.ExitOutside, funds.ExitOnBalance, funds.ExitHeld, funds.ExitUnseen, funds.ExitMaxHops, funds.ExitBelowMin, funds.ExitSeedOverlap} {
		if v := r.Totals[k]; v != 0 {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	fmt.Fprintf(tw, "total seeded\t%s\n", r.Totals["seeded"])
	tw.Flush()
	if r.ConservationOK {
		fmt.Fprintln(w, "Conservation check passed: every cent of every seed is accounted for.")
	} else {
		fmt.Fprintf(w, "CONSERVATION CHECK FAILED (please report this): %s\n", strings.Join(r.ConservationErrors, "; "))
	}
}

func newTypologiesCmd(g *globals) *cobra.Command {
	var (
		req     app.TypologyRequest
		only    string
		params  []string
		victims string
	)
	cmd := &cobra.Command{
		Use:   "typologies --dataset TX [--only fan_in,cycle,...] [--param k=v] [--victims FILE | --victims-dataset PARTIES]",
		Short: "Find laundering patterns: fan-in, fan-out, cycles, scatter-gather, gather-scatter, fast-in-fast-out, bipartite, stack, structuring, many victims to one account",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.Dataset == "" {
				return fmt.Errorf("--dataset is required; list datasets with: procura datasets")
			}
			req.Params = funds.DefaultTypologyParams()
			for _, p := range params {
				if err := req.Params.Set(p); err != nil {
					return err
				}
			}
			req.Only = splitList(only)
			req.VictimsDatasets = splitList(victims)
			a, err := g.open(cmd.Context(), "typologies")
			if err != nil {
				return err
			}
			defer a.Close()
			req.Progress = g.newBar()
			r, err := a.Typologies(cmd.Context(), req)
			if err != nil {
				return err
			}
			return g.emit(r, func(w io.Writer) {
				if len(r.Findings) == 0 {
					fmt.Fprintln(w, "No patterns found.")
					return
				}
				for _, f := range r.Findings {
					fmt.Fprintf(w, "%-15s %5.2f  %s\n", f.Typology, f.Score, f.Explanation)
				}
				fmt.Fprintf(w, "\n%d findings, %d accounts flagged.\n", len(r.Findings), len(r.FlaggedAccounts))
				if r.VictimsSource != "" {
					fmt.Fprintf(w, "Known victims: %d accounts in the data (%s).\n", r.VictimAccounts, r.VictimsSource)
				}
			})
		},
	}
	cmd.Flags().StringVar(&req.Dataset, "dataset", "", "transactions dataset to scan")
	cmd.Flags().StringVar(&only, "only", "", "typologies to run, comma-separated (default all)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "parameter name=N (one_off_max, rhythm_min, rhythm_max, rhythm_tolerance_pct, fan_min, fan_share_pct, fan_money_pct, middle_min, cycle_min, pass_hours, purchase_max, fast_min, bipartite_min, structuring_band_pct, structuring_min, structuring_days, victims_min); repeatable")
	cmd.Flags().StringVar(&req.VictimsFile, "victims", "", "file of known victims' account or card numbers for many_victims (CSV with an account or bank_card column, or one per line)")
	cmd.Flags().StringVar(&victims, "victims-dataset", "", "case_parties datasets whose victim rows name the victims, comma-separated (default: every case_parties dataset)")
	return cmd
}

func newEvalCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate procura's detectors on external data with ground truth",
	}
	var req app.EvalAMLRequest
	var params []string
	aml := &cobra.Command{
		Use:   "aml --transactions transactions.csv[.gz] --alerts alert_accounts.csv",
		Short: "Score typology detection on an IBM AMLSim run (account-level precision, recall, F1)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.Transactions == "" || req.Alerts == "" {
				return fmt.Errorf("--transactions and --alerts are required (AMLSim transactions.csv and alert_accounts.csv)")
			}
			req.Params = funds.DefaultTypologyParams()
			for _, p := range params {
				if err := req.Params.Set(p); err != nil {
					return err
				}
			}
			a, err := g.open(cmd.Context(), "eval aml")
			if err != nil {
				return err
			}
			defer a.Close()
			req.Progress = g.newBar()
			r, err := a.EvalAML(cmd.Context(), req)
			if err != nil {
				return err
			}
			return g.emit(r, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "TYPOLOGY\tMEMBERS\tFLAGGED\tPRECISION\tRECALL\tF1\tRECALL (ANY DETECTOR)")
				for _, t := range funds.AMLSimTypologies {
					s := r.Evaluation.ByTypology[t]
					fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\n", t, s.Positives, s.Flagged, s.Precision, s.Recall, s.F1, r.Evaluation.RecallAnyDetector[t])
				}
				o := r.Evaluation.Overall
				fmt.Fprintf(tw, "overall\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", o.Positives, o.Flagged, o.Precision, o.Recall, o.F1)
				for _, t := range funds.AMLSimMembershipTypologies {
					if s, ok := r.Evaluation.ByTypology[t]; ok {
						fmt.Fprintf(tw, "%s (members only)\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\n", t, s.Positives, s.Flagged, s.Precision, s.Recall, s.F1, r.Evaluation.RecallAnyDetector[t])
					}
				}
				tw.Flush()
				fmt.Fprintf(w, "Look-alike (is_sar=False) accounts flagged: %.0f%% of %d (left out of the scores).\n",
					100*r.Evaluation.LookAlikesFlagged, r.Evaluation.LookAlikes)
			})
		},
	}
	aml.Flags().StringVar(&req.Transactions, "transactions", "", "AMLSim transactions.csv or transactions.csv.gz")
	aml.Flags().StringVar(&req.Alerts, "alerts", "", "AMLSim alert_accounts.csv")
	aml.Flags().StringVar(&req.Dataset, "dataset", "amlsim", "dataset to import the transactions into")
	aml.Flags().StringArrayVar(&params, "param", nil, "detector parameter name=N; repeatable")
	cmd.AddCommand(aml)
	return cmd
}

// exportTrace writes a trace as a Sankey JSON file or as CSV schedules ("" writes nothing).
// The Sankey is checked before it is written: a drawing that does not add up would mislead.
func exportTrace(r *funds.Result, export, out string) error {
	switch export {
	case "sankey":
		s := funds.SankeyOf(r)
		if err := s.Check(); err != nil {
			return fmt.Errorf("the Sankey of this trace does not add up (please report this): %w", err)
		}
		b, err := json.MarshalIndent(s, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, append(b, '\n'), 0o600); err != nil {
			return fmt.Errorf("--out %s: %w", out, err)
		}
	case "csv":
		if _, err := funds.WriteSchedules(out, r); err != nil {
			return err
		}
	}
	return nil
}

// newMatchTransfersCmd is procura match-transfers.
func newMatchTransfersCmd(g *globals) *cobra.Command {
	var (
		req              app.MatchTransfersRequest
		delay, tolerance string
	)
	cmd := &cobra.Command{
		Use:   "match-transfers --out DATASET_A --in DATASET_B [--max-delay 5d] [--amount-tolerance 2%]",
		Short: "Pair transfers leaving one bank's export with their arrival in another's",
		Long: `Money leaving bank A and arriving at bank B appears in both exports with different ids, a later
time, a changed amount (fees, FX) and a truncated memo. This pairs them one to one by account
pair, delay and amount, with the memo as a tie-breaker, and explains each match.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := parseDelay(delay)
			if err != nil {
				return err
			}
			p, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(tolerance), "%")), 64)
			if err != nil || p < 0 || p > 100 {
				return fmt.Errorf("--amount-tolerance %q: write a percentage like 2%% (0%% for exact amounts)", tolerance)
			}
			if p == 0 {
				p = -1 // exact amounts (MatchOptions reads 0 as the default)
			}
			req.Options = funds.MatchOptions{MaxDelay: d, TolerancePct: p}
			a, err := g.open(cmd.Context(), "match-transfers")
			if err != nil {
				return err
			}
			defer a.Close()
			r, err := a.MatchTransfers(cmd.Context(), req)
			if err != nil {
				return err
			}
			return g.emit(r, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "OUT TX\tIN TX\tSCORE\tEXPLANATION")
				for _, m := range r.Matches {
					fmt.Fprintf(tw, "%s\t%s\t%.3f\t%s\n", m.OutTx, m.InTx, m.Score, m.Explanation)
				}
				tw.Flush()
				fmt.Fprintf(w, "\n%d matched; unmatched: %d outgoing, %d incoming (see --json for the rows and why).\n",
					len(r.Matches), len(r.UnmatchedOut), len(r.UnmatchedIn))
			})
		},
	}
	cmd.Flags().StringVar(&req.Out, "out", "", "transactions dataset of bank A (money leaving)")
	cmd.Flags().StringVar(&req.In, "in", "", "transactions dataset of bank B (money arriving)")
	cmd.Flags().StringVar(&delay, "max-delay", "5d", "longest time between leaving and arriving, like 5d, 36h or 90m")
	cmd.Flags().StringVar(&tolerance, "amount-tolerance", "2%", "largest difference between the two amounts, in percent")
	return cmd
}

// parseDelay reads a Go duration or a number of days ("5d").
func parseDelay(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.ParseFloat(n, 64); err == nil && days > 0 {
			return time.Duration(days * float64(24*time.Hour)), nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("--max-delay %q: write a positive duration like 5d, 36h or 90m", s)
}
