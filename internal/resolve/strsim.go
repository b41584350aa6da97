package resolve

import (
	"sort"

	"procura/internal/names"
)

func sortStrings(s []string) { sort.Strings(s) }

// The string similarities live in internal/names, shared with list screening.

func jaroWinkler(a, b string) float64    { return names.JaroWinkler(a, b) }
func withinOneEdit(a, b string) bool     { return names.WithinOneEdit(a, b) }
func tokenOverlap(a, b []string) float64 { return names.TokenOverlap(a, b) }
func soundex(s string) string            { return names.Soundex(s) }
