package supervise

import (
	"fmt"
	"strings"
	"unicode"
)

// The sql: escape hatch is one boolean expression over the model's columns. It is read-only
// by construction: it is tokenised and every word must be an allowed keyword, an allowed
// function or an INPUT.COLUMN reference, so no statement (DDL, DML, ATTACH, COPY, PRAGMA), no
// subquery and no file or network function (read_csv, pg_read_file …) can appear.

var escapeKeywords = set("and", "or", "not", "in", "is", "null", "like", "ilike", "between", "case", "when", "then",
	"else", "end", "true", "false", "interval", "date", "timestamp", "timestamptz", "as", "cast", "varchar", "text",
	"bigint", "integer", "double", "precision", "decimal", "numeric", "boolean", "distinct", "from", "epoch", "year",
	"month", "day", "hour", "minute", "second", "days", "months", "years", "hours", "minutes", "seconds")

var escapeFunctions = set("abs", "round", "floor", "ceil", "coalesce", "nullif", "lower", "upper", "trim", "length",
	"substr", "substring", "replace", "strpos", "left", "right", "date_trunc", "date_part", "extract", "cast",
	"greatest", "least", "concat", "sign", "mod")

func set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[w] = true
	}
	return m
}

// escape checks an sql: expression and records the columns it reads.
func (c *compiler) escape(path, expr string) string {
	toks, err := tokenize(expr)
	if err != nil {
		c.errf(path, "unsafe or unreadable SQL: %v", err)
		return ""
	}
	depth := 0
	for i, t := range toks {
		switch t.kind {
		case tokPunct:
			switch t.text {
			case "(":
				depth++
			case ")":
				depth--
				if depth < 0 {
					c.errf(path, "unbalanced parentheses in the SQL expression")
					return ""
				}
			}
		case tokWord:
			w := strings.ToLower(t.text)
			call := i+1 < len(toks) && toks[i+1].text == "("
			switch {
			case strings.Contains(t.text, "."):
				if _, _, ok := c.colRef(path, t.text, false); !ok {
					return ""
				}
			case call && escapeFunctions[w]:
			case call:
				c.errf(path, "unsafe SQL: function %s is not allowed in an sql: condition (allowed: %s)", t.text, strings.Join(sortedKeys(escapeFunctions), ", "))
				return ""
			case escapeKeywords[w]:
			default:
				c.errf(path, "unsafe SQL: %q is not allowed in an sql: condition; write columns as INPUT.COLUMN and use only expression keywords (no statements, subqueries or settings)", t.text)
				return ""
			}
		}
	}
	if depth != 0 {
		c.errf(path, "unbalanced parentheses in the SQL expression")
		return ""
	}
	return "(" + expr + ")"
}

type tokKind int

const (
	tokWord tokKind = iota
	tokNumber
	tokString
	tokPunct
)

type token struct {
	kind tokKind
	text string
}

// tokenize splits an expression into words (with dotted references), numbers, '...' strings
// and operators; anything that could end the expression or hide text (; -- /* " $ \) is refused.
func tokenize(s string) ([]token, error) {
	var out []token
	r := []rune(s)
	for i := 0; i < len(r); {
		ch := r[i]
		switch {
		case unicode.IsSpace(ch):
			i++
		case ch == '\'':
			j := i + 1
			for ; j < len(r); j++ {
				if r[j] == '\'' {
					if j+1 < len(r) && r[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(r) {
				return nil, fmt.Errorf("a string starting at character %d is not closed", i+1)
			}
			out = append(out, token{tokString, string(r[i : j+1])})
			i = j + 1
		case unicode.IsLetter(ch) || ch == '_':
			j := i
			for j < len(r) && (unicode.IsLetter(r[j]) || unicode.IsDigit(r[j]) || r[j] == '_' || r[j] == '.') {
				j++
			}
			out = append(out, token{tokWord, string(r[i:j])})
			i = j
		case unicode.IsDigit(ch):
			j := i
			for j < len(r) && (unicode.IsDigit(r[j]) || r[j] == '.') {
				j++
			}
			out = append(out, token{tokNumber, string(r[i:j])})
			i = j
		default:
			two := ""
			if i+1 < len(r) {
				two = string(r[i : i+2])
			}
			switch {
			case two == "--" || two == "/*":
				return nil, fmt.Errorf("comments are not allowed")
			case two == "<=" || two == ">=" || two == "<>" || two == "!=" || two == "||" || two == "::":
				out = append(out, token{tokPunct, two})
				i += 2
			case strings.ContainsRune("()+-*/%<>=,", ch):
				out = append(out, token{tokPunct, string(ch)})
				i++
			default:
				return nil, fmt.Errorf("character %q at %d is not allowed", ch, i+1)
			}
		}
	}
	return out, nil
}
