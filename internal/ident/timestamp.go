package ident

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

const (
	kindTime = "timestamp"
	kindDate = "date"
)

// stamp holds the fields of a timestamp as written, before a location is
// applied.
type stamp struct {
	y, mo, d, h, mi, sec, nsec int
	hasTime                    bool
	zone                       int8 // 0 none, 1 UTC, 2 offset
	offset                     int  // seconds east of UTC when zone == 2
}

// errNoMatch tells the parser to try the next shape.
var errNoMatch = errors.New("no match")

// shape is one way of writing a timestamp; it returns errNoMatch when s is
// not written that way and an *Error when it is but a field is wrong.
type shape func(c string) (stamp, error)

// shapes lists the recognised ways of writing timestamps; TimeParser and
// DateParser try the one that matched last time first.
var shapes = []shape{scanDelimited, scanCompact, scanExcelSerial, scanLayouts}

// TimeParser parses timestamps as written in Chinese bank and telecom
// exports. It remembers which shape matched last and tries it first, since
// a column is written one way throughout. A TimeParser must not be used by
// several goroutines at once.
type TimeParser struct {
	loc  *time.Location
	last int
}

// NewTimeParser returns a parser that reads timestamps without a zone in
// loc (normally Asia/Shanghai); nil means UTC.
func NewTimeParser(loc *time.Location) *TimeParser {
	if loc == nil {
		loc = time.UTC
	}
	return &TimeParser{loc: loc}
}

// Parse reads a timestamp: "2024-01-02 15:04:05", "2024/1/2 15:04",
// "20240102150405", "2024-01-02T15:04:05Z", "2024-01-02T15:04:05+08:00",
// "2024年1月2日 15时04分05秒", "2024-01-02 15:04:05.123", "2024/1/2 下午3:04",
// an Excel serial number such as "45293.6354", a date alone (midnight), and
// a few English layouts ("02-Jan-2006 15:04:05", RFC 1123). Values with a
// zone or offset keep their instant and are returned in the parser's location.
func (p *TimeParser) Parse(s string) (time.Time, error) {
	st, err := p.scan(s, kindTime)
	if err != nil {
		return time.Time{}, err
	}
	t := time.Date(st.y, time.Month(st.mo), st.d, st.h, st.mi, st.sec, st.nsec, p.loc)
	switch st.zone {
	case 1:
		t = time.Date(st.y, time.Month(st.mo), st.d, st.h, st.mi, st.sec, st.nsec, time.UTC).In(p.loc)
	case 2:
		t = time.Date(st.y, time.Month(st.mo), st.d, st.h, st.mi, st.sec, st.nsec, time.UTC).
			Add(-time.Duration(st.offset) * time.Second).In(p.loc)
	}
	return t, nil
}

func (p *TimeParser) scan(s, kind string) (stamp, error) {
	c := Clean(s)
	if c == "" {
		return stamp{}, errEmpty(kind)
	}
	if st, err := shapes[p.last](c); err != errNoMatch {
		return st, relabel(err, kind)
	}
	for i, sh := range shapes {
		if i == p.last {
			continue
		}
		if st, err := sh(c); err != errNoMatch {
			if err == nil {
				p.last = i
			}
			return st, relabel(err, kind)
		}
	}
	return stamp{}, reject(kind, c, "is not a recognised date or time; write it as 2024-01-02 15:04:05")
}

// relabel sets the kind of a shape's error to what the caller asked for.
func relabel(err error, kind string) error {
	if e, ok := err.(*Error); ok && e.Kind != kind {
		return &Error{Kind: kind, Value: e.Value, Reason: e.Reason}
	}
	return err
}

// ParseTimestamp parses one timestamp; see TimeParser.Parse. Columns should
// use a TimeParser, which remembers the layout.
func ParseTimestamp(s string, loc *time.Location) (time.Time, error) {
	return NewTimeParser(loc).Parse(s)
}

// DateParser parses calendar dates; like TimeParser it tries the shape that
// matched last time first and must not be shared between goroutines.
type DateParser struct{ tp TimeParser }

// NewDateParser returns a parser whose dates are midnight in loc (nil: UTC).
func NewDateParser(loc *time.Location) *DateParser {
	return &DateParser{tp: *NewTimeParser(loc)}
}

// Parse reads a date: "2024-01-02", "2024/1/2", "20240102", "2024年1月2日",
// "2024.01.02" or an Excel serial number. A timestamp at exactly midnight
// (as spreadsheets export dates) is accepted; any other time of day is
// rejected, because the column then holds timestamps.
func (p *DateParser) Parse(s string) (time.Time, error) {
	st, err := p.tp.scan(s, kindDate)
	if err != nil {
		return time.Time{}, err
	}
	if st.hasTime && (st.h != 0 || st.mi != 0 || st.sec != 0 || st.nsec != 0) {
		return time.Time{}, reject(kindDate, Clean(s), "has a time of day; map the column as a timestamp")
	}
	return time.Date(st.y, time.Month(st.mo), st.d, 0, 0, 0, 0, p.tp.loc), nil
}

// ParseDate parses one date; see DateParser.Parse.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	return NewDateParser(loc).Parse(s)
}

// checkStamp validates field ranges; time.Date would silently normalise
// 2024-02-30 to March 1st.
func checkStamp(c string, st stamp) (stamp, error) {
	switch {
	case st.mo < 1 || st.mo > 12:
		return st, reject(kindTime, c, "month %d does not exist", st.mo)
	case st.d < 1 || st.d > daysIn(st.y, st.mo):
		return st, reject(kindTime, c, "day %d does not exist in %d-%02d", st.d, st.y, st.mo)
	case st.y < 1800:
		return st, reject(kindTime, c, "year %d is not plausible (a placeholder for a missing value?)", st.y)
	case st.h > 23 || st.mi > 59 || st.sec > 59:
		return st, reject(kindTime, c, "time %02d:%02d:%02d does not exist", st.h, st.mi, st.sec)
	}
	return st, nil
}

// reader walks a string byte by byte.
type reader struct {
	s string
	i int
}

func (r *reader) done() bool { return r.i >= len(r.s) }

// num reads 1..max digits; it returns -1 when there is no digit.
func (r *reader) num(max int) (v, n int) {
	for n < max && r.i < len(r.s) && isDigitByte(r.s[r.i]) {
		v = v*10 + int(r.s[r.i]-'0')
		r.i++
		n++
	}
	if n == 0 {
		return -1, 0
	}
	return v, n
}

func (r *reader) skipSpaces() {
	for r.i < len(r.s) && r.s[r.i] == ' ' {
		r.i++
	}
}

// take consumes tok if it comes next.
func (r *reader) take(tok string) bool {
	if strings.HasPrefix(r.s[r.i:], tok) {
		r.i += len(tok)
		return true
	}
	return false
}

func (r *reader) takeAny(toks ...string) string {
	for _, t := range toks {
		if r.take(t) {
			return t
		}
	}
	return ""
}

// scanDelimited reads year-first dates with separators (- / . 年月日) and
// an optional time, fraction, 上午/下午 or AM/PM marker and zone.
func scanDelimited(c string) (stamp, error) {
	r := reader{s: c}
	var st stamp
	var n int
	if st.y, n = r.num(4); n != 4 {
		return st, errNoMatch
	}
	sep := r.takeAny("-", "/", ".", "年")
	if sep == "" {
		return st, errNoMatch
	}
	if st.mo, n = r.num(2); n == 0 {
		return st, errNoMatch
	}
	sep2 := sep
	if sep == "年" {
		sep2 = "月"
	}
	if !r.take(sep2) {
		return st, errNoMatch
	}
	if st.d, n = r.num(2); n == 0 {
		return st, errNoMatch
	}
	if sep == "年" {
		r.takeAny("日", "号")
	}
	if r.done() {
		return checkStamp(c, st)
	}
	if !r.take("T") {
		r.skipSpaces()
	}
	pm := 0 // 0 none, 1 am, 2 pm
	switch r.takeAny("上午", "下午", "凌晨", "晚上") {
	case "上午", "凌晨":
		pm = 1
	case "下午", "晚上":
		pm = 2
	}
	r.skipSpaces()
	if st.h, n = r.num(2); n == 0 {
		return st, errNoMatch
	}
	st.hasTime = true
	zh := false
	switch r.takeAny(":", "时", "點", "点") {
	case ":":
	case "":
		return st, errNoMatch
	default:
		zh = true
	}
	if st.mi, n = r.num(2); n == 0 {
		if !zh || !r.done() {
			return st, errNoMatch
		}
		st.mi = 0 // "15时" alone
	}
	if zh {
		r.take("分")
	}
	if (zh && !r.done() && isDigitByte(r.s[r.i])) || r.take(":") {
		if st.sec, n = r.num(2); n == 0 {
			return st, errNoMatch
		}
		if zh {
			r.take("秒")
		}
		if r.take(".") || r.take(",") {
			frac, fn := r.num(9)
			if fn == 0 {
				return st, errNoMatch
			}
			for r.i < len(r.s) && isDigitByte(r.s[r.i]) {
				r.i++ // digits beyond nanoseconds are dropped
			}
			for k := fn; k < 9; k++ {
				frac *= 10
			}
			st.nsec = frac
		}
	}
	r.skipSpaces()
	switch strings.ToUpper(r.s[r.i:min(r.i+2, len(r.s))]) {
	case "AM":
		pm, r.i = 1, r.i+2
	case "PM":
		pm, r.i = 2, r.i+2
	}
	if pm != 0 {
		if st.h < 1 || st.h > 12 {
			if !(st.h == 0 && pm == 1) {
				return st, reject(kindTime, c, "hour %d does not fit a 12-hour clock", st.h)
			}
		}
		st.h %= 12
		if pm == 2 {
			st.h += 12
		}
	}
	r.skipSpaces()
	if !r.done() {
		if err := scanZone(&r, &st); err != nil {
			return st, err
		}
	}
	if !r.done() {
		return st, errNoMatch
	}
	return checkStamp(c, st)
}

// scanZone reads Z, UTC, GMT, +08:00, +0800 or +08.
func scanZone(r *reader, st *stamp) error {
	if r.takeAny("Z", "UTC", "GMT") != "" {
		st.zone = 1
		if r.done() {
			return nil
		}
	}
	sign := 1
	switch {
	case r.take("+"):
	case r.take("-"):
		sign = -1
	default:
		return errNoMatch
	}
	h, n := r.num(2)
	if n != 2 {
		return errNoMatch
	}
	r.take(":")
	m, n := r.num(2)
	if n == 0 {
		m = 0
	}
	if h > 14 || m > 59 {
		return reject(kindTime, r.s, "zone offset %c%02d:%02d does not exist", "-+"[(sign+1)/2], h, m)
	}
	st.zone, st.offset = 2, sign*(h*3600+m*60)
	return nil
}

// scanCompact reads digit runs: 20240102, 202401021504, 20240102150405,
// 20240102150405123 and "20240102 150405".
func scanCompact(c string) (stamp, error) {
	d := c
	if len(c) == 15 && (c[8] == ' ' || c[8] == 'T') || len(c) == 13 && (c[8] == ' ' || c[8] == 'T') {
		d = c[:8] + c[9:]
	}
	if !isDigits(d) {
		return stamp{}, errNoMatch
	}
	var st stamp
	switch len(d) {
	case 8, 12, 14, 17:
	default:
		return stamp{}, errNoMatch
	}
	st.y, st.mo, st.d = atoi(d[:4]), atoi(d[4:6]), atoi(d[6:8])
	if len(d) >= 12 {
		st.hasTime = true
		st.h, st.mi = atoi(d[8:10]), atoi(d[10:12])
	}
	if len(d) >= 14 {
		st.sec = atoi(d[12:14])
	}
	if len(d) == 17 {
		st.nsec = atoi(d[14:17]) * 1e6
	}
	return checkStamp(c, st)
}

// excelEpoch is day 0 of Excel's 1900 date system for serials ≥ 61; Excel
// counts a non-existent 1900-02-29 as day 60, so earlier serials are one
// day later.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// scanExcelSerial reads a spreadsheet serial date number such as 45293 or
// 45293.6354 (days since 1899-12-30; the fraction is the time of day,
// rounded to the millisecond).
func scanExcelSerial(c string) (stamp, error) {
	ip, fp, dot := strings.Cut(c, ".")
	if !isDigits(ip) || len(ip) > 5 || dot && fp != "" && !isDigits(fp) {
		return stamp{}, errNoMatch
	}
	days := atoi(ip)
	switch {
	case days == 0:
		return stamp{}, reject(kindTime, c, "serial number 0 is not a date")
	case days == 60:
		return stamp{}, reject(kindTime, c, "serial number 60 is Excel's non-existent 1900-02-29")
	case !dot && len(ip) == 4 && days >= 1900 && days <= 2100:
		return stamp{}, reject(kindTime, c, "looks like a year only; a date needs month and day")
	case days < 60:
		days++
	}
	var ms int64
	if dot && fp != "" {
		f, err := strconv.ParseFloat("0."+fp, 64)
		if err != nil {
			return stamp{}, errNoMatch
		}
		ms = int64(math.Round(f * 86400000))
	}
	t := excelEpoch.AddDate(0, 0, days).Add(time.Duration(ms) * time.Millisecond)
	st := stamp{y: t.Year(), mo: int(t.Month()), d: t.Day(), h: t.Hour(), mi: t.Minute(), sec: t.Second(), nsec: t.Nanosecond(), hasTime: dot && fp != ""}
	return st, nil
}

// layouts are less common English layouts, tried through time.Parse.
var layouts = []string{
	"02-Jan-2006 15:04:05", "02-Jan-2006", "2-Jan-06 15:04:05", "Jan 2, 2006 15:04:05", "Jan 2, 2006",
	time.RFC1123Z, time.RFC1123, time.UnixDate, "2006-01-02 15:04:05 -0700 MST",
}

func scanLayouts(c string) (stamp, error) {
	if len(c) < 9 || c[0] >= '0' && c[0] <= '9' && !strings.ContainsAny(c, "JFMASOND") {
		return stamp{}, errNoMatch
	}
	for _, l := range layouts {
		t, err := time.Parse(l, c)
		if err != nil {
			continue
		}
		st := stamp{y: t.Year(), mo: int(t.Month()), d: t.Day(), h: t.Hour(), mi: t.Minute(), sec: t.Second(), nsec: t.Nanosecond(),
			hasTime: strings.Contains(l, "15")}
		if strings.Contains(l, "MST") || strings.Contains(l, "-0700") {
			_, off := t.Zone()
			st.zone, st.offset = 2, off
		}
		return checkStamp(c, st)
	}
	return stamp{}, errNoMatch
}

// ParseMonth reads a calendar month — "2024-05", "2024/5", "2024.05", "202405", "2024年5月" —
// or a full date, and returns the first day of that month in loc (nil: UTC). Benefit rosters
// and payrolls record the month a payment is for this way.
func ParseMonth(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	c := Clean(s)
	if d, err := ParseDate(c, loc); err == nil {
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc), nil
	}
	var y, m int
	switch t := strings.TrimSuffix(c, "月"); {
	case len(c) == 6 && isDigits(c):
		y, _ = strconv.Atoi(c[:4])
		m, _ = strconv.Atoi(c[4:])
	default:
		i := strings.IndexAny(t, "-/.年")
		if i != 4 || !isDigits(t[:4]) {
			return time.Time{}, reject(kindDate, c, "is not a month; write it as 2024-05, 202405 or 2024年5月")
		}
		rest := strings.TrimLeft(t[i:], "-/.年")
		if rest == "" || len(rest) > 2 || !isDigits(rest) {
			return time.Time{}, reject(kindDate, c, "is not a month; write it as 2024-05, 202405 or 2024年5月")
		}
		y, _ = strconv.Atoi(t[:4])
		m, _ = strconv.Atoi(rest)
	}
	if m < 1 || m > 12 {
		return time.Time{}, reject(kindDate, c, "month %d does not exist", m)
	}
	if y < 1800 || y > 2200 {
		return time.Time{}, reject(kindDate, c, "year %d is not plausible", y)
	}
	return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, loc), nil
}
