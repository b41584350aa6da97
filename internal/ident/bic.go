package ident

const kindBIC = "BIC"

// iso3166 lists the ISO 3166-1 alpha-2 country codes, plus XK (Kosovo),
// which SWIFT assigns although ISO has not.
const iso3166 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ " +
	"BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM " +
	"DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS " +
	"GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
	"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ " +
	"MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV " +
	"SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
	"VN VU WF WS YE YT ZA ZM ZW XK"

// isCountry reports whether cc is an ISO 3166-1 alpha-2 code.
func isCountry(cc string) bool {
	if len(cc) != 2 {
		return false
	}
	for i := 0; i+2 <= len(iso3166); i += 3 {
		if iso3166[i:i+2] == cc {
			return true
		}
	}
	return false
}

// ParseBIC validates a SWIFT/BIC code (ISO 9362): 4 letters for the
// institution, an ISO 3166 country code, 2 letters or digits for the location
// and an optional 3-character branch code. It returns the code upper-case.
func ParseBIC(s string) (string, error) {
	c := upperASCII(compact(Clean(s), " -"))
	switch {
	case c == "":
		return "", errEmpty(kindBIC)
	case len(c) != 8 && len(c) != 11:
		return "", reject(kindBIC, c, "has %d characters; a BIC has 8 or 11", len(c))
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if i < 6 && !isUpperLetter(ch) {
			return "", reject(kindBIC, c, "the first six characters (institution and country) must be letters")
		}
		if !isUpperLetter(ch) && !isDigitByte(ch) {
			return "", reject(kindBIC, c, "character %q is not allowed", rune(ch))
		}
	}
	if !isCountry(c[4:6]) {
		return "", reject(kindBIC, c, "%s is not a country code", c[4:6])
	}
	return c, nil
}
