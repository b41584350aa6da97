package schema

import (
	"net/netip"
	"procura/internal/ident"
	"regexp"
	"strings"
	"time"
)

// valueClass is a set of shapes a cell value has; a column's class is the intersection over
// its sampled cells.
type valueClass uint32

const (
	clsInteger valueClass = 1 << iota
	clsDecimal            // a number with a fraction, or an integer
	clsMoney              // a number with 元/¥ or thousands separators, or exactly two decimals
	clsBool
	clsDate
	clsTimestamp // a date with a time of day (a date alone also has this bit: a day is a time)
	clsIDNumber
	clsBankCard
	clsPhone
	clsIMEI
	clsIMSI
	clsIP
	clsMAC
	clsEmail
	clsWallet
	clsUSCC
	clsIBAN
)

// identifierClasses in order of preference when a column has several: the more specific check
// first (a resident ID passes no Luhn test by design, but a card number might look like an IMEI).
var identifierClasses = []struct {
	cls      valueClass
	semantic string
}{
	{clsIDNumber, SemPersonIDNumber},
	{clsUSCC, SemCompanyCode},
	{clsPhone, SemPhone},
	{clsBankCard, SemBankCard},
	{clsIMSI, SemIMSI},
	{clsIMEI, SemIMEI},
	{clsIP, SemIP},
	{clsMAC, SemMAC},
	{clsEmail, SemEmail},
	{clsWallet, SemWallet},
	{clsIBAN, SemIBAN},
}

var (
	reInteger = regexp.MustCompile(`^[+-]?(0|[1-9][0-9]{0,17})$`)
	reDecimal = regexp.MustCompile(`^[+-]?[0-9]+\.[0-9]+$|^[+-]?\.[0-9]+$`)
	reGrouped = regexp.MustCompile(`^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)
	reMobile  = regexp.MustCompile(`^(\+?86)?1[3-9][0-9]{9}$`)
	reMAC     = regexp.MustCompile(`^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$|^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$|^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$`)
	reEmail   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$`)
	reWallet  = regexp.MustCompile(`^T[1-9A-HJ-NP-Za-km-z]{33}$|^0x[0-9a-fA-F]{40}$|^[13][1-9A-HJ-NP-Za-km-z]{25,34}$|^(bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,87}$`)
	reIBAN    = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
)

// separators are removed from identifiers written in groups ("6222 0212 3456", "138-1234-5678").
var separators = strings.NewReplacer(" ", "", "-", "")

// classify returns the shapes of one non-empty cell value.
func classify(v string) valueClass {
	var c valueClass
	compact := v
	if strings.ContainsAny(v, " -") {
		compact = separators.Replace(v)
	}
	if reInteger.MatchString(v) {
		c |= clsInteger | clsDecimal
	} else if reDecimal.MatchString(v) {
		c |= clsDecimal
	}
	if isMoney(v) {
		c |= clsMoney | clsDecimal
	}
	if _, ok := ParseBool(v); ok {
		c |= clsBool
	}
	// Cheap guards keep the layouts and patterns below off values that cannot match.
	if len(v) >= 8 && v[0] >= '0' && v[0] <= '9' {
		digits := allDigits(v)
		timeOfDay := strings.ContainsAny(v, ":时") || digits && len(v) == 14
		switch {
		case !timeOfDay && (digits && len(v) == 8 || !digits && strings.ContainsAny(v, "-/.年")) && isDate(v):
			c |= clsDate | clsTimestamp
		case timeOfDay && isTimestamp(v):
			c |= clsTimestamp
		}
	}
	if allDigits(compact) {
		switch n := len(compact); {
		case n >= 16 && n <= 19 && ident.Luhn(compact):
			c |= clsBankCard
		case n == 15 && strings.HasPrefix(compact, "460"):
			c |= clsIMSI
		case n == 15 && ident.Luhn(compact):
			c |= clsIMEI
		}
	}
	if len(v) == 18 {
		if validResidentID(v) {
			c |= clsIDNumber
		}
		if validUSCC(v) {
			c |= clsUSCC
		}
	}
	if len(compact) >= 11 && len(compact) <= 14 && reMobile.MatchString(compact) {
		c |= clsPhone
	}
	if strings.ContainsAny(v, ".:") {
		if a, err := netip.ParseAddr(v); err == nil && a.Zone() == "" {
			c |= clsIP
		}
		if len(v) >= 14 && len(v) <= 17 && reMAC.MatchString(v) {
			c |= clsMAC
		}
	} else if len(v) == 17 && reMAC.MatchString(v) {
		c |= clsMAC
	}
	if strings.IndexByte(v, '@') > 0 && reEmail.MatchString(v) {
		c |= clsEmail
	}
	if len(v) >= 26 && reWallet.MatchString(v) {
		c |= clsWallet
	}
	if len(compact) >= 15 && len(compact) <= 34 && compact[0] >= 'A' && compact[0] <= 'Z' && reIBAN.MatchString(compact) && validIBAN(compact) {
		c |= clsIBAN
	}
	return c
}

// isMoney accepts amounts written with a currency sign or unit, thousands separators, or
// exactly two decimals: "¥1,234.50", "12.00元", "1,234", "88.50".
func isMoney(v string) bool {
	s, marked := stripMoney(v)
	if reGrouped.MatchString(s) {
		return true
	}
	if !reInteger.MatchString(s) && !reDecimal.MatchString(s) {
		return false
	}
	if marked {
		return true
	}
	dot := strings.IndexByte(s, '.')
	return dot >= 0 && len(s)-dot-1 == 2
}

// stripMoney removes currency signs and units; it reports whether there were any.
func stripMoney(v string) (string, bool) {
	s := strings.TrimSpace(v)
	orig := s
	for _, mark := range []string{"¥", "￥", "元", "RMB", "CNY", "人民币"} {
		s = strings.ReplaceAll(s, mark, "")
	}
	s = strings.TrimSpace(s)
	return s, s != orig
}

var dateLayouts = []string{
	"2006-01-02", "2006/01/02", "2006.01.02", "2006-1-2", "2006/1/2", "2006.1.2", "20060102",
	"2006年1月2日", "2006年01月02日",
}

var timestampLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05.999999999",
	"2006/01/02 15:04:05", "2006/01/02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"2006-1-2 15:04:05", "2006.01.02 15:04:05", "20060102150405", "20060102 15:04:05",
	"2006年1月2日 15:04:05", "2006年01月02日 15时04分05秒", "2006年1月2日15时4分5秒",
	time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999",
}

func isDate(v string) bool {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return plausibleYear(t)
		}
	}
	return false
}

func isTimestamp(v string) bool {
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return plausibleYear(t)
		}
	}
	return false
}

// plausibleYear keeps 8-digit numbers such as 12345678 from passing as dates.
func plausibleYear(t time.Time) bool { return t.Year() >= 1900 && t.Year() <= 2100 }

func allDigits(s string) bool {
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

// The checks below let inference tell identifiers apart; the ident package's parsers are the
// single implementation of each rule.

func validResidentID(v string) bool {
	_, err := ident.ParseResidentID(v)
	return err == nil && len(v) == 18
}

func validUSCC(v string) bool {
	_, err := ident.ParseUSCC(v)
	return err == nil
}

func validIBAN(v string) bool {
	_, err := ident.ParseIBAN(v)
	return err == nil
}
