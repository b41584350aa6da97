package synth

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func dateUnix(y, m, d int) int64 {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, shanghai).Unix()
}

func sortChain(c []chainTx) {
	slices.SortStableFunc(c, func(a, b chainTx) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.hash, b.hash)) })
}

func txID(id int64) string {
	if id == 0 {
		return ""
	}
	return "T" + pad(id, 12)
}

// PersonRef names a person in the truth files.
type PersonRef struct {
	IDNumber string `json:"id_number"`
	Name     string `json:"name"`
}

// RingTruth is one fraud ring as the generator built it.
type RingTruth struct {
	ID             string              `json:"id"`
	Dealers        []PersonRef         `json:"dealers"`
	Farmers        []PersonRef         `json:"farmers"`
	Operators      []PersonRef         `json:"operators"`
	Numbers        []string            `json:"numbers"`
	SimFarmIMEIs   []string            `json:"sim_farm_imeis"`
	Devices        []map[string]string `json:"dealer_devices"`
	Levels         map[string][]string `json:"accounts_by_level"`
	ShellCompanies []string            `json:"shell_companies"`
	Wallet         string              `json:"usdt_wallet"`
	Branches       []string            `json:"card_branches"`
	BusinessHall   string              `json:"sim_business_hall"`
	Victims        []string            `json:"victims"`
	Loss           string              `json:"loss"`
	CashOut        map[string]string   `json:"cash_out"`
	Depth          int                 `json:"depth"`
}

func ref(w *world, p int32) PersonRef {
	return PersonRef{IDNumber: w.persons[p].idNumber, Name: w.persons[p].name}
}

func writeTruth(w *world, f *fraudWorld, j *justice, st streamStats, out *outputs) error {
	cash := make([]map[string]int64, len(f.rings))
	for i := range cash {
		cash[i] = map[string]int64{}
	}
	var paths [][]string
	step := map[int32]int{}
	for _, h := range f.hops {
		e := &f.events[h.event]
		ids := st.fraudIDs[h.event]
		pay := &f.payments[h.payment]
		step[h.payment]++
		to := ""
		method := "transfer"
		if e.to >= 0 {
			to = w.accounts[e.to].acct
		}
		if h.method != "" {
			method = h.method
			cash[pay.ring][method] += e.amount
			if e.ext >= 0 {
				to = w.ext[e.ext].name
			}
		}
		paths = append(paths, []string{w.persons[h.victim].idNumber, strconv.Itoa(int(h.payment) + 1), strconv.Itoa(step[h.payment]), txID(ids[0]), txID(ids[1]), timeText(e.t), w.accounts[e.from].acct, to, strconv.Itoa(int(h.level)), method, string(appendCents(nil, e.amount))})
	}
	if err := out.writeCSV("truth/money_paths.csv", FileInfo{Profile: "truth", Format: "csv"}, strings.Split("victim_id_number,payment_no,step,out_tx_id,in_tx_id,time,from_account,to,to_level,method,amount", ","), paths, true); err != nil {
		return err
	}
	var vrows [][]string
	loss := make([]int64, len(f.rings))
	for i, p := range f.payments {
		e := &f.events[p.event]
		loss[p.ring] += p.amount
		vrows = append(vrows, []string{w.persons[p.victim].idNumber, w.persons[p.victim].name, f.rings[p.ring].id, strconv.Itoa(i + 1), w.accounts[p.account].acct, w.accounts[e.to].acct, string(appendCents(nil, p.amount)), txID(st.fraudIDs[p.event][0]), timeText(e.t), w.sims[p.caller].phone, timeText(p.callT), strconv.Itoa(int(p.callDur))})
	}
	if err := out.writeCSV("truth/victim_payments.csv", FileInfo{Profile: "truth", Format: "csv"}, strings.Split("victim_id_number,victim_name,ring,payment_no,victim_account,level1_account,amount,tx_id,time,last_call_from,last_call_time,last_call_duration_s", ","), vrows, true); err != nil {
		return err
	}
	var mules, dealerRows [][]string
	rings := make([]RingTruth, len(f.rings))
	for ri := range f.rings {
		g := &f.rings[ri]
		rt := RingTruth{ID: g.id, Wallet: g.wallet, BusinessHall: g.hall, Levels: map[string][]string{}, Depth: g.depth, Loss: string(appendCents(nil, loss[ri])), CashOut: map[string]string{}}
		for m, v := range cash[ri] {
			rt.CashOut[m] = string(appendCents(nil, v))
		}
		for di, d := range g.dealers {
			rt.Dealers = append(rt.Dealers, ref(w, d))
			dv := g.devices[di]
			rt.Devices = append(rt.Devices, map[string]string{"dealer_id_number": w.persons[d].idNumber, "ip": dv.ip, "mac": dv.mac, "imei": dv.imei})
			for _, fm := range g.farmers[di] {
				rt.Farmers = append(rt.Farmers, ref(w, fm))
				for _, a := range w.persons[fm].accounts {
					ac := &w.accounts[a]
					if ac.ring < 0 {
						continue
					}
					dealerRows = append(dealerRows, []string{w.persons[d].idNumber, w.persons[d].name, g.id, w.persons[fm].idNumber, w.persons[fm].name, ac.card, bankName(ac), w.branchCode(ac), w.branchName(ac), timeText(ac.opened), w.device(ac).ip, w.device(ac).mac, w.device(ac).imei})
				}
			}
		}
		for _, o := range g.operators {
			rt.Operators = append(rt.Operators, ref(w, o))
		}
		for _, s := range g.numbers {
			rt.Numbers = append(rt.Numbers, w.sims[s].phone)
		}
		rt.SimFarmIMEIs = g.farmIMEIs
		for _, c := range g.shells {
			rt.ShellCompanies = append(rt.ShellCompanies, w.companies[c].uscc)
		}
		for _, b := range g.branches {
			rt.Branches = append(rt.Branches, w.branches[b].code)
		}
		for _, v := range g.victims {
			rt.Victims = append(rt.Victims, w.persons[v].idNumber)
		}
		for lv := 1; lv <= 4; lv++ {
			for _, a := range g.levels[lv] {
				ac := &w.accounts[a]
				rt.Levels[strconv.Itoa(lv)] = append(rt.Levels[strconv.Itoa(lv)], ac.acct)
				role := "card"
				if ac.company >= 0 {
					role = "shell_company"
				}
				mules = append(mules, []string{ac.acct, ac.card, bankName(ac), g.id, strconv.Itoa(lv), role, w.holderID(ac), w.holderName(ac), w.device(ac).ip, w.device(ac).mac, w.device(ac).imei})
			}
		}
		rings[ri] = rt
	}
	if err := out.writeJSON("truth/rings.json", rings); err != nil {
		return err
	}
	if err := out.writeCSV("truth/mule_accounts.csv", FileInfo{Profile: "truth", Format: "csv"}, strings.Split("account,card_no,bank,ring,level,role,holder_id_number,holder_name,device_ip,device_mac,device_imei", ","), mules, true); err != nil {
		return err
	}
	if err := out.writeCSV("truth/card_dealers.csv", FileInfo{Profile: "truth", Format: "csv"}, strings.Split("dealer_id_number,dealer_name,ring,farmer_id_number,farmer_name,card_no,bank,branch_code,branch_name,opened_at,device_ip,device_mac,device_imei", ","), dealerRows, true); err != nil {
		return err
	}
	viol := append(append([]Violation(nil), j.violations...), scanViolations(w)...)
	slices.SortStableFunc(viol, func(a, b Violation) int { return cmp.Compare(a.Type, b.Type) })
	if err := out.writeJSON("truth/violations.json", viol); err != nil {
		return err
	}
	var vr [][]string
	for _, v := range viol {
		vr = append(vr, []string{v.Type, v.IDNumber, v.Name, strings.Join(v.IDs, ";"), v.Detail})
	}
	if err := out.writeCSV("truth/violations.csv", FileInfo{Profile: "truth", Format: "csv"}, []string{"type", "id_number", "name", "ids", "detail"}, vr, true); err != nil {
		return err
	}
	var gr [][]string
	for _, g := range j.gaps {
		gr = append(gr, []string{g.CaseNo, g.What, g.Value, g.RevealedBy})
	}
	if err := out.writeCSV("truth/case_gaps.csv", FileInfo{Profile: "truth", Format: "csv"}, []string{"case_no", "what", "value", "revealed_by"}, gr, true); err != nil {
		return err
	}
	return out.writeJSON("truth/summary.json", map[string]any{
		"transactions": st.txRows, "fraud_transactions": st.fraudRows,
		"fraud_share": float64(st.fraudRows) / float64(max(st.txRows, 1)), "calls": st.callRows,
		"rings": len(f.rings), "victims": len(f.victimsSet), "victim_payments": len(f.payments),
		"violations": len(viol),
	})
}

// scanViolations finds the register-level violations by the rule itself, so the answer is
// exact: cards opened at four or more banks within seven days by one ID, and more than five
// SIMs of one operator registered to one ID.
func scanViolations(w *world) []Violation {
	var out []Violation
	for i := range w.persons {
		pr := &w.persons[i]
		if len(pr.accounts) < 4 {
			continue
		}
		accts := append([]int32(nil), pr.accounts...)
		slices.SortFunc(accts, func(a, b int32) int { return cmp.Compare(w.accounts[a].opened, w.accounts[b].opened) })
		for s := range accts {
			banksSeen := map[uint8]bool{}
			var cards []string
			for _, a := range accts[s:] {
				if w.accounts[a].opened-w.accounts[accts[s]].opened > 7*day {
					break
				}
				banksSeen[w.accounts[a].bank] = true
				cards = append(cards, w.accounts[a].card)
			}
			if len(banksSeen) >= 4 {
				out = append(out, Violation{Type: "cards_at_many_banks", IDNumber: pr.idNumber, Name: pr.name, IDs: cards, Detail: strconv.Itoa(len(banksSeen)) + "家银行7日内开卡"})
				break
			}
		}
	}
	type key struct {
		holder int32
		op     uint8
	}
	counts := map[key][]string{}
	var order []key
	for _, s := range w.sims {
		k := key{s.holder, s.operator}
		if counts[k] == nil {
			order = append(order, k)
		}
		counts[k] = append(counts[k], s.phone)
	}
	for _, k := range order {
		if len(counts[k]) > 5 {
			pr := &w.persons[k.holder]
			out = append(out, Violation{Type: "sims_over_operator_cap", IDNumber: pr.idNumber, Name: pr.name, IDs: counts[k], Detail: operators[k.op].name + "名下号码" + strconv.Itoa(len(counts[k])) + "个，超过5个上限"})
		}
	}
	return out
}
