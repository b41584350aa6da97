package funds

import (
	"fmt"
	"math/bits"
	"strings"
)

// Policy decides which money leaves an account that holds money of several origins.
type Policy string

// The attribution policies.
const (
	// FIFO: money leaves in the order it arrived (Clayton's case, first in, first out).
	FIFO Policy = "fifo"
	// LIBR: the account holder's own money leaves first; traced money leaves only when nothing
	// else is left, so what stays traced is the lowest intermediate balance (Re Hallett; the
	// rule courts apply to mixed accounts). Several traced origins share pro rata.
	LIBR Policy = "libr"
	// Proportional: every outflow carries each origin in proportion to its share of the balance.
	Proportional Policy = "proportional"
)

// ParsePolicy reads a policy name.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(strings.ToLower(strings.TrimSpace(s))); p {
	case FIFO, LIBR, Proportional:
		return p, nil
	case "":
		return FIFO, nil
	}
	return "", fmt.Errorf("policy %q is unknown: use fifo, libr or proportional", s)
}

const cleanSeed = -1 // lot of money that is not traced

// lot is money of one origin (seed) that arrived at one time after hop hops.
type lot struct {
	seed int32 // cleanSeed for untraced money
	hop  int32
	t    int64
	amt  int64
}

// part is traced money taken out of a ledger.
type part struct {
	seed int32
	hop  int32
	amt  int64
}

// ledger is the money an account holds while it holds traced money.
type ledger struct {
	lots  []lot // arrival order for FIFO; for the other policies lots[0] is the clean lot
	head  int   // FIFO: lots before head are spent
	fifo  bool
	taint int64
	clean int64
}

func newLedger(p Policy, clean int64) *ledger {
	l := &ledger{fifo: p == FIFO}
	if p != FIFO {
		l.lots = append(l.lots, lot{seed: cleanSeed})
	}
	l.add(p, lot{seed: cleanSeed, amt: clean})
	return l
}

func (l *ledger) add(p Policy, x lot) {
	if x.amt <= 0 {
		return
	}
	if x.seed == cleanSeed {
		l.clean += x.amt
	} else {
		l.taint += x.amt
	}
	if p != FIFO {
		if x.seed == cleanSeed {
			l.lots[0].amt += x.amt
			return
		}
		// Same origin and hop merge; the merged lot keeps the latest arrival, so the hop
		// window counts from the last top-up.
		for i := 1; i < len(l.lots); i++ {
			if l.lots[i].seed == x.seed && l.lots[i].hop == x.hop {
				l.lots[i].amt += x.amt
				l.lots[i].t = max(l.lots[i].t, x.t)
				return
			}
		}
		l.lots = append(l.lots, x)
		return
	}
	if n := len(l.lots); n > l.head {
		last := &l.lots[n-1]
		if last.seed == x.seed && last.hop == x.hop && (x.seed == cleanSeed || last.t == x.t) {
			last.amt += x.amt
			return
		}
	}
	l.lots = append(l.lots, x)
}

func (l *ledger) total() int64 { return l.taint + l.clean }

// take removes min(amt, total) from the ledger by the policy and returns the traced parts.
func (l *ledger) take(p Policy, amt int64, out []part) []part {
	amt = min(amt, l.total())
	if amt <= 0 {
		return out
	}
	switch p {
	case FIFO:
		for amt > 0 && l.head < len(l.lots) {
			x := &l.lots[l.head]
			n := min(x.amt, amt)
			x.amt -= n
			amt -= n
			l.spend(x.seed, x.hop, n, &out)
			if x.amt == 0 {
				l.head++
			}
		}
		l.compact()
	case LIBR:
		c := min(l.lots[0].amt, amt)
		l.lots[0].amt -= c
		l.clean -= c
		if amt -= c; amt > 0 {
			out = l.prorata(amt, 1, out)
		}
	default:
		out = l.prorata(amt, 0, out)
	}
	return out
}

func (l *ledger) spend(seed, hop int32, n int64, out *[]part) {
	if n == 0 {
		return
	}
	if seed == cleanSeed {
		l.clean -= n
		return
	}
	l.taint -= n
	*out = append(*out, part{seed: seed, hop: hop, amt: n})
}

// prorata takes amt from lots[from:] in proportion to their amounts, exactly to the cent:
// each lot gives floor(lot·amt/sum), and the cents left over come from the first lots that
// still have money, so the parts add up to amt and no lot gives more than it holds.
func (l *ledger) prorata(amt int64, from int, out []part) []part {
	var sum int64
	for _, x := range l.lots[from:] {
		sum += x.amt
	}
	amt = min(amt, sum)
	if amt <= 0 {
		return out
	}
	give := make([]int64, len(l.lots))
	var given int64
	for i := from; i < len(l.lots); i++ {
		hi, lo := bits.Mul64(uint64(l.lots[i].amt), uint64(amt))
		q, _ := bits.Div64(hi, lo, uint64(sum))
		give[i] = int64(q)
		given += give[i]
	}
	for i := from; given < amt && i < len(l.lots); i++ {
		if give[i] < l.lots[i].amt {
			d := min(l.lots[i].amt-give[i], amt-given)
			give[i] += d
			given += d
		}
	}
	for i := from; i < len(l.lots); i++ {
		l.lots[i].amt -= give[i]
		l.spend(l.lots[i].seed, l.lots[i].hop, give[i], &out)
	}
	l.compact()
	return out
}

// compact drops spent lots; non-FIFO ledgers keep their clean lot at index 0.
func (l *ledger) compact() {
	keep := 0
	if !l.fifo {
		keep = 1
	}
	if len(l.lots)-l.head < 16 && l.head < 64 {
		return
	}
	w := keep
	for i := max(l.head, keep); i < len(l.lots); i++ {
		if l.lots[i].amt > 0 {
			l.lots[w] = l.lots[i]
			w++
		}
	}
	l.lots = l.lots[:w]
	l.head = 0
}

// expire removes traced lots that arrived before cutoff and returns them as parts.
func (l *ledger) expire(cutoff int64, out []part) []part {
	for i := l.head; i < len(l.lots); i++ {
		x := &l.lots[i]
		if x.seed != cleanSeed && x.amt > 0 && x.t < cutoff {
			l.taint -= x.amt
			out = append(out, part{seed: x.seed, hop: x.hop, amt: x.amt})
			x.amt = 0
		}
	}
	return out
}

// shrinkTo makes the ledger hold at most bal: untraced money goes first, then traced money
// pro rata, which is returned (money that left without a row in the data).
func (l *ledger) shrinkTo(p Policy, bal int64, out []part) []part {
	excess := l.total() - bal
	if excess <= 0 {
		return out
	}
	c := min(excess, l.clean)
	if c > 0 {
		l.removeClean(p, c)
		excess -= c
	}
	if excess > 0 {
		from := 0
		if p != FIFO {
			from = 1
		}
		if p == FIFO {
			// Clean lots are empty now; pro rata over the remaining traced lots.
			l.lots = append(l.lots[:0], l.lots[l.head:]...)
			l.head = 0
		}
		out = l.prorata(excess, from, out)
	}
	return out
}

func (l *ledger) removeClean(p Policy, c int64) {
	l.clean -= c
	if p != FIFO {
		l.lots[0].amt -= c
		return
	}
	for i := l.head; i < len(l.lots) && c > 0; i++ {
		if l.lots[i].seed == cleanSeed {
			n := min(c, l.lots[i].amt)
			l.lots[i].amt -= n
			c -= n
		}
	}
}
