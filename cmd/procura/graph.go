package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/graph"
)

func newGraphCmd(g *globals) *cobra.Command {
	var datasets string
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Link persons, accounts, phones, devices and cases: communities, neighbours, paths, cross-case collisions, exports",
		Long: `The entity graph ties together what the workspace's datasets record in one row: holders and
their accounts, transfers, calls, the devices accounts and phones were used from, SIMs, wallets,
companies and their legal representatives, and the parties of cases. docs/links.md explains it.`,
	}
	var ignoreResolved bool
	cmd.PersistentFlags().StringVar(&datasets, "datasets", "", "datasets to build the graph from, comma-separated (default: all)")
	cmd.PersistentFlags().BoolVar(&ignoreResolved, "ignore-resolved", false, "do not merge persons by the latest procura resolve result")
	req := func(cmd *cobra.Command) app.GraphRequest {
		r := app.GraphRequest{Progress: g.newBar(), IgnoreResolved: ignoreResolved}
		if datasets != "" {
			r.Datasets = strings.Split(datasets, ",")
		}
		return r
	}
	cmd.AddCommand(newGraphCommunitiesCmd(g, req), newGraphNeighboursCmd(g, req), newGraphPathCmd(g, req),
		newGraphCollisionsCmd(g, req), newGraphExportCmd(g, req), newGraphRankCmd(g, req), newGraphRingsCmd(g, req))
	return cmd
}

type graphReq func(*cobra.Command) app.GraphRequest

func newGraphCommunitiesCmd(g *globals, base graphReq) *cobra.Command {
	var r app.CommunitiesRequest
	cmd := &cobra.Command{
		Use:   "communities [--top N] [--min-size N]",
		Short: "Connected components and Louvain communities of the entity graph",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "graph communities")
			if err != nil {
				return err
			}
			defer a.Close()
			r.GraphRequest = base(cmd)
			res, err := a.GraphCommunities(cmd.Context(), r)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				printGraphInfo(w, res.Graph)
				fmt.Fprintf(w, "%d connected components (largest %d nodes); %d Louvain communities, modularity %.3f (%.2f s)\n",
					res.Components, res.Largest, res.Communities.Count, res.Communities.Modularity, res.Seconds)
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "COMMUNITY\tSIZE\tNODES\tSAMPLE")
				for _, c := range res.Top {
					fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", c.ID, c.Size, countsText(c.ByType), refsText(c.Sample, 5))
				}
				tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&r.Top, "top", 20, "communities to describe")
	cmd.Flags().IntVar(&r.MinSize, "min-size", 3, "smallest community to describe")
	cmd.Flags().BoolVar(&r.SeedControllers, "seed-controllers", false, "start from the card dealers' device groups (device, its accounts, their holders, the organiser): rings stay whole")
	cmd.Flags().Float64Var(&r.Resolution, "resolution", 0, "modularity resolution γ; above 1 gives smaller communities (default 1, 2 with --seed-controllers)")
	return cmd
}

func newGraphNeighboursCmd(g *globals, base graphReq) *cobra.Command {
	var r app.NeighboursRequest
	var rels string
	cmd := &cobra.Command{
		Use:     "neighbours ID... [--hops 2] [--rels holds,transfer,call,uses,party]",
		Aliases: []string{"neighbors"},
		Short:   "Everything within k hops of identifiers (ID numbers, accounts, phones, devices, cases; type:key when ambiguous)",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.open(cmd.Context(), "graph neighbours")
			if err != nil {
				return err
			}
			defer a.Close()
			r.GraphRequest, r.Seeds = base(cmd), args
			if rels != "" {
				r.Rels = strings.Split(rels, ",")
			}
			res, err := a.GraphNeighbours(cmd.Context(), r)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				printGraphInfo(w, res.Graph)
				fmt.Fprintf(w, "%d nodes within %d hops, %d edges among them", len(res.Nodes), r.Hops, len(res.Edges))
				if res.Truncated {
					fmt.Fprint(w, " (stopped at --max-nodes)")
				}
				fmt.Fprintln(w)
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "HOPS\tTYPE\tKEY\tLABEL")
				for _, n := range res.Nodes {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", n.Hops, n.Type, n.Key, n.Label)
				}
				tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&r.Hops, "hops", 2, "how many edges away to look")
	cmd.Flags().StringVar(&rels, "rels", "", "relations to follow, comma-separated (default all): holds, card_of, transfer, call, uses, sim, party, legal_rep, chain_transfer, contact, co_occurs")
	cmd.Flags().IntVar(&r.MaxNodes, "max-nodes", 5000, "stop after this many nodes")
	cmd.Flags().IntVar(&r.MaxDegree, "max-degree", 1000, "do not pass through nodes with more edges than this (payment platforms, gateways)")
	return cmd
}

func newGraphPathCmd(g *globals, base graphReq) *cobra.Command {
	var r app.PathRequest
	var rels string
	cmd := &cobra.Command{
		Use:   "path FROM TO [--max-hops 8] [--rels ...] [--all] [--time-respecting [--max-gap 72h]]",
		Short: "The shortest chain of relations between two identifiers, every shortest chain, or one that respects time",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.open(cmd.Context(), "graph path")
			if err != nil {
				return err
			}
			defer a.Close()
			r.GraphRequest, r.From, r.To = base(cmd), args[0], args[1]
			if rels != "" {
				r.Rels = strings.Split(rels, ",")
			}
			res, err := a.GraphPath(cmd.Context(), r)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) { printPath(w, res) })
		},
	}
	cmd.Flags().IntVar(&r.MaxHops, "max-hops", 8, "longest path to look for")
	cmd.Flags().StringVar(&rels, "rels", "", "relations to follow, comma-separated (default all)")
	cmd.Flags().IntVar(&r.MaxDegree, "max-degree", 1000, "do not pass through nodes with more edges than this")
	cmd.Flags().BoolVar(&r.All, "all", false, "list every shortest path (up to --limit)")
	cmd.Flags().IntVar(&r.Limit, "limit", 100, "most paths to list with --all")
	cmd.Flags().BoolVar(&r.TimeRespecting, "time-respecting", false, "follow dated transfers, calls and token transfers in their direction, each no earlier than the one before")
	cmd.Flags().DurationVar(&r.MaxGap, "max-gap", 0, "with --time-respecting: longest wait between two edges (e.g. 72h; default no limit)")
	return cmd
}

func newGraphCollisionsCmd(g *globals, base graphReq) *cobra.Command {
	var r app.CollisionsRequest
	var top int
	cmd := &cobra.Command{
		Use:   "collisions [--top N]",
		Short: "Cross-case collisions: linked cases, missed cards, offenders and victims, card dealers' devices and SIM farms",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "graph collisions")
			if err != nil {
				return err
			}
			defer a.Close()
			r.GraphRequest = base(cmd)
			res, err := a.GraphCollisions(cmd.Context(), r)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) { printCollisions(w, res, top) })
		},
	}
	cmd.Flags().IntVar(&top, "top", 15, "rows of each table to print (all with --json)")
	cmd.Flags().IntVar(&r.Controllers.MinHolders, "min-holders", 3, "other holders a device or person must tie to be a controller")
	cmd.Flags().IntVar(&r.Controllers.MinPhones, "min-phones", 6, "numbers an IMEI group or a person must carry to be a SIM farm or SIM holder")
	return cmd
}

func printCollisions(w io.Writer, res app.CollisionsResult, top int) {
	printGraphInfo(w, res.Graph)
	fmt.Fprintf(w, "%d cases; %d identifiers in two or more cases; %d linked case pairs; %d candidates\n\n",
		res.Cases, len(res.Collisions), len(res.Links), len(res.Candidates))
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROLLER\tSCORE\tHOLDERS\tACCOUNTS\tPHONES\tNODES\tORGANISER")
	for i, c := range res.Controllers {
		if i == top {
			break
		}
		org := ""
		if len(c.Behind) > 0 {
			org = refText(c.Behind[0].Person)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", c.Kind, c.Score, c.Holders, c.Accounts, c.Phones, refsText(c.Nodes, 3), org)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE A\tCASE B\tSHARED")
	for i, l := range res.Links {
		if i == top {
			break
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.A, l.B, refsText(l.Shared, 4))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tMISSED\tWHO\tEVIDENCE")
	for i, c := range res.Candidates {
		if i == top*3 {
			fmt.Fprintf(tw, "…\t\t%d more (all with --json)\t\n", len(res.Candidates)-i)
			break
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Case, c.What, refText(c.Node), c.Evidence[0])
	}
	tw.Flush()
}

func newGraphExportCmd(g *globals, base graphReq) *cobra.Command {
	var r app.ExportRequest
	var out string
	cmd := &cobra.Command{
		Use:   "export --format json|graphml|gexf|ftm [--out FILE] [--seed ID --hops 2] [--communities]",
		Short: "Write the entity graph, or the neighbourhood of identifiers, for Gephi, Cytoscape, yEd or Aleph (FollowTheMoney)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "graph export")
			if err != nil {
				return err
			}
			defer a.Close()
			r.GraphRequest = base(cmd)
			r.Dest = out // recorded in the audit log with the export
			if out == "" || out == "-" {
				_, err := a.GraphExport(cmd.Context(), r, g.out)
				return err
			}
			f, err := os.Create(out)
			if err != nil {
				return fmt.Errorf("create %s: %w", out, err)
			}
			res, err := a.GraphExport(cmd.Context(), r, f)
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("write %s: %w", out, cerr)
			}
			if err != nil {
				os.Remove(out)
				return err
			}
			return g.emit(map[string]any{"file": out, "export": res}, func(w io.Writer) {
				fmt.Fprintf(w, "wrote %s: %d nodes, %d edges (%s)\n", out, res.Nodes, res.Edges, res.Format)
			})
		},
	}
	cmd.Flags().StringVar(&r.Format, "format", "graphml", "json, graphml, gexf or ftm (FollowTheMoney entities, JSON lines, for Aleph and OpenSanctions tools)")
	cmd.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")
	cmd.Flags().StringSliceVar(&r.Seeds, "seed", nil, "export only the neighbourhood of these identifiers")
	cmd.Flags().IntVar(&r.Hops, "hops", 2, "hops around the seeds")
	cmd.Flags().BoolVar(&r.Communities, "communities", false, "label nodes with their Louvain community")
	return cmd
}

func printGraphInfo(w io.Writer, info app.GraphInfo) {
	fmt.Fprintf(w, "entity graph of %s: %d nodes (%s), %d edges, built in %.1f s\n",
		strings.Join(info.Datasets, ", "), info.Nodes, countsText(info.ByType), info.Edges, info.LoadSeconds)
	if r := info.Resolved; r != nil {
		fmt.Fprintf(w, "persons merged by the resolution of %s (%s): %d identity numbers folded into another (--ignore-resolved to keep them apart)\n",
			r.Dataset, r.At.Format("2006-01-02 15:04"), r.Merged)
	}
}

func countsText(m map[string]int) string {
	var parts []string
	for _, t := range graph.NodeTypes {
		if n := m[t.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, t))
		}
	}
	return strings.Join(parts, ", ")
}

func refText(r graph.Ref) string {
	if r.Label != "" {
		return fmt.Sprintf("%s %s (%s)", r.Type, r.Key, r.Label)
	}
	return r.Type.String() + " " + r.Key
}

func refsText(rs []graph.Ref, n int) string {
	var parts []string
	for i, r := range rs {
		if i == n {
			parts = append(parts, fmt.Sprintf("+%d", len(rs)-n))
			break
		}
		parts = append(parts, refText(r))
	}
	return strings.Join(parts, "; ")
}
