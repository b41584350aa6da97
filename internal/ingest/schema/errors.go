package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors, checked with errors.Is.
var (
	ErrUnknownKind   = errors.New("unknown kind")
	ErrMissingField  = errors.New("required field missing")
	ErrUnknownField  = errors.New("unknown field")
	ErrUnknownColumn = errors.New("unknown column")
	ErrNoMatch       = errors.New("no column matches the kind")
	ErrBadType       = errors.New("invalid type")
)

// userError is an error whose text is written for the user and which matches a sentinel.
type userError struct {
	sentinel error
	msg      string
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.sentinel }

func errorf(sentinel error, format string, args ...any) error {
	return &userError{sentinel, fmt.Sprintf(format, args...)}
}

// MissingFieldError reports required fields that no column of the file supplies. It matches
// ErrMissingField; a user interface can offer the Header as choices for each field.
type MissingFieldError struct {
	Kind   string
	Fields []Field
	Header []string
}

func (e *MissingFieldError) Unwrap() error { return ErrMissingField }

func (e *MissingFieldError) Error() string {
	var b strings.Builder
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "the file has no column for the required field %s (%s / %s) of kind %s.\n",
			f.Name, f.title("zh"), f.title("en"), e.Kind)
		fmt.Fprintf(&b, "  synonyms tried: %s\n", listOrNone(f.Synonyms))
		if len(f.DateSynonyms) > 0 {
			fmt.Fprintf(&b, "  date column with a time column tried: %s\n", strings.Join(f.DateSynonyms, ", "))
		}
		if len(f.DebitSynonyms)+len(f.CreditSynonyms) > 0 {
			fmt.Fprintf(&b, "  split out/in columns tried: %s / %s\n", listOrNone(f.DebitSynonyms), listOrNone(f.CreditSynonyms))
		}
		fmt.Fprintf(&b, "  fix: name the column that holds it: --map %s=<column> (its header text or 1-based number)", f.Name)
	}
	fmt.Fprintf(&b, "\nthe file's columns are: %s", numberedColumns(e.Header))
	return b.String()
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

// numberedColumns lists a header as "1 交易时间, 2 账号, …" for messages.
func numberedColumns(header []string) string {
	if len(header) == 0 {
		return "(none: the file has no header)"
	}
	parts := make([]string, len(header))
	for i, h := range header {
		parts[i] = strconv.Itoa(i+1) + " " + strconv.Quote(h)
	}
	return strings.Join(parts, ", ")
}

// closest returns the candidate nearest to s by edit distance, if near enough to be a typo.
func closest(s string, candidates []string) (string, bool) {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := len([]rune(s))/3 + 1
	return best, bestD >= 0 && bestD <= limit
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
