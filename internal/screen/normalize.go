package screen

import (
	"strings"
	"unicode"

	"procura/internal/names"
)

// form is a name folded for comparison: Latin tokens in their written order, each with a weight
// (honorifics are gone, company suffixes and particles weigh little) and a consonant skeleton.
type form struct {
	tokens      []string
	orig        []string // the tokens before canonical spelling, to meet typos in variant names
	weights     []float64
	skels       []string
	total       float64 // sum of weights
	significant int     // words of full weight
	index       bool    // a listed name: every word gets a consonant key
	joined      string  // tokens without spaces, for names split differently ("kim jong un" / "kimjongun")
}

// Weights of tokens that say little about who is meant.
const (
	weightParticle = 0.2 // company suffixes, "de", "bin", "of"
	weightInitial  = 0.3 // a single letter
)

// honorifics are dropped: they are titles, not names, and lists and queries use them unevenly.
var honorifics = set("mr", "mrs", "ms", "miss", "mister", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
	"sheikh", "shaikh", "shaykh", "sheik", "haji", "hajji", "hadji", "mullah", "mulla", "maulana", "maulvi", "mawlawi",
	"imam", "general", "gen", "colonel", "col", "major", "maj", "captain", "capt",
	"admiral", "lieutenant", "lt", "sgt", "sergeant", "commander", "brigadier", "marshal", "president", "minister",
	"senator", "judge", "rev", "reverend", "father", "fr", "jr", "sr", "esq", "phd", "engineer", "eng")

// particles weigh little: company forms and connecting words are shared by thousands of
// unrelated names, so they must not make a match.
var particles = set(
	// company forms
	"ltd", "limited", "llc", "inc", "incorporated", "co", "corp", "corporation", "company", "companies", "sa", "sas",
	"sarl", "srl", "spa", "gmbh", "ag", "kg", "bv", "nv", "plc", "llp", "lp", "jsc", "ojsc", "cjsc", "pjsc", "pao",
	"oao", "zao", "ooo", "tov", "fze", "fzco", "fzc", "fzllc", "pte", "pvt", "private", "bhd", "sdn", "cv", "sl",
	"sac", "eirl", "ltda", "cia", "kft", "doo", "ab", "as", "oy", "group", "holding", "holdings", "trading",
	"international", "enterprise", "enterprises", "est", "establishment",
	// connecting words
	"de", "del", "della", "der", "den", "van", "von", "da", "do", "dos", "das", "du", "la", "le", "les", "los", "y", "e",
	"of", "the", "and", "for", "al", "bin", "binti", "ibn", "ben", "bint", "ould", "abu", "oglu", "ogly", "kyzy")

// misspeltTitles are the titles that lists and queries misspell ("Shiekh", "Generl"); a word
// one typo from one of them is a title too. Titles that are also surnames (Marshal/Marshall,
// Major) are not among them.
var misspeltTitles = []string{"sheikh", "shaikh", "shaykh", "general", "colonel", "captain", "mullah", "maulana", "lieutenant", "brigadier"}

// isHonorific reports whether t is a title, or one typo from a commonly misspelt title.
func isHonorific(t string) bool {
	if honorifics[t] {
		return true
	}
	if len(t) < 5 {
		return false
	}
	for _, h := range misspeltTitles {
		if names.WithinOneEdit(h, t) {
			return true
		}
	}
	return false
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// variants maps common transliterations of the same name to one spelling. Screening services
// keep such tables because the consonant skeleton alone cannot tell Muhammad from Mahmud.
var variants = func() map[string]string {
	groups := [][]string{
		{"muhammad", "mohammed", "mohammad", "mohamed", "mohamad", "muhammed", "mohamud", "mohammod", "muhamad", "mukhammad", "mukhammed", "mohd", "muhamed", "mehmet", "mehmed", "mohamet", "mouhamed", "mouhammad", "mohummad", "md"},
		{"ahmad", "ahmed", "akhmad", "akhmed", "ahmet", "achmad", "ahmat"},
		{"yusuf", "youssef", "yousef", "yusef", "yousif", "yousuf", "yussuf", "yosef", "youssouf", "jusuf", "yusif", "yusup"},
		{"husayn", "hussein", "husein", "hussain", "husain", "hossein", "hosein", "huseyin", "hussin", "housein"},
		{"hasan", "hassan", "hasson", "hassane"},
		{"mahmud", "mahmoud", "mahmood", "makhmud", "mahmut"},
		{"mustafa", "mostafa", "moustafa", "mustapha", "mostapha"},
		{"ibrahim", "ebrahim", "ibragim", "brahim", "ibrahima"},
		{"ismail", "ismael", "ismayil", "esmail", "ismoil"},
		{"abdullah", "abdallah", "abdulla", "abdollah", "abdalla"},
		{"khalid", "khaled", "halid", "khalied"},
		{"umar", "omar", "omer", "oumar"},
		{"uthman", "othman", "osman", "usman", "ousmane", "othmane"},
		{"said", "saeed", "sayed", "saied", "saed"},
		{"abdal", "abdul", "abdel", "abdoul", "abdol", "abdil", "abd"},
		{"yahya", "yahia", "yehia", "yehya"},
		{"sulayman", "suleiman", "sulaiman", "soleiman", "suleyman", "sleiman", "soliman"},
		{"yaqub", "yakub", "yacoub", "yaqoob", "yakoub"},
		{"salih", "saleh", "salah"},
		{"jamal", "gamal", "djamal", "jamel"},
		{"abbas", "abas"},
		{"ali", "aly"},
		{"aleksandr", "alexander", "aleksander", "alexandr", "oleksandr"},
		{"sergey", "sergei", "serhiy", "sergej", "serguei"},
		{"yuri", "yury", "yuriy", "iouri", "jurij"},
		{"dmitry", "dmitri", "dmitriy", "dimitri", "dmytro"},
		{"andrey", "andrei", "andriy", "andrej"},
		{"aleksey", "alexey", "alexei", "aleksei", "oleksiy"},
		{"evgeny", "yevgeny", "evgeniy", "yevgeniy", "evgenii", "yevhen"},
		{"mikhail", "mihail", "mykhailo", "michail"},
	}
	m := map[string]string{}
	for _, g := range groups {
		for _, w := range g {
			m[w] = g[0]
		}
	}
	return m
}()

// normalize folds a name into its form. "Surname, Given" is read as "Given Surname"; runs of
// single letters ("S.A.", "J. R.") become one token; "abd" joins the name it is the servant of,
// so "Abd al-Rahman", "Abdul Rahman" and "Abdulrahman" are one token; "-off"/"-eff" endings
// are written "-ov"/"-ev"; common transliterations of one name are spelt one way.
func normalize(name string) form {
	if sur, given, ok := strings.Cut(name, ","); ok && strings.TrimSpace(given) != "" {
		name = given + " " + sur
	}
	latin, script := names.Fold(transliterate(name))
	latin = chineseGivenName(latin, script)
	toks := make([]string, 0, len(latin))
	for i := 0; i < len(latin); i++ {
		t := latin[i]
		if isHonorific(t) && len(latin) > 1 {
			continue
		}
		if len(t) == 1 {
			for i+1 < len(latin) && len(latin[i+1]) == 1 {
				i++
				t += latin[i]
			}
		}
		toks = append(toks, t)
	}
	toks = joinArticles(toks)
	orig := make([]string, len(toks))
	for i, t := range toks {
		orig[i] = t
		toks[i] = canonical(t)
	}
	toks, orig = joinAbd(toks, orig)
	var f form
	var joined strings.Builder
	for i, t := range toks {
		w := 1.0
		switch {
		case particles[t]:
			w = weightParticle
		case len(t) == 1:
			w = weightInitial
		}
		f.tokens = append(f.tokens, t)
		f.orig = append(f.orig, orig[i])
		f.weights = append(f.weights, w)
		f.skels = append(f.skels, skeleton(t))
		f.total += w
		if w == 1 {
			f.significant++
			joined.WriteString(t)
		}
	}
	f.joined = joined.String()
	return f
}

func canonical(t string) string {
	if v, ok := variants[t]; ok {
		return v
	}
	for _, p := range [...]string{"abdul", "abdel", "abdoul", "abdol"} {
		if len(t) > len(p)+2 && strings.HasPrefix(t, p) {
			return "abdal" + t[len(p):]
		}
	}
	if len(t) >= 5 {
		switch {
		case strings.HasSuffix(t, "off"):
			return t[:len(t)-3] + "ov"
		case strings.HasSuffix(t, "eff"):
			return t[:len(t)-3] + "ev"
		case strings.HasSuffix(t, "ova") || strings.HasSuffix(t, "eva"):
			return t // feminine forms stay as they are
		}
	}
	if strings.Contains(t, "x") && len(t) > 3 {
		return strings.ReplaceAll(t, "x", "ks") // Alexander = Aleksandr
	}
	return t
}

// joinArticles joins the Arabic article to the word it belongs to: "al-Amin", "al Amin" and
// "alAmin" are all "alamin".
func joinArticles(toks []string) []string {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		if isArticle(toks[i]) && i+1 < len(toks) {
			toks[i+1] = "al" + toks[i+1]
			continue
		}
		if isArticle(toks[i]) && len(out) > 0 {
			continue // an article left over when its word was a title ("al-Shaykh")
		}
		out = append(out, toks[i])
	}
	return out
}

func isArticle(t string) bool { return t == "al" || t == "el" || t == "ul" }

// joinAbd joins "abd" (in any spelling) to the name after it: "abd alrahman" → "abdalrahman".
func joinAbd(toks, orig []string) ([]string, []string) {
	out, outOrig := toks[:0], orig[:0]
	for i := 0; i < len(toks); i++ {
		if toks[i] == "abdal" && i+1 < len(toks) {
			toks[i+1] = canonical("abdal" + strings.TrimPrefix(toks[i+1], "al"))
			orig[i+1] = toks[i+1]
			continue
		}
		out, outOrig = append(out, toks[i]), append(outOrig, orig[i])
	}
	return out, outOrig
}

// skeleton is a token's consonants after its first letter, with letters that transliterations
// swap written alike (k/q/c, s/z, f/v/w/ph): "youssef" and "yusuf" are both "ysf".
func skeleton(t string) string {
	if len(t) < 4 {
		return ""
	}
	b := make([]byte, 0, len(t))
	var last byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch c {
		case 'c', 'q':
			c = 'k'
		case 'z':
			c = 's'
		case 'v', 'w':
			c = 'f'
		case 'p':
			if i+1 < len(t) && t[i+1] == 'h' {
				c = 'f'
			}
		}
		if i > 0 {
			switch c {
			case 'a', 'e', 'i', 'o', 'u', 'y', 'h':
				continue
			}
		} else if strings.IndexByte("aeiouy", c) >= 0 {
			c = 'a' // initial vowels are the least stable letters: Usman, Osman, Ousmane
		}
		if c == last {
			continue
		}
		b = append(b, c)
		last = c
	}
	if len(b) < 3 {
		return ""
	}
	return string(b)
}

// vowelless reports whether a word of three letters or more has no vowel: a transliteration
// of Arabic or Hebrew, which write short vowels rarely.
func vowelless(t string) bool {
	return len(t) >= 3 && !strings.ContainsAny(t[1:], "aeiou") // an initial alif is written: "ahmd"
}

// consonants is a word's first letter and the consonants after it, doubled letters once, with
// the letters Arabic and Hebrew use as long vowels (w, y) left out: "muhammad" and "mhmd"
// are both "mhmd", "moshe" and "msh" both "msh".
func consonants(t string) string {
	b := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		if i > 0 && strings.IndexByte("aeiouwy", c) >= 0 {
			continue
		}
		if len(b) > 0 && b[len(b)-1] == c {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// compoundSurnames are the two-character Chinese surnames common enough to meet in lists.
var compoundSurnames = set("欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "令狐", "夏侯", "慕容", "公孙", "尉迟", "长孙", "宇文", "端木", "歐陽", "諸葛", "司馬")

// chineseGivenName writes a name of Han characters as pinyin is written in Latin: the surname,
// then the given name's syllables as one word (王建国 → wang jianguo, 欧阳修 → ouyang xiu).
func chineseGivenName(latin, script []string) []string {
	n := len(script)
	if n < 2 || n > 4 || len(latin) != n {
		return latin
	}
	for _, t := range script {
		if r := []rune(t); len(r) != 1 || !unicode.Is(unicode.Han, r[0]) {
			return latin
		}
	}
	sur := 1
	if n >= 3 && compoundSurnames[script[0]+script[1]] {
		sur = 2
	}
	return []string{strings.Join(latin[:sur], ""), strings.Join(latin[sur:], "")}
}
