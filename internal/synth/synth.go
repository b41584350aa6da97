// Package synth generates a synthetic telecom-fraud world with ground truth: a population with
// banks, cards, phones and devices; a year of background life (salaries, shopping, transfers,
// calls); fraud rings with call centres, SIM farms, card dealers, card farmers and mule layers;
// victims and their money paths to cash-out; case registries, judgments, rosters, benefits,
// licences, companies and penalties with injected supervision violations. Output is
// deterministic for a seed and streams, so memory stays flat as the scale grows.
package synth

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options configure one generation run.
type Options struct {
	Out      string   // output directory (created; existing files overwritten)
	Seed     int64    // same seed and options give the same bytes in every file
	Scale    string   // "small" (≈200k transactions), "medium" (≈5M), "large" (≈50M) or "<N>tx"
	Formats  []string // "canonical" (always), "bank-cn", "xlsx", "gbk", "en"
	Progress func(done, total int64)
}

// FileInfo describes one written file.
type FileInfo struct {
	Path    string `json:"path"` // relative to Out, with forward slashes
	Kind    string `json:"kind"` // canonical kind, or "" for a plain dataset
	Profile string `json:"profile"`
	Format  string `json:"format"`
	Rows    int64  `json:"rows"`
	SHA256  string `json:"sha256"`
	Subset  bool   `json:"subset,omitempty"` // an alternative layout of part of a canonical file
}

// Summary reports what Generate wrote.
type Summary struct {
	Out          string     `json:"out"`
	Seed         int64      `json:"seed"`
	Transactions int64      `json:"transactions"`
	Calls        int64      `json:"calls"`
	Persons      int64      `json:"persons"`
	Accounts     int64      `json:"accounts"`
	Cases        int64      `json:"cases"`
	Rings        int64      `json:"rings"`
	Victims      int64      `json:"victims"`
	Files        []FileInfo `json:"files"`
	Truth        []string   `json:"truth"`
	Seconds      float64    `json:"seconds"`
}

// Scales names the preset sizes in transactions.
var Scales = map[string]int64{"small": 200_000, "medium": 5_000_000, "large": 50_000_000}

// Formats lists the accepted format names.
var Formats = []string{"canonical", "bank-cn", "xlsx", "gbk", "en"}

// ParseScale returns the number of transactions a scale asks for.
func ParseScale(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if n, ok := Scales[s]; ok {
		return n, nil
	}
	if num, ok := strings.CutSuffix(s, "tx"); ok {
		n, err := strconv.ParseInt(strings.ReplaceAll(num, "_", ""), 10, 64)
		if err == nil && n >= 1000 && n <= 1_000_000_000 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("scale %q is not known: use small, medium, large or a transaction count such as 20000tx (between 1000tx and 1000000000tx)", s)
}

// params are the sizes derived from the requested transaction count.
type params struct {
	transactions    int64
	calls           int64
	persons         int
	rings           int
	victims         int
	branchesPerBank int
	formats         map[string]bool
}

func newParams(n int64, formats []string) (params, error) {
	p := params{transactions: n, calls: n / 2, formats: map[string]bool{"canonical": true}}
	p.persons = int(min(max(n/60, 3000), 500_000))
	p.rings = int(min(max(int64(math.Sqrt(float64(n)/20000)+0.5), 3), 60))
	// About 45 statement rows follow one victim; keep fraud near 0.5% of all rows.
	p.victims = int(max(int64(p.rings)*3, n/9000))
	p.branchesPerBank = int(min(max(int64(p.persons)/2000, 8), 60))
	for _, f := range formats {
		f = strings.TrimSpace(strings.ToLower(f))
		if f == "" {
			continue
		}
		if !slices.Contains(Formats, f) {
			return p, fmt.Errorf("format %q is not known: choose from %s", f, strings.Join(Formats, ", "))
		}
		p.formats[f] = true
	}
	return p, nil
}

// gcPercent is the garbage collector's target (GOGC) while Generate runs.
const gcPercent = 40

// Generate writes a synthetic world into o.Out and returns what it wrote.
func Generate(ctx context.Context, o Options) (Summary, error) {
	start := time.Now()
	n, err := ParseScale(o.Scale)
	if err != nil {
		return Summary{}, err
	}
	p, err := newParams(n, o.Formats)
	if err != nil {
		return Summary{}, err
	}
	if o.Out == "" {
		return Summary{}, fmt.Errorf("no output directory given: pass the folder to write the world into")
	}
	for _, d := range []string{"", "truth", "formats"} {
		if err := os.MkdirAll(filepath.Join(o.Out, d), 0o755); err != nil {
			return Summary{}, fmt.Errorf("create output folder: %w", err)
		}
	}
	// Nearly all the live heap is the world, which lives for the whole run, and the stream
	// allocates almost nothing, so the collector's default headroom (as much again as the live
	// heap) would only let garbage pile up to twice the world. A lower target keeps the peak
	// near the world for a few more, cheap, collections. Restored on return; a lower setting
	// or GOGC=off is left alone.
	if prev := debug.SetGCPercent(gcPercent); prev < gcPercent {
		debug.SetGCPercent(prev)
	} else {
		defer debug.SetGCPercent(prev)
	}
	w := buildWorld(o.Seed, p)
	f := buildFraud(w, p)
	j := buildJustice(w, f, p)
	w.idSeen = nil // every person exists now; the set of used IDs was only for drawing new ones
	out := &outputs{dir: o.Out}
	st, err := streamActivity(ctx, w, f, p, out, o.Progress)
	if err != nil {
		return Summary{}, err
	}
	if err := writeTables(w, f, j, p, out); err != nil {
		return Summary{}, err
	}
	if err := writeTruth(w, f, j, st, out); err != nil {
		return Summary{}, err
	}
	if err := out.writeManifest(o.Seed, o.Scale); err != nil {
		return Summary{}, err
	}
	s := Summary{
		Out: o.Out, Seed: o.Seed, Transactions: st.txRows, Calls: st.callRows,
		Persons: int64(len(w.persons)), Accounts: int64(len(w.accounts)), Cases: int64(len(j.cases)),
		Rings: int64(len(f.rings)), Victims: int64(len(f.victimsSet)), Files: out.files, Truth: out.truth,
		Seconds: time.Since(start).Seconds(),
	}
	return s, nil
}
