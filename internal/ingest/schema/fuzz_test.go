package schema

import (
	"errors"
	"strings"
	"testing"
)

// FuzzResolve feeds random headers to Resolve for a kind picked by the input: it must not
// panic, must fail only with its documented errors, and on success must read every header
// index exactly once (as a field's source or as an extra column).
func FuzzResolve(f *testing.F) {
	f.Add(uint8(0), strings.Join(bankInquiryHeader, "\x1f"))
	f.Add(uint8(0), strings.Join(policeFeedbackHeader, "\x1f"))
	f.Add(uint8(0), strings.Join(enStatementHeader, "\x1f"))
	f.Add(uint8(0), "交易日期\x1f交易时间\x1f支出\x1f存入\x1f支出\x1f交易日期")
	f.Add(uint8(1), "本机号码\x1f对方号码\x1f通话日期\x1f通话时间\x1f时长(分)")
	f.Add(uint8(3), "Txhash\x1fFrom\x1fTo\x1fValue\x1fDateTime (UTC)")
	f.Add(uint8(7), "\x1f\x1f()\x1f（）\x1f1.\x1f*")
	kinds := KindNames()
	f.Fuzz(func(t *testing.T, k uint8, joined string) {
		header := strings.Split(joined, "\x1f")
		kind := kinds[int(k)%len(kinds)]
		var overrides map[string]string
		if k >= 128 && len(header) > 1 {
			// Exercise overrides too: map the first field of the kind to the last column.
			kd, _ := KindByName(kind)
			overrides = map[string]string{kd.Fields[0].Name: header[len(header)-1]}
		}
		m, err := Resolve(header, kind, nil, overrides)
		if err != nil {
			if !errors.Is(err, ErrMissingField) && !errors.Is(err, ErrNoMatch) && !errors.Is(err, ErrUnknownColumn) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		checkInvariant(t, header, m)
	})
}

// FuzzInfer checks that Infer types any header and cells without panicking and plans every
// column exactly once.
func FuzzInfer(f *testing.F) {
	f.Add("金额\x1f时间", "1,234.50\x1f2023-01-01 00:00:00")
	f.Add("a", "11010519491231002X")
	f.Fuzz(func(t *testing.T, h, row string) {
		header := strings.Split(h, "\x1f")
		m, err := Infer(header, [][]string{strings.Split(row, "\x1f")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Columns) != len(header) {
			t.Fatalf("%d plans for %d columns", len(m.Columns), len(header))
		}
		names := map[string]bool{}
		for i, p := range m.Columns {
			if p.Source != i || names[p.Field.Name] || strings.HasPrefix(p.Field.Name, "_") || p.Field.Name == "" {
				t.Fatalf("column %d: source %d name %q", i, p.Source, p.Field.Name)
			}
			names[p.Field.Name] = true
		}
	})
}

// FuzzParseDirection checks that flags never panic and that a recognised flag is ±1.
func FuzzParseDirection(f *testing.F) {
	for _, s := range []string{"借", "贷", "D", "Ｃ", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sign, ok := ParseDirection(s); ok != (sign != 0) || sign < -1 || sign > 1 {
			t.Fatalf("ParseDirection(%q) = %d, %v", s, sign, ok)
		}
		ParseBool(s)
		if n, ok := ParseDurationSeconds(s); ok && n < 0 {
			t.Fatalf("ParseDurationSeconds(%q) = %d", s, n)
		}
	})
}

func BenchmarkResolveBankInquiry(b *testing.B) {
	for b.Loop() {
		if _, err := Resolve(bankInquiryHeader, "transactions", nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
