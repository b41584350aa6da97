package screen

import (
	"strings"
	"unicode"
)

// transliterate writes Cyrillic, Greek, Arabic, Hebrew and Hangul letters in Latin before
// folding, so that "Владимир Путин" meets "Vladimir Putin". Cyrillic follows BGN/PCGN, Greek
// ELOT 743, Hangul the Revised Romanization of Korean (2000) with the usual spellings of the
// commonest surnames. Arabic and Hebrew are written without short vowels, so only their
// consonants come out ("محمد" → "mhmd"); the consonant skeleton of the Latin spelling
// ("mohamed" → "mhmd") is what they meet. Han characters are left to names.Fold (pinyin).
func transliterate(s string) string {
	plain := true
	for _, r := range s {
		if r >= 0x370 {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	s = strings.ReplaceAll(s, "الله", "allah") // the name of God is written without its long vowel
	var b strings.Builder
	wordStart := true
	for _, r := range s {
		lower := unicode.ToLower(r)
		switch {
		case cyrillic[lower] != "" || lower == 'ъ' || lower == 'ь':
			b.WriteString(cyrillic[lower])
		case greek[lower] != "":
			b.WriteString(greek[lower])
		case r >= 0x600 && r <= 0x6FF:
			if r == 'ع' && wordStart {
				b.WriteByte('a')
			} else {
				b.WriteString(arabic[r])
			}
		case r >= 0x5D0 && r <= 0x5EA:
			b.WriteString(hebrew[r])
		case r >= 0xAC00 && r <= 0xD7A3:
			b.WriteString(hangul(r, wordStart))
		default:
			b.WriteRune(r)
		}
		wordStart = !unicode.IsLetter(r)
	}
	return b.String()
}

var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ы': "y", 'э': "e",
	'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "w",
}

var greek = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t",
	'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o", 'ά': "a", 'έ': "e", 'ή': "i", 'ί': "i", 'ό': "o",
	'ύ': "y", 'ώ': "o", 'ϊ': "i", 'ϋ': "y", 'ΐ': "i", 'ΰ': "y",
}

var arabic = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh",
	'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z",
	'ع': "", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'و': "w",
	'ي': "i", 'ى': "a", 'ة': "a", 'ء': "", 'ؤ': "", 'ئ': "",
}

var hebrew = map[rune]string{
	'א': "", 'ב': "v", 'ג': "g", 'ד': "d", 'ה': "h", 'ו': "v", 'ז': "z", 'ח': "ch", 'ט': "t", 'י': "y",
	'ך': "ch", 'כ': "k", 'ל': "l", 'ם': "m", 'מ': "m", 'ן': "n", 'נ': "n", 'ס': "s", 'ע': "", 'ף': "f",
	'פ': "p", 'ץ': "ts", 'צ': "ts", 'ק': "k", 'ר': "r", 'ש': "sh", 'ת': "t",
}

// Revised Romanization jamo: initial, medial and final consonants of a Hangul syllable.
var (
	hangulInitial = []string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"}
	hangulMedial  = []string{"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"}
	hangulFinal   = []string{"", "k", "k", "k", "n", "n", "n", "t", "l", "l", "l", "l", "l", "l", "l", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
	// Korean surnames are romanised by custom, not by the rules: 김 is Kim, not Gim.
	hangulSurname = map[rune]string{'김': "kim", '이': "lee", '박': "park", '최': "choi", '정': "jung", '강': "kang",
		'조': "cho", '윤': "yoon", '장': "jang", '임': "lim", '한': "han", '오': "oh", '신': "shin", '권': "kwon"}
)

// hangul romanises one syllable. Korean given names are written in Latin a syllable a word
// ("Kim Jong Un", "Lee Min Ho"), and with o and u where the Revised Romanization writes eo
// and eu (정 Jong, 은 Un), as lists spell them.
func hangul(r rune, wordStart bool) string {
	if s, ok := hangulSurname[r]; ok && wordStart {
		return s + " "
	}
	n := int(r - 0xAC00)
	medial := hangulMedial[(n%588)/28]
	switch medial {
	case "eo":
		medial = "o"
	case "eu":
		medial = "u"
	}
	return hangulInitial[n/588] + medial + hangulFinal[n%28] + " "
}
