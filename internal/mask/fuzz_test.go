package mask

import (
	"strings"
	"testing"
)

var allKinds = []Kind{ResidentID, BankCard, Account, Phone, IMEI, IMSI, Email, Passport, Other}

// FuzzValue checks the property every rule promises: masking never panics, what stays
// visible is a head and a tail of the value's own characters, at most as many as the rule
// allows, and at least max(4, ⌈n/3⌉) of n characters are hidden.
func FuzzValue(f *testing.F) {
	for _, s := range []string{"110105194912310021", "6222021234567890", "+8613812345678", "zhang@example.com",
		"490154203237518", "E12345678", "１３８１２３４５６７８", "12*34", "", "@", "a@", "8613812345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range allKinds {
			out := Value(k, s)
			if k == Email && strings.Contains(out, "@") {
				checkEmail(t, s, out)
				continue
			}
			in := []rune(visible(s))
			n := len(sigOf(s))
			if rest, ok := strings.CutPrefix(out, "+86 "); ok {
				out, in, n = rest, in[2:], n-2 // the country code names no one
			}
			vis := visible(out)
			head, tail := split(out)
			r := rules[k]
			if k == Email {
				r = rules[Other] // no mailbox: masked as an identifier of unknown kind
			}
			if k == ResidentID || k == Account {
				r = Rule{max(r.Head, rules[Passport].Head, rules[BankCard].Head), max(r.Tail, rules[Passport].Tail, rules[BankCard].Tail)}
			}
			if len([]rune(head)) > r.Head || len([]rune(tail)) > r.Tail {
				t.Fatalf("Value(%s, %q) = %q shows %q and %q, more than the rule %+v", k, s, out, head, tail, r)
			}
			if !strings.HasPrefix(string(in), head) || !strings.HasSuffix(string(in), tail) {
				t.Fatalf("Value(%s, %q) = %q shows characters that are not the value's head and tail", k, s, out)
			}
			if n > 0 && len([]rune(vis)) > n-max(4, (n+2)/3) && len([]rune(vis)) > 0 {
				t.Fatalf("Value(%s, %q) = %q shows %d of %d characters", k, s, out, len([]rune(vis)), n)
			}
		}
		_ = Text(s) // must not panic
		if !mayHold(s) && (textPattern.MatchString(s) || emailPattern.MatchString(s)) {
			t.Fatalf("mayHold(%q) is false, but the patterns find something in it", s)
		}
	})
}

func sigOf(s string) []rune { return sig(strings.TrimSpace(s)) }

// split returns the visible characters before the first star and after the last one; a value
// without stars must show nothing.
func split(out string) (head, tail string) {
	i, j := strings.IndexByte(out, '*'), strings.LastIndexByte(out, '*')
	if i < 0 {
		return visible(out), ""
	}
	return visible(out[:i]), visible(out[j+1:])
}

func checkEmail(t *testing.T, in, out string) {
	t.Helper()
	local, _, _ := strings.Cut(out, "***@")
	if len([]rune(local)) > 1 {
		t.Fatalf("Value(email, %q) = %q shows %q of the mailbox", in, out, local)
	}
	if local != "" && !strings.HasPrefix(strings.TrimSpace(in), local) {
		t.Fatalf("Value(email, %q) = %q shows a character that is not the mailbox's first", in, out)
	}
}

// FuzzFindIdentifiersIsTheWholeTextSearch checks that searching only the runs of characters
// the pattern can match finds exactly what the search of the whole text finds.
func FuzzFindIdentifiersIsTheWholeTextSearch(f *testing.F) {
	for _, s := range []string{"账户6222021234567890于2025-03-01转出", "call 138 1234 5678 or +86 139-1234-5678 today",
		"card 6222 0212 3456 7890 123, passport E12345678", "TX20250301001 1234567.89 11010519491231002X",
		"", "1234567", "a 1234 5678 9012 3456-7", "号码+8613812345678。身份证110105194912310021"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := textPattern.FindAllStringIndex(s, -1)
		got := findIdentifiers(s)
		if len(got) != len(want) {
			t.Fatalf("findIdentifiers(%q) = %v, the whole-text search %v", s, got, want)
		}
		for i := range want {
			if got[i][0] != want[i][0] || got[i][1] != want[i][1] {
				t.Fatalf("findIdentifiers(%q) = %v, the whole-text search %v", s, got, want)
			}
		}
	})
}
