package ident

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

const (
	kindCard    = "bank card"
	kindAccount = "bank account"
)

// Card is a validated payment card number.
type Card struct {
	Number string // digits only
	Bank   string // issuer name when the BIN is in the (partial) table, else ""
	Scheme string // UnionPay, Visa, Mastercard, American Express, JCB, Diners Club, Discover; "" when unknown
}

//go:embed data/bank_bin.tsv
var binTSV string

type binTable struct {
	bank           map[string]string
	minLen, maxLen int
}

var bins = sync.OnceValue(func() *binTable {
	t := &binTable{bank: map[string]string{}, minLen: 99}
	for line := range strings.Lines(binTSV) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		prefix, bank, _ := strings.Cut(line, "\t")
		t.bank[prefix] = bank
		t.minLen = min(t.minLen, len(prefix))
		t.maxLen = max(t.maxLen, len(prefix))
	}
	return t
})

// BankForBIN returns the issuing bank of a card number from the partial BIN
// table, or "" when no listed prefix matches.
func BankForBIN(number string) string {
	t := bins()
	for n := min(t.maxLen, len(number)); n >= t.minLen; n-- {
		if b, ok := t.bank[number[:n]]; ok {
			return b
		}
	}
	return ""
}

// cardScheme names the card network from the leading digits (ISO/IEC 7812
// IIN ranges as published by the networks).
func cardScheme(n string) string {
	p2 := atoi(n[:2])
	p4 := atoi(n[:4])
	switch {
	case p2 == 62:
		return "UnionPay"
	case n[0] == '4':
		return "Visa"
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return "Mastercard"
	case p2 == 34, p2 == 37:
		return "American Express"
	case p4 >= 3528 && p4 <= 3589:
		return "JCB"
	case p2 == 36, p2 == 38, p2 == 39, p4 >= 3000 && p4 <= 3059:
		return "Diners Club"
	case p4 == 6011, p2 == 65, p4 >= 6440 && p4 <= 6499:
		return "Discover"
	}
	return ""
}

// Luhn reports whether digits, a string of ASCII digits, passes the Luhn
// (ISO/IEC 7812-1 mod 10) check. It is false for an empty string or any
// non-digit.
func Luhn(digits string) bool {
	if digits == "" {
		return false
	}
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i]) - '0'
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ParseBankCard validates a payment card number: 13 to 19 digits after Clean
// and removing spaces and dashes, passing the Luhn check.
func ParseBankCard(s string) (Card, error) {
	c := compact(Clean(s), " -")
	switch {
	case c == "":
		return Card{}, errEmpty(kindCard)
	case isScientific(c):
		return Card{}, reject(kindCard, c, sciReason)
	case hasDecimalTail(c):
		return Card{}, reject(kindCard, c, "has a decimal part: the column was read as a number and digits may be lost; re-export the column as text")
	case !isDigits(c):
		return Card{}, reject(kindCard, c, "a card number holds digits only")
	case len(c) < 13 || len(c) > 19:
		return Card{}, reject(kindCard, c, "has %d digits; a card number has 13 to 19 (map the column as account if it holds account numbers)", len(c))
	case !Luhn(c):
		if len(c) > 15 && strings.Trim(c[15:], "0") == "" {
			return Card{}, reject(kindCard, c, "fails the Luhn check and ends in zeros after the 15th digit: a spreadsheet probably rounded it; re-export the column as text")
		}
		return Card{}, reject(kindCard, c, "fails the Luhn check digit test; a digit is wrong or this is an account rather than a card number (map the column as account)")
	}
	return Card{Number: c, Bank: BankForBIN(c), Scheme: cardScheme(c)}, nil
}

// NormalizeAccount normalises a bank account number, which unlike a card
// number has no check digit and may contain letters: it applies Clean, drops
// spaces and dashes, upper-cases letters and requires 5 to 40 letters and
// digits. Scientific notation and a decimal part (123.0) are rejected because
// they mean the digits were already lost.
func NormalizeAccount(s string) (string, error) {
	c := compact(Clean(s), " -")
	switch {
	case c == "":
		return "", errEmpty(kindAccount)
	case isScientific(c):
		return "", reject(kindAccount, c, sciReason)
	case hasDecimalTail(c):
		return "", reject(kindAccount, c, "has a decimal part: the column was read as a number and digits may be lost; re-export the column as text")
	}
	// Accounts are not only bank accounts: payment platforms' ids (财付通1000050001), internal
	// ids of simulated or foreign data (AMLSim's "1953") all join on this column, so any letters
	// and digits are kept; punctuation other than the separators removed above is refused.
	n := 0
	for _, r := range c {
		n++
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return "", reject(kindAccount, c, "character %q is not allowed; an account number holds letters and digits only", r)
		}
	}
	if n > 64 {
		return "", reject(kindAccount, c, "has %d characters; an account number has at most 64", n)
	}
	return upperASCII(c), nil
}
