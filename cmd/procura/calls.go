package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

func newCallsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "calls",
		Short: "Call-record analytics: top contacts, common contacts, call → payment links, SIM boxes, co-location, timelines",
	}
	cmd.AddCommand(newCallsAnalyzeCmd(g))
	return cmd
}

func newCallsAnalyzeCmd(g *globals) *cobra.Command {
	var r app.CallsRequest
	var numbers, suspicious string
	cmd := &cobra.Command{
		Use:   "analyze [--dataset calls] [--transactions tx] [--numbers N1,N2] [--within 2h]",
		Short: "Analyse a calls dataset; with --transactions, link calls to the payments the called persons made soon after",
		Long: `Top contacts of the --numbers (else of the ten numbers with the most contacts) by calls,
minutes and night calls; the contacts two or more of them share; SIM boxes (one handset, many
numbers) and numbers on many handsets; numbers served by one cell within minutes on several
days; each number's day-by-day timeline; and, with --transactions, every payment made soon
after its payer's number received a call, the caller flagged when it sat on a SIM box or is
listed in --suspicious. docs/links.md explains each analysis and its figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "calls analyze")
			if err != nil {
				return err
			}
			defer a.Close()
			r.Numbers, r.Suspicious = splitList(numbers), splitList(suspicious)
			res, err := a.CallsAnalyze(cmd.Context(), r)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) { printCalls(w, res, r.Options.Top) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.Dataset, "dataset", "", "calls dataset (default: the first of kind calls)")
	f.StringVar(&r.Transactions, "transactions", "", "transactions dataset to link calls to payments")
	f.StringVar(&numbers, "numbers", "", "numbers to focus on, comma-separated")
	f.StringVar(&suspicious, "suspicious", "", "numbers to treat as suspect callers besides SIM-box numbers")
	f.IntVar(&r.Options.Top, "top", 10, "rows per list")
	f.DurationVar(&r.Options.Within, "within", 0, "a payment counts this long after a call ended (default 2h)")
	f.Float64Var(&r.Options.MinAmount, "min-amount", 0, "smallest payment to link (default 1000)")
	f.IntVar(&r.Options.MinSIMs, "min-sims", 0, "numbers one IMEI must carry to be a SIM box (default 3, more than a dual-SIM handset holds)")
	f.IntVar(&r.Options.MinIMEIs, "min-imeis", 0, "handsets one number must use to be listed (default 4)")
	f.DurationVar(&r.Options.CoWindow, "co-window", 0, "two numbers in one cell within this time are together (default 10m)")
	f.IntVar(&r.Options.MinDays, "min-days", 0, "days two numbers must be together to be listed (default 3)")
	return cmd
}

func printCalls(w io.Writer, res app.CallsResult, top int) {
	fmt.Fprintf(w, "%s: %d calls and messages, %d numbers\n", res.Dataset, res.Calls, res.Numbers)
	for _, c := range res.Contacts {
		fmt.Fprintf(w, "\n%s: %d contacts, %d calls\n", c.Number, c.Contacts, c.Calls)
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "  BY CALLS\tCALLS\tBY MINUTES\tMINUTES\tAT NIGHT\tNIGHT CALLS")
		for i := 0; i < max(len(c.ByCalls), len(c.ByDuration), len(c.ByNight)); i++ {
			row := []string{"", "", "", "", "", ""}
			if i < len(c.ByCalls) {
				row[0], row[1] = c.ByCalls[i].Number, fmt.Sprint(c.ByCalls[i].Calls)
			}
			if i < len(c.ByDuration) {
				row[2], row[3] = c.ByDuration[i].Number, fmt.Sprintf("%.1f", float64(c.ByDuration[i].Seconds)/60)
			}
			if i < len(c.ByNight) {
				row[4], row[5] = c.ByNight[i].Number, fmt.Sprint(c.ByNight[i].Night)
			}
			fmt.Fprintln(tw, "  "+strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	if len(res.Common) > 0 {
		fmt.Fprintf(w, "\n%d common contacts:\n", len(res.Common))
		for i, c := range res.Common {
			if i == top {
				break
			}
			fmt.Fprintf(w, "  %s  with %d of them (%s), %d calls\n", c.Number, len(c.Of), strings.Join(c.Of, ", "), c.Calls)
		}
	}
	if len(res.SIMBoxes) > 0 {
		fmt.Fprintf(w, "\n%d SIM boxes (one handset, many numbers):\n", len(res.SIMBoxes))
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "  IMEI\tNUMBERS\tSIMS\tCALLS\tCALLEES\tFIRST\tLAST")
		for _, b := range res.SIMBoxes {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%s\t%s\n", b.IMEI, len(b.Numbers), b.SIMs, b.Calls, b.Callees, b.First[:10], b.Last[:10])
		}
		tw.Flush()
	}
	for _, m := range res.Moving {
		fmt.Fprintf(w, "number %s used from %d handsets\n", m.Number, len(m.IMEIs))
	}
	if res.LinkStats != nil {
		s := res.LinkStats
		fmt.Fprintf(w, "\n%d payments of at least %.0f within %.0f min after the payer's number took a call; %d from a suspect caller:\n",
			s.Candidates, s.MinAmount, s.Within, s.Suspect)
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "  SUSPECT\tCALLER\tCALLEE\tCALL\tMIN\tACCOUNT\tAMOUNT\tPAID\tKNOWN DAYS")
		for i, l := range res.Links {
			if i == top*3 {
				fmt.Fprintf(tw, "  …\t%d more (all with --json)\n", len(res.Links)-i)
				break
			}
			sus := ""
			if l.Suspect {
				sus = "yes"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.0f\t%s\t%.2f\t%s\t%.1f\n", sus, l.Caller, l.Callee, l.CallTime, float64(l.CallSeconds)/60, l.Account, l.Amount, l.PaidAt, l.KnownDays)
		}
		tw.Flush()
	}
	if len(res.CoLocated) > 0 {
		fmt.Fprintf(w, "\n%d pairs of numbers in one cell within minutes on several days:\n", len(res.CoLocated))
		for _, c := range res.CoLocated {
			fmt.Fprintf(w, "  %s  %s  %d days, %d cells\n", c.A, c.B, c.Days, c.Cells)
		}
	}
	for _, t := range res.Timelines {
		fmt.Fprintf(w, "\ntimeline of %s (%d active days):\n", t.Number, len(t.Days))
		for i, d := range t.Days {
			if i == 31 {
				fmt.Fprintf(w, "  … %d more days (all with --json)\n", len(t.Days)-i)
				break
			}
			fmt.Fprintf(w, "  %s  %d calls (%d made), %d contacts, %.1f min, %d at night\n", d.Day, d.Calls, d.Outgoing, d.Contacts, float64(d.Seconds)/60, d.Night)
		}
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "skipped %s\n", s)
	}
}
