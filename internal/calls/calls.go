// Package calls analyses call detail records: who a number talks to most (by calls, minutes
// and night calls), the contacts several numbers share, calls followed by a payment of the
// called person (the fraud call that made a victim pay), devices that carried many SIM cards
// (SIM boxes) and numbers that moved between many handsets, numbers seen in the same cell at
// the same time, and a number's day-by-day timeline. Every analysis is one set-based SQL
// statement over the workspace's tables; only the answers reach Go.
package calls

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"procura/internal/store"
)

// DB is what the analyses need of the store.
type DB interface {
	DB() *sql.DB
	Dialect() store.Dialect
}

// Source is the calls dataset and the columns it has (a CDR may lack IMEI or cell columns).
type Source struct {
	Dataset string
	Columns []string
}

func (s Source) has(c string) bool { return slices.Contains(s.Columns, c) }

// PhoneHolder is a dataset column pair that ties a phone number to a holder's identity number
// (a SIM register, a person file, an account's contact phone).
type PhoneHolder struct {
	Dataset, Phone, Holder string
}

// AccountHolder is a dataset column pair that ties an account to its holder's identity number.
type AccountHolder struct {
	Dataset, Account, Holder string
}

// PhoneAccount is a dataset column pair that ties a phone number directly to an account (the
// contact phone registered with the account).
type PhoneAccount struct {
	Dataset, Phone, Account string
}

// Payments says where to find the payments a call may have led to and how a called number
// reaches the accounts that paid.
type Payments struct {
	Dataset       string   // a transactions dataset
	Columns       []string // its columns
	PhoneHolders  []PhoneHolder
	AccountHolder []AccountHolder
	PhoneAccounts []PhoneAccount
}

// Options choose what to analyse.
type Options struct {
	Numbers    []string      // numbers to focus on (E.164 as stored); contacts, common contacts and timelines are of these
	Top        int           // rows per list (default 20)
	NightFrom  int           // first hour of the night (default 22)
	NightTo    int           // hour the night ends (default 6)
	Within     time.Duration // a payment counts after a call for this long after it ended (default 2 h)
	MinAmount  float64       // smallest payment to link (default 1,000)
	MinSIMs    int           // numbers one IMEI must carry to be a SIM box (default 3: more than a dual-SIM handset holds)
	MinIMEIs   int           // handsets one number must use to be listed as moving (default 4)
	CoWindow   time.Duration // two numbers in one cell within this time are together (default 10 min)
	MinDays    int           // days two numbers must be together to be listed (default 3)
	Payments   *Payments     // nil: no call → payment links
	Suspicious []string      // extra numbers to treat as suspect callers (besides SIM-box numbers)
}

func (o *Options) defaults() {
	if o.Top <= 0 {
		o.Top = 20
	}
	if o.NightFrom == 0 && o.NightTo == 0 {
		o.NightFrom, o.NightTo = 22, 6
	}
	if o.Within <= 0 {
		o.Within = 2 * time.Hour
	}
	if o.MinAmount <= 0 {
		o.MinAmount = 1000
	}
	if o.MinSIMs <= 0 {
		o.MinSIMs = 3
	}
	if o.MinIMEIs <= 0 {
		o.MinIMEIs = 4
	}
	if o.CoWindow <= 0 {
		o.CoWindow = 10 * time.Minute
	}
	if o.MinDays <= 0 {
		o.MinDays = 3
	}
}

// Report is everything Analyze found.
type Report struct {
	Dataset     string             `json:"dataset"`
	Calls       int64              `json:"calls"`   // distinct calls and messages (the same call in both parties' records counts once)
	Numbers     int64              `json:"numbers"` // distinct numbers calling or called
	Contacts    []NumberContacts   `json:"top_contacts"`
	Common      []CommonContact    `json:"common_contacts,omitempty"`
	Links       []Link             `json:"call_payment_links,omitempty"`
	LinkStats   *LinkStats         `json:"call_payment_stats,omitempty"`
	SIMBoxes    []SIMBox           `json:"sim_boxes,omitempty"`
	Moving      []MovingNumber     `json:"numbers_on_many_devices,omitempty"`
	CoLocated   []CoLocation       `json:"co_located,omitempty"`
	Timelines   []Timeline         `json:"timelines,omitempty"`
	Skipped     []string           `json:"skipped,omitempty"` // analyses the dataset's columns do not allow, and why
	SecondsEach map[string]float64 `json:"seconds"`
}

// Analyze runs every analysis the dataset's columns allow.
func Analyze(ctx context.Context, db DB, src Source, o Options) (*Report, error) {
	o.defaults()
	if err := store.ValidateDatasetName(src.Dataset); err != nil {
		return nil, err
	}
	for _, c := range []string{"caller", "callee", "start_time"} {
		if !src.has(c) {
			return nil, fmt.Errorf("dataset %s has no %s column; import call records with --kind calls", src.Dataset, c)
		}
	}
	a := &analysis{db: db, src: src, o: o, q: db.Dialect().Quote}
	if err := a.present(ctx); err != nil {
		return nil, fmt.Errorf("calls %s: %w", src.Dataset, err)
	}
	r := &Report{Dataset: src.Dataset, SecondsEach: map[string]float64{}}
	steps := []struct {
		name string
		run  func(context.Context, *Report) error
	}{
		{"totals", a.totals},
		{"top_contacts", a.contacts},
		{"common_contacts", a.common},
		{"sim_boxes", a.simBoxes},
		{"call_payment_links", a.links},
		{"co_located", a.coLocated},
		{"timelines", a.timelines},
	}
	for _, s := range steps {
		t := time.Now()
		if err := s.run(ctx, r); err != nil {
			return nil, fmt.Errorf("calls %s: %s: %w", src.Dataset, s.name, err)
		}
		r.SecondsEach[s.name] = time.Since(t).Seconds()
	}
	return r, nil
}

type analysis struct {
	db  DB
	src Source
	o   Options
	q   func(string) string
}

// optional are the calls kind's columns an export may leave empty.
var optional = []string{"duration_s", "end_time", "call_type", "imei", "imsi", "cell_id", "lac"}

// present drops the optional columns that hold no value in any row: a kind's table has every
// field of the kind, filled or not.
func (a *analysis) present(ctx context.Context) error {
	var cols []string
	for _, c := range optional {
		if a.src.has(c) {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = "count(" + a.q(c) + ")"
	}
	counts := make([]int64, len(cols))
	ptrs := make([]any, len(cols))
	for i := range counts {
		ptrs[i] = &counts[i]
	}
	if err := a.db.DB().QueryRowContext(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+a.table()).Scan(ptrs...); err != nil {
		return err
	}
	keep := slices.Clone(a.src.Columns)
	for i, c := range cols {
		if counts[i] == 0 {
			keep = slices.DeleteFunc(keep, func(x string) bool { return x == c })
		}
	}
	a.src.Columns = keep
	return nil
}

func (a *analysis) table() string { return a.q(store.DatasetTable(a.src.Dataset)) }

// base is the calls as directed events: a called b at t (Unix seconds), for dur seconds. In
// an operator's record the own number is the caller column and call_type says who called;
// the same call in both parties' records is one event.
func (a *analysis) base() string {
	dir := "1"
	if a.src.has("call_type") {
		dir = "CASE WHEN call_type IN ('incoming', 'sms_in') THEN 0 ELSE 1 END"
	}
	dur := "0"
	switch {
	case a.src.has("duration_s") && a.src.has("end_time"):
		dur = "COALESCE(duration_s, CAST(EXTRACT(EPOCH FROM end_time) - EXTRACT(EPOCH FROM start_time) AS BIGINT), 0)"
	case a.src.has("duration_s"):
		dur = "COALESCE(duration_s, 0)"
	case a.src.has("end_time"):
		dur = "COALESCE(CAST(EXTRACT(EPOCH FROM end_time) - EXTRACT(EPOCH FROM start_time) AS BIGINT), 0)"
	}
	sms := "0"
	if a.src.has("call_type") {
		sms = "CASE WHEN call_type IN ('sms_in', 'sms_out') THEN 1 ELSE 0 END"
	}
	return `SELECT DISTINCT CASE WHEN d = 1 THEN caller ELSE callee END AS a, CASE WHEN d = 1 THEN callee ELSE caller END AS b,
		t, dur, sms, hr, day FROM (SELECT caller, callee, ` + dir + ` AS d,
		CAST(floor(EXTRACT(EPOCH FROM start_time)) AS BIGINT) AS t, ` + dur + ` AS dur, ` + sms + ` AS sms,
		CAST(EXTRACT(HOUR FROM start_time) AS INTEGER) AS hr, CAST(CAST(start_time AS DATE) AS TEXT) AS day
		FROM ` + a.table() + ` WHERE caller IS NOT NULL AND callee IS NOT NULL AND start_time IS NOT NULL AND caller <> callee) raw`
}

// night is the SQL test that hour column hr is at night.
func (a *analysis) night() string {
	if a.o.NightFrom > a.o.NightTo {
		return fmt.Sprintf("(hr >= %d OR hr < %d)", a.o.NightFrom, a.o.NightTo)
	}
	return fmt.Sprintf("(hr >= %d AND hr < %d)", a.o.NightFrom, a.o.NightTo)
}

func (a *analysis) totals(ctx context.Context, r *Report) error {
	q := `WITH c AS (` + a.base() + `) SELECT (SELECT count(*) FROM c),
		(SELECT count(*) FROM (SELECT a AS n FROM c UNION SELECT b FROM c) x)`
	return a.db.DB().QueryRowContext(ctx, q).Scan(&r.Calls, &r.Numbers)
}

// placeholders writes $1 … $n for the focus numbers (both backends number parameters so).
func placeholders(n, from int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(ps, ", ")
}

func args(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func unixText(u int64) string { return time.Unix(u, 0).UTC().Format(time.RFC3339) }
