// Package names folds person and company names to comparable Latin tokens (lower case, no
// diacritics, Han characters as toneless pinyin) and measures how alike two folded strings are.
// Entity resolution (internal/resolve) and list screening (internal/screen) share it.
package names

import (
	"strings"
	"sync"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	return a
}()

// Fold lower-cases, folds full-width forms, turns Han characters into toneless pinyin
// syllables and keeps letters and digits only. It returns the Latin tokens and the tokens in
// the original script (Han characters one token each, as Chinese names are written).
func Fold(s string) (latin, script []string) { return defaultFolder.fold(s) }

// folder folds names, remembering each Han character's pinyin: go-pinyin looks a character
// up through regular expressions, which would dominate a million-record resolution.
type folder struct {
	mu     sync.RWMutex
	pinyin map[rune]string
}

var defaultFolder = &folder{pinyin: map[rune]string{}}

func (f *folder) syllable(r rune) string {
	f.mu.RLock()
	s, ok := f.pinyin[r]
	f.mu.RUnlock()
	if ok {
		return s
	}
	if py := pinyin.SinglePinyin(r, pinyinArgs); len(py) > 0 {
		s = py[0]
	}
	f.mu.Lock()
	f.pinyin[r] = s
	f.mu.Unlock()
	return s
}

func (f *folder) fold(s string) (latin, script []string) {
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			latin = append(latin, word.String())
			script = append(script, word.String())
			word.Reset()
		}
	}
	for _, r := range s {
		r = FoldWidth(r)
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			script = append(script, string(r))
			if py := f.syllable(r); py != "" {
				latin = append(latin, py)
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(FoldLatin(unicode.ToLower(r)))
		case r == '\'' || r == '’':
			// O'Brien = OBrien: an apostrophe does not split a name.
		default:
			flush()
		}
	}
	flush()
	return latin, script
}

// FoldWidth maps full-width ASCII (U+FF01–U+FF5E) and the ideographic space to ASCII.
func FoldWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000:
		return ' '
	}
	return r
}

// FoldLatin drops the common Latin diacritics (é → e, ü → u) so "Müller" meets "Muller".
func FoldLatin(r rune) rune {
	if r < 0xC0 || r > 0x17F {
		return r
	}
	const from = "àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőùúûüūůűųýÿźżžśšşţťŕřğ"
	const to = "aaaaaaaaacccdeeeeeeeeiiiiiilnnnooooooooouuuuuuuuyyzzzsssttrrg"
	i := 0
	for _, f := range from {
		if f == r {
			return rune(to[i])
		}
		i++
	}
	return r
}
