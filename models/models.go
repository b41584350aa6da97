// Package models embeds procura's built-in supervision models (one YAML file each, see
// docs/models.md) and their test fixtures (testdata/<model id>/: input CSVs named by kind or
// dataset and expected.json with the fingerprint keys of the clues they must produce).
package models

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml testdata
var files embed.FS

// Files returns the built-in model files (*.yaml at the root) and their fixtures.
func Files() fs.FS { return files }
