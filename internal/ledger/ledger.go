// Package ledger measures how far a person's decision is from what procura's automation
// suggested, for the AI-assistance ledger (docs/workflow.md): a line diff of the two as
// canonical JSON and a distance between 0 (accepted as suggested) and 1 (nothing kept).
package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Decisions a person makes on a suggestion.
const (
	Accepted = "accepted" // taken as suggested
	Edited   = "edited"   // taken with changes; the diff says which
	Rejected = "rejected" // not taken
)

// Canonical renders a JSON document with sorted keys, one value per line, so that a line diff
// shows which fields changed.
func Canonical(doc []byte) (string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return "", fmt.Errorf("not JSON: %w", err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Compare returns the diff from suggested to final (both JSON) and their distance.
func Compare(suggested, final []byte) (diff string, distance float64, err error) {
	a, err := Canonical(suggested)
	if err != nil {
		return "", 0, fmt.Errorf("suggestion: %w", err)
	}
	b, err := Canonical(final)
	if err != nil {
		return "", 0, fmt.Errorf("final decision: %w", err)
	}
	d, dist := Diff(a, b)
	return d, dist, nil
}

// Diff compares two texts line by line. It returns the changed lines ("-" removed, "+" added;
// unchanged lines are left out) and the distance 1 - 2·common/(lines of a + lines of b), the
// Ratcliff–Obershelp ratio over lines: 0 for equal texts, 1 when no line is kept.
func Diff(a, b string) (string, float64) {
	la, lb := lines(a), lines(b)
	if len(la)+len(lb) == 0 {
		return "", 0
	}
	// Longest common subsequence by dynamic programming; suggestions are short documents.
	n, m := len(la), len(lb)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if la[i] == lb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && la[i] == lb[j]:
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			out.WriteString("-" + la[i] + "\n")
			i++
		default:
			out.WriteString("+" + lb[j] + "\n")
			j++
		}
	}
	return out.String(), 1 - 2*float64(lcs[0][0])/float64(n+m)
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
