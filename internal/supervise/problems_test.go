package supervise

import (
	"strings"
	"testing"
)

func TestParseProblemsGiveEachUnknownFieldItsLineInPlainWords(t *testing.T) {
	_, err := Parse([]byte("id: x\nversion: 1\ncolour: red\nsize: 3\n"))
	ps := ParseProblems(err)
	if len(ps) != 2 || ps[0].Line != 3 || ps[1].Line != 4 {
		t.Fatalf("problems = %+v, want lines 3 and 4", ps)
	}
	if !strings.HasPrefix(ps[0].Message, "unknown field colour") || strings.Contains(ps[0].Message, "supervise.") || strings.Contains(ps[0].Message, "line") {
		t.Errorf("message = %q, want the field named without Go types or the line again", ps[0].Message)
	}
	_, err = Parse([]byte("id: x\nversion: [\n"))
	if ps := ParseProblems(err); len(ps) != 1 || ps[0].Line == 0 || strings.Contains(ps[0].Message, "yaml: line") {
		t.Errorf("syntax error problems = %+v, want one with its line", ps)
	}
}
