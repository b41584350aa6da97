package ident

import (
	"math"
	"strings"
	"unicode/utf8"
)

const kindAmount = "amount"

// Amount is a sum of money in minor units (cents, 分) at scale 2.
type Amount struct {
	Cents    int64  // minor units; amounts with more than 2 decimals are rounded half to even
	Currency string // ISO 4217 code such as "CNY" or "USD"; "" when the value does not say
}

// String formats the amount as "-1234.50" or "-1234.50 CNY"; ParseAmount
// reads the result back to the same Amount.
func (a Amount) String() string {
	u := uint64(a.Cents)
	neg := a.Cents < 0
	if neg {
		u = -u
	}
	var b [32]byte
	i := len(b)
	for k := 0; k < 3 || u > 0; k++ {
		if k == 2 {
			i--
			b[i] = '.'
		}
		i--
		b[i] = byte('0' + u%10)
		u /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	if a.Currency == "" {
		return string(b[i:])
	}
	return string(b[i:]) + " " + a.Currency
}

// currencyTokens maps currency words and symbols seen in Chinese bank
// exports to ISO 4217 codes. ¥ (and the full-width ￥, folded by Clean) is
// read as CNY because these exports never mean yen by it. Longer tokens come
// first so that "US$" wins over "$".
var currencyTokens = []struct{ token, code string }{
	{"人民币", "CNY"}, {"CNY", "CNY"}, {"RMB", "CNY"}, {"¥", "CNY"}, {"元", "CNY"}, {"圆", "CNY"}, {"圓", "CNY"},
	{"US$", "USD"}, {"USD", "USD"}, {"美元", "USD"},
	{"HK$", "HKD"}, {"HKD", "HKD"}, {"港元", "HKD"}, {"港币", "HKD"}, {"港幣", "HKD"},
	{"MOP", "MOP"}, {"澳门元", "MOP"}, {"NT$", "TWD"}, {"TWD", "TWD"}, {"新台币", "TWD"},
	{"EUR", "EUR"}, {"€", "EUR"}, {"欧元", "EUR"},
	{"GBP", "GBP"}, {"£", "GBP"}, {"英镑", "GBP"},
	{"JPY", "JPY"}, {"日元", "JPY"}, {"USDT", "USDT"},
	{"$", "USD"},
}

// ParseAmount reads an amount of money as written in bank exports:
// "1,234.50", "¥1234.5", "1234.5元", "CNY 12.00", "-12.3", "(12.30)"
// (accounting negative), full-width digits, "1.5万", and Chinese numerals
// in everyday or financial (大写) form: "一万二千", "壹万贰仟叁佰元整",
// "人民币壹拾贰元叁角肆分". Amounts with more than two decimals are rounded
// half to even; amounts beyond ±92 233 720 368 547 758.07 are rejected.
func ParseAmount(s string) (Amount, error) {
	c := Clean(s)
	if c == "" {
		return Amount{}, errEmpty(kindAmount)
	}
	body, neg, cur, err := amountEnvelope(c)
	if err != nil {
		return Amount{}, err
	}
	var cents uint64
	if hasChineseNumeral(body) {
		cents, err = parseChineseAmount(c, body)
	} else {
		cents, err = parseArabicAmount(c, body)
	}
	if err != nil {
		return Amount{}, err
	}
	if cents > math.MaxInt64 {
		return Amount{}, reject(kindAmount, c, "is too large to store")
	}
	a := Amount{Cents: int64(cents), Currency: cur}
	if neg {
		a.Cents = -a.Cents
	}
	return a, nil
}

// amountEnvelope strips the sign, accounting parentheses and currency
// markers around the number.
func amountEnvelope(c string) (body string, neg bool, cur string, err error) {
	e := envelope{c: c, body: c}
	if len(e.body) >= 2 && e.body[0] == '(' && e.body[len(e.body)-1] == ')' {
		e.neg = true
		e.body = strings.TrimSpace(e.body[1 : len(e.body)-1])
	}
	e.takeSign()
	for range 2 { // a second currency prefix is an error, not part of the number
		if e.body == "" || isDigitByte(e.body[0]) || e.body[0] == '.' {
			break
		}
		for _, t := range currencyTokens {
			if strings.HasPrefix(e.body, t.token) {
				if !e.setCur(t.code) {
					return "", false, "", e.err
				}
				e.body = strings.TrimSpace(e.body[len(t.token):])
				break
			}
		}
		e.takeSign()
	}
	if last := len(e.body) - 1; last >= 0 && !isDigitByte(e.body[last]) && e.body[last] != '.' {
		e.body = strings.TrimSuffix(e.body, "整")
		e.body = strings.TrimSuffix(e.body, "正")
		for _, t := range currencyTokens {
			// 元 and 圆 inside Chinese numerals (壹拾元叁角) are handled there.
			if strings.HasSuffix(e.body, t.token) && !isYuan(t.token) {
				if !e.setCur(t.code) {
					return "", false, "", e.err
				}
				e.body = strings.TrimSpace(e.body[:len(e.body)-len(t.token)])
				break
			}
		}
		r, size := utf8.DecodeLastRuneInString(e.body)
		if r == '元' || r == '圆' || r == '圓' || strings.ContainsAny(e.body, "元圆圓") && hasChineseNumeral(e.body) {
			if !e.setCur("CNY") {
				return "", false, "", e.err
			}
			if !hasChineseNumeral(e.body) {
				e.body = strings.TrimSpace(e.body[:len(e.body)-size])
			}
		}
		e.takeSign()
	}
	switch {
	case e.signs > 1:
		return "", false, "", reject(kindAmount, c, "has more than one sign")
	case e.body == "":
		return "", false, "", reject(kindAmount, c, "has no digits")
	}
	return e.body, e.neg, e.cur, nil
}

type envelope struct {
	c, body, cur string
	neg          bool
	signs        int
	err          error
}

func (e *envelope) takeSign() {
	if e.body == "" {
		return
	}
	switch e.body[0] {
	case '-':
		e.neg = !e.neg
	case '+':
	default:
		return
	}
	e.signs++
	e.body = strings.TrimSpace(e.body[1:])
}

func (e *envelope) setCur(code string) bool {
	if e.cur != "" && e.cur != code {
		e.err = reject(kindAmount, e.c, "names two currencies, %s and %s", e.cur, code)
		return false
	}
	e.cur = code
	return true
}

func isYuan(tok string) bool { return tok == "元" || tok == "圆" || tok == "圓" }

// parseArabicAmount reads digits with optional ',' thousands groups, an
// optional decimal point, and an optional 万 (10⁴) or 亿 (10⁸) multiplier.
func parseArabicAmount(c, body string) (uint64, error) {
	mult := 0 // decimal exponent from 万/亿
	switch {
	case strings.HasSuffix(body, "万"):
		mult, body = 4, strings.TrimSpace(strings.TrimSuffix(body, "万"))
	case strings.HasSuffix(body, "亿"):
		mult, body = 8, strings.TrimSpace(strings.TrimSuffix(body, "亿"))
	}
	intPart, frac, hasDot := strings.Cut(body, ".")
	if hasDot && strings.ContainsAny(frac, ".,") {
		if strings.Contains(frac, ",") && !strings.Contains(intPart, ",") {
			return 0, reject(kindAmount, c, "uses a comma after the decimal point; write the decimal point as '.' and thousands as ','")
		}
		return 0, reject(kindAmount, c, "has more than one decimal point")
	}
	if intPart == "" && frac == "" {
		return 0, reject(kindAmount, c, "has no digits")
	}
	if isScientific(body) {
		return 0, reject(kindAmount, c, "is in scientific notation; re-export the column as a plain number")
	}
	var digits [40]byte
	n := 0
	if strings.IndexByte(intPart, ',') >= 0 && !validGrouping(intPart) {
		return 0, reject(kindAmount, c, "has misplaced thousands separators: groups after the first must have three digits (like 1,234,567.89)")
	}
	for i := 0; i < len(intPart); i++ {
		ch := intPart[i]
		if ch == ',' {
			continue
		}
		if !isDigitByte(ch) {
			return 0, reject(kindAmount, c, "character %q is not part of a number", rune(ch))
		}
		if n == 0 && ch == '0' {
			continue
		}
		if n == 20 {
			return 0, reject(kindAmount, c, "is too large to store")
		}
		digits[n] = ch
		n++
	}
	for i := 0; i < len(frac); i++ {
		if !isDigitByte(frac[i]) {
			return 0, reject(kindAmount, c, "character %q is not part of a number", rune(frac[i]))
		}
	}
	return scaleDigits(c, string(digits[:n]), frac, mult)
}

// validGrouping checks "1,234,567": a first group of 1 to 3 digits, then
// groups of exactly 3.
func validGrouping(s string) bool {
	first := true
	for s != "" {
		g, rest, more := strings.Cut(s, ",")
		if !isDigits(g) || first && len(g) > 3 || !first && len(g) != 3 || more && rest == "" {
			return false
		}
		first, s = false, rest
	}
	return true
}

// scaleDigits computes round_half_even((intDigits.frac) × 10^(mult+2)).
func scaleDigits(c, intDigits, frac string, mult int) (uint64, error) {
	shift := mult + 2
	// Move shift digits of the fraction into the integer part.
	var v uint64
	add := func(d byte) bool {
		if v > (math.MaxUint64-9)/10 {
			return false
		}
		v = v*10 + uint64(d-'0')
		return true
	}
	for i := 0; i < len(intDigits); i++ {
		if !add(intDigits[i]) {
			return 0, reject(kindAmount, c, "is too large to store")
		}
	}
	for i := range shift {
		d := byte('0')
		if i < len(frac) {
			d = frac[i]
		}
		if !add(d) {
			return 0, reject(kindAmount, c, "is too large to store")
		}
	}
	if len(frac) > shift {
		rest := frac[shift:]
		first := rest[0]
		tail := strings.Trim(rest[1:], "0") != ""
		if first > '5' || first == '5' && (tail || v%2 == 1) {
			v++
		}
	}
	return v, nil
}
