package ident

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Clean undoes spreadsheet artefacts common in Chinese exports: it trims
// spaces (including U+3000 ideographic space, no-break space and tabs),
// strips a leading apostrophe (Excel's "store as text" marker) and ="…"
// formula quoting, converts full-width ASCII (digits, letters, punctuation)
// to half-width and removes zero-width characters.
//
// A value that is already clean is returned unchanged without allocating.
func Clean(s string) string {
	if isPlainASCII(s) || !needsFold(s) {
		return unquote(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range width.Fold.String(s) {
		switch {
		case r == '\u00a0' || r == '\u202f' || r == '\u2007':
			b.WriteByte(' ') // no-break spaces: visible as spaces, treat as such
		case isZeroWidth(r):
		default:
			b.WriteRune(r)
		}
	}
	return unquote(strings.TrimFunc(b.String(), unicode.IsSpace))
}

// isPlainASCII reports whether s holds only printable ASCII and has no
// leading or trailing space, so only unquote can still change it.
func isPlainASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// needsFold reports whether s has a character Clean changes: a control
// character, a leading or trailing space, a full-width or half-width form,
// a special space or a zero-width character. Chinese text in general does
// not, so most non-ASCII cells skip the folding.
func needsFold(s string) bool {
	for i, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			return true
		case r == ' ' && (i == 0 || i == len(s)-1):
			return true
		case r < 0x80:
		case r >= 0xff00 && r <= 0xffef, r == '\u3000', r == utf8.RuneError, isZeroWidth(r), unicode.IsSpace(r):
			return true
		}
	}
	return false
}

func isZeroWidth(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u200f':
		return true
	}
	return r == utf8.RuneError
}

// unquote strips Excel's text markers: a leading apostrophe, ="…" and a
// leading '=' before a literal, and plain surrounding double quotes left over
// from a second round of CSV quoting.
func unquote(s string) string {
	for { // markers can be stacked, as in '="123"; each round shortens s
		t := s
		switch {
		case len(t) > 0 && (t[0] == '\'' || t[0] == '`'):
			t = t[1:]
		case len(t) >= 3 && t[0] == '=' && t[1] == '"' && t[len(t)-1] == '"':
			t = t[2 : len(t)-1]
		case len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"':
			t = t[1 : len(t)-1]
		case len(t) > 1 && t[0] == '=':
			t = t[1:]
		}
		if t == s {
			return s
		}
		s = strings.TrimFunc(t, unicode.IsSpace)
	}
}

// compact removes the separators people and exports put inside identifiers
// (spaces, dashes, dots, slashes as chosen by seps). It returns s itself when
// there is nothing to remove.
func compact(s, seps string) string {
	if !strings.ContainsAny(s, seps) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(seps, s[i]) < 0 {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// isDigits reports whether s is non-empty and holds only ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isScientific reports whether s looks like a number Excel or a CSV export
// wrote in scientific notation (6.22848E+18, 3.52099e14): the digits beyond
// the 15th were lost and cannot be recovered from the cell.
func isScientific(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	dot := false
	if i < len(s) && s[i] == '.' {
		dot = true
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i >= len(s) || (s[i] != 'e' && s[i] != 'E') {
		return false
	}
	i++
	sign := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		sign = true
		i++
	}
	if !isDigits(s[i:]) {
		return false
	}
	// "12E45" without a dot or an exponent sign may be a real alphanumeric
	// account; Excel always writes the dot or the sign.
	return dot || sign
}

const sciReason = "is in scientific notation: the digits are lost; re-export the column as text"

// hasDecimalTail reports a trailing ".0"-style part that appears when a
// numeric column was read as a floating-point number.
func hasDecimalTail(s string) bool {
	i := strings.IndexByte(s, '.')
	return i > 0 && isDigits(s[:i]) && (i == len(s)-1 || isDigits(s[i+1:]))
}

func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
