package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/store"
)

func newBackupCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "backup --out FILE",
		Short: "Back up the workspace (database, evidence, audit chain and key) into one verified archive",
		Long: `Write the whole workspace into one archive (tar+zstd) with the SHA-256 of every file in its
manifest: a copy of the database taken in one transaction, every evidence file, and the audit
checkpoint key. Restore it with procura restore FILE --workspace DIR.

While procura serve holds the workspace, back it up through the server instead (it copies the
database while it goes on working):

    curl -X POST -H "Authorization: Bearer TOKEN" http://127.0.0.1:8080/api/v1/backup -o FILE

With PostgreSQL (--db) the archive holds the evidence and keys; back up the database with
pg_dump first (docs/security.md). Needs workspace.backup (admin).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("say where to write the backup: --out FILE")
			}
			if _, err := os.Stat(out); err == nil {
				return fmt.Errorf("%s exists: a backup never overwrites a file; choose another name", out)
			}
			a, err := g.open(cmd.Context(), "backup")
			if errors.Is(err, store.ErrWorkspaceHeld) {
				base := "http://ADDRESS"
				if info, ok := holdingServer(err, g.config("backup").Workspace); ok {
					base = info.URL
				}
				return fmt.Errorf("%w\nWhile the server runs, download the backup from it: curl -X POST -H \"Authorization: Bearer TOKEN\" %s/api/v1/backup -o %s", err, base, out)
			}
			if err != nil {
				return err
			}
			defer a.Close()
			// Written beside the target and renamed at the end, so FILE is always a whole archive.
			tmp := filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".partial")
			f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				return fmt.Errorf("write the backup: %w", err)
			}
			res, err := a.Backup(cmd.Context(), f, g.newBar())
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(tmp, out)
			}
			if err != nil {
				os.Remove(tmp)
				return err
			}
			return g.emit(map[string]any{"file": out, "backup": res}, func(w io.Writer) {
				fmt.Fprintf(w, "Backed up %d files (%d bytes, %s) to %s: %d bytes, sha256 %s, in %.1f s.\n",
					res.Files, res.Bytes, res.Backend, out, res.Archive, res.SHA256, res.Seconds)
				if res.Snapshot.AuditSeq > 0 {
					fmt.Fprintf(w, "The archive holds the audit chain up to entry %d (%s).\n", res.Snapshot.AuditSeq, res.Snapshot.AuditHash)
				}
				fmt.Fprintf(w, "Database: %s.\n", res.Database)
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "archive to write (must not exist)")
	cmd.AddCommand(newBackupVerifyCmd(g))
	return cmd
}

func newBackupVerifyCmd(g *globals) *cobra.Command {
	var trustKey string
	cmd := &cobra.Command{
		Use:   "verify FILE [--trust-key PUB]",
		Short: "Check a backup archive where it is kept, without restoring it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := app.VerifyBackup(cmd.Context(), args[0], trustKey)
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				m := res.Manifest
				fmt.Fprintf(w, "%s holds %d files made %s by %s (%s); every file matches its manifest.\n",
					res.Archive, len(m.Files), m.CreatedAt.Format("2006-01-02 15:04:05 UTC"), m.CreatedBy, m.Backend)
				switch {
				case res.Trusted:
					fmt.Fprintf(w, "Signed by the trusted key %s.\n", res.SignedBy)
				case res.SignedBy != "":
					fmt.Fprintf(w, "Signed by key %s (give --trust-key to check it is yours).\n", res.SignedBy)
				default:
					fmt.Fprintln(w, "The archive is not signed.")
				}
			})
		},
	}
	cmd.Flags().StringVar(&trustKey, "trust-key", "", "audit public key (PEM) the archive must be signed by")
	return cmd
}

func newRestoreCmd(g *globals) *cobra.Command {
	var trustKey string
	cmd := &cobra.Command{
		Use:   "restore FILE [--workspace DIR]",
		Short: "Restore a backup into a new workspace, verifying every file, the audit chain and the evidence",
		Long: `Unpack a backup made by procura backup into a new or empty workspace directory. Every file is
checked against the archive's manifest: an archive with a changed, missing or added file is
refused, naming the file, and nothing is left behind. The restored workspace is then opened,
its audit chain verified (procura audit verify) and its evidence re-hashed (procura evidence
verify); the command exits with status 1 unless both hold.

The manifest is signed with the workspace's audit key. Give --trust-key with the audit public
key kept outside the workspace (keys/audit-ed25519.pem.pub) to refuse any archive not signed by
it: a forger who rewrites files and manifest alike cannot sign.

For a PostgreSQL workspace, restore the database with pg_restore first and give --db.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := app.Restore(cmd.Context(), g.config("restore"), args[0], app.RestoreOptions{TrustKey: trustKey, Progress: g.newBar()})
			if err != nil {
				return err
			}
			err = g.emit(res, func(w io.Writer) {
				m := res.Manifest
				fmt.Fprintf(w, "Restored %d files from %s (made %s by %s, procura %s, %s) into %s.\n",
					len(m.Files), res.Archive, m.CreatedAt.Format("2006-01-02 15:04:05 UTC"), m.CreatedBy, m.Version, m.Backend, res.Workspace)
				switch {
				case res.Trusted:
					fmt.Fprintf(w, "Signed by the trusted key %s.\n", res.SignedBy)
				case res.SignedBy != "":
					fmt.Fprintf(w, "Signed by key %s (not checked against a trusted key: give --trust-key).\n", res.SignedBy)
				default:
					fmt.Fprintln(w, "The archive is not signed.")
				}
				fmt.Fprintf(w, "Audit chain: %d entries, %s.\n", res.Audit.Entries, holds(res.Audit.OK))
				fmt.Fprintf(w, "Evidence: %d items, %d bytes re-hashed, %s.\n", res.Evidence.Items, res.Evidence.Bytes, holds(res.Evidence.OK))
				if res.Audit.First != nil {
					fmt.Fprintf(w, "First break in the chain: %+v\n", *res.Audit.First)
				}
				for _, p := range res.Evidence.Problems {
					fmt.Fprintf(w, "Evidence problem: %+v\n", p)
				}
			})
			if err == nil && !res.OK {
				err = errors.New("the restored workspace does not verify: see above; do not use it before the problem is explained")
			}
			return err
		},
	}
	cmd.Flags().StringVar(&trustKey, "trust-key", "", "audit public key (PEM) the archive must be signed by")
	return cmd
}

func holds(ok bool) string {
	if ok {
		return "verified"
	}
	return "NOT verified"
}
