package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

func newUserCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage users, roles, case grants, passwords and API tokens",
		Long: `Manage the workspace's users. The CLI acts as the workspace's local administrator (whoever
can run it can read the workspace's files anyway); set PROCURA_USER=NAME to act as a user.
Roles: admin, prosecutor, reviewer, analyst, liaison, auditor (docs/server.md).`,
	}
	with := func(name string, f func(ctx context.Context, a *app.App) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			a, err := g.open(cmd.Context(), "user "+name)
			if err != nil {
				return err
			}
			defer a.Close()
			return f(cmd.Context(), a)
		}
	}

	var nu app.NewUser
	add := &cobra.Command{
		Use:   "add NAME --role ROLE [--display-name TEXT]",
		Short: "Add a user; a generated password is printed once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			nu.Name = args[0]
			return with("add", func(ctx context.Context, a *app.App) error {
				res, err := a.AddUser(ctx, nu)
				if err != nil {
					return err
				}
				return g.emit(res, func(w io.Writer) {
					fmt.Fprintf(w, "Added %s (%s).\n", res.User.Name, res.User.Role)
					if res.Password != "" {
						fmt.Fprintf(w, "Password (shown only now; to be changed at the first login): %s\n", res.Password)
					}
				})
			})(cmd, args)
		},
	}
	add.Flags().StringVar(&nu.Role, "role", "", "admin, prosecutor, reviewer, analyst, liaison or auditor")
	add.Flags().StringVar(&nu.DisplayName, "display-name", "", "name shown in pages and the audit log")

	list := &cobra.Command{
		Use:   "list",
		Short: "List users with role and state",
		Args:  cobra.NoArgs,
		RunE: with("list", func(ctx context.Context, a *app.App) error {
			us, err := a.Users(ctx)
			if err != nil {
				return err
			}
			return g.emit(map[string]any{"users": us}, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "USER\tNAME\tROLE\tSTATE\tCREATED")
				for _, u := range us {
					state := "active"
					if u.Disabled {
						state = "disabled"
					} else if u.MustChangePassword {
						state = "must change password"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.DisplayName, u.Role, state, u.CreatedAt.Format("2006-01-02"))
				}
				tw.Flush()
			})
		}),
	}

	grant := &cobra.Command{
		Use:   "grant NAME CASE",
		Short: "Let a user see a case (need-to-know)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return with("grant", func(ctx context.Context, a *app.App) error {
				if err := a.GrantCase(ctx, args[0], args[1]); err != nil {
					return err
				}
				return g.emit(map[string]string{"user": args[0], "case_id": args[1], "granted": "yes"}, func(w io.Writer) {
					fmt.Fprintf(w, "%s may now see case %s.\n", args[0], args[1])
				})
			})(cmd, args)
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke NAME CASE",
		Short: "Withdraw a user's grant on a case",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return with("revoke", func(ctx context.Context, a *app.App) error {
				if err := a.RevokeCase(ctx, args[0], args[1]); err != nil {
					return err
				}
				return g.emit(map[string]string{"user": args[0], "case_id": args[1], "granted": "no"}, func(w io.Writer) {
					fmt.Fprintf(w, "%s may no longer see case %s.\n", args[0], args[1])
				})
			})(cmd, args)
		},
	}

	var stdinPassword bool
	passwd := &cobra.Command{
		Use:   "passwd NAME [--stdin]",
		Short: "Reset a user's password (generated and printed once, or read from stdin); ends the user's sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw := ""
			if stdinPassword {
				b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 4096))
				if err != nil {
					return err
				}
				pw = trimNewline(string(b))
			}
			return with("passwd", func(ctx context.Context, a *app.App) error {
				gen, err := a.ResetPassword(ctx, args[0], pw)
				if err != nil {
					return err
				}
				return g.emit(map[string]string{"user": args[0], "password": gen}, func(w io.Writer) {
					if gen != "" {
						fmt.Fprintf(w, "New password of %s (shown only now; to be changed at the next login): %s\n", args[0], gen)
					} else {
						fmt.Fprintf(w, "Password of %s changed; the user's sessions and tokens were revoked.\n", args[0])
					}
				})
			})(cmd, args)
		},
	}
	passwd.Flags().BoolVar(&stdinPassword, "stdin", false, "read the new password from standard input")

	var role string
	setRole := &cobra.Command{
		Use:   "role NAME ROLE",
		Short: "Change a user's role",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			role = args[1]
			return with("role", func(ctx context.Context, a *app.App) error {
				if err := a.SetRole(ctx, args[0], role); err != nil {
					return err
				}
				return g.emit(map[string]string{"user": args[0], "role": role}, func(w io.Writer) {
					fmt.Fprintf(w, "%s is now %s.\n", args[0], role)
				})
			})(cmd, args)
		},
	}

	disable := func(use string, disabled bool) *cobra.Command {
		return &cobra.Command{
			Use:   use + " NAME",
			Short: map[bool]string{true: "Disable a user and revoke the user's sessions and tokens", false: "Enable a disabled user"}[disabled],
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return with(use, func(ctx context.Context, a *app.App) error {
					if err := a.SetDisabled(ctx, args[0], disabled); err != nil {
						return err
					}
					return g.emit(map[string]any{"user": args[0], "disabled": disabled}, func(w io.Writer) {
						fmt.Fprintf(w, "%s %sd.\n", args[0], use)
					})
				})(cmd, args)
			},
		}
	}

	var label string
	var days int
	token := &cobra.Command{
		Use:   "token NAME [--label TEXT] [--days N]",
		Short: "Create an API token for a user (printed once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return with("token", func(ctx context.Context, a *app.App) error {
				tok, err := a.CreateTokenFor(ctx, args[0], label, time.Duration(days)*24*time.Hour)
				if err != nil {
					return err
				}
				return g.emit(map[string]any{"token": tok.Secret, "credential": tok.Credential}, func(w io.Writer) {
					fmt.Fprintf(w, "Token %s of %s, valid until %s (shown only now):\n%s\n", tok.Credential.ID, args[0], tok.Credential.ExpiresAt.Format("2006-01-02"), tok.Secret)
				})
			})(cmd, args)
		},
	}
	token.Flags().StringVar(&label, "label", "", "what the token is for")
	token.Flags().IntVar(&days, "days", 90, "days until the token expires (at most 366)")

	tokens := &cobra.Command{
		Use:   "tokens [NAME]",
		Short: "List sessions and API tokens (of one user, or everyone's)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			who := ""
			if len(args) == 1 {
				who = args[0]
			}
			return with("tokens", func(ctx context.Context, a *app.App) error {
				cs, err := a.Credentials(ctx, who)
				if err != nil {
					return err
				}
				return g.emit(map[string]any{"credentials": cs}, func(w io.Writer) {
					tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tUSER\tKIND\tLABEL\tEXPIRES\tSTATE")
					for _, c := range cs {
						state := "live"
						if !c.RevokedAt.IsZero() {
							state = "revoked by " + c.RevokedBy
						} else if time.Now().After(c.ExpiresAt) {
							state = "expired"
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.User, c.Kind, c.Label, c.ExpiresAt.Format("2006-01-02 15:04"), state)
					}
					tw.Flush()
				})
			})(cmd, args)
		},
	}
	revokeToken := &cobra.Command{
		Use:   "revoke-token ID",
		Short: "Revoke a session or API token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return with("revoke-token", func(ctx context.Context, a *app.App) error {
				if err := a.RevokeCredential(ctx, args[0]); err != nil {
					return err
				}
				return g.emit(map[string]string{"revoked": args[0]}, func(w io.Writer) { fmt.Fprintf(w, "Revoked %s.\n", args[0]) })
			})(cmd, args)
		},
	}
	cmd.AddCommand(add, list, grant, revoke, passwd, setRole, disable("disable", true), disable("enable", false), token, tokens, revokeToken)
	return cmd
}

func trimNewline(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
