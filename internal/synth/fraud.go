package synth

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Event kinds. Each kind fixes the channel and summary of its statement rows.
const (
	kShop uint8 = iota
	kUtility
	kTransfer
	kSalary
	kRent
	kATM
	kDeposit
	kInterest
	kRevenue
	kWithdrawToCard // wallet balance withdrawn to the card (platform → card)
	kVictim         // victim pays a level-1 card
	kMule           // mule forwards to the next level
	kCashATM        // cash-out by ATM withdrawal
	kCashGold       // cash-out by POS purchase at a gold shop
	kCashOTC        // cash-out by paying a USDT OTC trader
)

// event is one money movement. A transfer between two world accounts becomes two statement
// rows (out on the sender, in on the receiver); a movement to or from an outside party one row.
type event struct {
	t      int64 // world seconds
	ord    int64 // tie-break for equal times: creation order
	amount int64 // cents, positive
	from   int32 // account index or -1
	to     int32 // account index or -1
	ext    int16 // external counterparty or -1
	kind   uint8
	fraud  int32 // index into fraudEvents + 1, 0 for background
}

type device struct{ ip, mac, imei string }

type ring struct {
	id        string
	dealers   []int32
	farmers   [][]int32 // per dealer
	operators []int32
	numbers   []int32 // indexes into world sims
	farmIMEIs []string
	devices   []device // per dealer
	devIdx    int32    // index of devices[0] in world.devices
	levels    [5][]int32
	shells    []int32
	branches  []int32
	hall      string
	wallet    string
	base      int32 // division where the call centre's cells are
	depth     int
	cashMix   [3]int // weights of ATM, gold, OTC
	start     int64
	span      int64
	victims   []int32
}

// sim is a SIM card registration (a plain dataset, sims.csv).
type sim struct {
	phone, imsi, imei string
	holder            int32
	operator          uint8
	hall              string
	opened            int64
	ring              int16
	cell              int32
	inquired          bool // its call records were requested (ring numbers, victims)
}

type otcTrader struct {
	person  int32
	account int32
	wallet  string
}

// hop is one step of a victim's money: the event that moved it and the share that was the victim's.
type hop struct {
	victim  int32
	payment int32
	event   int32 // index into fraudEvents
	level   int8  // level of the receiving account (0 for cash-out)
	method  string
}

type victimPayment struct {
	victim  int32
	account int32
	ring    int16
	amount  int64
	event   int32
	callT   int64 // start of the last fraud call before the payment
	callDur int32
	caller  int32 // sim index of that call's caller
}

type callEvent struct {
	t        int64
	ord      int64
	caller   int32 // sim index
	callee   int32 // sim index
	duration int32
	fraud    bool
}

// fraudWorld is everything the rings did: events and calls are held in memory because fraud is
// well under 1% of the volume.
type fraudWorld struct {
	rings      []ring
	events     []event
	calls      []callEvent
	hops       []hop
	payments   []victimPayment
	otc        []otcTrader
	chain      []chainTx
	victimsSet map[int32]bool
	ord        int64
}

type chainTx struct {
	hash, from, to string
	amount         int64 // micro-USDT
	t              int64
}

func (f *fraudWorld) addEvent(e event) int32 {
	f.ord++
	e.ord = f.ord
	e.fraud = int32(len(f.events)) + 1
	f.events = append(f.events, e)
	return int32(len(f.events) - 1)
}

// buildFraud creates rings (dealers, farmers, cards, SIM farms), victims and their money paths.
func buildFraud(w *world, p params) *fraudWorld {
	r := newRand(w.seed, streamFraud)
	f := &fraudWorld{victimsSet: map[int32]bool{}}
	used := map[int32]bool{}
	pickPerson := func(minAge, maxAge int) int32 {
		for {
			i := int32(r.IntN(len(w.persons)))
			pr := &w.persons[i]
			age := 2024 - pr.birth/10000
			if !used[i] && pr.nationality == "CHN" && age >= minAge && age <= maxAge {
				used[i] = true
				return i
			}
		}
	}
	for i := 0; i < 3+p.rings/5; i++ {
		pi := pickPerson(25, 55)
		w.persons[pi].role = roleOTC
		a := w.openAccount(r, pi, w.branchOf(r, w.bankPick(r)), -int64(r.IntN(300)+30)*day)
		w.accounts[a].inquired = true
		f.otc = append(f.otc, otcTrader{person: pi, account: a, wallet: tronAddress(r)})
	}
	// Branches where rings open cards in batches recur across rings (a governance signal).
	hot := make([]int32, 4+p.rings/3)
	for i := range hot {
		hot[i] = int32(r.IntN(len(w.branches)))
	}
	for ri := 0; ri < p.rings; ri++ {
		g := ring{id: "R" + pad(int64(ri+1), 3), depth: 3 + ri%3%2, base: w.pickDiv(r)}
		if ri%3 == 0 {
			g.depth = 4
		}
		g.cashMix = [3]int{1 + r.IntN(4), r.IntN(3), r.IntN(4)}
		g.start = int64(r.IntN(numDays-170)) * day
		g.span = int64(60+r.IntN(80)) * day
		g.wallet = tronAddress(r)
		g.hall = w.halls[r.IntN(len(w.halls))]
		for k := 0; k < 3; k++ {
			g.branches = append(g.branches, hot[r.IntN(len(hot))])
		}
		f.buildRingCards(w, r, &g, ri, pickPerson)
		f.buildSimFarm(w, r, &g, ri, pickPerson)
		f.rings = append(f.rings, g)
	}
	// Victims: adults of every age, older people more often; each pays one to three times.
	for i := 0; i < p.victims; i++ {
		ri := i % len(f.rings)
		v := pickPerson(20, 80)
		if r.IntN(2) == 0 && 2024-w.persons[v].birth/10000 < 45 {
			used[v] = false
			v = pickPerson(45, 80)
		}
		w.persons[v].role = roleVictim
		f.victimsSet[v] = true
		f.rings[ri].victims = append(f.rings[ri].victims, v)
		f.victimPays(w, r, ri, v)
	}
	f.targetCalls(w, r, p)
	slices.SortFunc(f.calls, func(a, b callEvent) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.ord, b.ord)) })
	return f
}

// buildRingCards recruits dealers and their farmers; each farmer opens cards at several banks
// within a few days at the ring's recurring branches, then sells them to the dealer, whose
// device operates all of them.
func (f *fraudWorld) buildRingCards(w *world, r *rand.Rand, g *ring, ri int, pick func(int, int) int32) {
	nd := 1 + r.IntN(2)
	var cards []int32
	for d := 0; d < nd; d++ {
		dealer := pick(25, 45)
		w.persons[dealer].role = roleDealer
		w.persons[dealer].ring = int16(ri)
		g.dealers = append(g.dealers, dealer)
		w.devSerial++
		dev := device{ip: ipv4(r), mac: macAddr(macOUIs[r.IntN(len(macOUIs))], w.devSerial), imei: imei(imeiTACs[r.IntN(len(imeiTACs))], w.devSerial)}
		g.devices = append(g.devices, dev)
		devIdx := w.addDevice(dev)
		if d == 0 {
			g.devIdx = devIdx
		}
		var farmers []int32
		for k := 0; k < 4+r.IntN(6); k++ {
			fm := pick(18, 32)
			w.persons[fm].role = roleFarmer
			w.persons[fm].ring = int16(ri)
			farmers = append(farmers, fm)
			opened := g.start - int64(5+r.IntN(40))*day + int64(9*3600+r.IntN(7*3600))
			nc := 2 + r.IntN(4)
			bankOrder := r.Perm(len(banks))
			for c := 0; c < nc; c++ {
				br := g.branches[c%len(g.branches)]
				if banks[w.branches[br].bank].name == banks[bankOrder[c]].name || c >= len(g.branches) {
					br = w.branchOf(r, bankOrder[c])
				}
				a := w.openAccount(r, fm, br, opened+int64(c/2)*day+int64(c*1800))
				ac := &w.accounts[a]
				ac.ring, ac.inquired = int16(ri), true
				ac.dev = devIdx
				cards = append(cards, a)
			}
		}
		g.farmers = append(g.farmers, farmers)
	}
	// Shell companies with farmers as legal representatives, registered at cluster addresses.
	for s := 0; s < 1+r.IntN(2); s++ {
		lr := g.farmers[0][r.IntN(len(g.farmers[0]))]
		c := w.newCompany(r, lr, w.clusterAddrs[r.IntN(len(w.clusterAddrs))], g.start-int64(60+r.IntN(200))*day, true)
		w.companies[c].ring = int16(ri)
		a := w.openCompanyAccount(r, c, g.branches[r.IntN(len(g.branches))], g.start-int64(10+r.IntN(40))*day)
		ac := &w.accounts[a]
		ac.ring, ac.inquired = int16(ri), true
		ac.dev = g.devIdx
		g.shells = append(g.shells, c)
		g.levels[2+s%2] = append(g.levels[2+s%2], a)
	}
	r.Shuffle(len(cards), func(i, j int) { cards[i], cards[j] = cards[j], cards[i] })
	// Level shares: the front of the chain needs the most cards (they are frozen first).
	for i, a := range cards {
		lv := 1 + i%g.depth
		if i%5 == 4 {
			lv = 1
		}
		g.levels[lv] = append(g.levels[lv], a)
	}
	for lv := 1; lv <= 4; lv++ {
		for _, a := range g.levels[lv] {
			w.accounts[a].level = int8(lv)
		}
	}
}

// buildSimFarm registers the ring's calling numbers to a few ID holders (beyond the 5-per-operator
// cap), opened in a batch at one business hall, and installs them on a few devices.
func (f *fraudWorld) buildSimFarm(w *world, r *rand.Rand, g *ring, ri int, pick func(int, int) int32) {
	nOps := 2 + r.IntN(4)
	for k := 0; k < nOps; k++ {
		var op int32
		if r.IntN(3) == 0 {
			op = w.newForeigner(r)
		} else {
			op = w.newPerson(r, 20, 40)
		}
		w.persons[op].role = roleOperator
		w.persons[op].ring = int16(ri)
		g.operators = append(g.operators, op)
	}
	nDev := 2 + r.IntN(3)
	for k := 0; k < nDev; k++ {
		w.devSerial++
		g.farmIMEIs = append(g.farmIMEIs, imei(imeiTACs[r.IntN(len(imeiTACs))], w.devSerial))
	}
	opi := uint8(r.IntN(len(operators)))
	o := operators[opi]
	holders := []int32{pick(50, 80), pick(50, 80)}
	for _, h := range holders {
		w.persons[h].role = roleSimHolder
	}
	opened := g.start - int64(3+r.IntN(10))*day
	n := 12 + r.IntN(20)
	for k := 0; k < n; k++ {
		w.phoneSerial++
		s := sim{
			phone: mobile(o.prefixes[r.IntN(len(o.prefixes))], w.phoneSerial), imsi: imsi(o.mccmnc[0], w.phoneSerial),
			imei: g.farmIMEIs[k%nDev], holder: holders[k%len(holders)], operator: opi, hall: g.hall,
			opened: opened + int64(k*600), ring: int16(ri), cell: int32(r.IntN(60000)), inquired: true,
		}
		g.numbers = append(g.numbers, int32(len(w.sims)))
		w.sims = append(w.sims, s)
	}
}

// victimPays creates the calls and payments of one victim and the money path of each payment.
func (f *fraudWorld) victimPays(w *world, r *rand.Rand, ri int, v int32) {
	g := &f.rings[ri]
	acct := w.persons[v].accounts[0]
	n := 1 + r.IntN(3)
	t := g.start + int64(r.Float64()*float64(g.span-5*day)) + 8*3600
	vs := w.persons[v].sim
	w.sims[vs].inquired = true
	// Grooming calls before the first payment.
	for k := 0; k < 1+r.IntN(3); k++ {
		f.addCall(callEvent{t: t - int64(1+r.IntN(72))*3600, caller: g.numbers[r.IntN(len(g.numbers))], callee: vs, duration: int32(60 + r.IntN(900)), fraud: true})
	}
	for k := 0; k < n; k++ {
		// Amounts are log-normal around 20,000 yuan; later payments grow (the victim is told to
		// "unfreeze" or "top up" the account).
		amt := int64(math.Exp(r.NormFloat64()*0.9+9.9)*float64(1+k)) * 100
		amt = min(max(amt, 200_000), 50_000_000)
		dur := int32(300 + r.IntN(2400))
		gap := int64(300 + r.IntN(3600))
		c := callEvent{t: t - gap - int64(dur), caller: g.numbers[r.IntN(len(g.numbers))], callee: vs, duration: dur, fraud: true}
		f.addCall(c)
		l1 := g.levels[1][r.IntN(len(g.levels[1]))]
		ev := f.addEvent(event{t: t, amount: amt, from: acct, to: l1, ext: -1, kind: kVictim})
		pi := int32(len(f.payments))
		f.payments = append(f.payments, victimPayment{victim: v, account: acct, ring: int16(ri), amount: amt, event: ev, callT: c.t, callDur: dur, caller: c.caller})
		f.hops = append(f.hops, hop{victim: v, payment: pi, event: ev, level: 1})
		w.accounts[acct].reserve += amt
		w.accounts[acct].inquired = true
		f.forward(w, r, g, pi, l1, amt, t, 1)
		t += int64(2+r.IntN(70)) * 3600
	}
}

// forward moves amt received by account a at time t down the layers: fast-in-fast-out, split
// into one to three parts, a small commission kept, and cash-out at the last level.
func (f *fraudWorld) forward(w *world, r *rand.Rand, g *ring, pi int32, a int32, amt int64, t int64, level int) {
	t += int64(60 + r.IntN(1200*level))
	if level >= g.depth || len(g.levels[level+1]) == 0 || (level >= 2 && r.IntN(8) == 0) {
		f.cashOut(w, r, g, pi, a, amt, t)
		return
	}
	kept := amt * int64(r.IntN(15)) / 1000 // commission up to 1.5%
	rest := amt - kept
	parts := 1 + r.IntN(3)
	if rest < 1_000_000 {
		parts = 1
	}
	for k := 0; k < parts; k++ {
		part := rest / int64(parts)
		if k == parts-1 {
			part = rest - part*int64(parts-1)
		}
		next := g.levels[level+1][r.IntN(len(g.levels[level+1]))]
		ts := t + int64(k*(30+r.IntN(90)))
		ev := f.addEvent(event{t: ts, amount: part, from: a, to: next, ext: -1, kind: kMule})
		f.hops = append(f.hops, hop{victim: f.payments[pi].victim, payment: pi, event: ev, level: int8(level + 1)})
		f.forward(w, r, g, pi, next, part, ts, level+1)
	}
}

func (f *fraudWorld) cashOut(w *world, r *rand.Rand, g *ring, pi int32, a int32, amt int64, t int64) {
	x := r.IntN(g.cashMix[0] + g.cashMix[1] + g.cashMix[2])
	v := f.payments[pi].victim
	switch {
	case x < g.cashMix[0]:
		// ATM: withdrawals of at most 5,000 yuan in whole hundreds; the remainder stays.
		left := amt / 10000 * 10000
		for left > 0 {
			c := min(left, int64(500_000))
			ev := f.addEvent(event{t: t, amount: c, from: a, to: -1, ext: -1, kind: kCashATM})
			f.hops = append(f.hops, hop{victim: v, payment: pi, event: ev, method: "atm"})
			left -= c
			t += int64(40 + r.IntN(120))
		}
	case x < g.cashMix[0]+g.cashMix[1]:
		c := amt / 100 * 100
		ev := f.addEvent(event{t: t, amount: c, from: a, to: -1, ext: int16(w.goldExt + r.IntN(len(goldShops))), kind: kCashGold})
		f.hops = append(f.hops, hop{victim: v, payment: pi, event: ev, method: "gold"})
	default:
		o := f.otc[r.IntN(len(f.otc))]
		ev := f.addEvent(event{t: t, amount: amt, from: a, to: o.account, ext: -1, kind: kCashOTC})
		f.hops = append(f.hops, hop{victim: v, payment: pi, event: ev, method: "usdt"})
		// The trader pays USDT at about 7.2 yuan each, minus a spread, a few minutes later.
		usdt := amt * 10_000 / 72 * 97 / 100 // cents → micro-USDT: amt/100 yuan / 7.2 * 1e6
		f.chain = append(f.chain, chainTx{hash: txHash(r), from: o.wallet, to: g.wallet, amount: usdt, t: t + int64(120+r.IntN(900))})
	}
}

func (f *fraudWorld) addCall(c callEvent) int32 {
	f.ord++
	c.ord = f.ord
	f.calls = append(f.calls, c)
	return int32(len(f.calls) - 1)
}

// targetCalls adds the many short calls that did not lead to a payment: a call centre dials
// far more people than it deceives.
func (f *fraudWorld) targetCalls(w *world, r *rand.Rand, p params) {
	for ri := range f.rings {
		g := &f.rings[ri]
		for k := 0; k < 8*len(g.victims)+20; k++ {
			callee := w.persons[r.IntN(len(w.persons))].sim
			t := g.start + int64(r.Float64()*float64(g.span)) + 9*3600
			f.addCall(callEvent{t: t, caller: g.numbers[r.IntN(len(g.numbers))], callee: callee, duration: int32(r.IntN(60)), fraud: true})
		}
	}
}
