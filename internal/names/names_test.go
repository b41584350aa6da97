package names

import (
	"math"
	"strings"
	"testing"
)

func TestFoldMeetsDiacriticsWidthAndPinyin(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Müller-Lüdenscheidt", "muller ludenscheidt"},
		{"ＺＨＡＮＧ　Ｗｅｉ", "zhang wei"},
		{"张伟", "zhang wei"},
		{"O'Brien", "obrien"},
	}
	for _, c := range cases {
		latin, _ := Fold(c.in)
		if got := strings.Join(latin, " "); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestJaroWinklerAndOneEditAgreeOnATypo(t *testing.T) {
	if got := JaroWinkler("martha", "marhta"); math.Abs(got-0.9611) > 0.001 {
		t.Errorf("JaroWinkler(martha, marhta) = %.4f, want 0.9611", got)
	}
	if !WithinOneEdit("martha", "marhta") || WithinOneEdit("martha", "mrhta") {
		t.Error("WithinOneEdit must accept one transposition and refuse two edits")
	}
}
