package ident

import (
	"fmt"
	"strconv"
)

// Error reports why a value was rejected. Kind names what the value was read
// as ("resident ID", "bank card"), Value is the offending value after Clean,
// and Reason says what is wrong and, where possible, what to do about it.
type Error struct {
	Kind   string
	Value  string
	Reason string
}

// Error formats the error as "<kind> <value>: <reason>".
func (e *Error) Error() string {
	if e.Value == "" {
		return e.Kind + ": " + e.Reason
	}
	v := e.Value
	if !printable(v) {
		v = strconv.Quote(v)
	}
	return e.Kind + " " + v + ": " + e.Reason
}

func printable(s string) bool {
	for _, r := range s {
		if !strconv.IsPrint(r) || r == ' ' && len(s) == 1 {
			return false
		}
	}
	return true
}

// reject builds an *Error; the reason is formatted like fmt.Sprintf.
func reject(kind, value, reason string, args ...any) error {
	if len(args) > 0 {
		reason = fmt.Sprintf(reason, args...)
	}
	return &Error{Kind: kind, Value: value, Reason: reason}
}

// errEmpty is the rejection for a cell that holds nothing after Clean.
func errEmpty(kind string) error {
	return &Error{Kind: kind, Reason: "the value is empty"}
}
