package schema

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// headerKey is a header text reduced for comparison. full keeps the text inside brackets,
// base drops it ("交易金额(元)" → full "交易金额元", base "交易金额"), tokens are base's words:
// every Han character is a word of its own, other letters and digits form words split at
// camel-case humps, so that "description" does not contain "ip" but "交易IP地址" contains "IP地址".
type headerKey struct {
	full   string
	base   string
	tokens []string
	unit   string // text inside the last bracket pair, for units such as 元, 万元, 秒
}

// keyOf reduces a header: full-width forms are folded to ASCII, traditional characters common
// in headers to simplified ones (帐 → 账), case is folded, and spaces and punctuation vanish.
func keyOf(s string) headerKey {
	s = stripLeadingMarker(foldString(s))
	var k headerKey
	var full, base strings.Builder
	var word []rune
	depth := 0
	var unit []rune
	flush := func() {
		if len(word) == 0 {
			return
		}
		if depth == 0 {
			k.tokens = append(k.tokens, string(word))
		}
		word = word[:0]
	}
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case r == '(':
			flush()
			depth++
			if depth == 1 {
				unit = unit[:0]
			}
			continue
		case r == ')':
			flush()
			if depth > 0 {
				depth--
				if depth == 0 {
					k.unit = strings.ToLower(strings.ReplaceAll(string(unit), " ", ""))
				}
			}
			continue
		}
		if depth > 0 {
			unit = append(unit, r)
		}
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			full.WriteRune(r)
			if depth == 0 {
				base.WriteRune(r)
				k.tokens = append(k.tokens, string(r))
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if len(word) > 0 && camelBoundary(runes, i) {
				flush()
			}
			lr := unicode.ToLower(r)
			word = append(word, lr)
			full.WriteRune(lr)
			if depth == 0 {
				base.WriteRune(lr)
			}
		default:
			flush()
		}
	}
	flush()
	k.full, k.base = full.String(), base.String()
	if k.base == "" {
		// A header that is all brackets, "(元)", keeps its content as its base.
		k.base = k.full
		k.tokens = tokensOf(k.full)
	}
	return k
}

// tokensOf splits an already reduced key into words (Han characters singly, runs of others).
func tokensOf(s string) []string {
	var out []string
	var word strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			if word.Len() > 0 {
				out = append(out, word.String())
				word.Reset()
			}
			out = append(out, string(r))
			continue
		}
		word.WriteRune(r)
	}
	if word.Len() > 0 {
		out = append(out, word.String())
	}
	return out
}

// camelBoundary reports whether a new word starts at runes[i]: "accountNumber" at N,
// "IPAddress" at the A of Address.
func camelBoundary(runes []rune, i int) bool {
	r, prev := runes[i], runes[i-1]
	if !unicode.IsUpper(r) {
		return false
	}
	if unicode.IsLower(prev) {
		return true
	}
	return unicode.IsUpper(prev) && i+1 < len(runes) && unicode.IsLower(runes[i+1])
}

// containsTokens reports whether needle occurs in hay as a contiguous run of words.
func containsTokens(hay, needle []string) bool {
	if len(needle) == 0 || len(needle) > len(hay) {
		return false
	}
outer:
	for i := 0; i+len(needle) <= len(hay); i++ {
		for j, t := range needle {
			if hay[i+j] != t {
				continue outer
			}
		}
		return true
	}
	return false
}

// stripLeadingMarker removes list numbering and required-field marks that some exports put in
// front of headers: "1.交易金额", "(2)户名", "*账号", "#摘要".
func stripLeadingMarker(s string) string {
	t := strings.TrimLeft(s, " \t*#")
	i := 0
	paren := strings.HasPrefix(t, "(")
	if paren {
		i = 1
	}
	j := i
	for j < len(t) && j-i < 3 && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	if j > i && j < len(t) {
		switch {
		case paren && t[j] == ')':
			return strings.TrimLeft(t[j+1:], " ")
		case !paren && (t[j] == '.' || t[j] == ')' || strings.HasPrefix(t[j:], "、")):
			_, size := utf8.DecodeRuneInString(t[j:])
			rest := strings.TrimLeft(t[j+size:], " ")
			// "1.5倍" is not numbering: the number must be followed by a non-digit.
			if rest != "" && (rest[0] < '0' || rest[0] > '9') {
				return rest
			}
		}
	}
	return t
}

// foldRune folds full-width forms to ASCII, bracket variants to ( ), and traditional
// characters that occur in headers and flags to their simplified forms.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		return ' '
	}
	switch r {
	case '[', '{', '【', '〔', '〖', '［', '｛':
		return '('
	case ']', '}', '】', '〕', '〗', '］', '｝':
		return ')'
	}
	if s, ok := traditional[r]; ok {
		return s
	}
	return r
}

// traditional maps the traditional characters seen in headers (from Hong Kong, Macao and
// Taiwan banks, and legacy systems that write 帐 for 账) to simplified ones.
var traditional = map[rune]rune{
	'帐': '账', '帳': '账', '賬': '账', '號': '号', '戶': '户', '額': '额', '餘': '余',
	'幣': '币', '對': '对', '時': '时', '間': '间', '碼': '码', '證': '证', '標': '标',
	'誌': '志', '稱': '称', '類': '类', '銀': '银', '開': '开', '機': '机', '構': '构',
	'網': '网', '點': '点', '櫃': '柜', '員': '员', '務': '务', '狀': '状', '態': '态',
	'轉': '转', '貸': '贷', '據': '据', '發': '发', '資': '资', '訊': '讯',
	'話': '话', '區': '区', '備': '备', '註': '注', '歸': '归', '屬': '属', '場': '场',
	'幹': '干', '種': '种', '結': '结', '單': '单', '總': '总', '處': '处', '罰': '罚',
	'決': '决', '書': '书', '關': '关', '業': '业', '營': '营', '設': '设', '團': '团',
}

func foldString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return strings.TrimSpace(b.String())
}

// sanitizeName turns a header into a stored column name: Chinese kept, ASCII lower-cased,
// spaces and punctuation replaced by "_", never starting with "_" (reserved for the
// importer's own columns) or a digit (so it needs no quoting). Empty headers become column_N.
func sanitizeName(header string, index int) string {
	var b strings.Builder
	under := false
	for _, r := range foldString(header) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		under = true
	}
	name := b.String()
	if name == "" {
		return "column_" + strconv.Itoa(index+1)
	}
	if r, _ := utf8.DecodeRuneInString(name); unicode.IsDigit(r) {
		name = "c_" + name
	}
	return name
}

// uniqueName returns name, or name_2, name_3 … so that it is not in taken; it records the result.
func uniqueName(name string, taken map[string]bool) string {
	out := name
	for n := 2; taken[out]; n++ {
		out = name + "_" + strconv.Itoa(n)
	}
	taken[out] = true
	return out
}
