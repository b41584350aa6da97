package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"procura/internal/app"
	"procura/internal/ingest"
	"procura/internal/supervise"
)

// importFlagsNotForwarded are import flags the server's import does not take (it detects what
// they set); a forwarded import refuses them rather than import differently than asked.
var importFlagsNotForwarded = []string{"format", "delimiter", "sheet", "header-row", "time-zone", "region"}

// forwardImport uploads each file to the server (POST /api/v1/imports), follows the import job
// with the progress bar and prints the result as a local import does.
func forwardImport(cmd *cobra.Command, g *globals, rc *remote, req app.ImportRequest, files []string) error {
	for _, name := range importFlagsNotForwarded {
		if cmd.Flags().Changed(name) {
			return fmt.Errorf("--%s is not sent to the server, which detects it itself: leave it out, or import on the server's page %s/import", name, rc.base)
		}
	}
	fields := map[string]string{"dataset": req.Dataset, "kind": req.Kind, "profile": req.Profile,
		"source_agency": req.SourceAgency, "request_no": req.RequestNo, "encoding": req.Read.Encoding}
	var pairs []string
	for k, v := range req.Map {
		pairs = append(pairs, k+"="+v)
	}
	fields["map"] = strings.Join(pairs, ",")
	var results []any
	for _, path := range files {
		var job remoteJob
		if err := rc.upload(cmd.Context(), "/api/v1/imports", path, fields, &job); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		var res ingest.Result
		if err := rc.follow(cmd.Context(), job, g.newBar(), &res); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		// The server names the uploaded copy; the user knows the file by the path given.
		res.File = path
		results = append(results, res)
		if !g.json {
			printImport(g.out, res)
		}
	}
	return emitImports(g, results)
}

// forwardModelRun runs models on the server (POST /api/v1/model-runs) and follows the job.
func forwardModelRun(ctx context.Context, g *globals, rc *remote, req app.RunRequest) ([]supervise.RunResult, error) {
	var job remoteJob
	body := map[string]any{"ids": req.IDs, "all": req.All, "params": req.Params}
	if err := rc.postJSON(ctx, "/api/v1/model-runs", body, &job); err != nil {
		return nil, err
	}
	var out struct {
		Runs []supervise.RunResult `json:"runs"`
	}
	if err := rc.follow(ctx, job, g.newBar(), &out); err != nil {
		return nil, err
	}
	return out.Runs, nil
}
