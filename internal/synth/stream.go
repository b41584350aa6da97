package synth

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"
)

// txRow is one statement row before formatting.
type txRow struct {
	t      int64
	amount int64 // cents, signed: negative is money out of acct
	bal    int64
	id     int64
	acct   int32
	cp     int32 // counterparty account or -1
	ext    int16 // external counterparty or -1
	kind   uint8
}

type callRow struct {
	t        int64
	ord      int32
	caller   int32
	callee   int32
	duration int32
	sms      bool
}

type dayJob struct {
	day   int
	tx    []txRow
	calls []callRow
	res   formatted
	done  chan struct{}
}

type streamStats struct {
	txRows, callRows, fraudRows int64
	fraudIDs                    [][2]int64 // per fraud event: out row id, in row id (0 when none)
	captured                    map[int32][]txRow
}

// streamActivity generates the year day by day: one goroutine draws events and keeps balances
// (sequential, so deterministic), workers format days in parallel, and one writer appends them
// in day order. Memory holds a few days at a time.
func streamActivity(ctx context.Context, w *world, f *fraudWorld, p params, out *outputs, progress func(int64, int64)) (streamStats, error) {
	bases := make([]int32, len(f.rings))
	for i, rg := range f.rings {
		bases[i] = rg.base
	}
	fw, err := newFormatWriters(w, p, out, bases)
	if err != nil {
		return streamStats{}, err
	}
	g := newDayGen(w, f, p)
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *dayJob, workers)
	order := make(chan *dayJob, workers+2)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j.res = fw.format(j)
				close(j.done)
			}
		}()
	}
	// Calls draw from their own random stream, so a second goroutine makes them in parallel
	// with the transactions without changing a byte.
	callDays := make(chan []callRow, 4)
	go func() {
		defer close(callDays)
		for d := 0; d < numDays; d++ {
			if ctx.Err() != nil {
				return
			}
			callDays <- g.dayCalls(d)
		}
	}()
	var genErr error
	go func() {
		defer close(work)
		defer close(order)
		defer func() {
			for range callDays {
			}
		}()
		for d := 0; d < numDays; d++ {
			if err := ctx.Err(); err != nil {
				genErr = err
				return
			}
			j := &dayJob{day: d, done: make(chan struct{})}
			j.tx = g.day(d)
			j.calls = <-callDays
			order <- j
			work <- j
		}
	}()
	var writeErr error
	var written int64
	var lastReport time.Time // progress timing only; never part of the data
	for j := range order {
		<-j.done
		if writeErr == nil {
			writeErr = fw.write(j)
		}
		written += int64(len(j.tx))
		if progress != nil && (time.Since(lastReport) >= 250*time.Millisecond || j.day == numDays-1) {
			lastReport = time.Now()
			progress(written, p.transactions)
		}
	}
	wg.Wait()
	if genErr != nil {
		return streamStats{}, genErr
	}
	if writeErr != nil {
		return streamStats{}, writeErr
	}
	if err := fw.close(g.captured); err != nil {
		return streamStats{}, err
	}
	return streamStats{txRows: g.nextID - 1, callRows: g.calls, fraudRows: g.fraudRows, fraudIDs: g.fraudIDs, captured: g.captured}, nil
}

// dayGen draws background events and merges the rings' events, day by day.
type dayGen struct {
	w           *world
	f           *fraudWorld
	r, rc       *rand.Rand
	bal         []int64
	fraudIdx    []int32 // fraud events in time order
	fi          int     // next fraud event
	ci          int     // next fraud call
	targetCum   []int64 // cumulative background row target at the end of each day
	callCum     []int64
	emitted     int64
	callsMade   int64
	nextID      int64
	calls       int64
	fraudRows   int64
	fraudIDs    [][2]int64
	ord         int64
	evs         []event
	personCum   []float64
	personGuide guide
	captured    map[int32][]txRow // rows of accounts exported as XLSX statements
	rentPayers  []int32
}

func newDayGen(w *world, f *fraudWorld, p params) *dayGen {
	g := &dayGen{w: w, f: f, r: newRand(w.seed, streamBackground), rc: newRand(w.seed, streamCalls), nextID: 1,
		fraudIDs: make([][2]int64, len(f.events)), captured: map[int32][]txRow{}}
	w.buildWeights()
	rb := newRand(w.seed, streamAccounts+100)
	g.bal = make([]int64, len(w.accounts))
	for i := range w.accounts {
		a := &w.accounts[i]
		switch {
		case a.ring >= 0:
			g.bal[i] = 0
		case a.company >= 0:
			g.bal[i] = int64(math.Exp(rb.NormFloat64()*0.8+15)) * 100
		default:
			g.bal[i] = int64(math.Exp(rb.NormFloat64()*1.0+9.5))*100 + a.reserve
		}
	}
	g.fraudIdx = make([]int32, len(f.events))
	var fraudRows int64
	for i := range g.fraudIdx {
		g.fraudIdx[i] = int32(i)
		fraudRows += rowsOf(&f.events[i])
	}
	slices.SortFunc(g.fraudIdx, func(a, b int32) int {
		ea, eb := &f.events[a], &f.events[b]
		return cmp.Or(cmp.Compare(ea.t, eb.t), cmp.Compare(ea.ord, eb.ord))
	})
	for i := range w.persons {
		if rb.IntN(7) == 0 && len(w.persons[i].accounts) > 0 {
			g.rentPayers = append(g.rentPayers, int32(i))
		}
	}
	employed := 0
	for i := range w.persons {
		if w.persons[i].employer >= 0 && len(w.persons[i].accounts) > 0 {
			employed++
		}
	}
	scheduled := int64(12 * 2 * (employed + len(g.rentPayers)))
	bgTarget := max(p.transactions-fraudRows-scheduled, p.transactions/10)
	g.targetCum = cumulativeByWeekday(bgTarget)
	g.callCum = cumulativeByWeekday(max(p.calls-int64(len(f.calls)), 0))
	g.personCum = make([]float64, len(w.persons))
	s := 0.0
	for i := range w.persons {
		s += paretoWeight(rb)
		g.personCum[i] = s
	}
	g.personGuide = newGuide(g.personCum)
	for _, rg := range f.rings {
		for lv := 1; lv <= 2; lv++ {
			if len(rg.levels[lv]) > 0 {
				g.captured[rg.levels[lv][0]] = nil
			}
		}
	}
	return g
}

// cumulativeByWeekday spreads total over the year with quieter weekends.
func cumulativeByWeekday(total int64) []int64 {
	weights := make([]float64, numDays)
	sum := 0.0
	for d := range weights {
		wd := (d + 1) % 7 // 2024-01-01 was a Monday: wd 6 and 0 are Saturday and Sunday
		weights[d] = 1
		if wd == 6 || wd == 0 {
			weights[d] = 0.8
		}
		sum += weights[d]
	}
	out := make([]int64, numDays)
	acc := 0.0
	for d, x := range weights {
		acc += x
		out[d] = int64(float64(total) * acc / sum)
	}
	return out
}

func rowsOf(e *event) int64 {
	if e.from >= 0 && e.to >= 0 {
		return 2
	}
	return 1
}

func (g *dayGen) add(e event) {
	if e.from == e.to {
		return
	}
	g.ord++
	e.ord = g.ord + 1<<40
	g.evs = append(g.evs, e)
}

// addRandom adds an unscheduled event and counts it against the day's target.
func (g *dayGen) addRandom(e event) {
	if e.from == e.to {
		return
	}
	g.add(e)
	g.emitted += rowsOf(&e)
}

// dayTime draws a time of day: mostly waking hours.
func dayTime(r *rand.Rand, d int) int64 {
	base := int64(d) * day
	if r.IntN(20) == 0 {
		return base + int64(r.IntN(7*3600))
	}
	return base + 7*3600 + int64(r.IntN(17*3600))
}

// amountLog draws cents from a log-normal with median m yuan, rounded to whole yuan when round.
func amountLog(r *rand.Rand, m float64, sigma float64, round bool) int64 {
	v := m * math.Exp(r.NormFloat64()*sigma)
	if round {
		return max(int64(v), 1) * 100
	}
	return max(int64(v*100), 1)
}

func (g *dayGen) day(d int) []txRow {
	w, r := g.w, g.r
	g.evs = g.evs[:0]
	g.scheduled(d)
	for g.emitted < g.targetCum[d] {
		a := w.pickActive(r)
		ac := &w.accounts[a]
		t := dayTime(r, d)
		if ac.company >= 0 {
			other := w.companies[w.employers[r.IntN(len(w.employers))]].account
			if other != a {
				g.addRandom(event{t: t, amount: amountLog(r, 30000, 1.2, true), from: other, to: a, ext: -1, kind: kRevenue})
			}
			continue
		}
		x := r.IntN(100)
		switch {
		case x < 38:
			g.addRandom(event{t: t, amount: amountLog(r, 80, 1.1, false), from: a, to: -1, ext: int16(r.IntN(4)), kind: kShop})
		case x < 63:
			g.addRandom(event{t: t, amount: amountLog(r, 500, 1.2, r.IntN(2) == 0), from: a, to: g.contact(a, r), ext: -1, kind: kTransfer})
		case x < 70:
			g.addRandom(event{t: t, amount: amountLog(r, 120, 0.7, false), from: a, to: -1, ext: int16(4 + r.IntN(4)), kind: kUtility})
		case x < 76:
			g.addRandom(event{t: t, amount: int64(1+r.IntN(30)) * 10000, from: a, to: -1, ext: -1, kind: kATM})
		case x < 84:
			g.addRandom(event{t: t, amount: amountLog(r, 200, 1.0, false), from: -1, to: a, ext: 0, kind: kWithdrawToCard})
		case x < 87:
			g.addRandom(event{t: t, amount: amountLog(r, 3000, 1.0, true), from: -1, to: a, ext: -1, kind: kDeposit})
		default:
			h := &w.persons[ac.holder]
			m := h.household + int32(r.IntN(max(int(h.hhSize), 1)))
			if m < int32(len(w.persons)) && m != ac.holder && len(w.persons[m].accounts) > 0 {
				g.addRandom(event{t: t, amount: amountLog(r, 1000, 1.0, true), from: a, to: w.persons[m].accounts[0], ext: -1, kind: kTransfer})
			} else {
				g.addRandom(event{t: t, amount: amountLog(r, 300, 1.0, true), from: a, to: g.contact(a, r), ext: -1, kind: kTransfer})
			}
		}
	}
	end := int64(d+1) * day
	for g.fi < len(g.fraudIdx) && g.f.events[g.fraudIdx[g.fi]].t < end {
		g.evs = append(g.evs, g.f.events[g.fraudIdx[g.fi]])
		g.fi++
	}
	slices.SortFunc(g.evs, func(a, b event) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.ord, b.ord)) })
	rows := make([]txRow, 0, len(g.evs)*2)
	var shortfall int64
	for i := range g.evs {
		e := &g.evs[i]
		if e.fraud == 0 && e.from >= 0 && g.bal[e.from]-g.w.accounts[e.from].reserve < e.amount {
			if e.ord > 1<<40 && e.kind != kSalary && e.kind != kRent {
				shortfall += rowsOf(e)
			}
			continue
		}
		var ids [2]int64
		if e.from >= 0 {
			g.bal[e.from] -= e.amount
			if e.fraud > 0 && g.w.accounts[e.from].reserve > 0 {
				g.w.accounts[e.from].reserve -= min(e.amount, g.w.accounts[e.from].reserve)
			}
			ids[0] = g.nextID
			rows = append(rows, txRow{t: e.t, amount: -e.amount, bal: g.bal[e.from], id: g.nextID, acct: e.from, cp: e.to, ext: e.ext, kind: e.kind})
			g.nextID++
		}
		if e.to >= 0 {
			g.bal[e.to] += e.amount
			ids[1] = g.nextID
			rows = append(rows, txRow{t: e.t, amount: e.amount, bal: g.bal[e.to], id: g.nextID, acct: e.to, cp: e.from, ext: e.ext, kind: e.kind})
			g.nextID++
		}
		if e.fraud > 0 {
			g.fraudIDs[e.fraud-1] = ids
			g.fraudRows += rowsOf(e)
		}
	}
	g.emitted -= shortfall
	for _, row := range rows {
		if c, ok := g.captured[row.acct]; ok {
			g.captured[row.acct] = append(c, row)
		}
	}
	return rows
}

// contact picks a counterparty: usually one of a few regular contacts, sometimes anyone.
func (g *dayGen) contact(a int32, r *rand.Rand) int32 {
	if r.IntN(10) < 6 {
		h := uint64(a)*0x9E3779B97F4A7C15 + uint64(r.IntN(5))*0xBF58476D1CE4E5B9
		h ^= h >> 31
		return g.w.background[h%uint64(len(g.w.background))]
	}
	return g.w.pickActive(r)
}

// scheduled adds salaries (the 10th), rent (the 1st) and quarterly interest (the 21st).
func (g *dayGen) scheduled(d int) {
	w, r := g.w, g.r
	tm := worldDate(int64(d) * day)
	switch tm.Day() {
	case 10:
		for i := range w.persons {
			p := &w.persons[i]
			if p.employer >= 0 && len(p.accounts) > 0 {
				from := w.companies[p.employer].account
				g.add(event{t: int64(d)*day + 9*3600 + int64(r.IntN(7200)), amount: amountLog(r, 6000, 0.5, false), from: from, to: p.accounts[0], ext: -1, kind: kSalary})
			}
		}
	case 1:
		for _, pi := range g.rentPayers {
			landlord := w.background[(uint64(pi)*2654435761)%uint64(len(w.background))]
			if landlord != w.persons[pi].accounts[0] {
				g.add(event{t: int64(d)*day + 8*3600 + int64(r.IntN(50000)), amount: amountLog(r, 2500, 0.4, true), from: w.persons[pi].accounts[0], to: landlord, ext: -1, kind: kRent})
			}
		}
	}
}

// dayCalls draws background calls between contacts and merges the rings' calls.
func (g *dayGen) dayCalls(d int) []callRow {
	w, r := g.w, g.rc
	n := g.callCum[d] - g.callsMade
	out := make([]callRow, 0, n+16)
	for k := int64(0); k < n; k++ {
		caller := g.personGuide.pick(r)
		var callee int
		switch y := r.IntN(10); {
		case y < 2:
			p := &w.persons[caller]
			callee = int(p.household) + r.IntN(max(int(p.hhSize), 1))
		case y < 9:
			h := uint64(caller)*0x9E3779B97F4A7C15 + uint64(r.IntN(8))*0xBF58476D1CE4E5B9
			h ^= h >> 29
			callee = int(h % uint64(len(w.persons)))
		default:
			callee = r.IntN(len(w.persons))
		}
		if callee >= len(w.persons) || callee == caller {
			callee = (caller + 1) % len(w.persons)
		}
		c := callRow{t: dayTime(r, d), caller: w.persons[caller].sim, callee: w.persons[callee].sim}
		if r.IntN(12) == 0 {
			c.sms = true
		} else if r.IntN(8) > 0 {
			c.duration = int32(math.Exp(r.NormFloat64()*1.1 + 4))
		}
		c.ord = int32(len(out))
		out = append(out, c)
	}
	g.callsMade += n
	end := int64(d+1) * day
	for g.ci < len(g.f.calls) && g.f.calls[g.ci].t < end {
		c := g.f.calls[g.ci]
		if c.t >= 0 {
			out = append(out, callRow{t: c.t, ord: int32(len(out)), caller: c.caller, callee: c.callee, duration: c.duration})
		}
		g.ci++
	}
	slices.SortFunc(out, func(a, b callRow) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.ord, b.ord)) })
	g.calls += int64(len(out))
	return out
}
