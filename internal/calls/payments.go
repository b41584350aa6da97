package calls

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"procura/internal/store"
)

// Link is a call followed by a payment from an account of the called person: the pattern of
// a fraud call that talked a victim into paying.
type Link struct {
	Caller       string  `json:"caller"`
	Callee       string  `json:"callee"`
	CallTime     string  `json:"call_time"`
	CallSeconds  int64   `json:"call_seconds"`
	Account      string  `json:"account"` // the callee's account that paid
	Counterparty string  `json:"counterparty"`
	TxID         string  `json:"tx_id,omitempty"`
	PaidAt       string  `json:"paid_at"`
	Amount       float64 `json:"amount"`
	MinutesAfter float64 `json:"minutes_after"`  // from the end of the call to the payment
	KnownDays    float64 `json:"known_days"`     // how long before this call the two numbers first talked
	CallerReach  int64   `json:"caller_callees"` // distinct numbers the caller called
	OnSIMBox     bool    `json:"caller_on_sim_box"`
	Listed       bool    `json:"caller_listed,omitempty"` // named by Options.Suspicious
	Suspect      bool    `json:"suspect"`                 // OnSIMBox or Listed
}

// LinkStats counts the links.
type LinkStats struct {
	Candidates int     `json:"candidates"` // payments with a call to the payer's number shortly before
	Suspect    int     `json:"suspect"`    // of them, the caller on a SIM box or listed
	Within     float64 `json:"within_minutes"`
	MinAmount  float64 `json:"min_amount"`
}

// links joins each payment out of an account to the last call its holder's number received
// before it, ending at most Within earlier. A number reaches its holder's accounts through the
// phone–holder and account–holder columns of Options.Payments.
func (a *analysis) links(ctx context.Context, r *Report) error {
	p := a.o.Payments
	if p == nil || p.Dataset == "" {
		r.Skipped = append(r.Skipped, "call_payment_links: name the transactions dataset (--transactions)")
		return nil
	}
	for _, c := range []string{"account", "counterparty_account", "time", "amount"} {
		if !slices.Contains(p.Columns, c) {
			return fmt.Errorf("transactions dataset %s has no %s column; name a dataset imported with --kind transactions", p.Dataset, c)
		}
	}
	if len(p.PhoneAccounts) == 0 && (len(p.PhoneHolders) == 0 || len(p.AccountHolder) == 0) {
		r.Skipped = append(r.Skipped, "call_payment_links: no dataset ties a phone number to an account holder (import a SIM register, persons or accounts with phone and ID number columns)")
		return nil
	}
	if err := validate(p); err != nil {
		return err
	}
	text := func(c string) string { return "CAST(" + a.q(c) + " AS TEXT)" }
	tbl := func(d string) string { return a.q(store.DatasetTable(d)) }
	var owners, accts, direct []string
	for _, h := range p.PhoneHolders {
		owners = append(owners, "SELECT "+text(h.Phone)+" AS phone, upper("+text(h.Holder)+") AS holder FROM "+tbl(h.Dataset)+
			" WHERE "+a.q(h.Phone)+" IS NOT NULL AND "+a.q(h.Holder)+" IS NOT NULL")
	}
	for _, h := range p.AccountHolder {
		accts = append(accts, "SELECT upper("+text(h.Holder)+") AS holder, "+text(h.Account)+" AS account FROM "+tbl(h.Dataset)+
			" WHERE "+a.q(h.Account)+" IS NOT NULL AND "+a.q(h.Holder)+" IS NOT NULL")
	}
	for _, h := range p.PhoneAccounts {
		direct = append(direct, "SELECT "+text(h.Phone)+" AS phone, "+text(h.Account)+" AS account FROM "+tbl(h.Dataset)+
			" WHERE "+a.q(h.Phone)+" IS NOT NULL AND "+a.q(h.Account)+" IS NOT NULL")
	}
	pa := []string{}
	if len(owners) > 0 && len(accts) > 0 {
		pa = append(pa, "SELECT o.phone, x.account FROM ("+strings.Join(owners, " UNION ")+") o JOIN ("+strings.Join(accts, " UNION ")+") x ON x.holder = o.holder")
	}
	pa = append(pa, direct...)
	tx, dir := "''", "amount < 0"
	if slices.Contains(p.Columns, "tx_id") {
		tx = "COALESCE(CAST(tx_id AS TEXT), '')"
	}
	if slices.Contains(p.Columns, "direction") {
		dir = "(direction = 'out' OR (direction IS NULL AND amount < 0))"
	}
	q := fmt.Sprintf(`WITH c AS (%[1]s),
		pa AS (SELECT DISTINCT phone, account FROM (%[2]s) u),
		pay AS (SELECT %[3]s AS tx, CAST(account AS TEXT) AS account, CAST(counterparty_account AS TEXT) AS cp,
			%[4]s AS t, abs(amount) AS amount FROM %[8]s
			WHERE account IS NOT NULL AND counterparty_account IS NOT NULL AND "time" IS NOT NULL AND amount IS NOT NULL
			AND %[5]s AND abs(amount) >= %[6]g),
		cp AS (SELECT c.a, c.b, c.t, c.dur, c.t + c.dur AS e, pa.account FROM c JOIN pa ON pa.phone = c.b WHERE c.sms = 0),
		cpb AS (SELECT a, b, t, dur, e, account, CAST(floor(e / %[7]d.0) AS BIGINT) AS bk FROM cp
			UNION ALL SELECT a, b, t, dur, e, account, CAST(floor(e / %[7]d.0) AS BIGINT) + 1 FROM cp),
		payb AS (SELECT tx, account, cp, t, amount, CAST(floor(t / %[7]d.0) AS BIGINT) AS bk FROM pay),
		cand AS (SELECT k.a AS caller, k.b AS callee, k.t AS ct, k.dur, p.tx, p.account, p.cp, p.t AS pt, p.amount,
			row_number() OVER (PARTITION BY p.tx, p.account, p.cp, p.t, p.amount ORDER BY k.e DESC, k.a) AS rn
			FROM cpb k JOIN payb p ON p.account = k.account AND p.bk = k.bk
			WHERE p.t >= k.e AND p.t <= k.e + %[7]d),
		pair AS (SELECT a, b, min(t) AS first FROM c GROUP BY a, b),
		reach AS (SELECT a, count(DISTINCT b) AS callees FROM c GROUP BY a)
		SELECT k.caller, k.callee, k.ct, k.dur, k.tx, k.account, k.cp, k.pt, CAST(k.amount AS DOUBLE PRECISION), pair.first, reach.callees
		FROM cand k JOIN pair ON pair.a = k.caller AND pair.b = k.callee JOIN reach ON reach.a = k.caller
		WHERE k.rn = 1`, a.base(), strings.Join(pa, " UNION "), tx, epoch(`"time"`), dir, a.o.MinAmount,
		int64(a.o.Within.Seconds()), tbl(p.Dataset))
	rows, err := a.db.DB().QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	suspect := map[string]bool{}
	for _, b := range r.SIMBoxes {
		for _, n := range b.Numbers {
			suspect[n] = true
		}
	}
	listed := map[string]bool{}
	for _, n := range a.o.Suspicious {
		listed[n] = true
	}
	var all []Link
	for rows.Next() {
		var l Link
		var ct, pt, first int64
		if err := rows.Scan(&l.Caller, &l.Callee, &ct, &l.CallSeconds, &l.TxID, &l.Account, &l.Counterparty, &pt, &l.Amount, &first, &l.CallerReach); err != nil {
			return err
		}
		l.CallTime, l.PaidAt = unixText(ct), unixText(pt)
		l.MinutesAfter = float64(pt-ct-l.CallSeconds) / 60
		l.KnownDays = float64(ct-first) / 86400
		l.OnSIMBox, l.Listed = suspect[l.Caller], listed[l.Caller]
		l.Suspect = l.OnSIMBox || l.Listed
		all = append(all, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(all, func(x, y Link) int {
		return cmp.Or(boolFirst(x.Suspect, y.Suspect), cmp.Compare(y.Amount, x.Amount), strings.Compare(x.PaidAt, y.PaidAt), strings.Compare(x.TxID, y.TxID))
	})
	st := &LinkStats{Candidates: len(all), Within: a.o.Within.Minutes(), MinAmount: a.o.MinAmount}
	others := 0
	for _, l := range all {
		if l.Suspect {
			st.Suspect++
		} else if others++; others > a.o.Top {
			continue
		}
		r.Links = append(r.Links, l)
	}
	r.LinkStats = st
	return nil
}

func boolFirst(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return -1
	}
	return 1
}

func validate(p *Payments) error {
	var names []string
	names = append(names, p.Dataset)
	for _, h := range p.PhoneHolders {
		names = append(names, h.Dataset)
	}
	for _, h := range p.AccountHolder {
		names = append(names, h.Dataset)
	}
	for _, h := range p.PhoneAccounts {
		names = append(names, h.Dataset)
	}
	for _, n := range names {
		if err := store.ValidateDatasetName(n); err != nil {
			return err
		}
	}
	return nil
}
