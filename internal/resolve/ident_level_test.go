package resolve

import (
	"context"
	"testing"
)

func TestValidResidentIDChecksTheMod112Character(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"11010519491231002X", true},  // GB 11643's example
		{"110105194912310021", false}, // its check character mistyped
		{"110105194912310020", false},
		{"11010519491231002", false}, // 17 characters
		{"1101051949123100AX", false},
		{"1234567", false}, // a Febrl social-security number is no resident ID
	}
	for _, c := range cases {
		if got := validResidentID(c.id); got != c.want {
			t.Errorf("validResidentID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
	// Every single wrong digit fails the check.
	base := "11010519491231002X"
	for i := range 17 {
		for d := byte('0'); d <= '9'; d++ {
			b := []byte(base)
			if b[i] == d {
				continue
			}
			b[i] = d
			if validResidentID(string(b)) {
				t.Fatalf("%s (digit %d changed) verifies; MOD 11-2 should catch it", b, i)
			}
		}
	}
}

func TestResidentIDLevelsTellTwoPersonsFromATypo(t *testing.T) {
	c := residentIDLevels()
	cases := []struct {
		a, b string
		want string
	}{
		{"11010519491231002X", "11010519491231002X", "exact"},
		{"11010519491231002X", "110105194912310021", "one_typo"},                     // check fails: a typo
		{"11010519491231002X", "110105194912310038", "different_valid_resident_ids"}, // both verify
		{"11010519491231002X", "110105194912310049", "different"},                    // second fails its check
		{"1234567", "7654321", "different"},
	}
	for _, x := range cases {
		a, b := prepare(Record{IDNumber: x.a}, 0), prepare(Record{IDNumber: x.b}, 0)
		l := c.level(&a, &b)
		if got := c.levels[l-1]; got != x.want {
			t.Errorf("%s vs %s: level %q, want %q", x.a, x.b, got, x.want)
		}
	}
}

// In a household of namesakes EM would take "one name, one address, two IDs" for a match;
// the level for two valid IDs keeps its fixed m and a strongly negative weight.
func TestEMCannotLearnThatPersonsChangeIDs(t *testing.T) {
	recs, _ := personWorld(20_000, 3)
	res, err := Resolve(context.Background(), recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Model.Fields {
		if f.Field != FieldIDNumber {
			continue
		}
		last := f.Levels[len(f.Levels)-1]
		if last.Label != "different_valid_resident_ids" || last.M != mDifferentValidIDs || last.Weight > -10 {
			t.Fatalf("id_number's last level is %+v; want different_valid_resident_ids with m %g and weight below -10", last, mDifferentValidIDs)
		}
		sum := 0.0
		for _, l := range f.Levels {
			sum += l.M
		}
		if sum < 0.999 || sum > 1.001 {
			t.Errorf("id_number's m sum to %g, want 1", sum)
		}
		return
	}
	t.Fatal("the model has no id_number comparison")
}
