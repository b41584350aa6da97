// Package data holds the embedded reference tables of the synthetic world: real county-level
// administrative division codes (see NOTICE.txt for their origin and licence).
package data

import (
	_ "embed"
	"strings"
)

//go:embed divisions.tsv
var divisionsTSV string

// Division is one county-level administrative division.
type Division struct {
	Code       string // six digits, the first part of an 18-digit resident ID
	Province   string
	Prefecture string
	County     string
}

// Divisions returns the embedded county-level divisions in file order.
func Divisions() []Division {
	lines := strings.Split(strings.TrimSpace(divisionsTSV), "\n")
	out := make([]Division, 0, len(lines))
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			continue
		}
		out = append(out, Division{Code: f[0], Province: f[1], Prefecture: f[2], County: f[3]})
	}
	return out
}
