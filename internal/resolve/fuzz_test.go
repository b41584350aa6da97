package resolve

import (
	"testing"
	"unicode/utf8"
)

// FuzzPrepare feeds arbitrary text to the field parsers: they must not panic, dates must come
// out as 8 digits or nothing, and a record must compare as exact with itself.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{"张伟", "ZHANG Wei", "1971-06-24", "24.06.1971", "Ｏ'Ｂｒｉｅｎ", "\xff\xfe", "", "19710624"} {
		f.Add(s, s)
	}
	cs := comparisonsFor(AllFields, false)
	f.Fuzz(func(t *testing.T, name, date string) {
		p := prepare(Record{Name: name, BirthDate: date, IDNumber: date, Phone: date, Email: name, Address: name, City: name, Postcode: date}, 0)
		if p.dob != "" && (len(p.dob) != 8 || !utf8.ValidString(p.dob)) {
			t.Fatalf("birth date %q normalised to %q", date, p.dob)
		}
		pat := comparePair(cs, &p, &p)
		for k := range cs {
			if l := pat.level(k); l > 1 {
				t.Fatalf("record differs from itself on %s (level %d) for name %q date %q", cs[k].field, l, name, date)
			}
		}
		jaroWinkler(name, date)
		soundex(name)
	})
}
