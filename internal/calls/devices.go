package calls

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// SIMBox is a handset (IMEI) that carried many numbers: a SIM box or a call centre's phone
// ("one device, many cards").
type SIMBox struct {
	IMEI    string   `json:"imei"`
	Numbers []string `json:"numbers"`
	SIMs    int64    `json:"sims"`    // distinct IMSIs, when the records have them
	Calls   int64    `json:"calls"`   // records made from it
	Callees int64    `json:"callees"` // distinct numbers they reached
	First   string   `json:"first"`
	Last    string   `json:"last"`
}

// MovingNumber is a number used from many handsets ("one card, many devices").
type MovingNumber struct {
	Number string   `json:"number"`
	IMEIs  []string `json:"imeis"`
	Calls  int64    `json:"calls"`
}

// epoch is the SQL of a timestamp column's Unix seconds.
func epoch(col string) string { return "CAST(floor(EXTRACT(EPOCH FROM " + col + ")) AS BIGINT)" }

// simBoxes groups the records by the handset that made them. In an operator's records the
// IMEI and IMSI are the record owner's, the caller column.
func (a *analysis) simBoxes(ctx context.Context, r *Report) error {
	if !a.src.has("imei") {
		r.Skipped = append(r.Skipped, "sim_boxes: the records have no imei column")
		return nil
	}
	sims := "0"
	if a.src.has("imsi") {
		sims = "count(DISTINCT imsi)"
	}
	q := `SELECT imei, string_agg(DISTINCT caller, ','), ` + sims + `, count(*), count(DISTINCT callee), min(` + epoch("start_time") + `), max(` + epoch("start_time") + `)
		FROM ` + a.table() + ` WHERE imei IS NOT NULL AND imei <> '' AND caller IS NOT NULL AND start_time IS NOT NULL
		GROUP BY imei HAVING count(DISTINCT caller) >= $1 ORDER BY count(DISTINCT caller) DESC, 1`
	rows, err := a.db.DB().QueryContext(ctx, q, a.o.MinSIMs)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b SIMBox
		var nums string
		var first, last int64
		if err := rows.Scan(&b.IMEI, &nums, &b.SIMs, &b.Calls, &b.Callees, &first, &last); err != nil {
			return err
		}
		b.Numbers = strings.Split(nums, ",")
		slices.Sort(b.Numbers)
		b.First, b.Last = unixText(first), unixText(last)
		r.SIMBoxes = append(r.SIMBoxes, b)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	q = `SELECT caller, string_agg(DISTINCT imei, ','), count(*) FROM ` + a.table() + `
		WHERE imei IS NOT NULL AND imei <> '' AND caller IS NOT NULL
		GROUP BY caller HAVING count(DISTINCT imei) >= $1 ORDER BY count(DISTINCT imei) DESC, 1 LIMIT $2`
	rows2, err := a.db.DB().QueryContext(ctx, q, a.o.MinIMEIs, a.o.Top)
	if err != nil {
		return err
	}
	defer rows2.Close()
	for rows2.Next() {
		var m MovingNumber
		var imeis string
		if err := rows2.Scan(&m.Number, &imeis, &m.Calls); err != nil {
			return err
		}
		m.IMEIs = strings.Split(imeis, ",")
		slices.Sort(m.IMEIs)
		r.Moving = append(r.Moving, m)
	}
	return rows2.Err()
}

// CoLocation is two numbers served by the same cell within minutes of each other, on
// several days: people who travel or work together, or two phones of one person.
type CoLocation struct {
	A     string `json:"a"`
	B     string `json:"b"`
	Days  int64  `json:"days"`  // distinct days (UTC) they were together
	Times int64  `json:"times"` // pairs of records close in place and time
	Cells int64  `json:"cells"` // distinct cells they shared
	First string `json:"first"`
	Last  string `json:"last"`
}

// coLocated pairs the records' own numbers (the caller column) by cell and time. Records are
// bucketed by the window and each record of one side repeated in the buckets before and after
// its own, so that the join is on equalities (cell, bucket) and never a range join.
func (a *analysis) coLocated(ctx context.Context, r *Report) error {
	if !a.src.has("cell_id") {
		r.Skipped = append(r.Skipped, "co_located: the records have no cell_id column")
		return nil
	}
	lac := "''"
	if a.src.has("lac") {
		lac = "COALESCE(CAST(lac AS TEXT), '')"
	}
	w := int64(a.o.CoWindow.Seconds())
	focus := ""
	var qa []any
	if len(a.o.Numbers) > 0 {
		in := placeholders(len(a.o.Numbers), 3)
		focus = " AND (x.n IN (" + in + ") OR y.n IN (" + in + "))"
		qa = args(a.o.Numbers)
	}
	q := fmt.Sprintf(`WITH s AS (SELECT DISTINCT caller AS n, CAST(cell_id AS TEXT) AS cell, %s AS lac, %s AS t
			FROM %s WHERE cell_id IS NOT NULL AND CAST(cell_id AS TEXT) <> '' AND caller IS NOT NULL AND start_time IS NOT NULL),
		b AS (SELECT n, cell, lac, t, CAST(floor(t / %d.0) AS BIGINT) AS slot FROM s)
		SELECT x.n, y.n, count(DISTINCT CAST(floor(x.t / 86400.0) AS BIGINT)), count(*), count(DISTINCT x.cell), min(x.t), max(x.t)
		FROM (SELECT n, cell, lac, t, slot + d AS slot FROM b, (VALUES (-1), (0), (1)) AS v(d)) x
			JOIN b y ON x.cell = y.cell AND x.lac = y.lac AND y.slot = x.slot
		WHERE x.n < y.n AND abs(x.t - y.t) <= %d%s
		GROUP BY x.n, y.n HAVING count(DISTINCT CAST(floor(x.t / 86400.0) AS BIGINT)) >= $1
		ORDER BY 3 DESC, 4 DESC, 1, 2 LIMIT $2`, lac, epoch("start_time"), a.table(), w, w, focus)
	rows, err := a.db.DB().QueryContext(ctx, q, append([]any{a.o.MinDays, a.o.Top}, qa...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c CoLocation
		var first, last int64
		if err := rows.Scan(&c.A, &c.B, &c.Days, &c.Times, &c.Cells, &first, &last); err != nil {
			return err
		}
		c.First, c.Last = unixText(first), unixText(last)
		r.CoLocated = append(r.CoLocated, c)
	}
	return rows.Err()
}
