package ident

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Chinese numerals, everyday (小写) and financial (大写) forms.
func zhDigit(r rune) (uint64, bool) {
	switch r {
	case '零', '〇', '0':
		return 0, true
	case '一', '壹', '1':
		return 1, true
	case '二', '贰', '貳', '两', '兩', '2':
		return 2, true
	case '三', '叁', '參', '3':
		return 3, true
	case '四', '肆', '4':
		return 4, true
	case '五', '伍', '5':
		return 5, true
	case '六', '陆', '陸', '6':
		return 6, true
	case '七', '柒', '7':
		return 7, true
	case '八', '捌', '8':
		return 8, true
	case '九', '玖', '9':
		return 9, true
	}
	return 0, false
}

func zhUnit(r rune) uint64 {
	switch r {
	case '十', '拾':
		return 10
	case '百', '佰':
		return 100
	case '千', '仟':
		return 1000
	case '万', '萬':
		return 10000
	case '亿', '億':
		return 100000000
	}
	return 0
}

// hasChineseNumeral reports whether s uses Chinese digits, small units or
// 角/分, which sends it to the Chinese-numeral reader. 万 and 亿 alone do
// not: "1.5万" is an Arabic number with a multiplier.
func hasChineseNumeral(s string) bool {
	for _, r := range s {
		if r >= 0x80 && r != '万' && r != '萬' && r != '亿' && r != '億' && r != '元' && r != '圆' && r != '圓' {
			if _, ok := zhDigit(r); ok || zhUnit(r) != 0 || r == '角' || r == '分' {
				return true
			}
		}
	}
	return false
}

// parseChineseAmount reads "壹万贰仟叁佰元叁角肆分", "一万二千" and the like
// into cents.
func parseChineseAmount(c, body string) (uint64, error) {
	yuanPart, minor := body, ""
	if i := strings.IndexAny(body, "元圆圓"); i >= 0 {
		_, size := utf8.DecodeRuneInString(body[i:])
		yuanPart, minor = body[:i], body[i+size:]
	} else if i := strings.IndexAny(body, "角分"); i >= 0 {
		// No 元: everything up to the first 角/分 belongs to the minor units.
		yuanPart, minor = "", body
	}
	yuan, err := zhInteger(c, yuanPart)
	if err != nil {
		return 0, err
	}
	if yuan > math.MaxInt64/100 {
		return 0, reject(kindAmount, c, "is too large to store")
	}
	cents := yuan * 100
	var pending uint64
	seen := false
	for _, r := range minor {
		if d, ok := zhDigit(r); ok {
			if seen && d != 0 {
				return 0, reject(kindAmount, c, "has digits after 角/分 without a unit")
			}
			pending, seen = d, d != 0
			continue
		}
		switch r {
		case '角':
			cents += pending * 10
		case '分':
			cents += pending
		case '整', '正', ' ':
			continue
		default:
			return 0, reject(kindAmount, c, "character %q is not part of a Chinese amount", r)
		}
		pending, seen = 0, false
	}
	if seen {
		return 0, reject(kindAmount, c, "ends in a digit with no 角 or 分 after 元")
	}
	return cents, nil
}

// zhInteger reads an integer written with Chinese numerals and units, or as
// bare positional digits (二〇二四).
func zhInteger(c, s string) (uint64, error) {
	var total, section, number uint64
	overflow := reject(kindAmount, c, "is too large to store")
	for _, r := range strings.TrimSpace(s) {
		if d, ok := zhDigit(r); ok {
			if number > (math.MaxInt64-9)/10 {
				return 0, overflow
			}
			number = number*10 + d
			continue
		}
		u := zhUnit(r)
		switch {
		case u == 0:
			return 0, reject(kindAmount, c, "character %q is not part of a Chinese amount", r)
		case u < 10000:
			if number == 0 {
				number = 1 // 十二 = 12: a unit without a digit counts once
			}
			if number > math.MaxInt64/u {
				return 0, overflow
			}
			section += number * u
		case u == 10000:
			v := section + number
			if v == 0 && total == 0 {
				v = 1
			}
			if v > math.MaxInt64/u || total > math.MaxInt64-v*u {
				return 0, overflow
			}
			total += v * u
			section = 0
		default: // 亿 multiplies everything before it: 一万亿 = 10¹²
			v := total + section + number
			if v == 0 {
				v = 1
			}
			if v > math.MaxInt64/u {
				return 0, overflow
			}
			total = v * u
			section = 0
		}
		number = 0
	}
	if total > math.MaxInt64-section-number {
		return 0, overflow
	}
	return total + section + number, nil
}
