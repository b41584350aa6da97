package funds

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// BankRow is one statement row of a bank's export, as transfer matching reads it.
type BankRow struct {
	TxID         string
	Account      string // the statement's account
	Card         string // card number when it differs from Account
	Counterparty string
	Cents        int64 // signed: negative is money out of Account
	Unix         int64
	Memo         string
}

// MatchOptions say how far apart the two sides of a transfer may be.
type MatchOptions struct {
	MaxDelay     time.Duration  // arrival at most this long after departure; default 5 days
	TolerancePct float64        // arrival amount within this percentage of departure (fees, FX); 0 = default 2, negative = exact
	Location     *time.Location // for times in the result; default UTC
}

// TransferMatch is an outgoing row of bank A paired with the incoming row of bank B that is
// the same transfer.
type TransferMatch struct {
	OutTx       string    `json:"out_tx"`
	InTx        string    `json:"in_tx"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	OutAmount   Cents     `json:"out_amount"`
	InAmount    Cents     `json:"in_amount"`
	OutTime     time.Time `json:"out_time"`
	InTime      time.Time `json:"in_time"`
	DelaySec    int64     `json:"delay_seconds"`
	MemoSim     float64   `json:"memo_similarity"`
	Score       float64   `json:"score"`
	Candidates  int       `json:"candidates"` // incoming rows the outgoing row could have matched
	Explanation string    `json:"explanation"`
}

// UnmatchedRow is a row that found no partner.
type UnmatchedRow struct {
	TxID         string    `json:"tx_id"`
	Account      string    `json:"account"`
	Counterparty string    `json:"counterparty"`
	Amount       Cents     `json:"amount"`
	Time         time.Time `json:"time"`
	Memo         string    `json:"memo,omitempty"`
	Reason       string    `json:"reason"`
}

// MatchResult pairs the transfers from A to B. Outgoing rows of A count only when their
// counterparty is an account (or card) of B; incoming rows of B only when their counterparty
// is an account of A.
type MatchResult struct {
	MaxDelay     string          `json:"max_delay"`
	TolerancePct float64         `json:"amount_tolerance_pct"`
	Matches      []TransferMatch `json:"matches"`
	UnmatchedOut []UnmatchedRow  `json:"unmatched_out"`
	UnmatchedIn  []UnmatchedRow  `json:"unmatched_in"`
}

// Weights of the match score: amount and delay decide, the memo breaks ties.
const (
	weightAmount = 0.45
	weightDelay  = 0.35
	weightMemo   = 0.20
	// clockSkew: banks stamp the same transfer with their own clocks, and some exports give
	// only dates; an arrival this much before the departure is still the same transfer.
	clockSkew = int64(time.Hour / time.Second)
)

type candidate struct {
	out, in int
	score   float64
	delay   int64
	memo    float64
}

// MatchTransfers pairs outgoing rows of bank A's export (outs) with incoming rows of bank B's
// export (ins) one to one: same account pair, arrival within MaxDelay after departure, amount
// within TolerancePct, scored on amount, delay and memo similarity; the best-scored pairs are
// taken first and each row is used at most once.
func MatchTransfers(outs, ins []BankRow, o MatchOptions) *MatchResult {
	if o.MaxDelay <= 0 {
		o.MaxDelay = 5 * 24 * time.Hour
	}
	switch {
	case o.TolerancePct == 0 || math.IsNaN(o.TolerancePct):
		o.TolerancePct = 2
	case o.TolerancePct < 0:
		o.TolerancePct = 0 // exact amounts only
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	resA, resB := resolver(outs), resolver(ins)
	type pair struct{ from, to string }
	var outIdx, inIdx []int
	byPair := map[pair][]int{}
	for i, r := range outs {
		if r.Cents < 0 && r.Counterparty != "" {
			if _, ok := resB[r.Counterparty]; ok {
				outIdx = append(outIdx, i)
			}
		}
	}
	for i, r := range ins {
		if r.Cents > 0 && r.Counterparty != "" {
			if from, ok := resA[r.Counterparty]; ok {
				inIdx = append(inIdx, i)
				byPair[pair{from, r.Account}] = append(byPair[pair{from, r.Account}], i)
			}
		}
	}
	maxDelay := int64(o.MaxDelay / time.Second)
	var cands []candidate
	count := map[int]int{}
	for _, i := range outIdx {
		r := outs[i]
		for _, j := range byPair[pair{r.Account, resB[r.Counterparty]}] {
			in := ins[j]
			delay := in.Unix - r.Unix
			if delay < -clockSkew || delay > maxDelay {
				continue
			}
			diff := math.Abs(float64(in.Cents+r.Cents)) / float64(-r.Cents) * 100
			if diff > o.TolerancePct+1e-9 {
				continue
			}
			amountFit := 1.0
			if o.TolerancePct > 0 {
				amountFit = 1 - diff/o.TolerancePct
			}
			delayFit := 1 - float64(max(delay, 0))/float64(maxDelay)
			memo := MemoSimilarity(r.Memo, in.Memo)
			cands = append(cands, candidate{out: i, in: j, delay: delay, memo: memo,
				score: weightAmount*amountFit + weightDelay*delayFit + weightMemo*memo})
			count[i]++
		}
	}
	slices.SortFunc(cands, func(x, y candidate) int {
		return cmp.Or(cmp.Compare(y.score, x.score), cmp.Compare(abs64(x.delay), abs64(y.delay)),
			cmp.Compare(x.out, y.out), cmp.Compare(x.in, y.in))
	})
	usedOut, usedIn := map[int]bool{}, map[int]bool{}
	res := &MatchResult{MaxDelay: o.MaxDelay.String(), TolerancePct: o.TolerancePct, Matches: []TransferMatch{},
		UnmatchedOut: []UnmatchedRow{}, UnmatchedIn: []UnmatchedRow{}}
	for _, c := range cands {
		if usedOut[c.out] || usedIn[c.in] {
			continue
		}
		usedOut[c.out], usedIn[c.in] = true, true
		res.Matches = append(res.Matches, explainMatch(outs[c.out], ins[c.in], c, count[c.out], o.Location))
	}
	slices.SortFunc(res.Matches, func(x, y TransferMatch) int {
		return cmp.Or(x.OutTime.Compare(y.OutTime), cmp.Compare(x.OutTx, y.OutTx))
	})
	for _, i := range outIdx {
		if !usedOut[i] {
			reason := "no incoming row of the same account pair within the delay and amount tolerance"
			if count[i] > 0 {
				reason = fmt.Sprintf("its %d candidate(s) matched better-fitting outgoing rows", count[i])
			}
			res.UnmatchedOut = append(res.UnmatchedOut, unmatched(outs[i], reason, o.Location))
		}
	}
	for _, j := range inIdx {
		if !usedIn[j] {
			res.UnmatchedIn = append(res.UnmatchedIn, unmatched(ins[j], "no outgoing row of the same account pair fits it", o.Location))
		}
	}
	return res
}

// resolver maps every account and card number of an export to its account number.
func resolver(rows []BankRow) map[string]string {
	m := map[string]string{}
	for _, r := range rows {
		m[r.Account] = r.Account
	}
	for _, r := range rows {
		if r.Card != "" {
			if _, ok := m[r.Card]; !ok {
				m[r.Card] = r.Account
			}
		}
	}
	return m
}

func unmatched(r BankRow, reason string, loc *time.Location) UnmatchedRow {
	return UnmatchedRow{TxID: r.TxID, Account: r.Account, Counterparty: r.Counterparty, Amount: Cents(r.Cents),
		Time: time.Unix(r.Unix, 0).In(loc), Memo: r.Memo, Reason: reason}
}

func explainMatch(out, in BankRow, c candidate, cands int, loc *time.Location) TransferMatch {
	m := TransferMatch{OutTx: out.TxID, InTx: in.TxID, From: out.Account, To: in.Account,
		OutAmount: Cents(-out.Cents), InAmount: Cents(in.Cents), OutTime: time.Unix(out.Unix, 0).In(loc),
		InTime: time.Unix(in.Unix, 0).In(loc), DelaySec: c.delay, MemoSim: math.Round(c.memo*100) / 100,
		Score: math.Round(c.score*1000) / 1000, Candidates: cands}
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %s: %s left on %s", m.From, m.To, m.OutAmount, m.OutTime.Format(time.DateTime))
	switch d := m.InAmount - m.OutAmount; {
	case d == 0:
		fmt.Fprintf(&b, " and the same amount arrived")
	default:
		fmt.Fprintf(&b, " and %s arrived (%s, %.2f%%: a fee or exchange)", m.InAmount, d,
			100*float64(d)/float64(m.OutAmount))
	}
	switch {
	case c.delay <= 0:
		b.WriteString(" at the same time")
	default:
		fmt.Fprintf(&b, " %s later", humanDelay(c.delay))
	}
	switch {
	case out.Memo == "" || in.Memo == "":
		b.WriteString("; no memo to compare")
	default:
		fmt.Fprintf(&b, "; memos %q and %q are %.0f%% alike", out.Memo, in.Memo, 100*c.memo)
	}
	if cands > 1 {
		fmt.Fprintf(&b, "; best of %d candidates", cands)
	}
	m.Explanation = b.String()
	return m
}

func humanDelay(sec int64) string {
	d := time.Duration(sec) * time.Second
	days := int(d / (24 * time.Hour))
	h := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h", days, h)
	case h > 0:
		return fmt.Sprintf("%d h %d min", h, mins)
	default:
		return fmt.Sprintf("%d min", max(mins, 1))
	}
}

// MemoSimilarity is how alike two memos are, from 0 to 1: 1 when one is a prefix of the
// other (banks truncate memos), otherwise the Dice coefficient of their character bigrams
// (characters, not bytes, so Chinese memos compare as words do). Empty memos are 0.
func MemoSimilarity(a, b string) float64 {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || b == "" {
		return 0
	}
	if strings.HasPrefix(a, b) || strings.HasPrefix(b, a) {
		return 1
	}
	ga, gb := bigrams(a), bigrams(b)
	if len(ga) == 0 || len(gb) == 0 {
		return 0
	}
	common := 0
	for g, n := range ga {
		common += min(n, gb[g])
	}
	total := 0
	for _, n := range ga {
		total += n
	}
	for _, n := range gb {
		total += n
	}
	return 2 * float64(common) / float64(total)
}

func bigrams(s string) map[[2]rune]int {
	r := []rune(strings.ToLower(s))
	m := map[[2]rune]int{}
	for i := 0; i+1 < len(r); i++ {
		m[[2]rune{r[i], r[i+1]}]++
	}
	return m
}
