package ident

import "strings"

const kindUSCC = "unified social credit code"

// usccAlphabet is the GB 32100-2015 character set: digits and upper-case
// letters without I, O, Z, S and V; a character's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ParseUSCC validates an 18-character unified social credit code
// (统一社会信用代码, GB 32100-2015) and returns it upper-case without spaces.
func ParseUSCC(s string) (string, error) {
	c := upperASCII(compact(Clean(s), " -"))
	if c == "" {
		return "", errEmpty(kindUSCC)
	}
	if len(c) != 18 {
		return "", reject(kindUSCC, c, "has %d characters; a unified social credit code has 18", len(c))
	}
	if !isDigits(c[2:8]) {
		return "", reject(kindUSCC, c, "characters 3 to 8 must be the digits of the registering region code")
	}
	sum := 0
	for i := range 18 {
		v := strings.IndexByte(usccAlphabet, c[i])
		if v < 0 {
			return "", reject(kindUSCC, c, "character %q is not allowed (letters I, O, S, V and Z are never used)", c[i])
		}
		if i < 17 {
			sum += v * usccWeights[i]
		}
	}
	// GB 32100-2015 registration authorities: 1-9 (编办, 外交, 司法行政, 文化,
	// 民政, 旅游, 宗教, 工会, 市场监管), A (中央军委改革和编制办公室), N (农业) and Y (其他).
	if strings.IndexByte("123456789ANY", c[0]) < 0 {
		return "", reject(kindUSCC, c, "first character %q is not a registering authority code (1-9, A, N or Y)", c[0])
	}
	if want := usccAlphabet[(31-sum%31)%31]; c[17] != want {
		return "", reject(kindUSCC, c, "check character is %c, not %c; a character was probably mistyped", want, c[17])
	}
	return c, nil
}
