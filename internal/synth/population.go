package synth

import (
	"math/rand/v2"
	"slices"
	"strconv"

	"procura/internal/synth/data"
)

// buildWorld creates the population, banks, employers and personal accounts.
func buildWorld(seed int64, p params) *world {
	w := &world{seed: seed, divs: data.Divisions(), cardSerial: map[string]uint64{}, idSeen: map[string]bool{}}
	rb := newRand(seed, streamBanks)
	w.buildBanks(rb, p.branchesPerBank)
	w.ext = append(w.ext, platforms...)
	w.goldExt = len(w.ext)
	for i, g := range goldShops {
		w.ext = append(w.ext, platform{name: g, account: "8984401" + pad(int64(rb.IntN(1_000_000)+i*7), 8), bank: "中国银联股份有限公司", summary: "POS消费", channel: "POS"})
	}

	r := newRand(seed, streamPeople)
	w.persons = make([]person, 0, p.persons+p.persons/20)
	w.sims = make([]sim, 0, p.persons+p.persons/20) // one a person, and the rings' SIM farms
	for len(w.persons) < p.persons {
		// Households of one to four people share an address; members are consecutive.
		size := 1 + r.IntN(4)
		first := int32(-1)
		for k := 0; k < size && len(w.persons) < p.persons; k++ {
			var i int32
			if r.IntN(50) == 0 {
				i = w.newForeigner(r)
			} else {
				i = w.newPerson(r, 18, 85)
			}
			if first < 0 {
				first = i
			} else {
				w.persons[i].address = w.persons[first].address
				w.persons[i].div = w.persons[first].div
			}
			w.persons[i].household = first
			w.persons[i].hhSize = uint8(size)
		}
	}

	ra := newRand(seed, streamAccounts)
	// About 1.64 accounts a person (1, +1 in 2, +1 in 7) and the rings' cards: sized once, the
	// largest table of the world is not copied while it grows.
	w.accounts = slices.Grow(w.accounts, p.persons*7/4)
	w.clusterAddrs = make([]string, 6)
	for i := range w.clusterAddrs {
		d := w.pickDiv(ra)
		dv := w.divs[d]
		w.clusterAddrs[i] = dv.Province + dv.County + streets[ra.IntN(len(streets))] + strconv.Itoa(ra.IntN(200)+1) + "号" + buildings[ra.IntN(len(buildings))] + strconv.Itoa(ra.IntN(20)+5) + "0" + strconv.Itoa(ra.IntN(9)+1) + "室"
	}
	employers := max(20, p.persons/40)
	for i := 0; i < employers; i++ {
		lr := int32(ra.IntN(len(w.persons)))
		addr := w.address(ra, w.persons[lr].div)
		if ra.IntN(5) == 0 {
			addr = w.clusterAddrs[ra.IntN(len(w.clusterAddrs))]
		}
		est := -int64(ra.IntN(18*365)+30) * day
		c := w.newCompany(ra, lr, addr, est, false)
		a := w.openCompanyAccount(ra, c, w.branchOf(ra, w.bankPick(ra)), est+int64(ra.IntN(30))*day)
		w.accounts[a].weight = 5 * paretoWeight(ra)
		w.employers = append(w.employers, c)
	}
	for i := range w.persons {
		pr := &w.persons[i]
		age := 2024 - pr.birth/10000
		if age >= 22 && age < 60 && ra.IntN(100) < 65 {
			u := ra.Float64()
			pr.employer = w.employers[int(float64(len(w.employers))*u*u)]
		}
		n := 1
		if ra.IntN(2) == 0 {
			n++
		}
		if ra.IntN(7) == 0 {
			n++
		}
		for k := 0; k < n; k++ {
			earliest := min(max(int64(-16*365), int64(-(age-18)*365)), -60) // not (much) before the 18th birthday
			opened := (earliest + int64(ra.IntN(int(-earliest-30)+1))) * day
			opened += int64(9*3600 + ra.IntN(8*3600))
			a := w.openAccount(ra, int32(i), w.branchOf(ra, w.bankPick(ra)), opened)
			w.accounts[a].weight = paretoWeight(ra)
		}
	}
	w.background = int32(len(w.accounts))
	return w
}

// bankPick draws a bank by its share of personal cards.
func (w *world) bankPick(r *rand.Rand) int {
	total := 0
	for _, b := range banks {
		total += b.weight
	}
	x := r.IntN(total)
	for i, b := range banks {
		if x < b.weight {
			return i
		}
		x -= b.weight
	}
	return 0
}
