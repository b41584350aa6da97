package ident

import "time"

const kindRIC = "resident ID"

// ResidentID is a parsed PRC resident identity card number (GB 11643-1999).
type ResidentID struct {
	Number       string    // 18 characters, check character upper-case
	Division     string    // 6-digit address code: where the holder's household was registered when the number was issued
	DivisionName string    // joined name of that division, as in force in the birth year when known
	Birth        time.Time // midnight UTC of the birth date
	Female       bool      // the sequence code (digit 17) is even
	FromLegacy15 bool      // converted from a first-generation 15-digit number
	// DivisionAtBirth reports whether the address code was in force in the
	// birth year. It is false for people whose number was issued after their
	// division was created (common, so not an error) and for codes retired
	// before the birth year (worth a closer look).
	DivisionAtBirth bool
}

// ricWeights are the ISO 7064 MOD 11-2 weights 2^(17-i) mod 11.
var ricWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ricCheck returns the MOD 11-2 check character for the first 17 digits.
func ricCheck(d string) byte {
	sum := 0
	for i := range 17 {
		sum += int(d[i]-'0') * ricWeights[i]
	}
	return "10X98765432"[sum%11]
}

// ParseResidentID validates an 18-digit resident ID (check character per
// ISO 7064 MOD 11-2) or converts a 15-digit first-generation number (born
// 19xx) to 18 digits. The address code must be a known PRC division code and
// the birth date must be a real date not in the future.
func ParseResidentID(s string) (ResidentID, error) {
	c := compact(Clean(s), " -")
	switch {
	case c == "":
		return ResidentID{}, errEmpty(kindRIC)
	case isScientific(c):
		return ResidentID{}, reject(kindRIC, c, sciReason)
	case len(c) == 15:
		if !isDigits(c) {
			return ResidentID{}, reject(kindRIC, c, "a 15-digit ID holds digits only")
		}
		var b [18]byte
		copy(b[:6], c[:6])
		b[6], b[7] = '1', '9'
		copy(b[8:17], c[6:15])
		b[17] = ricCheck(string(b[:17]))
		r, err := ricFields(string(b[:]), c)
		r.FromLegacy15 = true
		return r, err
	case len(c) != 18:
		return ResidentID{}, reject(kindRIC, c, "has %d characters; a resident ID has 18 (or 15 for first-generation cards)", len(c))
	}
	if !isDigits(c[:17]) || !(isDigitByte(c[17]) || c[17] == 'X' || c[17] == 'x') {
		return ResidentID{}, reject(kindRIC, c, "only digits are allowed, with X as the last character")
	}
	if c[17] == 'x' {
		c = c[:17] + "X"
	}
	if want := ricCheck(c); c[17] != want {
		return ResidentID{}, reject(kindRIC, c, "check digit is %c, not %c; a digit was probably mistyped", want, c[17])
	}
	return ricFields(c, c)
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// ricFields decodes a checked 18-character number; shown is what the user
// typed, for error messages.
func ricFields(n, shown string) (ResidentID, error) {
	year := atoi(n[6:10])
	month := atoi(n[10:12])
	day := atoi(n[12:14])
	if !validDate(year, month, day) {
		return ResidentID{}, reject(kindRIC, shown, "birth date %s-%s-%s is not a real date", n[6:10], n[10:12], n[12:14])
	}
	birth := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	// Compare with today's date in China (UTC+8) so an ID issued today is not
	// "in the future" before midnight UTC.
	if birth.After(time.Now().UTC().Add(8 * time.Hour)) {
		return ResidentID{}, reject(kindRIC, shown, "birth date %s is in the future", birth.Format(time.DateOnly))
	}
	if year < 1850 {
		return ResidentID{}, reject(kindRIC, shown, "birth year %d is not plausible", year)
	}
	t := divisions()
	i := t.find(int32(atoi(n[:6])))
	if i < 0 {
		return ResidentID{}, reject(kindRIC, shown, "address code %s is not a PRC administrative division code", n[:6])
	}
	r := ResidentID{
		Number:   n,
		Division: n[:6],
		Birth:    birth,
		Female:   (n[16]-'0')%2 == 0,
	}
	if name, ok := t.nameInYear(i, year); ok {
		r.DivisionAtBirth, r.DivisionName = true, name
	} else {
		r.DivisionName = t.fullName[i]
	}
	return r, nil
}

// atoi converts a short run of ASCII digits already checked by the caller.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || y < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// String returns the 18-character number.
func (r ResidentID) String() string { return r.Number }
