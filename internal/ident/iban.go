package ident

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"
)

const kindIBAN = "IBAN"

//go:embed data/iban.tsv
var ibanTSV string

// ibanFormats maps a country code to the character class of every BBAN
// position: 'n' digit, 'a' upper-case letter, 'c' letter or digit.
var ibanFormats = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for line := range strings.Lines(ibanTSV) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		cc, format, _ := strings.Cut(line, "\t")
		m[cc] = expandBBAN(format)
	}
	return m
})

// expandBBAN turns a registry format such as "4!a6!n8!n" into one class
// letter per position ("aaaannnnnnnnnnnnnn").
func expandBBAN(format string) string {
	var b strings.Builder
	for format != "" {
		i := strings.IndexByte(format, '!')
		n, _ := strconv.Atoi(format[:i])
		b.WriteString(strings.Repeat(format[i+1:i+2], n))
		format = format[i+2:]
	}
	return b.String()
}

// IBANLength returns the IBAN length for a country code, or 0 when the
// country does not use IBANs.
func IBANLength(country string) int {
	if f, ok := ibanFormats()[country]; ok {
		return 4 + len(f)
	}
	return 0
}

// ParseIBAN validates an International Bank Account Number (ISO 13616):
// known country, the country's length and BBAN structure, and the ISO 7064
// MOD 97-10 check digits. It returns the electronic form: upper-case, no spaces.
func ParseIBAN(s string) (string, error) {
	c := upperASCII(compact(Clean(s), " -."))
	if c == "" {
		return "", errEmpty(kindIBAN)
	}
	if len(c) < 5 || !isUpperLetter(c[0]) || !isUpperLetter(c[1]) {
		return "", reject(kindIBAN, c, "an IBAN starts with a two-letter country code")
	}
	format, ok := ibanFormats()[c[:2]]
	if !ok {
		return "", reject(kindIBAN, c, "country %s does not use IBANs", c[:2])
	}
	if len(c) != 4+len(format) {
		return "", reject(kindIBAN, c, "has %d characters; an IBAN of %s has %d", len(c), c[:2], 4+len(format))
	}
	if !isDigits(c[2:4]) {
		return "", reject(kindIBAN, c, "characters 3 and 4 must be the check digits")
	}
	for i := 0; i < len(format); i++ {
		ch := c[4+i]
		var ok bool
		switch format[i] {
		case 'n':
			ok = isDigitByte(ch)
		case 'a':
			ok = isUpperLetter(ch)
		default:
			ok = isDigitByte(ch) || isUpperLetter(ch)
		}
		if !ok {
			return "", reject(kindIBAN, c, "character %d (%q) does not fit the account format of %s", 5+i, ch, c[:2])
		}
	}
	if ibanMod97(c) != 1 {
		return "", reject(kindIBAN, c, "the check digits do not match; a character was probably mistyped")
	}
	return c, nil
}

// ibanMod97 computes the ISO 7064 MOD 97-10 remainder of the IBAN with its
// first four characters moved to the end and letters as 10..35.
func ibanMod97(c string) int {
	r := 0
	for k := 0; k < len(c); k++ {
		ch := c[(k+4)%len(c)]
		if isDigitByte(ch) {
			r = (r*10 + int(ch-'0')) % 97
		} else {
			r = (r*100 + int(ch-'A') + 10) % 97
		}
	}
	return r
}

func isUpperLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
