package tabular

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// result is everything a reader produced, copied so it outlives Next.
type result struct {
	header []string
	det    Detected
	recs   []Record
	errs   []*ParseError
}

func readString(t testing.TB, name, data string, o Options) result {
	t.Helper()
	r, err := OpenReader(name, strings.NewReader(data), o)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	return drain(t, r)
}

func drain(t testing.TB, r Reader) result {
	t.Helper()
	defer r.Close()
	res := result{header: r.Header(), det: r.Detected()}
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("reader does not end")
		}
		rec, err := r.Next()
		if err == io.EOF {
			return res
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			res.errs = append(res.errs, pe)
			continue
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		rec.Fields = append([]string(nil), rec.Fields...)
		res.recs = append(res.recs, rec)
	}
}

func (r result) column(name string) []string {
	for i, h := range r.header {
		if h == name {
			var out []string
			for _, rec := range r.recs {
				out = append(out, rec.Fields[i])
			}
			return out
		}
	}
	return nil
}

func (r result) lines() []int64 {
	var out []int64
	for _, rec := range r.recs {
		out = append(out, rec.Line)
	}
	return out
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
