package calls

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// Contact is one number's record with another.
type Contact struct {
	Number   string `json:"number"`
	Calls    int64  `json:"calls"`    // calls and messages, both ways
	Outgoing int64  `json:"outgoing"` // of them made by the focus number
	Seconds  int64  `json:"seconds"`  // total duration
	Night    int64  `json:"night"`    // calls and messages at night
	SMS      int64  `json:"sms"`
	First    string `json:"first"`
	Last     string `json:"last"`
}

// NumberContacts is one focus number's top contacts, each list ranked by one measure.
type NumberContacts struct {
	Number     string    `json:"number"`
	Contacts   int       `json:"contacts"` // distinct numbers
	Calls      int64     `json:"calls"`
	ByCalls    []Contact `json:"by_calls"`
	ByDuration []Contact `json:"by_duration"`
	ByNight    []Contact `json:"by_night"`
}

// edges is the calls of the focus numbers seen from them: n talked with other.
func (a *analysis) edges(in string) string {
	return `c AS (` + a.base() + `), e AS (
		SELECT a AS n, b AS other, 1 AS outgoing, t, dur, sms, hr, day FROM c WHERE a IN (` + in + `)
		UNION ALL SELECT b, a, 0, t, dur, sms, hr, day FROM c WHERE b IN (` + in + `))`
}

// focus returns the numbers to describe: the ones asked for, else the ten that talked with
// the most distinct numbers.
func (a *analysis) focus(ctx context.Context) ([]string, error) {
	if len(a.o.Numbers) > 0 {
		return a.o.Numbers, nil
	}
	q := `WITH c AS (` + a.base() + `), e AS (SELECT a AS n, b AS other FROM c UNION SELECT b, a FROM c)
		SELECT n FROM e GROUP BY n ORDER BY count(*) DESC, n LIMIT 10`
	rows, err := a.db.DB().QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (a *analysis) contacts(ctx context.Context, r *Report) error {
	nums, err := a.focus(ctx)
	if err != nil || len(nums) == 0 {
		return err
	}
	q := `WITH ` + a.edges(placeholders(len(nums), 1)) + `
		SELECT n, other, count(*), sum(outgoing), sum(dur), sum(CASE WHEN ` + a.night() + ` THEN 1 ELSE 0 END), sum(sms), min(t), max(t)
		FROM e GROUP BY n, other`
	rows, err := a.db.DB().QueryContext(ctx, q, args(nums)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	by := map[string][]Contact{}
	for rows.Next() {
		var n string
		var c Contact
		var first, last int64
		if err := rows.Scan(&n, &c.Number, &c.Calls, &c.Outgoing, &c.Seconds, &c.Night, &c.SMS, &first, &last); err != nil {
			return err
		}
		c.First, c.Last = unixText(first), unixText(last)
		by[n] = append(by[n], c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range nums {
		cs := by[n]
		nc := NumberContacts{Number: n, Contacts: len(cs)}
		for _, c := range cs {
			nc.Calls += c.Calls
		}
		nc.ByCalls = topBy(cs, a.o.Top, func(c Contact) int64 { return c.Calls })
		nc.ByDuration = topBy(cs, a.o.Top, func(c Contact) int64 { return c.Seconds })
		nc.ByNight = topBy(cs, a.o.Top, func(c Contact) int64 { return c.Night })
		r.Contacts = append(r.Contacts, nc)
	}
	return nil
}

// topBy returns the k contacts with the largest positive measure, ties by number.
func topBy(cs []Contact, k int, measure func(Contact) int64) []Contact {
	out := make([]Contact, 0, len(cs))
	for _, c := range cs {
		if measure(c) > 0 {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y Contact) int {
		return cmp.Or(cmp.Compare(measure(y), measure(x)), strings.Compare(x.Number, y.Number))
	})
	return out[:min(k, len(out))]
}

// CommonContact is a number that several focus numbers talked with.
type CommonContact struct {
	Number string   `json:"number"`
	Of     []string `json:"of"` // the focus numbers it talked with
	Calls  int64    `json:"calls"`
}

func (a *analysis) common(ctx context.Context, r *Report) error {
	nums := a.o.Numbers
	if len(nums) < 2 {
		r.Skipped = append(r.Skipped, "common_contacts: name two or more numbers")
		return nil
	}
	q := `WITH ` + a.edges(placeholders(len(nums), 1)) + `
		SELECT other, string_agg(DISTINCT n, ','), count(DISTINCT n), count(*) FROM e
		WHERE other NOT IN (` + placeholders(len(nums), 1) + `)
		GROUP BY other HAVING count(DISTINCT n) >= 2 ORDER BY 3 DESC, 4 DESC, 1`
	rows, err := a.db.DB().QueryContext(ctx, q, args(nums)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c CommonContact
		var of string
		var k int
		if err := rows.Scan(&c.Number, &of, &k, &c.Calls); err != nil {
			return err
		}
		c.Of = strings.Split(of, ",")
		slices.Sort(c.Of)
		r.Common = append(r.Common, c)
	}
	return rows.Err()
}

// Day is one day of a number's timeline.
type Day struct {
	Day      string `json:"day"`
	Calls    int64  `json:"calls"`
	Outgoing int64  `json:"outgoing"`
	Contacts int64  `json:"contacts"`
	Seconds  int64  `json:"seconds"`
	Night    int64  `json:"night"`
	First    string `json:"first"`
	Last     string `json:"last"`
}

// Timeline is a focus number's activity day by day.
type Timeline struct {
	Number string `json:"number"`
	Days   []Day  `json:"days"`
}

func (a *analysis) timelines(ctx context.Context, r *Report) error {
	nums := a.o.Numbers
	if len(nums) == 0 {
		r.Skipped = append(r.Skipped, "timelines: name the numbers to follow")
		return nil
	}
	q := `WITH ` + a.edges(placeholders(len(nums), 1)) + `
		SELECT n, day, count(*), sum(outgoing), count(DISTINCT other), sum(dur), sum(CASE WHEN ` + a.night() + ` THEN 1 ELSE 0 END), min(t), max(t)
		FROM e GROUP BY n, day ORDER BY n, day`
	rows, err := a.db.DB().QueryContext(ctx, q, args(nums)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	by := map[string][]Day{}
	for rows.Next() {
		var n string
		var d Day
		var first, last int64
		if err := rows.Scan(&n, &d.Day, &d.Calls, &d.Outgoing, &d.Contacts, &d.Seconds, &d.Night, &first, &last); err != nil {
			return err
		}
		d.First, d.Last = unixText(first), unixText(last)
		by[n] = append(by[n], d)
	}
	for _, n := range nums {
		r.Timelines = append(r.Timelines, Timeline{Number: n, Days: by[n]})
	}
	return rows.Err()
}
