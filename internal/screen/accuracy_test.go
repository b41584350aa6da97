package screen_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"procura/internal/screen"
	"procura/internal/screen/sources/ofac"
)

// datasetsDir finds ../shared/datasets (or $PROCURA_DATASETS) and skips when it is absent.
func datasetsDir(t testing.TB, sub string) string {
	dir := os.Getenv("PROCURA_DATASETS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "datasets")
	}
	dir = filepath.Join(dir, sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("dataset %s is absent (%v); set PROCURA_DATASETS to the shared datasets folder to run this test", sub, err)
	}
	return dir
}

var ofacOnce struct {
	sync.Once
	ents []screen.Entity
	ix   *screen.Index
	err  error
}

func ofacIndex(t testing.TB) ([]screen.Entity, *screen.Index) {
	dir := datasetsDir(t, "ofac")
	ofacOnce.Do(func() {
		ofacOnce.ents, ofacOnce.err = ofac.Read(context.Background(), dir)
		if ofacOnce.err == nil {
			ofacOnce.ix, ofacOnce.err = screen.NewIndex(context.Background(), ofacOnce.ents, nil)
		}
	})
	if ofacOnce.err != nil {
		t.Fatal(ofacOnce.err)
	}
	return ofacOnce.ents, ofacOnce.ix
}

// query is a listed name changed the way people write names, with the entity it must find.
type query struct {
	text, want, kind string
}

// Variation kinds of the misspelled-and-reformatted benchmark.
const (
	kindCase     = "case_punctuation"
	kindReorder  = "reorder"
	kindTypo     = "typo"
	kindDrop     = "dropped_middle_name"
	kindTranslit = "transliteration"
)

// translitSwaps are spelling variants written by hand as a second transliterator would write
// them, independent of the matcher's tables.

var swaps = [][2]string{
	{`\bMOHAMMED\b`, "Muhammad"}, {`\bMUHAMMAD\b`, "Mohammed"}, {`\bMOHAMMAD\b`, "Mohamed"}, {`\bMOHAMED\b`, "Muhammad"},
	{`\bABDUL `, "Abd al-"}, {`\bABD AL-?`, "Abdul "}, {`\bABDEL`, "Abd al-"},
	{`OV\b`, "off"}, {`EV\b`, "eff"}, {`\bYUSUF\b`, "Youssef"}, {`\bYOUSSEF\b`, "Yusuf"}, {`\bYOUSEF\b`, "Yusuf"},
	{`\bAHMED\b`, "Ahmad"}, {`\bAHMAD\b`, "Ahmed"}, {`\bHUSSEIN\b`, "Husayn"}, {`\bHUSAYN\b`, "Hussein"},
	{`\bOMAR\b`, "Umar"}, {`\bMAHMOUD\b`, "Mahmud"}, {`\bALEKSANDR\b`, "Alexander"}, {`\bSERGEY\b`, "Sergei"},
}

var swapRes = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(swaps))
	for i, s := range swaps {
		out[i] = regexp.MustCompile(s[0])
	}
	return out
}()

// variations lists the variations of name that apply, with the changed name.
func variations(name, typ string, rng *rand.Rand) map[string]string {
	out := map[string]string{}
	lower := strings.ToLower(name)
	out[kindCase] = strings.Join(strings.Fields(strings.NewReplacer("-", " ", ",", "", ".", "", "'", "", "\"", "").Replace(lower)), " ")
	if strings.HasPrefix(lower, "al-") || strings.Contains(lower, " al-") {
		out[kindCase] = strings.ReplaceAll(lower, "al-", "al") // AL-AMIN written alamin
	}
	if sur, given, ok := strings.Cut(name, ", "); ok && given != "" {
		out[kindReorder] = given + " " + sur
	} else if f := strings.Fields(name); len(f) >= 2 {
		out[kindReorder] = f[len(f)-1] + ", " + strings.Join(f[:len(f)-1], " ")
	}
	// A typo changes a letter of a word of six letters or more (a run of letters: "AL-AMIN"
	// is two words), never its first letter.
	var long [][2]int
	for i := 0; i < len(name); {
		j := i
		for j < len(name) && isLetter(name[j]) {
			j++
		}
		if j-i >= 6 {
			long = append(long, [2]int{i, j})
		}
		i = j + 1
	}
	if len(long) > 0 {
		run := long[rng.IntN(len(long))]
		w := []byte(name)
		p := run[0] + 1 + rng.IntN(run[1]-run[0]-2)
		switch rng.IntN(3) {
		case 0:
			w[p] = "ABCDEFGHIJKLMNOPRSTUVWY"[rng.IntN(23)]
		case 1:
			w = append(w[:p], w[p+1:]...)
		default:
			w[p], w[p+1] = w[p+1], w[p]
		}
		out[kindTypo] = string(w)
	}
	words := strings.Fields(name)
	if typ == "individual" {
		if sur, given, ok := strings.Cut(name, ", "); ok {
			// A middle name follows a given name; "Abu Hafs", "Abdul Rahman", "Dr. Ayman" are one name.
			if g := strings.Fields(given); len(g) >= 2 && !compoundStart[strings.ToLower(strings.Trim(g[0], ".'"))] && len(g[0]) > 2 {
				out[kindDrop] = sur + ", " + g[0] + " " + strings.Join(g[2:], " ")
			}
		} else if len(words) >= 3 {
			out[kindDrop] = words[0] + " " + strings.Join(words[2:], " ")
		}
	}
	for i, re := range swapRes {
		if re.MatchString(name) {
			out[kindTranslit] = re.ReplaceAllString(name, swaps[i][1])
			break
		}
	}
	for k, v := range out {
		if strings.TrimSpace(v) == "" {
			delete(out, k)
		}
	}
	return out
}

// misspelledQueries makes one variation of every name (primary and alias) of every entity,
// the kind chosen at random among those that apply, deterministically.
func misspelledQueries(ents []screen.Entity) []query { return misspelledQueriesSeed(ents, 42) }

// misspelledQueriesSeed is misspelledQueries with another seed. Seed 42 is the set the
// matcher was developed on; other seeds draw fresh typos and variations of the same names.
func misspelledQueriesSeed(ents []screen.Entity, seed uint64) []query {
	rng := rand.New(rand.NewPCG(seed, 7))
	kinds := []string{kindCase, kindReorder, kindTypo, kindDrop, kindTranslit}
	var qs []query
	for _, e := range ents {
		for _, n := range e.Names {
			vs := variations(n, e.Type, rng)
			var apply []string
			for _, k := range kinds {
				if _, ok := vs[k]; ok {
					apply = append(apply, k)
				}
			}
			k := apply[rng.IntN(len(apply))]
			if _, ok := vs[kindTranslit]; ok && rng.IntN(2) == 0 {
				k = kindTranslit // rare enough to be given a better chance
			}
			qs = append(qs, query{text: vs[k], want: e.ListID, kind: k})
		}
	}
	return qs
}

// recall is how often the wanted entity ranks first (no other entity scores strictly higher)
// and within the first ten.
type recall struct {
	n, at1, at10 int
}

func (r recall) String() string {
	return fmt.Sprintf("%d queries: recall@1 %.4f, recall@10 %.4f", r.n, float64(r.at1)/float64(r.n), float64(r.at10)/float64(r.n))
}

func (r *recall) add(ms []screen.Match, want string) {
	r.n++
	for i, m := range ms {
		if m.ListID == want {
			if i == 0 || m.Score == ms[0].Score {
				r.at1++
			}
			r.at10++
			return
		}
	}
}

func TestScreeningFindsMisspelledAndReformattedOFACNames(t *testing.T) {
	for _, seed := range []uint64{42, 2027} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) { checkMisspelled(t, seed) })
	}
}

func checkMisspelled(t *testing.T, seed uint64) {
	ents, ix := ofacIndex(t)
	qs := misspelledQueriesSeed(ents, seed)
	var all recall
	byKind := map[string]*recall{}
	var misses []string
	for _, q := range qs {
		ms := ix.Search(q.text, screen.Options{})
		before := all.at1
		all.add(ms, q.want)
		if byKind[q.kind] == nil {
			byKind[q.kind] = &recall{}
		}
		byKind[q.kind].add(ms, q.want)
		if len(misses) < 60 && all.at1 == before {
			got := "nothing"
			if len(ms) > 0 {
				got = fmt.Sprintf("%s %q %.3f", ms[0].ListID, ms[0].Name, ms[0].Score)
			}
			misses = append(misses, fmt.Sprintf("%s %q want %s, got %s", q.kind, q.text, q.want, got))
		}
	}
	t.Logf("OFAC misspelled and reformatted names (seed %d) at the default threshold %.2f: %s", seed, screen.DefaultMinScore, all)
	for k, r := range byKind {
		t.Logf("  %-20s %s", k, r)
	}
	for _, m := range misses {
		t.Log("  miss:", m)
	}
	if r1 := float64(all.at1) / float64(all.n); r1 < 0.95 {
		t.Errorf("recall@1 %.4f is below the target 0.95", r1)
	}
	if r10 := float64(all.at10) / float64(all.n); r10 < 0.99 {
		t.Errorf("recall@10 %.4f is below the target 0.99", r10)
	}
}

// unlistedPersons reads the person names of the Febrl and Splink datasets, none of whom is on
// the OFAC list.
func unlistedPersons(t testing.TB) []string {
	seen := map[string]bool{}
	var out []string
	add := func(given, sur string) {
		n := strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(sur))
		if n != "" && !seen[strings.ToLower(n)] {
			seen[strings.ToLower(n)] = true
			out = append(out, n)
		}
	}
	febrl := datasetsDir(t, "febrl")
	for _, f := range []string{"dataset1.csv", "dataset2.csv", "dataset3.csv", "dataset4a.csv", "dataset4b.csv"} {
		for _, row := range readCSV(t, filepath.Join(febrl, f)) {
			add(row[1], row[2])
		}
	}
	for _, row := range readCSV(t, filepath.Join(datasetsDir(t, "splink"), "fake_1000.csv")) {
		add(row[1], row[2])
	}
	return out
}

func readCSV(t testing.TB, path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func TestScreeningRarelyFlagsPeopleWhoAreNotListed(t *testing.T) {
	_, ix := ofacIndex(t)
	persons := unlistedPersons(t)
	hits := 0
	for _, p := range persons {
		if ms := ix.Search(p, screen.Options{}); len(ms) > 0 {
			hits++
			if hits <= 20 {
				t.Logf("  hit: %q → %s %q %.3f (%s)", p, ms[0].ListID, ms[0].Name, ms[0].Score, ms[0].Explanation)
			}
		}
	}
	rate := 1000 * float64(hits) / float64(len(persons))
	t.Logf("Febrl+Splink unlisted persons: %d distinct names, %d with a match at %.2f: %.2f per 1,000", len(persons), hits, screen.DefaultMinScore, rate)
	if rate > 1 {
		t.Errorf("%.2f false hits per 1,000 queries, the target is at most 1", rate)
	}
	individuals := 0
	for _, p := range persons {
		if len(ix.Search(p, screen.Options{Types: []string{"individual"}})) > 0 {
			individuals++
		}
	}
	t.Logf("  the same screened against individuals only (--type individual): %d with a match: %.2f per 1,000", individuals, 1000*float64(individuals)/float64(len(persons)))
	if individuals > hits {
		t.Errorf("screening only individuals gave more hits (%d) than screening everything (%d)", individuals, hits)
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func letters(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if isLetter(w[i]) {
			n++
		}
	}
	return n
}

var compoundStart = map[string]bool{"abu": true, "abd": true, "abdul": true, "abdel": true, "abdal": true, "al": true, "el": true,
	"haji": true, "hajji": true, "bin": true, "ibn": true, "umm": true, "dr": true, "sheikh": true, "shaykh": true, "mullah": true}
