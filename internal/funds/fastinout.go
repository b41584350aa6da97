package funds

import (
	"fmt"
	"slices"
	"time"
)

// fastInFastOut finds accounts through which money runs (快进快出): an unusual transfer of at
// least FastMin arrives and within PassHours the account pays at least 90% of it on (to
// other accounts or as cash, not for rent or bills), its balance falling below a tenth of
// it. Only statements that give balances are judged: a reconstructed balance does not know
// what the account held before the data starts.
func (d *detector) fastInFastOut() {
	g := d.g
	for _, a := range sortedKeys(d.in) {
		if !g.InData[a] || !g.Balanced[a] {
			continue
		}
		var es []int32
		var n int
		var passed int64
		for _, x := range d.in[a] {
			e := x.edge
			if g.Amount[e] < int64(d.p.FastMin)*100 {
				continue
			}
			outs, ok := d.runsThrough(e)
			if !ok {
				continue
			}
			n++
			es = append(es, e)
			es = append(es, outs...)
			for _, o := range outs {
				passed += g.Amount[o]
			}
		}
		if n == 0 {
			continue
		}
		amt, first, last := d.span(es)
		d.add(FastInOut, map[int32]bool{a: true}, es, float64(n),
			fmt.Sprintf("account %s received %d transfers outside any regular relationship and each time paid at least 90%% of it on within %d hours, its balance falling below a tenth of it: %s passed on, %s moved in all, %s to %s",
				g.Names[a], n, d.p.PassHours, Cents(passed), Cents(amt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
	}
}

// runsThrough returns the outflows that carried at least 90% of e on within the pass window,
// when the receiver's balance also fell below a tenth of e.
func (d *detector) runsThrough(e int32) ([]int32, bool) {
	g := d.g
	b, end, amt := g.To[e], g.Time[e]+d.passWindow(), g.Amount[e]
	out := g.Out(b)
	i, _ := slices.BinarySearch(out, e)
	var outs []int32
	var sum int64
	low := 10*max(0, g.BalTo[e]) < amt
	for ; i < len(out) && g.Time[out[i]] <= end && (sum*10 < 9*amt || !low); i++ {
		o := out[i]
		switch d.life[o] {
		case LifeRent, LifeUtility, LifeSalary:
		default:
			outs = append(outs, o)
			sum += g.Amount[o]
		}
		if 10*max(0, g.BalFrom[o]) < amt {
			low = true
		}
	}
	return outs, low && sum*10 >= 9*amt
}
