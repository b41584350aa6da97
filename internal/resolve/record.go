// Package resolve finds the records that describe one person: blocking on several keys
// (phonetic and pinyin keys among them), field comparisons with graded levels, Fellegi-Sunter
// weights estimated without labels (u from random pairs, m and the prior by EM, as Splink does),
// and clustering with a guard against chaining. Every link carries its field weights.
//
// Fellegi, I. P. and Sunter, A. B. (1969), "A theory for record linkage", JASA 64(328).
package resolve

import (
	"strings"
	"unicode"

	"procura/internal/names"
)

// Record is one person record as a source gave it. Empty fields are unknown, not different.
type Record struct {
	ID     string // the record's id in its source
	Source string // which file or dataset; with Options.LinkOnly only records of different sources are linked
	// Name is the full name; Given and Surname are used instead when the source splits names.
	Name, Given, Surname string
	BirthDate            string // any of 1971-06-24, 19710624, 1971/6/24
	IDNumber             string // resident ID, passport or social-security number
	Phone, Email         string
	Address, City        string
	Postcode             string
}

// prepared is a record folded for comparison: Latin lower case, Han names also in pinyin.
type prepared struct {
	given, surname string // folded Latin (pinyin) forms
	name           string // folded full name, tokens sorted so order does not matter
	nameScript     string // full name in its own script (Han kept), tokens sorted
	dob            string // 8 digits YYYYMMDD, or ""
	dobDays        int    // days since year 0, for the tolerance level; -1 if unknown
	id, phone      string
	idValid        bool   // id is an 18-character resident ID whose check character verifies
	email, emailID string // whole address and the part before @
	addr           string
	addrTokens     []string // sorted, unique
	addrHan        bool     // written in Han characters: tokens are syllables, typos are whole characters
	city, postcode string
	source         int32
}

// foldName is names.Fold: Latin tokens and tokens in the original script.
func foldName(s string) (latin, script []string) { return names.Fold(s) }

func foldWidth(r rune) rune { return names.FoldWidth(r) }

func joinSorted(tokens []string) string {
	t := append([]string(nil), tokens...)
	sortStrings(t)
	return strings.Join(t, " ")
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = foldWidth(r)
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// alnumUpper keeps letters and digits, upper-cased: the form of ID numbers (a trailing X).
func alnumUpper(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = foldWidth(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// normDate reads a birth date written as 8 digits or as year, month and day separated by
// anything, and returns YYYYMMDD, or "" when it is not a date.
func normDate(s string) string {
	var parts []string
	cur := ""
	for _, r := range s {
		r = foldWidth(r)
		if r >= '0' && r <= '9' {
			cur += string(r)
		} else if cur != "" {
			parts = append(parts, cur)
			cur = ""
		}
	}
	if cur != "" {
		parts = append(parts, cur)
	}
	switch {
	case len(parts) == 1 && len(parts[0]) == 8:
		return parts[0]
	case len(parts) == 3 && len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return parts[0] + pad2(parts[1]) + pad2(parts[2])
	case len(parts) == 3 && len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		return parts[2] + pad2(parts[1]) + pad2(parts[0]) // day first, as outside the US
	}
	return ""
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// dayNumber counts days on a proleptic calendar of 12×31-day months: good enough for a
// "within a year" tolerance, exact for same-month differences.
func dayNumber(d string) int {
	if len(d) != 8 {
		return -1
	}
	n := 0
	for _, c := range d {
		n = n*10 + int(c-'0')
	}
	y, m, day := n/10000, n/100%100, n%100
	return y*372 + m*31 + day
}

func prepare(r Record, source int32) prepared {
	var p prepared
	p.source = source
	given, _ := foldName(r.Given)
	sur, _ := foldName(r.Surname)
	p.given = strings.Join(given, "")
	p.surname = strings.Join(sur, "")
	full := r.Name
	if full == "" {
		full = strings.TrimSpace(r.Surname + " " + r.Given)
	}
	latin, script := foldName(full)
	p.name = joinSorted(latin)
	p.nameScript = joinSorted(script)
	p.dob = normDate(r.BirthDate)
	p.dobDays = dayNumber(p.dob)
	p.id = alnumUpper(r.IDNumber)
	p.idValid = validResidentID(p.id)
	p.phone = digitsOnly(r.Phone)
	if len(p.phone) > 11 && strings.HasPrefix(p.phone, "86") {
		p.phone = p.phone[2:] // +86 138… = 138…
	}
	p.email = strings.ToLower(strings.TrimSpace(r.Email))
	if i := strings.IndexByte(p.email, '@'); i > 0 {
		p.emailID = p.email[:i]
	}
	at, _ := foldName(r.Address)
	p.addrHan = hasHan(r.Address)
	p.addrTokens = uniqueSorted(at)
	p.addr = strings.Join(at, " ")
	city, _ := foldName(r.City)
	p.city = strings.Join(city, " ")
	p.postcode = alnumUpper(r.Postcode)
	return p
}

func uniqueSorted(t []string) []string {
	if len(t) == 0 {
		return nil
	}
	t = append([]string(nil), t...)
	sortStrings(t)
	out := t[:1]
	for _, s := range t[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// ricWeights are the ISO 7064 MOD 11-2 weights of GB 11643 resident IDs, 2^(17-i) mod 11.
var ricWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// validResidentID reports whether id (upper case) is 18 characters, 17 digits and a check
// character that verifies. MOD 11-2 catches every single wrong digit and every swap of
// neighbours, so two valid IDs that differ are two numbers, not one number mistyped.
func validResidentID(id string) bool {
	if len(id) != 18 {
		return false
	}
	sum := 0
	for i := range 17 {
		c := id[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * ricWeights[i]
	}
	return id[17] == "10X98765432"[sum%11]
}
