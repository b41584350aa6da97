package funds

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Known is what an investigation already knows beyond the transactions, for the typologies
// that need it.
type Known struct {
	// Victims are the account or card numbers of known victims (from case_parties rows with
	// the role victim, or a list the analyst gives). Numbers not in the graph are ignored.
	Victims []string
	Source  string // where the victims came from, for the result ("case_parties dataset parties")
}

// victimAccounts resolves known victims' numbers to account ids. A card number without a
// statement of its own is the account whose statement names it as its card.
func (d *detector) victimAccounts() map[int32]bool {
	out := map[int32]bool{}
	for _, v := range d.known.Victims {
		if a, ok := d.g.Account(v); ok {
			out[d.g.resolveCard(a)] = true
		}
	}
	return out
}

// manyVictims finds accounts that received money from at least VictimsMin distinct known
// victims: the cards fraud rings collect into. Every transfer from a victim counts except
// those whose memo names ordinary life (bills, purchases, rent), those of pairs that are a
// standing relationship (more than RhythmMax transfers), and, into an account whose
// statement gives balances or shows ordinary life, those it did not pass on within
// PassHours (its balance stayed above half of the transfer).
func (d *detector) manyVictims() {
	g := d.g
	victims := d.victimAccounts()
	d.res.VictimAccounts = len(victims)
	if len(victims) == 0 {
		return
	}
	from := map[int32]map[int32][]int32{} // receiver → victim → edges
	pairs := map[int64]int{}
	for v := range victims {
		for _, e := range g.Out(v) {
			if t := g.To[e]; t >= 0 {
				pairs[int64(v)<<32|int64(uint32(t))]++
			}
		}
	}
	for v := range victims {
		for _, e := range g.Out(v) {
			t := g.To[e]
			if t < 0 || t == v || victims[t] || d.life[e] != "" || pairs[int64(v)<<32|int64(uint32(t))] > d.p.RhythmMax {
				continue
			}
			// A living account (docs/funds.md) takes part only when it passed the money on.
			if d.judged(t) && !d.passedOn(e) {
				continue
			}
			if from[t] == nil {
				from[t] = map[int32][]int32{}
			}
			from[t][v] = append(from[t][v], e)
		}
	}
	recv := make([]int32, 0, len(from))
	for t, vs := range from {
		if len(vs) >= d.p.VictimsMin {
			recv = append(recv, t)
		}
	}
	slices.Sort(recv)
	for _, t := range recv {
		// The victims are not suspects: the finding lists the receiver; their transfers
		// name them.
		var es []int32
		for _, l := range from[t] {
			es = append(es, l...)
		}
		amt, first, last := d.span(es)
		d.add(ManyVictims, map[int32]bool{t: true}, es, float64(len(from[t]))/float64(d.p.VictimsMin),
			fmt.Sprintf("account %s received money from %d known victims: %d transfers, %s in total, %s to %s",
				g.Names[t], len(from[t]), len(es), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
	}
}

// victimColumns are the header names of columns that hold victims' numbers.
var victimColumns = map[string]bool{"account": true, "bank_card": true, "card_no": true, "card": true,
	"账号": true, "卡号": true, "银行卡号": true, "银行账号": true, "涉案账号": true, "被害人账号": true, "被害人卡号": true}

// ReadVictims reads victims' account or card numbers: a CSV whose header names one or more
// such columns (account, bank_card, card_no, 账号, 卡号 …), or one number per line.
func ReadVictims(r io.Reader) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var cols []int
	var out []string
	seen := map[string]bool{}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("victims line %d: %w", line, err)
		}
		if line == 1 {
			for i, h := range rec {
				if victimColumns[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] {
					cols = append(cols, i)
				}
			}
			if len(cols) > 0 {
				continue
			}
			cols = []int{0}
		}
		for _, c := range cols {
			if c < len(rec) {
				if v := strings.TrimSpace(strings.TrimPrefix(rec[c], "\ufeff")); v != "" && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no victims' numbers: give a CSV with an account or bank_card column (账号, 卡号), or one number per line")
	}
	return out, nil
}
