package mask

import (
	"regexp"
	"strings"
	"sync"
)

// emailPattern finds e-mail addresses; it runs only on text with an @.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// textPattern finds what looks like an identifier in free text: card and
// phone numbers written in groups, passport numbers and runs of seven or more digits (with
// an optional + and a trailing X). Boundaries are checked in code (Go's regexp has no
// look-behind).
var textPattern = regexp.MustCompile(
	`\d{4}(?:[ \-]\d{4}){2,3}(?:[ \-]\d{1,3})?` + // card in groups of four
		`|(?:\+?86[ \-]?)?1\d{2}[ \-]\d{4}[ \-]\d{4}` + // mobile as 138 1234 5678
		`|[A-Za-z]{1,2}\d{7,8}` + // passport: E12345678, G1234567, PE1234567
		`|\+?\d{7,}[Xx]?`) // digit run

// Text masks everything in s that looks like an identifier: it is for free text (a rejected
// line as read, an explanation, a reason) whose columns are unknown. A run of digits is masked
// by its length: 18 (or 17 and X) as a resident ID, 11 starting with 1 as a mobile phone,
// 12 to 19 as a card, other runs of 7 or more as an identifier of unknown kind. Left alone:
// decimals (1234567.89), compact dates and times (20250301, 20250301123000), and digits
// inside words (TX20250301001).
func Text(s string) string {
	if !mayHold(s) {
		return s
	}
	if out, ok := textMemo.get(s); ok {
		return out
	}
	out := maskText(s)
	textMemo.put(s, out)
	return out
}

// textMemo keeps the masked form of the texts masked lately: a busy server masks the same
// clue titles and explanations on every request, and the regular expressions were the
// largest cost left of a clue list (docs/BENCHMARKS.md, "HTTP load"). Text depends on its
// input alone, so a kept answer is always the one it would compute.
var textMemo memo

// textMemoMaxBytes bounds the texts kept; when reached they are all dropped.
const textMemoMaxBytes = 16 << 20

type memo struct {
	mu    sync.RWMutex
	m     map[string]string
	bytes int
}

func (c *memo) get(s string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out, ok := c.m[s]
	return out, ok
}

func (c *memo) put(s, out string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.bytes+len(s)+len(out) > textMemoMaxBytes {
		c.m, c.bytes = map[string]string{}, 0
	}
	c.m[s] = out
	c.bytes += len(s) + len(out)
}

// maskText is Text for a text that may hold an identifier.
func maskText(s string) string {
	if strings.IndexByte(s, '@') >= 0 {
		s = emailPattern.ReplaceAllStringFunc(s, func(m string) string { return Value(Email, m) })
	}
	locs := findIdentifiers(s)
	if locs == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, l := range locs {
		m := s[l[0]:l[1]]
		out, ok := textToken(m, before(s, l[0]), after(s, l[1]), after(s, l[1]+1))
		if !ok {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(out)
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// findIdentifiers is textPattern.FindAllStringIndex(s, -1), run only on the parts of s that
// may hold a match. A match is digits joined by single spaces, dashes or a plus, with at
// most two letters or a plus before them and an X after them; so s is cut into windows
// around clusters of digits (digits with gaps of at most two ASCII letters, spaces, dashes
// or pluses), extended by two such characters before and one after, and the pattern runs
// on the windows with seven digits (mayHold) alone. No match crosses a window's edge and
// the pattern has no anchors or look-around, so the matches are those of the whole text
// (FuzzFindIdentifiersIsTheWholeTextSearch). Chinese or English text with an account
// number in it then costs a scan and one short search instead of a backtracking search of
// the whole text.
func findIdentifiers(s string) [][]int {
	var locs [][]int
	n := len(s)
	for i := 0; i < n; {
		if !isDigit(s[i]) {
			i++
			continue
		}
		last := i // the cluster's last digit
		for j := i + 1; j < n; j++ {
			if isDigit(s[j]) {
				last = j
				continue
			}
			if !patternByte(s[j]) || j-last > 2 {
				break
			}
		}
		from := i
		for k := 0; k < 2 && from > 0 && patternByte(s[from-1]); k++ {
			from--
		}
		to := last + 1
		if to < n && patternByte(s[to]) {
			to++
		}
		if w := s[from:to]; mayHold(w) {
			for _, l := range textPattern.FindAllStringIndex(w, -1) {
				locs = append(locs, []int{l[0] + from, l[1] + from})
			}
		}
		i = last + 1
	}
	return locs
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// patternByte reports whether textPattern can match byte c.
func patternByte(c byte) bool {
	return isAlnum(c) || c == ' ' || c == '-' || c == '+'
}

// MayHold reports whether Text could change s: whether s holds an @, or seven digits in a row
// counting single spaces and dashes between digits. Most text has neither, and this scan is
// 50-100 times cheaper than the regular expression.
func MayHold(s string) bool { return mayHold(s) }

func mayHold(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			run++
			if run >= 7 {
				return true
			}
		case c == '@':
			return true
		case (c == ' ' || c == '-') && run > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
		default:
			run = 0
		}
	}
	return false
}

func before(s string, i int) byte {
	if i == 0 {
		return 0
	}
	return s[i-1]
}

func after(s string, i int) byte {
	if i >= len(s) {
		return 0
	}
	return s[i]
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// textToken masks one match; ok is false when the match is to be left as it is.
func textToken(m string, prev, next, next2 byte) (string, bool) {
	if isAlnum(prev) || isAlnum(next) || prev == '_' || next == '_' {
		return "", false // part of a word: a transaction id, a hash
	}
	if m[0] >= 'A' && m[0] <= 'Z' || m[0] >= 'a' && m[0] <= 'z' {
		return Value(Passport, m), true
	}
	if strings.ContainsAny(m, " -") {
		if r := sig(m); len(r) >= 12 && len(r) <= 19 && !strings.HasPrefix(m, "+") && m[4] == m[9] && (m[4] == ' ' || m[4] == '-') {
			return Value(BankCard, m), true
		}
		return Value(Phone, m), true
	}
	// A decimal: the run is the whole or the fractional part of an amount.
	if prev == '.' || next == '.' && next2 >= '0' && next2 <= '9' {
		return "", false
	}
	d := strings.TrimPrefix(m, "+")
	n := len(d)
	switch {
	case n == 18 && !strings.HasPrefix(m, "+"):
		return Value(ResidentID, d), true
	case d[n-1] == 'X' || d[n-1] == 'x':
		return Value(Other, d), true
	case strings.HasPrefix(m, "+") || n == 11 && d[0] == '1' || n == 13 && strings.HasPrefix(d, "861"):
		return Value(Phone, m), true
	case compactTime(d):
		return "", false
	case n >= 12 && n <= 19:
		return Value(BankCard, d), true
	}
	return Value(Other, d), true
}

// compactTime reports whether d is a date or time written without separators: YYYYMMDD,
// YYYYMMDDhhmm or YYYYMMDDhhmmss of the years 1900 to 2099.
func compactTime(d string) bool {
	if len(d) != 8 && len(d) != 12 && len(d) != 14 {
		return false
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	y, mo, day := num(d[:4]), num(d[4:6]), num(d[6:8])
	if y < 1900 || y > 2099 || mo < 1 || mo > 12 || day < 1 || day > 31 {
		return false
	}
	if len(d) >= 12 && (num(d[8:10]) > 23 || num(d[10:12]) > 59) {
		return false
	}
	return len(d) < 14 || num(d[12:14]) <= 59
}
