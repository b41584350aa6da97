package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"procura/internal/app"
)

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the procura version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := map[string]string{"version": app.Version, "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH}
			return g.emit(v, func(w io.Writer) {
				fmt.Fprintf(w, "procura %s (%s, %s/%s)\n", app.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			})
		},
	}
}
