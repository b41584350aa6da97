package screen

import (
	"fmt"
	"strings"

	"procura/internal/names"
)

// Scoring constants. One setting for every list; docs/screening.md explains each.
const (
	// minTokenSim is the Jaro-Winkler similarity below which two words do not correspond at all:
	// one typo in a word of six letters or more stays above it (0.89–0.97), different names
	// that merely look alike (Morrison/Moreno 0.83, Coleman/Company 0.85) fall below.
	minTokenSim = 0.88
	// abjadSim is what a word written without vowels (Arabic and Hebrew transliterated letter
	// by letter) scores against a word with the same consonants.
	abjadSim = 0.90
	// initialSim is what an initial scores against a word it begins: it agrees, but says little.
	initialSim = 0.5
	// minFuzzyLen is the length a word needs before it may match another word inexactly.
	minFuzzyLen = 6
	// articleSim is what a word scores against itself with the article "al-" left out.
	articleSim = 0.95
	// extraListWord is how much a word of the listed name missing from the query costs, relative
	// to a query word missing from the name: lists carry middle names, patronymics and tribal
	// names that queries leave out.
	extraListWord = 0.15
	// joinedFactor discounts the comparison of whole names written without spaces, used when
	// the two names split their words differently ("Newkach.org" / "newkachorg") and are
	// then equal or one typo apart.
	joinedFactor = 0.96
	// orderFactor discounts a match whose words meet in a different order: "Karim Jamil"
	// is more likely Jamil Karim than Kadri Jamil.
	orderFactor = 0.98
	// maxTokens bounds the word alignment; longer names are compared on their first words.
	maxTokens = 12
)

// alignment records which query word met which list word, for the explanation.
type alignment struct {
	pairs  [][3]float64 // query index, list index, similarity
	joined float64      // > 0 when the joined comparison gave the score
}

// tokenSim is how alike two folded words are, 0 when they do not correspond.
func tokenSim(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) == 1 || len(b) == 1 {
		if a[0] == b[0] {
			return initialSim
		}
		return 0
	}
	if len(a) <= 2 || len(b) <= 2 {
		return 0
	}
	if va, vb := vowelless(a), vowelless(b); va != vb && consonants(a) == consonants(b) {
		return abjadSim // "mhmd" (محمد, written without short vowels) is Muhammad
	}
	if len(a) >= 6 && len(b) >= 4 && a[:2] == "al" && a[2:] == b || len(b) >= 6 && len(a) >= 4 && b[:2] == "al" && b[2:] == a {
		return articleSim // "al-Haramain" written "Haramain"
	}
	long := max(len(a), len(b))
	if long < minFuzzyLen {
		return 0 // short words are too alike by chance: they must be equal or spelling variants
	}
	s := names.JaroWinkler(a, b)
	if s < 1-0.5/float64(long) && names.WithinOneEdit(a, b) {
		// Jaro-Winkler punishes a typo near the start of a word with repeated letters
		// (Ogungbuyi/Obungbuyi 0.877); one edit in a long word is still one typo.
		s = 1 - 0.5/float64(long)
	}
	if s < minTokenSim {
		return 0
	}
	return s
}

// compare scores a query form against a listed name form: words are aligned greedily by
// similarity; the score is the weighted similarity of aligned words over the weight of all
// query words and a fraction of the unaligned list words.
func compare(q, n *form) (float64, alignment) {
	nq, nn := min(len(q.tokens), maxTokens), min(len(n.tokens), maxTokens)
	var sims [maxTokens * maxTokens]float64
	for i := 0; i < nq; i++ {
		for j := 0; j < nn; j++ {
			sim := tokenSim(q.tokens[i], n.tokens[j])
			if sim < 1 && (q.orig[i] != q.tokens[i] || n.orig[j] != n.tokens[j]) {
				// A typo in a variant spelling ("Mohmed") is judged against the spelling as written.
				sim = max(sim, tokenSim(q.orig[i], n.orig[j]))
			}
			sims[i*maxTokens+j] = sim
		}
	}
	var usedQ, usedN [maxTokens]bool
	var al alignment
	num, den := 0.0, 0.0
	for {
		bi, bj, bs := -1, -1, 0.0
		for i := 0; i < nq; i++ {
			if usedQ[i] {
				continue
			}
			for j := 0; j < nn; j++ {
				if !usedN[j] && sims[i*maxTokens+j] > bs {
					bi, bj, bs = i, j, sims[i*maxTokens+j]
				}
			}
		}
		if bi < 0 {
			break
		}
		usedQ[bi], usedN[bj] = true, true
		w := (q.weights[bi] + n.weights[bj]) / 2
		num += w * bs
		den += w
		al.pairs = append(al.pairs, [3]float64{float64(bi), float64(bj), bs})
	}
	for i := 0; i < nq; i++ {
		switch {
		case usedQ[i]:
		case q.weights[i] < 1:
			den += extraListWord * q.weights[i] // "Co." in one name and "Limited" in the other
		default:
			den += q.weights[i]
		}
	}
	for j := 0; j < nn; j++ {
		if !usedN[j] {
			den += extraListWord * n.weights[j]
		}
	}
	score := 0.0
	if den > 0 {
		score = num / den
	}
	if score < 1 && q.significant == 1 {
		// One word is little evidence: a one-word query must meet its name more closely.
		score *= score
	}
	if inversions(al.pairs) {
		score *= orderFactor
	}
	if nq != nn && q.significant+n.significant >= 3 && len(q.joined) >= 6 && len(n.joined) >= 6 && names.WithinOneEdit(q.joined, n.joined) {
		js := joinedFactor
		if q.joined != n.joined {
			js *= 1 - 0.5/float64(max(len(q.joined), len(n.joined)))
		}
		if js > score {
			score, al.joined = js, js
		}
	}
	return score, al
}

// explain says in words how the query met the listed name.
func (al alignment) explain(q, n *form, alias bool) string {
	var b strings.Builder
	if alias {
		b.WriteString("alias: ")
	} else {
		b.WriteString("primary name: ")
	}
	if al.joined > 0 {
		fmt.Fprintf(&b, "%q ~ %q written without spaces (at most one typo apart, %.3f)", q.joined, n.joined, al.joined)
		return b.String()
	}
	matchedN := make([]bool, len(n.tokens))
	for k, p := range al.pairs {
		if k > 0 {
			b.WriteString(", ")
		}
		i, j, s := int(p[0]), int(p[1]), p[2]
		matchedN[j] = true
		qw, nw := q.orig[i], n.orig[j]
		switch {
		case qw == nw:
			fmt.Fprintf(&b, "%s = %s", qw, nw)
		case s == 1:
			fmt.Fprintf(&b, "%s = %s (spellings of %s)", qw, nw, n.tokens[j])
		default:
			fmt.Fprintf(&b, "%s ~ %s (%s %.2f)", qw, nw, howAlike(q.tokens[i], n.tokens[j]), s)
		}
	}
	var missing []string
	for j, ok := range matchedN {
		if !ok && j < maxTokens {
			missing = append(missing, n.tokens[j])
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "; list words not in the query: %s", strings.Join(missing, " "))
	}
	if extra := len(q.tokens) - len(al.pairs); extra > 0 {
		fmt.Fprintf(&b, "; %d query word(s) not in the listed name", extra)
	}
	return b.String()
}

// inversions reports whether aligned words meet in a different order.
func inversions(pairs [][3]float64) bool {
	for a := range pairs {
		for b := a + 1; b < len(pairs); b++ {
			if (pairs[a][0] < pairs[b][0]) != (pairs[a][1] < pairs[b][1]) {
				return true
			}
		}
	}
	return false
}

// howAlike names the rule of tokenSim that made two different words correspond.
func howAlike(a, b string) string {
	switch {
	case len(a) == 1 || len(b) == 1:
		return "initial"
	case vowelless(a) != vowelless(b) && consonants(a) == consonants(b):
		return "same consonants"
	case strings.TrimPrefix(a, "al") == strings.TrimPrefix(b, "al"):
		return "without al-"
	case names.WithinOneEdit(a, b):
		return "one typo"
	}
	return "Jaro-Winkler"
}
