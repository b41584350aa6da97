package tabular

import (
	"fmt"
	"strings"
	"testing"
)

func TestJSONLinesKeepKeyOrderLiteralNumbersAndCompactNesting(t *testing.T) {
	src := "{\"卡号\":\"6222021001123456789\",\"金额\":12.50,\"标签\":[\"a\", {\"b\": null}],\"ok\":true}\n" +
		"\n" +
		"{\"金额\":1e3,\"卡号\":null,\"备注\":\"退款\"}\n" +
		"not json\n" +
		"[1,2]\n" +
		"{\"金额\":7}\n"
	res := readString(t, "cdr.jsonl", src, Options{})
	if want := []string{"卡号", "金额", "标签", "ok", "备注"}; !equal(res.header, want) {
		t.Errorf("header %q, want %q", res.header, want)
	}
	if res.det.Format != JSONL || !equal(res.lines(), []int64{1, 3, 6}) {
		t.Errorf("format %s lines %v", res.det.Format, res.lines())
	}
	if want := []string{"6222021001123456789", "12.50", `["a",{"b":null}]`, "true", ""}; !equal(res.recs[0].Fields, want) {
		t.Errorf("first %q, want %q", res.recs[0].Fields, want)
	}
	if got := res.recs[1].Fields; got[1] != "1e3" || got[0] != "" || got[4] != "退款" {
		t.Errorf("second %q", got)
	}
	if len(res.errs) != 2 || res.errs[0].Line != 4 || res.errs[1].Line != 5 || !strings.Contains(res.errs[1].Msg, "array") {
		t.Errorf("errors %v", res.errs)
	}
}

func TestJSONArrayElementsAreNumberedFromOne(t *testing.T) {
	src := `[ {"a": 1, "b": "x"}, {"a": 2}, "oops", {"c": {"d": 3}} ]`
	res := readString(t, "x.json", src, Options{})
	if res.det.Format != JSON || !equal(res.header, []string{"a", "b", "c"}) {
		t.Errorf("format %s header %q", res.det.Format, res.header)
	}
	if !equal(res.lines(), []int64{1, 2, 4}) || res.recs[2].Fields[2] != `{"d":3}` || res.recs[0].Raw != `{"a": 1, "b": "x"}` {
		t.Errorf("records %+v", res.recs)
	}
	if len(res.errs) != 1 || res.errs[0].Line != 3 {
		t.Errorf("errors %v", res.errs)
	}
}

func TestPrettyPrintedJSONObjectsGetTheLineWhereTheyStart(t *testing.T) {
	src := "{\n  \"a\": 1\n}\n\n{\n  \"a\": 2,\n  \"b\": \"y\"\n}\n"
	res := readString(t, "x.json", src, Options{})
	if !equal(res.lines(), []int64{1, 5}) || !equal(res.header, []string{"a", "b"}) {
		t.Errorf("lines %v header %q", res.lines(), res.header)
	}
}

func TestBrokenJSONArrayEndsTheFileWithAClearError(t *testing.T) {
	r, err := OpenReader("x.json", strings.NewReader(`[{"a":1},{"a":2},{"a":`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; i < 2; i++ {
		if _, err := r.Next(); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	_, err = r.Next()
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("error %v", err)
	}
	if _, ok := err.(*ParseError); ok {
		t.Error("a broken array must not look like a per-record error")
	}
}

func TestKeysFirstSeenAfterTheHeaderObjectsAreRejectedByName(t *testing.T) {
	var b strings.Builder
	for i := 0; i < jsonHeaderObjects; i++ {
		fmt.Fprintf(&b, "{\"a\":%d}\n", i)
	}
	b.WriteString("{\"a\":1,\"late\":2}\n{\"a\":3}\n")
	res := readString(t, "x.jsonl", b.String(), Options{})
	if len(res.recs) != jsonHeaderObjects+1 || len(res.errs) != 1 {
		t.Fatalf("%d records %d errors", len(res.recs), len(res.errs))
	}
	if e := res.errs[0]; e.Line != jsonHeaderObjects+1 || !strings.Contains(e.Msg, `"late"`) {
		t.Errorf("error %v", e)
	}
}
