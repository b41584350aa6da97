package screen

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func testIndex(t *testing.T) *Index {
	t.Helper()
	ix, err := NewIndex(context.Background(), []Entity{
		{ListID: "l:1", Type: "individual", Names: []string{"AL-AMIN, Mohammed Yusuf", "ABD AL-RAHMAN, Yusuf"}, IDs: []Identifier{{Kind: "Passport", Value: "J-287011"}}},
		{ListID: "l:2", Type: "individual", Names: []string{"张伟"}},
		{ListID: "l:3", Type: "entity", Names: []string{"GOLDEN DRAGON TRADING CO., LTD."}},
		{ListID: "l:4", Type: "individual", Names: []string{"IVANOV, Sergey Petrovich"}},
		{ListID: "l:5", Type: "individual", Names: []string{"王建国"}},
		{ListID: "l:6", Type: "individual", Names: []string{"欧阳修"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestSearchFindsNamesWrittenDifferently(t *testing.T) {
	ix := testIndex(t)
	cases := []struct{ query, want string }{
		{"Muhammad Youssef al Amin", "l:1"},      // variant spellings, article, order
		{"alamin mohamed yusuf", "l:1"},          // article written together
		{"Abdul Rahman, Youssef", "l:1"},         // an alias, Abdul = Abd al
		{"Sheikh Mohammed Yusuf Al-Amin", "l:1"}, // honorific
		{"Zhang Wei", "l:2"},                     // pinyin
		{"WEI ZHANG", "l:2"},
		{"Wang Jianguo", "l:5"},                          // pinyin given names are one word
		{"OUYANG Xiu", "l:6"},                            // a compound surname
		{"Golden Dragon Trading Company Limited", "l:3"}, // company suffixes
		{"Sergei Ivanoff", "l:4"},                        // -off, dropped patronymic
		{"Сергей Иванов", "l:4"},                         // Cyrillic
		{"Ivanov Sergey Petrovih", "l:4"},                // a typo
	}
	for _, c := range cases {
		ms := ix.Search(c.query, Options{})
		if len(ms) == 0 || ms[0].ListID != c.want {
			t.Errorf("Search(%q) = %+v, want %s first", c.query, ms, c.want)
		}
	}
}

func TestSearchKeepsUnrelatedNamesOut(t *testing.T) {
	ix := testIndex(t)
	for _, q := range []string{"Zhang Li", "Golden Gate Bridge", "Sergey Petrov", "Mohammed", "Yusuf Islam"} {
		if ms := ix.Search(q, Options{}); len(ms) > 0 {
			t.Errorf("Search(%q) matched %+v at the default threshold", q, ms)
		}
	}
}

func TestSearchShortCircuitsOnAListedIdentifier(t *testing.T) {
	ix := testIndex(t)
	ms := ix.Search("j287011", Options{})
	if len(ms) != 1 || ms[0].ListID != "l:1" || ms[0].Score != 1 || !strings.Contains(ms[0].Explanation, "Passport") {
		t.Errorf("identifier search gave %+v", ms)
	}
}

func TestSearchExplainsEachMatch(t *testing.T) {
	ix := testIndex(t)
	ms := ix.Search("Abdul Rahman Yusef", Options{})
	if len(ms) == 0 {
		t.Fatal("no match")
	}
	m := ms[0]
	if m.Name != "ABD AL-RAHMAN, Yusuf" || m.PrimaryName != "AL-AMIN, Mohammed Yusuf" || !strings.HasPrefix(m.Explanation, "alias: ") ||
		!strings.Contains(m.Explanation, "abdalrahman = abdalrahman") {
		t.Errorf("match %+v", m)
	}
}

func TestOptionsBoundTheAnswer(t *testing.T) {
	ix := testIndex(t)
	if ms := ix.Search("Ivanov", Options{MinScore: -1, Top: 1}); len(ms) != 1 {
		t.Errorf("Top 1 with every score kept gave %d matches", len(ms))
	}
	if ms := ix.Search("Sergey Ivanov", Options{MinScore: 0.999}); len(ms) != 0 {
		t.Errorf("a missing patronymic still scored ≥ 0.999: %+v", ms)
	}
}

func TestTypesKeepOnlyEntriesOfThoseTypes(t *testing.T) {
	ix := testIndex(t)
	if ms := ix.Search("Golden Dragon Trading", Options{Types: []string{"individual"}}); len(ms) != 0 {
		t.Errorf("a company was returned when screening individuals: %+v", ms)
	}
	if ms := ix.Search("J287011", Options{Types: []string{"entity"}}); len(ms) != 0 {
		t.Errorf("an individual's passport was returned when screening entities: %+v", ms)
	}
	if ms := ix.Search("Golden Dragon Trading", Options{Types: []string{"entity", "vessel"}}); len(ms) != 1 {
		t.Errorf("the company was not found among entities: %+v", ms)
	}
}

func TestNormalizeFoldsTheSameNameToTheSameWords(t *testing.T) {
	same := [][2]string{
		{"AL-AMIN", "al amin"},
		{"Abd al-Rahman", "Abdulrahman"},
		{"Abdel Rahman", "ABD AL RAHMAN"},
		{"Smirnoff", "Smirnov"},
		{"Mr. John SMITH", "Smith, John"},
		{"S.A.", "sa"},
	}
	for _, c := range same {
		a, b := normalize(c[0]), normalize(c[1])
		if strings.Join(a.tokens, " ") != strings.Join(b.tokens, " ") {
			t.Errorf("normalize(%q) = %v, normalize(%q) = %v", c[0], a.tokens, c[1], b.tokens)
		}
	}
}

func FuzzSearch(f *testing.F) {
	f.Add("Muhammad al-Amin")
	f.Add("张伟 Ивано́в Αλέξανδρος 김정은 محمد")
	f.Add("a b c d e f g h i j k l m n o p q r s")
	ix, err := NewIndex(context.Background(), []Entity{{ListID: "x", Names: []string{"AL-AMIN, Mohammed", "a b c"}}}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, m := range ix.Search(q, Options{MinScore: -1}) {
			if m.Score < 0 || m.Score > 1 {
				t.Fatalf("score %v out of [0,1] for %q", m.Score, q)
			}
		}
	})
}

func TestConcurrentSearchesAgreeWithOneAtATime(t *testing.T) {
	ix := testIndex(t)
	queries := []string{"Muhammad Youssef al Amin", "Zhang Wei", "j287011", "Sergei Ivanoff", "Golden Dragon"}
	want := make([][]Match, len(queries))
	for i, q := range queries {
		want[i] = ix.Search(q, Options{MinScore: -1})
	}
	done := make(chan error, 8)
	for w := 0; w < 8; w++ {
		go func() {
			for r := 0; r < 50; r++ {
				i := (w + r) % len(queries)
				got := ix.Search(queries[i], Options{MinScore: -1})
				if len(got) != len(want[i]) || len(got) > 0 && got[0] != want[i][0] {
					done <- fmt.Errorf("query %q: got %+v, want %+v", queries[i], got, want[i])
					return
				}
			}
			done <- nil
		}()
	}
	for w := 0; w < 8; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestACommonWordStillCountsTowardsItsCandidates(t *testing.T) {
	// "muhammad" is in more names than a key may propose; the query must still find KARIM,
	// Muhammad through "karim", with "muhammad" counted as possibly matching.
	ents := []Entity{{ListID: "target", Names: []string{"KARIM, Muhammad"}}, {ListID: "other", Names: []string{"MUHAMMED Xyzzy"}},
		{ListID: "one", Names: []string{"MUHAMMAD"}}}
	for i := 0; i < maxPosting+100; i++ {
		ents = append(ents, Entity{ListID: fmt.Sprintf("m%d", i), Names: []string{fmt.Sprintf("MUHAMMAD Q%dZ", i)}})
	}
	ix, err := NewIndex(context.Background(), ents, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ms := ix.Search("Muhammad Karim", Options{}); len(ms) == 0 || ms[0].ListID != "target" {
		t.Errorf("Muhammad Karim found %+v", ms)
	}
	if ms := ix.Search("Mohammed", Options{}); len(ms) != 1 || ms[0].ListID != "one" || ms[0].Score != 1 {
		t.Errorf("a one-word query of a common word found %+v, want the one-word entry (the whole-name key is never too common)", ms)
	}
}
