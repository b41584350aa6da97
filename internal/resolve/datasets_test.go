package resolve

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// datasetsDir finds ../shared/datasets: $PROCURA_DATASETS, else a shared/datasets folder
// beside one of the working directory's ancestors.
func datasetsDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PROCURA_DATASETS"); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "datasets")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	t.Skip("external datasets not found: set PROCURA_DATASETS to the shared/datasets folder")
	return ""
}

func readCSV(t testing.TB, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("dataset file %s is missing: %v", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true // Febrl writes ", " between fields
	var rows [][]string
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		rows = append(rows, row)
	}
	return rows[0], rows[1:]
}

// febrl reads a Febrl file; the truth entity is N of rec-N-org / rec-N-dup-k.
func febrl(t testing.TB, file, source string) ([]Record, []string) {
	_, rows := readCSV(t, filepath.Join(datasetsDir(t), "febrl", file))
	var recs []Record
	var truth []string
	for _, r := range rows {
		recs = append(recs, Record{
			ID: r[0], Source: source, Given: r[1], Surname: r[2],
			Address: strings.Join([]string{r[3], r[4], r[5]}, " "),
			City:    r[6], Postcode: r[7], BirthDate: r[9], IDNumber: r[10],
		})
		truth = append(truth, strings.Split(r[0], "-")[1])
	}
	return recs, truth
}

func splinkFake1000(t testing.TB) ([]Record, []string) {
	_, rows := readCSV(t, filepath.Join(datasetsDir(t), "splink", "fake_1000.csv"))
	var recs []Record
	var truth []string
	for _, r := range rows {
		recs = append(recs, Record{ID: r[0], Given: r[1], Surname: r[2], BirthDate: r[3], City: r[4], Email: r[5]})
		truth = append(truth, r[6])
	}
	return recs, truth
}

func predicted(res *Result) []int32 { return res.ClusterOf }

func truthIDs(truth []string) []int32 {
	ids := map[string]int32{}
	out := make([]int32, len(truth))
	for i, s := range truth {
		id, ok := ids[s]
		if !ok {
			id = int32(len(ids))
			ids[s] = id
		}
		out[i] = id
	}
	return out
}

func TestResolveReachesPublishedF1OnRealData(t *testing.T) {
	cases := []struct {
		name     string
		load     func(t testing.TB) ([]Record, []string)
		linkOnly bool
		minF1    float64
	}{
		{"febrl dataset4a×4b", func(t testing.TB) ([]Record, []string) {
			a, ta := febrl(t, "dataset4a.csv", "a")
			b, tb := febrl(t, "dataset4b.csv", "b")
			return append(a, b...), append(ta, tb...)
		}, true, 0.95},
		{"febrl dataset3", func(t testing.TB) ([]Record, []string) { return febrl(t, "dataset3.csv", "") }, false, 0.95},
		{"splink fake_1000", splinkFake1000, false, 0.85},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, truth := c.load(t)
			res, err := Resolve(context.Background(), recs, Options{LinkOnly: c.linkOnly})
			if err != nil {
				t.Fatal(err)
			}
			src := make([]string, len(recs))
			for i, r := range recs {
				src[i] = r.Source
			}
			s := ScorePairs(truthIDs(truth), predicted(res), -1, src, c.linkOnly)
			t.Logf("%s: precision %.4f recall %.4f F1 %.4f (true pairs %d, predicted %d, candidate pairs %d, refused links %d, prior %.4f)",
				c.name, s.Precision, s.Recall, s.F1, s.TruePairs, s.PredictedPairs, res.Stats.CandidatePairs, res.Stats.RefusedLinks, res.Model.Prior)
			if s.F1 < c.minF1 {
				t.Errorf("F1 %.4f is below the target %.2f", s.F1, c.minF1)
			}
		})
	}
}

var _ = strconv.Itoa
