package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/graph"
)

func newGraphRankCmd(g *globals, base graphReq) *cobra.Command {
	var r app.RankRequest
	var types string
	cmd := &cobra.Command{
		Use:   "rank --by pagerank|betweenness [--top 20] [--types person,account] [--samples N]",
		Short: "The most central nodes of the entity graph by PageRank or (sampled) betweenness",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "graph rank")
			if err != nil {
				return err
			}
			defer a.Close()
			r.GraphRequest = base(cmd)
			if types != "" {
				r.Types = strings.Split(types, ",")
			}
			res, err := a.GraphRank(cmd.Context(), r)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				printGraphInfo(w, res.Graph)
				how := res.By
				if res.Samples > 0 {
					how += fmt.Sprintf(" estimated from %d sampled sources", res.Samples)
				}
				fmt.Fprintf(w, "%s in %.2f s\n", how, res.Seconds)
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "RANK\tSCORE\tDEGREE\tTYPE\tKEY\tLABEL")
				for i, n := range res.Top {
					fmt.Fprintf(tw, "%d\t%.4g\t%d\t%s\t%s\t%s\n", i+1, n.Score, n.Degree, n.Type, n.Key, n.Label)
				}
				tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&r.By, "by", "pagerank", "pagerank or betweenness")
	cmd.Flags().IntVar(&r.Top, "top", 20, "nodes to list")
	cmd.Flags().StringVar(&types, "types", "", "node types to list, comma-separated (default all): person, company, account, phone, imei, ip …")
	cmd.Flags().IntVar(&r.Samples, "samples", 0, "betweenness: source nodes to sample (default exact up to 20,000 nodes, else 1,000)")
	cmd.Flags().Uint64Var(&r.Seed, "seed", 1, "betweenness: sampling seed")
	return cmd
}

func printPath(w io.Writer, res app.PathResult) {
	if res.Timed != nil {
		fmt.Fprintf(w, "%d dated steps from %s to %s (searched %d dated edges):\n", len(res.Timed), refText(res.From), refText(res.To), res.Events)
		for _, s := range res.Timed {
			fmt.Fprintf(w, "  %s  %s %s → %s\n", s.Time, refText(s.From), s.Rel, refText(s.To))
		}
		return
	}
	paths := res.Paths
	if paths == nil {
		paths = [][]graph.Step{res.Steps}
	}
	for i, p := range paths {
		if len(paths) > 1 {
			fmt.Fprintf(w, "path %d: ", i+1)
		}
		fmt.Fprintf(w, "%d steps from %s to %s:\n", len(p), refText(res.From), refText(res.To))
		for _, s := range p {
			arrow := "→"
			if !s.Out {
				arrow = "←"
			}
			label := ""
			if s.Label != "" {
				label = " (" + s.Label + ")"
			}
			fmt.Fprintf(w, "  %s %s%s %s %s\n", refText(s.From), s.Rel, label, arrow, refText(s.To))
		}
	}
	if res.Truncated {
		fmt.Fprintln(w, "… more shortest paths exist; raise --limit")
	}
}

func newGraphRingsCmd(g *globals, base graphReq) *cobra.Command {
	var r app.RingsRequest
	var top int
	cmd := &cobra.Command{
		Use:   "rings [--top 20] [--resolution 2]",
		Short: "Card dealers' devices grouped into rings by the money that flows between the cards they operate",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "graph rings")
			if err != nil {
				return err
			}
			defer a.Close()
			r.GraphRequest = base(cmd)
			res, err := a.GraphRings(cmd.Context(), r)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				printGraphInfo(w, res.Graph)
				fmt.Fprintf(w, "%d device controllers grouped into %d rings of two or more persons (%.2f s)\n", res.Controllers, len(res.Rings), res.Seconds)
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "RING\tPERSONS\tDEVICES\tACCOUNTS\tTRANSFERS\tORGANISERS\tPERSONS (SAMPLE)")
				for i, x := range res.Rings {
					if i == top {
						break
					}
					var orgs []graph.Ref
					for _, o := range x.Organiser {
						orgs = append(orgs, o.Person)
					}
					fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%s\t%s\n", x.ID, len(x.Persons), len(x.Devices), x.Accounts, x.Transfers, refsText(orgs, 3), refsText(x.Persons, 4))
				}
				tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&top, "top", 20, "rings to print (all with --json)")
	cmd.Flags().Float64Var(&r.Resolution, "resolution", 0, "modularity resolution γ over the controllers' groups (default 2)")
	return cmd
}
