package ident

import (
	_ "embed"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The division table is derived from python-stdnum (LGPL-2.1-or-later); see
// data/NOTICE-cn_division.txt, which must ship with any binary embedding it.
//
//go:embed data/cn_division.tsv
var divisionTSV string

//go:embed data/cn_division_extra.tsv
var divisionExtraTSV string

// Division is one PRC administrative division (GB/T 2260) code and the name
// it carried in a given year.
type Division struct {
	Code       string // 6 digits
	Province   string // 北京市
	Prefecture string // 广州市; "" for municipalities' districts and province-level codes
	County     string // 番禺区; "" for province- and prefecture-level codes
}

// Name joins the levels into one name, such as 广东省广州市番禺区.
func (d Division) Name() string {
	return d.Province + d.Prefecture + d.County
}

type divisionPeriod struct {
	from, to int // inclusive years; 0 when open-ended
	name     string
}

func (p divisionPeriod) covers(year int) bool {
	return (p.from == 0 || year >= p.from) && (p.to == 0 || year <= p.to)
}

type divisionTable struct {
	codes     []int32            // sorted 6-digit codes
	periods   [][]divisionPeriod // per code, in file order
	provinces map[int32]string   // 2-digit code -> name
	fullName  []string           // per code: name of its latest period, joined
	// fullSince is the first year fullName is right for: the later start of
	// the code's and its prefecture's latest names.
	fullSince []int
}

var divisions = sync.OnceValue(func() *divisionTable {
	t := &divisionTable{provinces: map[int32]string{}}
	idx := map[int32]int{}
	for _, src := range []string{divisionTSV, divisionExtraTSV} {
		for line := range strings.Lines(src) {
			line = strings.TrimRight(line, "\r\n")
			if line == "" || line[0] == '#' {
				continue
			}
			f := strings.Split(line, "\t")
			code, _ := strconv.Atoi(f[0])
			if len(f[0]) == 2 {
				t.provinces[int32(code)] = f[3]
				continue
			}
			from, _ := strconv.Atoi(f[1])
			to, _ := strconv.Atoi(f[2])
			i, ok := idx[int32(code)]
			if !ok {
				i = len(t.codes)
				idx[int32(code)] = i
				t.codes = append(t.codes, int32(code))
				t.periods = append(t.periods, nil)
			}
			t.periods[i] = append(t.periods[i], divisionPeriod{from, to, f[3]})
		}
	}
	order := make([]int, len(t.codes))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return t.codes[order[a]] < t.codes[order[b]] })
	codes := make([]int32, len(order))
	periods := make([][]divisionPeriod, len(order))
	for i, j := range order {
		codes[i], periods[i] = t.codes[j], t.periods[j]
	}
	t.codes, t.periods = codes, periods
	t.fullName = make([]string, len(codes))
	t.fullSince = make([]int, len(codes))
	for i, c := range codes {
		t.fullName[i] = t.division(c, i, 0).Name()
		ps := t.periods[i]
		since := ps[len(ps)-1].from
		if j := t.find(c - c%100); c%100 != 0 && j >= 0 {
			pp := t.periods[j]
			since = max(since, pp[len(pp)-1].from)
		}
		t.fullSince[i] = since
	}
	return t
})

func (t *divisionTable) find(code int32) int {
	i := sort.Search(len(t.codes), func(i int) bool { return t.codes[i] >= code })
	if i < len(t.codes) && t.codes[i] == code {
		return i
	}
	return -1
}

// nameAt returns the name in force in year, or the latest name when year is 0.
func (t *divisionTable) nameAt(i, year int) (string, bool) {
	ps := t.periods[i]
	if year == 0 {
		return ps[len(ps)-1].name, true
	}
	for _, p := range ps {
		if p.covers(year) {
			return p.name, true
		}
	}
	return "", false
}

// Names of prefecture-level entries that group districts or counties rather
// than name a city; they are left out of joined names.
var groupingNames = map[string]bool{
	"市辖区": true, "县": true, "省直辖县级行政区划": true, "自治区直辖县级行政区划": true,
	"省直辖行政单位": true, "自治区直辖县级行政单位": true,
}

func (t *divisionTable) division(code int32, i, year int) Division {
	d := Division{Code: strconv.Itoa(int(code)), Province: t.provinces[code/10000]}
	name, _ := t.nameAt(i, year)
	if code%10000 == 0 {
		if d.Province == "" {
			d.Province = name
		}
		return d
	}
	if code%100 != 0 {
		d.County = name
		if j := t.find(code - code%100); j >= 0 {
			if p, ok := t.nameAt(j, year); ok && !groupingNames[p] {
				d.Prefecture = p
			} else if !ok {
				if p, _ := t.nameAt(j, 0); !groupingNames[p] {
					d.Prefecture = p
				}
			}
		}
		return d
	}
	if !groupingNames[name] {
		d.Prefecture = name
	}
	return d
}

// nameInYear returns the joined name of code index i in force in year,
// without allocating when the latest name applies.
func (t *divisionTable) nameInYear(i, year int) (string, bool) {
	ps := t.periods[i]
	if last := ps[len(ps)-1]; year >= t.fullSince[i] && last.covers(year) {
		return t.fullName[i], true
	}
	if _, ok := t.nameAt(i, year); !ok {
		return "", false
	}
	return t.division(t.codes[i], i, year).Name(), true
}

// LookupDivision returns the division a 6-digit code denoted in year, and
// false when the code is unknown or was not in force that year. With year 0
// it returns the code's latest name whenever the code ever existed.
func LookupDivision(code string, year int) (Division, bool) {
	if len(code) != 6 || !isDigits(code) {
		return Division{}, false
	}
	n, _ := strconv.Atoi(code)
	t := divisions()
	i := t.find(int32(n))
	if i < 0 {
		return Division{}, false
	}
	if _, ok := t.nameAt(i, year); !ok {
		return Division{}, false
	}
	return t.division(int32(n), i, year), true
}
