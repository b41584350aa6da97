package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/screen"
)

func newScreenCmd(g *globals) *cobra.Command {
	var (
		req       app.ScreenRequest
		queryFile string
	)
	cmd := &cobra.Command{
		Use:   "screen --list ofac:DIR|un:FILE.xml|ftm:FILE.json|csv:FILE|workspace (--query NAME | --query-file F) [--type individual] [--top 10] [--min-score S]",
		Short: "Screen names and identifiers against sanctions and watch lists and the workspace's own persons",
		Long: `Fuzzy name screening: every name of a listed entity (primary names and aliases) is indexed;
queries are folded the same way (transliteration of Cyrillic, Greek, Arabic, Hebrew and Hangul,
Chinese to pinyin, honorifics dropped, company suffixes weighed lightly, word order free) and
scored by aligning words with Jaro-Winkler. A passport or ID number listed for an entry matches
exactly. Each match says why. --list may be given several times; "workspace" screens against
the persons, case_parties and companies datasets. Every run is recorded in the audit log.
docs/screening.md gives the accuracy measured on the OFAC list.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if queryFile != "" {
				qs, err := readQueries(queryFile)
				if err != nil {
					return err
				}
				req.Queries = append(req.Queries, qs...)
			}
			if len(req.Queries) == 0 {
				return fmt.Errorf("nothing to screen: give --query NAME (several times if needed) or --query-file FILE with one name per line")
			}
			if cmd.Flags().Changed("min-score") && req.MinScore == 0 {
				req.MinScore = 1e-9 // 0 asks for every candidate; the zero value would mean the default
			}
			a, err := g.open(cmd.Context(), "screen")
			if err != nil {
				return err
			}
			defer a.Close()
			req.Progress = g.newBar()
			res, err := a.Screen(cmd.Context(), req)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) { printScreen(w, res) })
		},
	}
	cmd.Flags().StringArrayVar(&req.Lists, "list", nil, "list to screen against: ofac:DIR (sdn.csv, alt.csv), un:FILE.xml, ftm:FILE.json, csv:FILE, or workspace; repeatable")
	cmd.Flags().StringArrayVar(&req.Queries, "query", nil, "a name or identifier to screen; repeatable")
	cmd.Flags().StringVar(&queryFile, "query-file", "", "file with one name or identifier per line (blank lines and lines starting with # are skipped)")
	cmd.Flags().StringSliceVar(&req.Types, "type", nil, "keep only entries of these types: individual, entity, vessel, aircraft (entries of unknown type are kept)")
	cmd.Flags().IntVar(&req.Top, "top", screen.DefaultTop, "matches per query at most")
	cmd.Flags().Float64Var(&req.MinScore, "min-score", screen.DefaultMinScore, "score a match needs (0..1; 0 lists every candidate found)")
	return cmd
}

// readQueries reads one query per line.
func readQueries(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--query-file: %w", err)
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line != "" && !strings.HasPrefix(line, "#") {
			qs = append(qs, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--query-file %s line %d: %w", path, len(qs)+1, err)
	}
	return qs, nil
}

func printScreen(w io.Writer, res app.ScreenResult) {
	var lists []string
	for _, l := range res.Lists {
		lists = append(lists, fmt.Sprintf("%s (%d entries)", l.Spec, l.Entities))
	}
	fmt.Fprintf(w, "screened %d queries against %s, %d names; %d with matches at score ≥ %.2f\n",
		len(res.Results), strings.Join(lists, ", "), res.Names, res.Hits, res.MinScore)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	for _, r := range res.Results {
		if len(r.Matches) == 0 {
			fmt.Fprintf(tw, "%s\t—\tno match\t\n", r.Query)
			continue
		}
		for i, m := range r.Matches {
			q := r.Query
			if i > 0 {
				q = ""
			}
			name := m.Name
			if m.PrimaryName != "" {
				name += " (aka of " + m.PrimaryName + ")"
			}
			fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s\t%s\n", q, m.Score, m.ListID, name, m.Explanation)
		}
	}
	tw.Flush()
}
