package ident

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

const kindPhone = "phone"

// ParsePhone normalises a phone number to E.164 (+8613812345678).
// defaultRegion (ISO 3166 alpha-2, such as "CN") is used for numbers written
// without a country code; with "" such numbers are rejected.
//
// Chinese mobile numbers in their usual forms (13812345678, +86 138 1234
// 5678, 0086-138-1234-5678, 8613812345678) take a fast path that does not
// call the phone-number library, because imports call this millions of
// times. Everything else goes through github.com/nyaruka/phonenumbers and
// must have a possible length for its country; numbers are not rejected
// merely because the library's metadata does not list their prefix, since
// that metadata lags behind real allocations.
func ParsePhone(s, defaultRegion string) (string, error) {
	c := Clean(s)
	if c == "" {
		return "", errEmpty(kindPhone)
	}
	if e, ok := fastCNMobile(c, defaultRegion); ok {
		return e, nil
	}
	return slowPhone(c, defaultRegion)
}

// fastCNMobile recognises a Chinese mobile number 1[3-9]xxxxxxxxx, bare
// (when the default region is CN) or behind +86, 0086 or 86.
func fastCNMobile(c, region string) (string, bool) {
	var d [16]byte
	n, plus := 0, false
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; {
		case ch >= '0' && ch <= '9':
			if n == len(d) {
				return "", false
			}
			d[n] = ch
			n++
		case ch == '+' && i == 0:
			plus = true
		case ch == ' ' || ch == '-' || ch == '.' || ch == '(' || ch == ')':
		default:
			return "", false
		}
	}
	digits := d[:n]
	switch {
	case plus && n == 13 && digits[0] == '8' && digits[1] == '6':
		digits = digits[2:]
	case plus:
		return "", false
	case n == 15 && string(digits[:4]) == "0086" && (region == "CN" || region == ""):
		digits = digits[4:]
	case n == 13 && digits[0] == '8' && digits[1] == '6' && region == "CN":
		digits = digits[2:]
	case n == 11 && region == "CN":
	default:
		return "", false
	}
	if digits[0] != '1' || digits[1] < '3' {
		return "", false
	}
	var out [14]byte
	out[0], out[1], out[2] = '+', '8', '6'
	copy(out[3:], digits)
	return string(out[:]), true
}

func slowPhone(c, region string) (e164 string, err error) {
	// The library is large and parses arbitrary text; a panic on one odd cell
	// must not abort a multi-million-row import.
	defer func() {
		if r := recover(); r != nil {
			e164, err = "", reject(kindPhone, c, "could not be read as a phone number")
		}
	}()
	region = strings.ToUpper(region)
	if region == "" && !strings.HasPrefix(c, "+") {
		region = "ZZ" // the library's "unknown region": only international forms parse
	}
	num, perr := phonenumbers.ParseAndKeepRawInput(c, region)
	if perr != nil {
		return "", phoneParseError(c, region, perr)
	}
	if phonenumbers.IsValidNumber(num) {
		return formatE164(c, num)
	}
	national := num.GetCountryCodeSource() == phonenumbers.PhoneNumber_FROM_DEFAULT_COUNTRY
	digits := digitsOnly(c)
	trunk := national && len(digits) > 1 && (digits[0] == '0' || digits[0] == '8')
	if trunk {
		// The library's metadata changes as countries renumber; a number
		// written with a trunk prefix (0 almost everywhere, 8 in former
		// USSR countries) the metadata no longer knows is read without it
		// when that gives a valid number, or when the library kept the
		// prefix as part of the national number.
		if alt, err := phonenumbers.Parse(digits[1:], region); err == nil &&
			(phonenumbers.IsValidNumber(alt) || strings.HasPrefix(phonenumbers.GetNationalSignificantNumber(num), digits[:1])) {
			num = alt
		}
	}
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	reason := phonenumbers.IsPossibleNumberWithReason(num)
	// Accept a possible number, and any number written in full (with a
	// country code or trunk prefix) whose length E.164 allows, so that stale
	// metadata never drops a real number from the evidence.
	full := !national || trunk
	if full && reason != phonenumbers.INVALID_COUNTRY_CODE &&
		len(nsn) >= 4 && len(nsn)+len(itoa(int(num.GetCountryCode()))) <= 15 {
		return formatE164(c, num)
	}
	// Chinese fixed-line numbers dialled locally have 5 to 8 digits, lengths
	// the metadata also allows for premium numbers; an unrecognised bare
	// number that short is a local number missing its area code.
	cnLocal := num.GetCountryCode() == 86 && len(nsn) <= 8
	if reason == phonenumbers.IS_POSSIBLE && !cnLocal {
		return formatE164(c, num)
	}
	switch reason {
	case phonenumbers.IS_POSSIBLE, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "", reject(kindPhone, c, "is not a full number of %s: it lacks the area code or is a service number such as 95588; keep the column as text if it holds such numbers", regionOf(num))
	case phonenumbers.TOO_SHORT:
		return "", reject(kindPhone, c, "is too short for a phone number of %s (short service numbers such as 95588 are not phone numbers; keep the column as text if it holds them)", regionOf(num))
	case phonenumbers.TOO_LONG:
		return "", reject(kindPhone, c, "is too long for a phone number of %s", regionOf(num))
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "", reject(kindPhone, c, "country code +%d does not exist", num.GetCountryCode())
	}
	return "", reject(kindPhone, c, "has a length no phone number of %s has", regionOf(num))
}

func digitsOnly(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isDigitByte(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// formatE164 writes +<country code><national significant number> itself:
// the library's formatter echoes the raw input for some malformed numbers.
func formatE164(c string, num *phonenumbers.PhoneNumber) (string, error) {
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	if !isDigits(nsn) || strings.Trim(nsn, "0") == "" {
		return "", reject(kindPhone, c, "is not a phone number")
	}
	return "+" + itoa(int(num.GetCountryCode())) + nsn, nil
}

func regionOf(num *phonenumbers.PhoneNumber) string {
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "" && r != "ZZ" {
		return r
	}
	return "country code +" + itoa(int(num.GetCountryCode()))
}

func phoneParseError(c, region string, err error) error {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode) && region == "ZZ":
		return reject(kindPhone, c, "has no country code and no default region was given; write it as +<country code>… or set the region")
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return reject(kindPhone, c, "starts with an unknown country code")
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return reject(kindPhone, c, "is not a phone number")
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return reject(kindPhone, c, "is too short for a phone number")
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return reject(kindPhone, c, "is too long for a phone number")
	}
	return reject(kindPhone, c, "could not be read as a phone number: %v", err)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
