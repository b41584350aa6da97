// Package mask hides personal identifiers in what procura shows and exports: resident ID
// numbers, bank cards and accounts, phone numbers, passports, IMEIs, IMSIs and e-mail
// addresses. A masked value keeps just enough to tell values apart and to recognise them
// (a region code, the last four digits), never enough to use them.
//
// Every rule obeys one bound, checked by FuzzValue: of n letters and digits, at least
// max(4, ⌈n/3⌉) are hidden, and a value of four or fewer is hidden entirely. The rules are
// the table in docs/security.md.
package mask

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a kind of identifier with its own masking rule.
type Kind string

// Kinds of identifiers. The names are the semantic types of dataset columns.
const (
	ResidentID Kind = "person_id_number" // resident ID; other ID numbers (passports) get the Passport rule
	BankCard   Kind = "bank_card"
	Account    Kind = "account" // bank and payment accounts; card-shaped ones get the BankCard rule
	Phone      Kind = "phone"
	IMEI       Kind = "imei"
	IMSI       Kind = "imsi"
	Email      Kind = "email"
	Passport   Kind = "passport"
	Other      Kind = "identifier" // an identifier of unknown kind
)

// Rule says how many leading and trailing letters or digits of a value stay visible.
type Rule struct {
	Head int `json:"head"`
	Tail int `json:"tail"`
}

// rules are the visible head and tail of each kind (before the bound of the package doc).
var rules = map[Kind]Rule{
	ResidentID: {6, 4}, // 110105********1234: the region of issue and the last four
	BankCard:   {4, 4}, // 6222 **** **** 1234: the issuer's BIN prefix and the last four
	Account:    {4, 4},
	Phone:      {3, 4}, // 138****5678: the carrier prefix and the last four
	IMEI:       {8, 2}, // the TAC (device model, not the device) and the last two
	IMSI:       {5, 2}, // MCC+MNC (the operator) and the last two
	Passport:   {1, 3}, // E*****678
	Other:      {4, 4},
}

// semanticKinds maps dataset semantic types to kinds; other semantic types are not masked.
var semanticKinds = map[string]Kind{
	"person_id_number": ResidentID, "id_number": ResidentID, "resident_id": ResidentID,
	"bank_card": BankCard, "card": BankCard,
	"account": Account,
	"phone":   Phone, "mobile": Phone,
	"imei": IMEI, "imsi": IMSI,
	"email":    Email,
	"passport": Passport, "passport_number": Passport,
	"identifier": Other,
}

// KindOf returns the kind a semantic type masks as; ok is false for semantic types that are
// not identifiers (amounts, dates, names, free text).
func KindOf(semantic string) (k Kind, ok bool) {
	k, ok = semanticKinds[semantic]
	return k, ok
}

// RuleOf returns the rule of a kind, for documentation and tests.
func RuleOf(k Kind) Rule { return rules[k] }

// Semantic masks s as a value of the dataset semantic type; values of other semantic types
// are returned unchanged.
func Semantic(semantic, s string) string {
	k, ok := KindOf(semantic)
	if !ok {
		return s
	}
	return Value(k, s)
}

// Value masks s as an identifier of kind k. The empty string stays empty; an unknown kind is
// masked as Other.
func Value(k Kind, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	switch k {
	case Email:
		return email(s)
	case Phone:
		return phone(s)
	}
	r := sig(s)
	switch k {
	case ResidentID:
		if !residentIDShape(r) {
			k = Passport
		}
	case Account:
		if cardShape(r) {
			k = BankCard
		}
	case BankCard, IMEI, IMSI, Passport, Other:
	default:
		k = Other
	}
	h, t := bound(rules[k], len(r))
	if k == BankCard && len(r) >= 12 && h == 4 && t == 4 {
		// Grouped like a card and of fixed width, so the length is not shown either.
		return string(r[:4]) + " **** **** " + string(r[len(r)-4:])
	}
	return join(r, h, t)
}

// sig returns the letters and digits of s, and the stars of a value masked before (so that
// masking twice changes nothing): separators are dropped from masked output.
func sig(s string) []rune {
	out := make([]rune, 0, utf8.RuneCountInString(s))
	for _, c := range s {
		if unicode.IsLetter(c) || unicode.IsDigit(c) || c == '*' {
			out = append(out, c)
		}
	}
	return out
}

// bound shrinks a rule so that at least max(4, ⌈n/3⌉) of n characters stay hidden: the head
// gives way first, then the tail.
func bound(r Rule, n int) (head, tail int) {
	hide := max(4, (n+2)/3)
	if n <= hide {
		return 0, 0
	}
	head, tail = r.Head, r.Tail
	for head+tail > n-hide {
		if head > 0 {
			head--
		} else {
			tail--
		}
	}
	return head, tail
}

// join shows head and tail characters of r and a star for each hidden one.
func join(r []rune, head, tail int) string {
	var b strings.Builder
	b.WriteString(string(r[:head]))
	b.WriteString(strings.Repeat("*", len(r)-head-tail))
	b.WriteString(string(r[len(r)-tail:]))
	return b.String()
}

// isDigits reports whether r is digits (or stars standing for hidden digits).
func isDigits(r []rune) bool {
	for _, c := range r {
		if (c < '0' || c > '9') && c != '*' {
			return false
		}
	}
	return len(r) > 0
}

// residentIDShape: 18 characters (17 digits and a digit or X) or the 15 digits of the first
// generation; the check digit is not verified, a mistyped ID is masked all the same.
func residentIDShape(r []rune) bool {
	switch len(r) {
	case 15:
		return isDigits(r)
	case 18:
		return isDigits(r[:17]) && (isDigits(r[17:]) || r[17] == 'X' || r[17] == 'x')
	}
	return false
}

func cardShape(r []rune) bool { return len(r) >= 12 && len(r) <= 19 && isDigits(r) }

// phone masks a phone number, keeping a +86 country code visible: it names no one.
func phone(s string) string {
	r := sig(s)
	prefix := ""
	if isDigits(r) && len(r) == 13 && string(r[:2]) == "86" && r[2] == '1' && (strings.HasPrefix(s, "+") || strings.HasPrefix(s, "86")) {
		prefix, r = "+86 ", r[2:]
	}
	h, t := bound(rules[Phone], len(r))
	return prefix + join(r, h, t)
}

// email keeps the first character of the mailbox and the domain: z***@example.com.
func email(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		r := sig(s)
		h, t := bound(rules[Other], len(r))
		return join(r, h, t)
	}
	local, domain := []rune(s[:at]), s[at+1:]
	head := ""
	if len(local) >= 4 && (unicode.IsLetter(local[0]) || unicode.IsDigit(local[0])) {
		head = string(local[:1]) // a mailbox of three characters or fewer is hidden entirely
	}
	return head + "***@" + domain
}
