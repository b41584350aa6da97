package ident

import (
	_ "embed"
	"strings"
	"sync"
)

const (
	kindIMEI = "IMEI"
	kindIMSI = "IMSI"
)

// ParseIMEI validates a mobile equipment identity: 15 digits with a Luhn
// check digit, 14 digits without it, or a 16-digit IMEISV (software version
// instead of a check digit), following python-stdnum. An all-zero value is a
// placeholder written by devices and exports, not an identity, and is rejected.
func ParseIMEI(s string) (string, error) {
	c := compact(Clean(s), " -/.")
	switch {
	case c == "":
		return "", errEmpty(kindIMEI)
	case isScientific(Clean(s)):
		return "", reject(kindIMEI, Clean(s), sciReason)
	case !isDigits(c):
		return "", reject(kindIMEI, c, "an IMEI holds digits only")
	case len(c) < 14 || len(c) > 16:
		return "", reject(kindIMEI, c, "has %d digits; an IMEI has 15 (14 without check digit, 16 for IMEISV)", len(c))
	case strings.Trim(c, "0") == "":
		return "", reject(kindIMEI, c, "is an all-zero placeholder, not a device identity")
	case len(c) == 15 && !Luhn(c):
		return "", reject(kindIMEI, c, "fails the Luhn check digit test; a digit is wrong")
	}
	return c, nil
}

// IMSI is a parsed international mobile subscriber identity (ITU-T E.212).
type IMSI struct {
	Number   string // 14 or 15 digits
	MCC      string // mobile country code, 3 digits
	MNC      string // mobile network code, 2 or 3 digits
	Operator string // name for mainland Chinese operators, else ""
}

//go:embed data/cn_mnc.tsv
var mncTSV string

var operators = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for line := range strings.Lines(mncTSV) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		m[f[0]+f[1]] = f[2]
	}
	return m
})

// threeDigitMNC lists the MCCs whose networks use 3-digit MNCs (North
// America, the Caribbean and parts of Latin America). Partial: elsewhere
// 2 digits is assumed, which only affects how the number is split.
const threeDigitMNC = "302 310 311 312 313 314 315 316 334 338 342 344 346 348 354 356 358 360 365 376 708 722 732"

// ParseIMSI validates an IMSI: 14 or 15 digits starting with a geographic
// mobile country code (2xx to 7xx), and splits it into MCC and MNC.
func ParseIMSI(s string) (IMSI, error) {
	c := compact(Clean(s), " -")
	switch {
	case c == "":
		return IMSI{}, errEmpty(kindIMSI)
	case isScientific(Clean(s)):
		return IMSI{}, reject(kindIMSI, Clean(s), sciReason)
	case !isDigits(c):
		return IMSI{}, reject(kindIMSI, c, "an IMSI holds digits only")
	case len(c) != 14 && len(c) != 15:
		return IMSI{}, reject(kindIMSI, c, "has %d digits; an IMSI has 15 (sometimes 14)", len(c))
	case c[0] < '2' || c[0] > '7':
		return IMSI{}, reject(kindIMSI, c, "%s is not a mobile country code", c[:3])
	}
	mncLen := 2
	if strings.Contains(threeDigitMNC, c[:3]) {
		mncLen = 3
	}
	r := IMSI{Number: c, MCC: c[:3], MNC: c[3 : 3+mncLen]}
	r.Operator = operators()[c[:3+mncLen]]
	return r, nil
}
