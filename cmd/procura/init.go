package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

func newInitCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create a workspace (embedded database and evidence store)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := app.Init(cmd.Context(), g.config("init"))
			if err != nil {
				return err
			}
			return g.emit(res, func(w io.Writer) {
				fmt.Fprintf(w, "Created workspace %s (%s). Evidence files go to %s.\n", res.Workspace, res.Backend, res.Evidence)
				if res.Admin != nil {
					fmt.Fprintf(w, "Administrator %s, password (shown once, keep it safe): %s\n", res.Admin.Name, res.Admin.Password)
				}
				fmt.Fprintf(w, "Next: procura import FILE --dataset NAME --kind KIND --workspace %s\n", res.Workspace)
			})
		},
	}
}
