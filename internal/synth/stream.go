package synth

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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
	caller   int32
	callee   int32
	duration int32
	sms      bool
}

// Pipeline sizes. They are constants, not derived from the number of CPUs, so that the bytes
// written do not depend on the machine, and they bound memory whatever the scale.
const (
	// shortfallLag is the number of days after which the rows a day could not make (payers
	// short of money) are made up.
	shortfallLag = 8
	// dayJobs is the number of days drawn ahead of the one being applied (at most shortfallLag).
	dayJobs = 4
	// chunkRows is the most statement rows, and calls, that one chunk carries to formatting.
	chunkRows = 1 << 13
	// chunks is the number of chunks being formatted or written at once.
	chunks = 6
)

// dayJob is one day's drawing: its events and calls in time order, drawn in parallel from the
// day's own random streams. Jobs are recycled.
type dayJob struct {
	day       int
	carry     int64 // rows to make up for the shortfall of day − shortfallLag
	shortfall int64
	pcg, pcgC rand.PCG
	r, rc     *rand.Rand
	evs       []event
	keys      []uint64 // sort keys of evs (see eventKey)
	keyTmp    []uint64 // scratch of sortKeys
	calls     []callRow
	callTmp   []callRow
	callKeys  []uint64
	drawn     chan struct{}
}

// newDayJob makes a day's buffers at the size a day of p needs (about half a row an event, a
// tenth more for made-up shortfalls), so that they are allocated once rather than grown.
func newDayJob(p params) *dayJob {
	evs := int(p.transactions/600) + 256
	calls := int(p.calls/330) + 256
	j := &dayJob{
		evs: make([]event, 0, evs), keys: make([]uint64, 0, evs), keyTmp: make([]uint64, 0, max(evs, calls)),
		calls: make([]callRow, 0, calls), callTmp: make([]callRow, 0, calls), callKeys: make([]uint64, 0, calls),
	}
	j.r, j.rc = rand.New(&j.pcg), rand.New(&j.pcgC)
	return j
}

// Bytes a formatted canonical row takes, rounded up: a chunk's buffers are made this size
// (statement rows are about 300 bytes, calls about 145).
const (
	txRowBytes   = 320
	callRowBytes = 160
)

// newChunk makes a chunk with its row and canonical text buffers at their full size.
func newChunk() *chunk {
	c := &chunk{tx: make([]txRow, 0, chunkRows), calls: make([]callRow, 0, chunkRows)}
	c.res.tx, c.res.calls = make([]byte, 0, chunkRows*txRowBytes), make([]byte, 0, chunkRows*callRowBytes)
	return c
}

// chunk carries the next statement rows and calls (at most chunkRows of each, in output order)
// to the formatting workers and then to the two writers, one for the statement files and one
// for the call files. Chunks and their buffers are recycled, so that memory is bounded by
// chunks × chunkRows rows, and nothing is allocated once the buffers have grown.
type chunk struct {
	tx        []txRow
	calls     []callRow
	res       formatted
	formatted chan struct{}
	pending   atomic.Int32 // writers still to finish with the chunk
	touched   byte         // sum of the bytes touchRows and touchCalls read, kept so the reads stay
}

// Event sort keys: time of day (17 bits), class (fraud 0, scheduled 1, random 2) and the index
// in the day's event list (22 bits, 4M events a day), so one integer sort orders a day by time
// and, within a second, fraud first, then scheduled and random events in creation order.
const (
	keyIndexBits = 22
	keyIndexMask = 1<<keyIndexBits - 1
	classFraud   = 0
	classSched   = 1
	classRandom  = 2
)

// eventKey orders an event at t on day d; events before the year sort first on day 0.
func eventKey(t int64, d int, class uint64, index int) uint64 {
	return uint64(max(t-int64(d)*day, 0))<<(keyIndexBits+2) | class<<keyIndexBits | uint64(index)
}

type streamStats struct {
	txRows, callRows, fraudRows int64
	fraudIDs                    [][2]int64 // per fraud event: out row id, in row id (0 when none)
	captured                    map[int32][]txRow
}

// streamActivity generates the year day by day: days are drawn in parallel, applied in day
// order (balances and row ids), cut into chunks that are formatted in parallel and written in
// order. Memory holds dayJobs days and chunks chunks at most, whatever the scale.
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
	dayFree := make(chan *dayJob, dayJobs)
	for range dayJobs {
		dayFree <- newDayJob(p)
	}
	chunkFree := make(chan *chunk, chunks)
	for range chunks {
		chunkFree <- newChunk()
	}
	drawQ := make(chan *dayJob, dayJobs)
	applyQ := make(chan *dayJob, dayJobs)
	fmtQ := make(chan *chunk, chunks)
	txQ := make(chan *chunk, chunks)
	callQ := make(chan *chunk, chunks)
	shortfall := make([]int64, numDays) // written by the applier before it frees the day's job

	var genErr error
	go func() { // dispatcher: a free job is a day that may start
		defer close(drawQ)
		defer close(applyQ)
		for d := 0; d < numDays; d++ {
			var j *dayJob
			select {
			case j = <-dayFree:
			case <-ctx.Done():
				genErr = ctx.Err()
				return
			}
			// The applier frees a job after applying its day, in day order, so holding the
			// job of day d means day d−dayJobs, and so d−shortfallLag, has been applied.
			j.day, j.carry = d, 0
			if d >= shortfallLag {
				j.carry = shortfall[d-shortfallLag]
			}
			j.drawn = make(chan struct{})
			applyQ <- j
			drawQ <- j
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range drawQ {
				g.draw(j)
				close(j.drawn)
			}
		}()
		go func() {
			defer wg.Done()
			for c := range fmtQ {
				fw.format(c)
				close(c.formatted)
			}
		}()
	}
	go func() { // applier: balances and row ids, in day order
		defer close(fmtQ)
		defer close(txQ)
		defer close(callQ)
		cur := <-chunkFree
		flush := func() {
			cur.formatted = make(chan struct{})
			cur.pending.Store(2)
			fmtQ <- cur
			txQ <- cur
			callQ <- cur
			cur = <-chunkFree
			cur.tx, cur.calls = cur.tx[:0], cur.calls[:0]
		}
		for j := range applyQ {
			<-j.drawn
			g.apply(j, &cur, flush)
			shortfall[j.day] = j.shortfall
			dayFree <- j
		}
		if len(cur.tx) > 0 || len(cur.calls) > 0 {
			flush()
		}
	}()
	release := func(c *chunk) {
		if c.pending.Add(-1) == 0 {
			chunkFree <- c
		}
	}
	var callErr error
	callsDone := make(chan struct{})
	go func() {
		defer close(callsDone)
		for c := range callQ {
			<-c.formatted
			if callErr == nil {
				callErr = fw.writeCalls(c)
			}
			release(c)
		}
	}()
	var writeErr error
	var written int64
	var lastReport time.Time // progress timing only; never part of the data
	for c := range txQ {
		<-c.formatted
		if writeErr == nil {
			writeErr = fw.writeTx(c)
		}
		written += int64(len(c.tx))
		if progress != nil && time.Since(lastReport) >= 250*time.Millisecond {
			lastReport = time.Now()
			progress(written, p.transactions)
		}
		release(c)
	}
	<-callsDone
	wg.Wait()
	if genErr != nil {
		return streamStats{}, genErr
	}
	if err := cmp.Or(writeErr, callErr); err != nil {
		return streamStats{}, err
	}
	if progress != nil {
		progress(written, p.transactions)
	}
	if err := fw.close(g.captured); err != nil {
		return streamStats{}, err
	}
	return streamStats{txRows: g.nextID - 1, callRows: g.calls, fraudRows: g.fraudRows, fraudIDs: g.fraudIDs, captured: g.captured}, nil
}

// dayGen draws background events and merges the rings' events, day by day. Drawing reads only
// what newDayGen built; apply alone changes balances and counters, one day at a time.
type dayGen struct {
	w           *world
	f           *fraudWorld
	bal         []int64
	reserve     []int64
	fraudIdx    []int32 // fraud events in time order
	fraudStart  []int   // per day, the first entry of fraudIdx on that day (numDays+1 entries)
	callStart   []int   // per day, the first fraud call on that day (numDays+1 entries)
	targetCum   []int64 // cumulative background row target at the end of each day
	callCum     []int64
	nextID      int64
	calls       int64
	fraudRows   int64
	fraudIDs    [][2]int64
	personCum   []float64
	personGuide guide
	captured    map[int32][]txRow // rows of accounts exported as XLSX statements
	isCaptured  []bool            // per account: a key of captured
	rentPayers  []int32
	hot         hotColumns
}

func newDayGen(w *world, f *fraudWorld, p params) *dayGen {
	g := &dayGen{w: w, f: f, nextID: 1, fraudIDs: make([][2]int64, len(f.events)), captured: map[int32][]txRow{}, hot: newHotColumns(w)}
	w.buildWeights()
	rb := newRand(w.seed, streamAccounts+100)
	g.bal = make([]int64, len(w.accounts))
	g.reserve = make([]int64, len(w.accounts))
	g.isCaptured = make([]bool, len(w.accounts))
	for i := range w.accounts {
		a := &w.accounts[i]
		g.reserve[i] = a.reserve
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
	g.fraudStart = dayStarts(len(g.fraudIdx), func(i int) int64 { return f.events[g.fraudIdx[i]].t })
	g.callStart = dayStarts(len(f.calls), func(i int) int64 { return f.calls[i].t })
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
				g.isCaptured[rg.levels[lv][0]] = true
			}
		}
	}
	return g
}

func rowsOf(e *event) int64 {
	if e.from >= 0 && e.to >= 0 {
		return 2
	}
	return 1
}

// add appends a background event of the given class (classSched or classRandom).
func (j *dayJob) add(e event, class uint64) {
	if e.from == e.to {
		return
	}
	j.keys = append(j.keys, eventKey(e.t, j.day, class, len(j.evs)))
	j.evs = append(j.evs, e)
}

// amountLog draws cents from a log-normal with median m yuan, rounded to whole yuan when round.
func amountLog(r *rand.Rand, m float64, sigma float64, round bool) int64 {
	v := m * math.Exp(r.NormFloat64()*sigma)
	if round {
		return max(int64(v), 1) * 100
	}
	return max(int64(v*100), 1)
}

// draw makes the day's events and calls, each list in time order.
func (g *dayGen) draw(j *dayJob) {
	w, r, d := g.w, j.r, j.day
	seedDay(&j.pcg, w.seed, streamBackground, d)
	j.evs, j.keys = j.evs[:0], j.keys[:0]
	g.scheduled(j)
	target := g.targetCum[d] + j.carry
	if d > 0 {
		target -= g.targetCum[d-1]
	}
	var emitted int64
	add := func(e event) {
		if e.from != e.to {
			j.add(e, classRandom)
			emitted += rowsOf(&e)
		}
	}
	for emitted < target {
		a := w.pickActive(r)
		holder := g.hot.holder[a]
		t := dayTime(r, d)
		if holder < 0 { // a company account
			other := w.companies[w.employers[r.IntN(len(w.employers))]].account
			add(event{t: t, amount: amountLog(r, 30000, 1.2, true), from: other, to: a, ext: -1, kind: kRevenue})
			continue
		}
		x := r.IntN(100)
		switch {
		case x < 38:
			add(event{t: t, amount: amountLog(r, 80, 1.1, false), from: a, to: -1, ext: int16(r.IntN(4)), kind: kShop})
		case x < 63:
			add(event{t: t, amount: amountLog(r, 500, 1.2, r.IntN(2) == 0), from: a, to: g.contact(a, r), ext: -1, kind: kTransfer})
		case x < 70:
			add(event{t: t, amount: amountLog(r, 120, 0.7, false), from: a, to: -1, ext: int16(4 + r.IntN(4)), kind: kUtility})
		case x < 76:
			add(event{t: t, amount: int64(1+r.IntN(30)) * 10000, from: a, to: -1, ext: -1, kind: kATM})
		case x < 84:
			add(event{t: t, amount: amountLog(r, 200, 1.0, false), from: -1, to: a, ext: 0, kind: kWithdrawToCard})
		case x < 87:
			add(event{t: t, amount: amountLog(r, 3000, 1.0, true), from: -1, to: a, ext: -1, kind: kDeposit})
		default:
			m := g.hot.household[holder] + int32(r.IntN(max(int(g.hot.hhSize[holder]), 1)))
			if m < int32(len(w.persons)) && m != holder && g.hot.firstAcct[m] >= 0 {
				add(event{t: t, amount: amountLog(r, 1000, 1.0, true), from: a, to: g.hot.firstAcct[m], ext: -1, kind: kTransfer})
			} else {
				add(event{t: t, amount: amountLog(r, 300, 1.0, true), from: a, to: g.contact(a, r), ext: -1, kind: kTransfer})
			}
		}
	}
	for _, fi := range g.fraudIdx[g.fraudStart[d]:g.fraudStart[d+1]] {
		e := g.f.events[fi]
		j.keys = append(j.keys, eventKey(e.t, d, classFraud, len(j.evs)))
		j.evs = append(j.evs, e)
	}
	j.keyTmp = sortKeys(j.keys, j.keyTmp)
	g.dayCalls(j)
}

// apply walks the day's events in time order: it keeps balances, drops background payments the
// payer cannot afford, numbers the rows and records where the fraud rows went. Rows and then
// the day's calls go into *cur; flush hands a full chunk on and puts a fresh one in *cur.
func (g *dayGen) apply(j *dayJob, cur **chunk, flush func()) {
	var shortfall int64
	emit := func(row txRow) {
		if len((*cur).tx) == chunkRows {
			flush()
		}
		(*cur).tx = append((*cur).tx, row)
		if g.isCaptured[row.acct] {
			g.captured[row.acct] = append(g.captured[row.acct], row)
		}
	}
	for _, k := range j.keys {
		e := &j.evs[k&keyIndexMask]
		class := k >> keyIndexBits & 3
		if e.fraud == 0 && e.from >= 0 && g.bal[e.from]-g.reserve[e.from] < e.amount {
			if class == classRandom {
				shortfall += rowsOf(e)
			}
			continue
		}
		var ids [2]int64
		if e.from >= 0 {
			g.bal[e.from] -= e.amount
			if e.fraud > 0 && g.reserve[e.from] > 0 {
				g.reserve[e.from] -= min(e.amount, g.reserve[e.from])
			}
			ids[0] = g.nextID
			emit(txRow{t: e.t, amount: -e.amount, bal: g.bal[e.from], id: g.nextID, acct: e.from, cp: e.to, ext: e.ext, kind: e.kind})
			g.nextID++
		}
		if e.to >= 0 {
			g.bal[e.to] += e.amount
			ids[1] = g.nextID
			emit(txRow{t: e.t, amount: e.amount, bal: g.bal[e.to], id: g.nextID, acct: e.to, cp: e.from, ext: e.ext, kind: e.kind})
			g.nextID++
		}
		if e.fraud > 0 {
			g.fraudIDs[e.fraud-1] = ids
			g.fraudRows += rowsOf(e)
		}
	}
	j.shortfall = shortfall
	for calls := j.calls; len(calls) > 0; {
		if len((*cur).calls) == chunkRows {
			flush()
		}
		n := min(len(calls), chunkRows-len((*cur).calls))
		(*cur).calls = append((*cur).calls, calls[:n]...)
		calls = calls[n:]
	}
	g.calls += int64(len(j.calls))
}

// contact picks a counterparty: usually one of a few regular contacts, sometimes anyone.
func (g *dayGen) contact(a int32, r *rand.Rand) int32 {
	if r.IntN(10) < 6 {
		h := uint64(a)*0x9E3779B97F4A7C15 + uint64(r.IntN(5))*0xBF58476D1CE4E5B9
		h ^= h >> 31
		return int32(h % uint64(g.w.background))
	}
	return g.w.pickActive(r)
}

// scheduled adds salaries (the 10th) and rent (the 1st).
func (g *dayGen) scheduled(j *dayJob) {
	w, r, d := g.w, j.r, j.day
	tm := worldDate(int64(d) * day)
	switch tm.Day() {
	case 10:
		for i := range w.persons {
			p := &w.persons[i]
			if p.employer >= 0 && len(p.accounts) > 0 {
				from := w.companies[p.employer].account
				j.add(event{t: int64(d)*day + 9*3600 + int64(r.IntN(7200)), amount: amountLog(r, 6000, 0.5, false), from: from, to: p.accounts[0], ext: -1, kind: kSalary}, classSched)
			}
		}
	case 1:
		for _, pi := range g.rentPayers {
			landlord := int32((uint64(pi) * 2654435761) % uint64(w.background))
			if landlord != w.persons[pi].accounts[0] {
				j.add(event{t: int64(d)*day + 8*3600 + int64(r.IntN(50000)), amount: amountLog(r, 2500, 0.4, true), from: w.persons[pi].accounts[0], to: landlord, ext: -1, kind: kRent}, classSched)
			}
		}
	}
}

// dayCalls draws the day's background calls between contacts and merges the rings' calls,
// into j.calls in time order.
func (g *dayGen) dayCalls(j *dayJob) {
	w, r, d := g.w, j.rc, j.day
	seedDay(&j.pcgC, w.seed, streamCalls, d)
	n := g.callCum[d]
	if d > 0 {
		n -= g.callCum[d-1]
	}
	tmp, keys := j.callTmp[:0], j.callKeys[:0]
	for k := int64(0); k < n; k++ {
		caller := g.personGuide.pick(r)
		var callee int
		switch y := r.IntN(10); {
		case y < 2:
			callee = int(g.hot.household[caller]) + r.IntN(max(int(g.hot.hhSize[caller]), 1))
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
		c := callRow{t: dayTime(r, d), caller: g.hot.sim[caller], callee: g.hot.sim[callee]}
		if r.IntN(12) == 0 {
			c.sms = true
		} else if r.IntN(8) > 0 {
			c.duration = int32(math.Exp(r.NormFloat64()*1.1 + 4))
		}
		keys = append(keys, eventKey(c.t, d, 0, len(tmp)))
		tmp = append(tmp, c)
	}
	for _, c := range g.f.calls[g.callStart[d]:g.callStart[d+1]] {
		if c.t >= 0 {
			keys = append(keys, eventKey(c.t, d, 0, len(tmp)))
			tmp = append(tmp, callRow{t: c.t, caller: c.caller, callee: c.callee, duration: c.duration})
		}
	}
	j.keyTmp = sortKeys(keys, j.keyTmp)
	out := j.calls[:0]
	for _, k := range keys {
		out = append(out, tmp[k&keyIndexMask])
	}
	j.calls, j.callTmp, j.callKeys = out, tmp, keys
}
