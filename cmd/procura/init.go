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
				fmt.Fprintf(w, "Next: procura import FILE --dataset NAME --kind KIND --workspace %s\n", res.Workspace)
			})
		},
	}
}
