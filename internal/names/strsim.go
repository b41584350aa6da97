package names

// JaroWinkler is the Jaro-Winkler similarity of two strings compared byte by byte (names are
// folded to ASCII before they get here), with Winkler's prefix scale 0.1 over at most 4
// characters. It allocates nothing for strings up to 64 bytes, which is why it is ours and not
// strutil's: it runs once or twice for every candidate pair.
//
// Winkler, W. E. (1990), "String comparator metrics and enhanced decision rules in the
// Fellegi-Sunter model of record linkage".
func JaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	var fa, fb [64]bool
	var flagA, flagB []bool
	if lb <= 64 {
		flagA, flagB = fa[:la], fb[:lb]
	} else {
		flagA, flagB = make([]bool, la), make([]bool, lb)
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !flagB[j] && a[i] == b[j] {
				flagA[i], flagB[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans, j := 0, 0
	for i := 0; i < la; i++ {
		if !flagA[i] {
			continue
		}
		for !flagB[j] {
			j++
		}
		if a[i] != b[j] {
			trans++
		}
		j++
	}
	m := float64(matches)
	jaro := (m/float64(la) + m/float64(lb) + (m-float64(trans)/2)/m) / 3
	prefix := 0
	for prefix < 4 && prefix < la && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// WithinOneEdit reports whether a and b differ by at most one substitution, insertion,
// deletion or transposition of adjacent characters (Damerau distance ≤ 1).
func WithinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la > 1 {
		return false
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if la == lb {
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:] // one insertion into a
}

// TokenOverlap is |A∩B| / min(|A|,|B|) for sorted unique token lists (the overlap coefficient),
// so a shortened address ("12 main st" ⊂ "12 main st flat 3") still scores 1.
func TokenOverlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	i, j, common := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(common) / float64(min(len(a), len(b)))
}

// Soundex is the American Soundex code of an ASCII word (R150 for "rupert"), the phonetic
// blocking key for Latin and pinyin names.
func Soundex(s string) string {
	const codes = "01230120022455012623010202" // a..z
	var out [4]byte
	n := 0
	var last byte
	for i := 0; i < len(s) && n < 4; i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			continue
		}
		code := codes[c-'a']
		if n == 0 {
			out[0] = c - 'a' + 'A'
			n = 1
			last = code
			continue
		}
		if c == 'h' || c == 'w' {
			continue
		}
		if code != '0' && code != last {
			out[n] = code
			n++
		}
		last = code
	}
	if n == 0 {
		return ""
	}
	for n < 4 {
		out[n] = '0'
		n++
	}
	return string(out[:])
}
