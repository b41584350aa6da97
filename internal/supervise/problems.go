package supervise

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Line returns the YAML line of a model path ("version", "logic.join[0]"), or of its nearest
// recorded parent, so callers outside the package can point at the line a problem is about.
func (m *Model) Line(path string) int { return m.line(path) }

// ParseProblems turns an error of Parse into problems with their lines: a YAML file with
// several unknown fields yields one problem per field, so an editor can show each next to
// its line.
func ParseProblems(err error) Problems {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := make(Problems, 0, len(te.Errors))
		for _, e := range te.Errors {
			out = append(out, Problem{Line: lineIn(e), Message: plainYAMLError(e)})
		}
		return out
	}
	return Problems{{Line: lineIn(err.Error()), Message: plainYAMLError(err.Error())}}
}

var (
	yamlLinePrefix = regexp.MustCompile(`^(model YAML: )?(yaml: )?(unmarshal errors:\s*)?line \d+: `)
	unknownField   = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// plainYAMLError drops what a problem's line already says ("yaml: line 3: ") and the Go type
// names of the YAML library's messages, which mean nothing to a model's author.
func plainYAMLError(msg string) string {
	msg = yamlLinePrefix.ReplaceAllString(strings.TrimSpace(msg), "")
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		return "unknown field " + m[1] + ": remove it or correct its spelling (docs/models.md lists every field)"
	}
	return msg
}

// lineIn finds "line N" in a YAML error message; 0 when it names none.
func lineIn(msg string) int {
	var n int
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &n)
	}
	return n
}
