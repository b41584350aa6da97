package resolve

import (
	"context"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"procura/internal/synth"
)

func TestFoldNameMeetsPinyinAndLatinSpellings(t *testing.T) {
	cases := []struct{ a, b string }{
		{"张伟", "ZHANG Wei"},
		{"张伟", "Wei Zhang"},
		{"張偉", "张伟"}, // traditional and simplified share pinyin
		{"Müller", "MULLER"},
		{"O'Brien", "obrien"},
		{"ＺＨＡＮＧ　Ｗｅｉ", "zhang wei"},
	}
	for _, c := range cases {
		la, _ := foldName(c.a)
		lb, _ := foldName(c.b)
		if joinSorted(la) != joinSorted(lb) {
			t.Errorf("%q folds to %q, %q to %q; want the same", c.a, joinSorted(la), c.b, joinSorted(lb))
		}
	}
}

func TestFullNameLevelsSeparateScriptFromPinyin(t *testing.T) {
	cmp := fullNameComparison()
	cases := []struct {
		a, b string
		want string
	}{
		{"张伟", "张伟", "exact"},
		{"张伟", "ZHANG Wei", "same_pinyin_or_latin"},
		{"张伟", "张玮", "same_pinyin_or_latin"},
		{"Jonathan Smith", "Jonathon Smith", "jaro_winkler>=0.92"},
		{"张伟", "李娜", "different"},
	}
	for _, c := range cases {
		a, b := prepare(Record{Name: c.a}, 0), prepare(Record{Name: c.b}, 0)
		if got := cmp.levels[cmp.level(&a, &b)-1]; got != c.want {
			t.Errorf("%s vs %s: level %s, want %s", c.a, c.b, got, c.want)
		}
	}
}

func TestJaroWinklerMatchesPublishedValues(t *testing.T) {
	// Values from Winkler (1990) and the Wikipedia article's worked examples.
	cases := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"abc", "abc", 1},
		{"abc", "xyz", 0},
	}
	for _, c := range cases {
		if got := jaroWinkler(c.a, c.b); math.Abs(got-c.want) > 0.001 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.4f", c.a, c.b, got, c.want)
		}
	}
}

func TestSoundexCodesSoundAlikeNamesTheSame(t *testing.T) {
	cases := map[string]string{"robert": "R163", "rupert": "R163", "ashcraft": "A261", "tymczak": "T522", "pfister": "P236", "zhang": "Z520"}
	for in, want := range cases {
		if got := soundex(in); got != want {
			t.Errorf("soundex(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithinOneEditAcceptsOneTypo(t *testing.T) {
	cases := []struct {
		a, b    string
		oneEdit bool
		dist    int
	}{
		{"123456", "123456", true, 0},
		{"123456", "123457", true, 1},
		{"123456", "124356", true, 2}, // a transposition is one Damerau edit
		{"123456", "12346", true, 1},
		{"123456", "654321", false, 3},
	}
	for _, c := range cases {
		if got := withinOneEdit(c.a, c.b); got != c.oneEdit {
			t.Errorf("withinOneEdit(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

func TestNormDateReadsCommonLayouts(t *testing.T) {
	cases := map[string]string{"1971-06-24": "19710624", "19710624": "19710624", "1971/6/4": "19710604", "24.06.1971": "19710624", "1971年6月24日": "19710624", "unknown": "", "": ""}
	for in, want := range cases {
		if got := normDate(in); got != want {
			t.Errorf("normDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveExplainsEachLinkAndKeepsStrangersApart(t *testing.T) {
	recs := []Record{
		{ID: "a1", Name: "张伟", IDNumber: "110101199003071234", BirthDate: "1990-03-07", Phone: "13800138000"},
		{ID: "a2", Name: "ZHANG Wei", IDNumber: "110101199003071234", BirthDate: "19900307", Phone: "+86 138 0013 8000"},
		{ID: "a3", Name: "張偉", IDNumber: "110101199003071243", BirthDate: "1990-03-07"},
		{ID: "b1", Name: "张伟", IDNumber: "320102198511110022", BirthDate: "1985-11-11", Phone: "13912345678"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	surnames := []rune("王李刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑")
	for i := 0; i < 2000; i++ { // strangers, so that u has something to learn from
		name := string(surnames[rng.IntN(len(surnames))]) + string(rune('一'+rng.IntN(2000)))
		dob := pad(1940+rng.IntN(60), 4) + pad(1+rng.IntN(12), 2) + pad(1+rng.IntN(28), 2)
		recs = append(recs, Record{ID: "x" + itoa(i), Name: name, IDNumber: "4401" + pad(rng.IntN(100), 2) + dob + pad(rng.IntN(10000), 4),
			BirthDate: dob, Phone: "13" + pad(rng.IntN(1e9), 9)})
	}
	res, err := Resolve(context.Background(), recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ClusterOf[0] < 0 || res.ClusterOf[0] != res.ClusterOf[1] || res.ClusterOf[0] != res.ClusterOf[2] {
		t.Fatalf("张伟, ZHANG Wei and 張偉 with one ID number were not one entity: clusters %v", res.Clusters)
	}
	if res.ClusterOf[3] == res.ClusterOf[0] {
		t.Fatalf("another 张伟 with another ID number and birth date was merged in: %v", res.Clusters)
	}
	if len(res.Links) == 0 || len(res.Links[0].Fields) == 0 || res.Links[0].Fields[0].Field != FieldName {
		t.Fatalf("links carry no field weights: %+v", res.Links)
	}
}

func TestResolveRejectsUnknownFieldsAndBadThresholds(t *testing.T) {
	if _, err := Resolve(context.Background(), []Record{{ID: "1", Name: "a"}}, Options{Fields: []string{"shoe_size"}}); err == nil {
		t.Error("an unknown field was accepted")
	}
	if _, err := Resolve(context.Background(), []Record{{ID: "1", Name: "a"}}, Options{Threshold: 1.5}); err == nil {
		t.Error("a threshold above 1 was accepted")
	}
}

func TestResolveFindsTheSynthWorldsDuplicatePersons(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Out: dir, Seed: 7, Scale: "small"}); err != nil {
		t.Fatal(err)
	}
	recs, truth := synthPersons(t, dir)
	res, err := Resolve(context.Background(), recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := ScorePairs(truth, res.ClusterOf, -1, nil, false)
	t.Logf("synth small: %d persons, precision %.4f recall %.4f F1 %.4f (%d true pairs)", len(recs), s.Precision, s.Recall, s.F1, s.TruePairs)
	if s.F1 < 0.95 {
		t.Errorf("F1 %.4f on the synth world's duplicates is below 0.95", s.F1)
	}
}

// synthPersons reads persons.csv and truth/duplicate_persons.csv of a synth world.
func synthPersons(t testing.TB, dir string) ([]Record, []int32) {
	rows := readAll(t, filepath.Join(dir, "persons.csv"))
	idx := map[string]int{}
	var recs []Record
	for i, r := range rows[1:] {
		idx[r[0]] = i
		recs = append(recs, Record{ID: r[0], Name: r[1], IDNumber: r[2], BirthDate: r[5], Phone: r[6], Address: r[7]})
	}
	truth := make([]int32, len(recs))
	for i := range truth {
		truth[i] = -1
	}
	for n, r := range readAll(t, filepath.Join(dir, "truth", "duplicate_persons.csv"))[1:] {
		truth[idx[r[0]]], truth[idx[r[1]]] = int32(n), int32(n)
	}
	return recs, truth
}

func readAll(t testing.TB, path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

func itoa(i int) string { return pad(i, 1) }

func pad(i, width int) string {
	s := ""
	for i > 0 || s == "" {
		s = string(rune('0'+i%10)) + s
		i /= 10
	}
	for len(s) < width {
		s = "0" + s
	}
	return s
}
