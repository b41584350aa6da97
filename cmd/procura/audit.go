package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/evidence"
	"procura/internal/store"
)

// newAuditCmd is `procura audit log` and `procura audit verify`.
func newAuditCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read and verify the hash-chained audit log",
	}
	cmd.AddCommand(newAuditLogCmd(g), newAuditVerifyCmd(g))
	return cmd
}

func newAuditLogCmd(g *globals) *cobra.Command {
	var (
		q            app.AuditQuery
		object       string
		since, until string
	)
	cmd := &cobra.Command{
		Use:   "log [--case ID] [--actor NAME] [--action evidence] [--object TYPE[:ID]]",
		Short: "List audit entries: who did what to which object, when, with old and new values",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if q.Since, err = parseWhen("--since", since); err != nil {
				return err
			}
			if q.Until, err = parseWhen("--until", until); err != nil {
				return err
			}
			q.ObjectType, q.ObjectID, _ = strings.Cut(object, ":")
			a, err := g.open(cmd.Context(), "audit log")
			if err != nil {
				return err
			}
			defer a.Close()
			es, err := a.AuditLog(cmd.Context(), q)
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"entries": es}, func(w io.Writer) {
				if len(es) == 0 {
					fmt.Fprintln(w, "No audit entries match.")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "SEQ\tAT\tACTOR\tACTION\tOBJECT\tCASE\tNEW")
				for _, e := range es {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\t%s\t%s\n", e.Seq, e.At.In(zone()).Format("2006-01-02 15:04:05"),
						e.Actor, e.Action, e.ObjectType, e.ObjectID, dash(e.CaseID), clip(string(e.New), 70))
				}
				tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&q.Case, "case", "", "only entries of this case")
	cmd.Flags().StringVar(&q.Actor, "actor", "", "only entries by this user")
	cmd.Flags().StringVar(&q.Action, "action", "", "only this action (evidence.exported), or every action of a domain (evidence)")
	cmd.Flags().StringVar(&object, "object", "", "only entries about this object: TYPE or TYPE:ID (evidence:3, import_batch:12)")
	cmd.Flags().StringVar(&since, "since", "", "only entries at or after this time (2025-03-01 or 2025-03-01 09:30)")
	cmd.Flags().StringVar(&until, "until", "", "only entries before this time")
	cmd.Flags().IntVar(&q.Limit, "limit", 1000, "entries to list")
	cmd.Flags().BoolVar(&q.Newest, "newest", false, "list the newest entries instead of the oldest")
	return cmd
}

func newAuditVerifyCmd(g *globals) *cobra.Command {
	var sign bool
	cmd := &cobra.Command{
		Use:   "verify [--sign]",
		Short: "Recompute the audit chain and its signed checkpoints; report the first broken entry",
		Long: "Recompute the hash of every audit entry and its link to the one before, and check every signed\n" +
			"checkpoint. A deleted, altered or reordered entry, or a forged checkpoint, is reported at the first\n" +
			"place where the chain breaks, and the command exits with status 1.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "audit verify")
			if err != nil {
				return err
			}
			defer a.Close()
			v, err := a.AuditVerify(cmd.Context(), sign)
			if err != nil {
				return err
			}
			if err := g.emit(v, func(w io.Writer) {
				if v.OK {
					fmt.Fprintf(w, "Audit chain holds: %d entries, %d signed checkpoints (newest at entry %d), %d entries after it.\n",
						v.Entries, v.CheckedCheckpoints, v.LastCheckpoint, v.Unsigned)
					if v.Signed != nil {
						fmt.Fprintf(w, "Signed the head (entry %d) with key %s.\n", v.Signed.Seq, v.Signed.KeyID)
					}
					fmt.Fprintf(w, "Checkpoint key %s (%s); keep a copy of %s.pub outside the workspace.\n", v.KeyID, v.KeyPath, v.KeyPath)
					return
				}
				fmt.Fprintf(w, "Audit chain BROKEN at entry %d (%s): %s\n", v.First.Seq, v.First.Kind, v.First.Reason)
				fmt.Fprintf(w, "Entries 1 to %d hold.\n", v.VerifiedUpTo)
			}); err != nil {
				return err
			}
			if !v.OK {
				return fmt.Errorf("the audit chain is broken at entry %d: restore the workspace from a backup and investigate who changed the database", v.First.Seq)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&sign, "sign", false, "after a clean check, sign the current head so that deleting the newest entries is detected")
	return cmd
}

// newEvidenceCmd is `procura evidence add|list|show|verify|export|transfer`.
func newEvidenceCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Keep evidence files content-addressed with their chain of custody",
	}
	cmd.AddCommand(newEvidenceAddCmd(g), newEvidenceListCmd(g), newEvidenceShowCmd(g), newEvidenceVerifyCmd(g),
		newEvidenceExportCmd(g), newEvidenceTransferCmd(g))
	return cmd
}

func newEvidenceAddCmd(g *globals) *cobra.Command {
	var (
		req      app.EvidenceAddRequest
		received string
	)
	cmd := &cobra.Command{
		Use:   "add FILE --source WHO --legal-basis DOCUMENT [--received-by OFFICER] [--case ID]",
		Short: "Store a file as evidence, read-only and named by its SHA-256, with the facts of its receipt",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Path = args[0]
			var err error
			if req.ReceivedAt, err = parseWhen("--received-at", received); err != nil {
				return err
			}
			a, err := g.open(cmd.Context(), "evidence add")
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.EvidenceAdd(cmd.Context(), req)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				if res.Existing {
					fmt.Fprintf(w, "The same content is evidence item %d already (%s, received %s); this receipt was added to its custody.\n",
						res.Item.ID, res.Item.FileName, res.Item.ReceivedAt.In(zone()).Format("2006-01-02"))
					return
				}
				fmt.Fprintf(w, "Evidence item %d: %s, %d bytes, sha256 %s\nStored read-only at %s\n", res.Item.ID, res.Item.FileName, res.Item.Size, res.Item.SHA256, res.Path)
			})
		},
	}
	cmd.Flags().StringVar(&req.Source, "source", "", "who handed the file over (bank, operator, police unit)")
	cmd.Flags().StringVar(&req.LegalBasis, "legal-basis", "", "the request or instrument it was obtained under")
	cmd.Flags().StringVar(&req.ReceivedBy, "received-by", "", "the receiving officer (default: you)")
	cmd.Flags().StringVar(&received, "received-at", "", "when it was received (default: now), e.g. 2025-03-01 09:30")
	cmd.Flags().StringVar(&req.CaseID, "case", "", "the case it belongs to")
	cmd.Flags().StringVar(&req.FileName, "name", "", "the file's name as received (default: its base name)")
	cmd.Flags().StringVar(&req.Note, "note", "", "a note on the item")
	return cmd
}

func newEvidenceListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the evidence items you may see",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "evidence list")
			if err != nil {
				return err
			}
			defer a.Close()
			items, err := a.EvidenceList(cmd.Context())
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"items": items}, func(w io.Writer) {
				if len(items) == 0 {
					fmt.Fprintln(w, "No evidence yet. Add a file: procura evidence add FILE --source WHO --legal-basis DOC")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tFILE\tSIZE\tSOURCE\tLEGAL BASIS\tRECEIVED\tCUSTODIAN\tCASE\tSHA256")
				for _, it := range items {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, clip(it.FileName, 40), it.Size, dash(it.Source),
						dash(it.LegalBasis), it.ReceivedAt.In(zone()).Format("2006-01-02 15:04"), it.Custodian, dash(it.CaseID), it.SHA256[:12])
				}
				tw.Flush()
			})
		},
	}
}

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s id %q is not a number: list items with procura evidence list", what, s)
	}
	return id, nil
}

func newEvidenceShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show an evidence item with its chain of custody and the batches imported from it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("evidence", args[0])
			if err != nil {
				return err
			}
			a, err := g.open(cmd.Context(), "evidence show")
			if err != nil {
				return err
			}
			defer a.Close()
			d, err := a.EvidenceShow(cmd.Context(), id)
			if err != nil {
				return err
			}
			return g.emit(d, func(w io.Writer) {
				it := d.Item
				fmt.Fprintf(w, "Evidence item %d: %s (%d bytes)\n", it.ID, it.FileName, it.Size)
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				for _, kv := range [][2]string{{"sha256", it.SHA256}, {"stored at", d.Path}, {"source", it.Source},
					{"legal basis", it.LegalBasis}, {"received by", it.ReceivedBy},
					{"received at", it.ReceivedAt.In(zone()).Format("2006-01-02 15:04:05")}, {"custodian", it.Custodian},
					{"case", dash(it.CaseID)}, {"note", dash(it.Note)}, {"added by", it.AddedBy}} {
					fmt.Fprintf(tw, "  %s\t%s\n", kv[0], kv[1])
				}
				tw.Flush()
				fmt.Fprintln(w, "\nChain of custody:")
				tw = tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "  AT\tEVENT\tBY\tCOUNTERPARTY\tPURPOSE\tAUDIT")
				for _, e := range d.Custody {
					fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t#%d\n", e.At.In(zone()).Format("2006-01-02 15:04:05"), e.Event, e.Actor,
						dash(e.Counterparty), dash(e.Purpose), e.AuditSeq)
				}
				tw.Flush()
				if len(d.Batches) > 0 {
					fmt.Fprintln(w, "\nImported as:")
					for _, b := range d.Batches {
						fmt.Fprintf(w, "  dataset %s batch %d: %d rows imported, %d rejected\n", b.Dataset, b.ID, b.RowsImported, b.RowsRejected)
					}
				}
			})
		},
	}
}

func newEvidenceVerifyCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Re-hash every evidence file and report any that changed or are missing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "evidence verify")
			if err != nil {
				return err
			}
			defer a.Close()
			rep, err := a.EvidenceVerify(cmd.Context())
			if err != nil {
				return err
			}
			if err := g.emit(rep, func(w io.Writer) {
				for _, p := range append(rep.Problems, rep.Warnings...) {
					fmt.Fprintf(w, "%s\t%s\n", strings.ToUpper(p.Kind), describeProblem(p))
				}
				verdict := "all files hold"
				if !rep.OK {
					verdict = fmt.Sprintf("%d PROBLEMS", len(rep.Problems))
				}
				fmt.Fprintf(w, "Checked %d items (%.1f MB) in %.1f s: %s.\n", rep.Items, float64(rep.Bytes)/1e6, rep.Seconds, verdict)
			}); err != nil {
				return err
			}
			if !rep.OK {
				return fmt.Errorf("%d evidence files are missing or changed: restore them from a backup; exports of them are refused", len(rep.Problems))
			}
			return nil
		},
	}
}

func describeProblem(p evidence.Problem) string {
	if p.ItemID == 0 {
		return p.Detail
	}
	return fmt.Sprintf("item %d (%s): %s", p.ItemID, p.FileName, p.Detail)
}

func newEvidenceExportCmd(g *globals) *cobra.Command {
	var out, to, purpose string
	cmd := &cobra.Command{
		Use:   "export ID --out FILE --to RECIPIENT --purpose WHY",
		Short: "Copy an evidence file out, verified against its hash; the export joins its chain of custody",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("evidence", args[0])
			if err != nil {
				return err
			}
			a, err := g.open(cmd.Context(), "evidence export")
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.EvidenceExport(cmd.Context(), id, out, to, purpose)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				fmt.Fprintf(w, "Exported evidence item %d (%s, sha256 %s) to %s; recorded as custody event %d.\n",
					res.Item.ID, res.Item.FileName, res.Item.SHA256[:12], res.Path, res.Event.ID)
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (must not exist)")
	cmd.Flags().StringVar(&to, "to", "", "who receives the copy (court, defence counsel, foreign authority)")
	cmd.Flags().StringVar(&purpose, "purpose", "", "why it is exported")
	return cmd
}

func newEvidenceTransferCmd(g *globals) *cobra.Command {
	var to, purpose string
	cmd := &cobra.Command{
		Use:   "transfer ID --to WHO [--purpose WHY]",
		Short: "Hand custody of an evidence item to another officer or agency",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("evidence", args[0])
			if err != nil {
				return err
			}
			a, err := g.open(cmd.Context(), "evidence transfer")
			if err != nil {
				return err
			}
			defer a.Close()
			it, err := a.EvidenceTransfer(cmd.Context(), id, to, purpose)
			if err != nil {
				return err
			}
			return g.emit(it, func(w io.Writer) {
				fmt.Fprintf(w, "Evidence item %d is now in the custody of %s.\n", it.ID, it.Custodian)
			})
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the new custodian")
	cmd.Flags().StringVar(&purpose, "purpose", "", "why custody passes")
	return cmd
}

// zone is the time zone the CLI shows times in.
func zone() *time.Location {
	loc, err := time.LoadLocation(store.DefaultTimeZone)
	if err != nil {
		return time.Local
	}
	return loc
}

// parseWhen reads a date or a date and time in the CLI's zone; "" is the zero time.
func parseWhen(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q is not a time: write 2025-03-01, 2025-03-01 09:30 or 2025-03-01T09:30:00+08:00", flag, s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
