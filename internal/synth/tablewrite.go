package synth

import (
	"strconv"
	"strings"
)

func canonical(kind string) FileInfo {
	return FileInfo{Kind: kind, Profile: "canonical", Format: "canonical"}
}

// writeTables writes the O(persons) tables: registers, accounts, companies, SIMs, sessions,
// chain transfers and the justice tables.
func writeTables(w *world, f *fraudWorld, j *justice, p params, out *outputs) error {
	if err := writePersons(w, out); err != nil {
		return err
	}
	c, err := out.createCSV("accounts.csv", canonical("accounts"), strings.Split("account,card_no,bank,branch_code,branch_name,holder_name,holder_id_number,opened_at,opened_by,phone,status,closed_at,account_type,open_channel,open_ip,open_mac,open_imei", ","))
	if err != nil {
		return err
	}
	for i := range w.accounts {
		a := &w.accounts[i]
		phone := ""
		if a.holder >= 0 {
			phone = w.persons[a.holder].phone
		} else {
			phone = w.companies[a.company].phone
		}
		atype := "借记卡"
		if a.company >= 0 {
			atype = "对公"
		}
		dv := w.device(a)
		c.row(a.acct, a.card, bankName(a), w.branchCode(a), w.branchName(a), w.holderName(a), w.holderID(a), timeText(a.opened), w.teller(a), phone, accountStatus, "", atype, "柜面", dv.ip, dv.mac, dv.imei)
	}
	if err := c.close(false); err != nil {
		return err
	}
	if c, err = out.createCSV("companies.csv", canonical("companies"), strings.Split("uscc,name,legal_rep_name,legal_rep_id_number,reg_address,status,company_type,established_at,dissolved_at,business_scope,phone", ",")); err != nil {
		return err
	}
	for _, co := range w.companies {
		lr := &w.persons[co.legalRep]
		dis := ""
		if co.dissolved != 0 {
			dis = dateText(co.dissolved)
		}
		c.row(co.uscc, co.name, lr.name, lr.idNumber, co.address, co.status, "有限责任公司（自然人独资）", dateText(co.established), dis, co.scope, co.phone)
	}
	if err := c.close(false); err != nil {
		return err
	}
	if c, err = out.createCSV("sims.csv", FileInfo{Profile: "canonical", Format: "canonical"}, strings.Split("phone,imsi,operator,holder_name,holder_id_number,business_hall,opened_at", ",")); err != nil {
		return err
	}
	for _, s := range w.sims {
		h := &w.persons[s.holder]
		c.row(s.phone, s.imsi, operators[s.operator].name, h.name, h.idNumber, s.hall, dateText(s.opened))
	}
	if err := c.close(false); err != nil {
		return err
	}
	if err := writeSessions(w, f, out); err != nil {
		return err
	}
	if c, err = out.createCSV("chain_transfers.csv", canonical("chain_transfers"), strings.Split("tx_hash,chain,from_address,to_address,token,amount,time,block,fee,status", ",")); err != nil {
		return err
	}
	for i, ct := range chainTransfers(w, f) {
		c.row(ct.hash, "TRON", ct.from, ct.to, "USDT", microText(ct.amount), timeText(ct.t), strconv.Itoa(60_000_000+int(ct.t/3)+i%3), "1.000000", "SUCCESS")
	}
	if err := c.close(false); err != nil {
		return err
	}
	cases := make([][]string, len(j.cases))
	for i, c := range j.cases {
		ct := "刑事"
		if c[1] == "民间借贷纠纷" {
			ct = "民事"
		}
		cases[i] = append([]string{c[0], ct}, c[1:]...)
	}
	tables := []struct {
		name, header string
		rows         [][]string
	}{
		{"cases", "case_no,case_type,charge,title,registered_at,agency,status,summary,loss_amount", cases},
		{"case_parties", "case_no,role,name,id_number,phone,bank_card,account,address", j.parties},
		{"judgments", "case_no,court,judgment_no,judgment_date,effective_date,defendant_name,defendant_id_number,charge,sentence_type,prison_months,probation_months,fine", j.judgments},
		{"custody", "id_number,name,custody_type,start_date,end_date,facility,agency", j.custody},
		{"licenses", "id_number,name,license_type,license_no,license_class,status,status_date,issued_at,agency", j.licenses},
		{"deaths", deathsHeader, j.deathRows},
		{"penalties", "subject_id_number,subject_uscc,subject_name,penalty_type,decision_no,decision_date,agency,reason,case_no,amount", j.penalties},
	}
	for _, t := range tables {
		if err := out.writeCSV(t.name+".csv", canonical(t.name), strings.Split(t.header, ","), t.rows, false); err != nil {
			return err
		}
	}
	return writeBenefits(w, j, out)
}

func microText(v int64) string {
	return strconv.FormatInt(v/1_000_000, 10) + "." + pad(v%1_000_000, 6)
}

// writePersons writes the population register with some duplicate records: the same person
// entered twice by different agencies, with a look-alike name, another phone or address form.
func writePersons(w *world, out *outputs) error {
	r := newRand(w.seed, streamPeople+50)
	c, err := out.createCSV("persons.csv", canonical("persons"), strings.Split("person_id,name,id_number,id_type,gender,birth_date,phone,address,nationality", ","))
	if err != nil {
		return err
	}
	var dups [][]string
	n := len(w.persons)
	for i := range w.persons {
		pr := &w.persons[i]
		g := "female"
		if pr.male {
			g = "male"
		}
		birth := strconv.Itoa(pr.birth)
		bd := birth[:4] + "-" + birth[4:6] + "-" + birth[6:]
		idType := "居民身份证"
		if pr.nationality != "CHN" {
			idType = "护照"
		}
		c.row(personID(i), pr.name, pr.idNumber, idType, g, bd, pr.phone, pr.address, pr.nationality)
		if pr.nationality != "CHN" || r.IntN(100) != 0 {
			continue
		}
		name := []rune(pr.name)
		if alt, ok := homophones[name[len(name)-1]]; ok {
			name[len(name)-1] = alt
		}
		phone := pr.phone
		if r.IntN(2) == 0 {
			phone = mobile(operators[0].prefixes[r.IntN(20)], uint64(90_000_000+i))
		}
		addr := strings.Replace(pr.address, w.divs[pr.div].Province, "", 1)
		n++
		dpid := "P" + pad(int64(n), 8)
		c.row(dpid, string(name), pr.idNumber, "居民身份证", g, bd, phone, addr, "CHN")
		dups = append(dups, []string{personID(i), dpid, pr.idNumber, pr.name, string(name)})
	}
	if err := c.close(false); err != nil {
		return err
	}
	return out.writeCSV("truth/duplicate_persons.csv", FileInfo{Profile: "truth", Format: "csv"}, []string{"person_id", "duplicate_person_id", "id_number", "name", "duplicate_name"}, dups, true)
}

// writeSessions writes online-banking logins: every mule card is logged into from its dealer's
// device (the shared-device signal); ordinary users log in from their own phones.
func writeSessions(w *world, f *fraudWorld, out *outputs) error {
	r := newRand(w.seed, streamSessions)
	c, err := out.createCSV("ip_sessions.csv", canonical("ip_sessions"), strings.Split("account,user_id,ip,mac,imei,start_time,end_time,app,location", ","))
	if err != nil {
		return err
	}
	for _, e := range f.events {
		if e.from < 0 || (e.kind != kMule && e.kind != kCashOTC) {
			continue
		}
		a := &w.accounts[e.from]
		st := e.t - int64(60+r.IntN(240))
		user := w.companies[max(a.company, 0)].phone
		if a.holder >= 0 {
			user = w.persons[a.holder].phone
		}
		dv := w.device(a)
		c.row(a.acct, user, dv.ip, dv.mac, dv.imei, timeText(st), timeText(e.t+int64(30+r.IntN(300))), banks[a.bank].short+" mobile banking", w.divs[f.rings[a.ring].base].County)
	}
	for i := int32(0); i < w.background; i += 7 {
		a := &w.accounts[i]
		if a.holder < 0 {
			continue
		}
		for k := 0; k < 2; k++ {
			st := int64(r.IntN(numDays))*day + int64(r.IntN(day-4000))
			dv := w.device(a)
			c.row(a.acct, w.persons[a.holder].phone, dv.ip, dv.mac, dv.imei, timeText(st), timeText(st+int64(60+r.IntN(1800))), banks[a.bank].short+" mobile banking", w.location(a))
		}
	}
	return c.close(false)
}

// chainTransfers returns the rings' USDT receipts plus consolidation and ordinary transfers,
// in time order.
func chainTransfers(w *world, f *fraudWorld) []chainTx {
	r := newRand(w.seed, streamChain)
	out := append([]chainTx(nil), f.chain...)
	consolidation := tronAddress(r)
	for _, g := range f.rings {
		var sum int64
		var last int64
		for _, c := range f.chain {
			if c.to == g.wallet {
				sum += c.amount
				last = max(last, c.t)
			}
		}
		if sum > 0 {
			out = append(out, chainTx{hash: txHash(r), from: g.wallet, to: consolidation, amount: sum * 99 / 100, t: last + int64(3600+r.IntN(86400))})
		}
	}
	wallets := make([]string, 40)
	for i := range wallets {
		wallets[i] = tronAddress(r)
	}
	for _, o := range f.otc {
		wallets = append(wallets, o.wallet)
	}
	for k := 0; k < 200+len(f.chain)*3; k++ {
		a, b := wallets[r.IntN(len(wallets))], wallets[r.IntN(len(wallets))]
		if a != b {
			out = append(out, chainTx{hash: txHash(r), from: a, to: b, amount: int64(10+r.IntN(20000)) * 1_000_000, t: int64(r.IntN(worldEnd))})
		}
	}
	sortChain(out)
	return out
}

// writeBenefits streams monthly pension payments, January 2024 to June 2025, with the annual
// raise in July and the suspensions and exclusions that custody and correction require.
func writeBenefits(w *world, j *justice, out *outputs) error {
	hf, err := out.create("benefits.csv", canonical("benefits"), false)
	if err != nil {
		return err
	}
	b := []byte("id_number,name,benefit_type,period,pay_date,amount,account,agency\n")
	for _, pe := range j.pensioners {
		pr := &w.persons[pe.person]
		acct := w.accounts[pr.accounts[0]].card
		agency := w.divs[pr.div].County + "社会保险事业管理局"
		for m := 0; m < 18; m++ {
			y, mo := 2024+m/12, 1+m%12
			pay := worldDateOf(y, mo, 15)
			if pe.stopTo > 0 && pay >= pe.stopFrom && pay < pe.stopTo && !pe.payInCustody {
				continue
			}
			amt := pe.base
			if m >= 6 && (!pe.noRaise || pe.raiseAnyway) {
				amt = amt * 103 / 100
			}
			// The month a payment is for, as its first day: the kind stores periods that way.
			period := strconv.Itoa(y) + "-" + pad(int64(mo), 2) + "-01"
			b = append(b, pr.idNumber...)
			b = append(b, ',')
			b = append(b, pr.name...)
			b = append(b, ",基本养老金,"...)
			b = append(b, period...)
			b = append(b, ',')
			b = append(b, dateText(pay)...)
			b = append(b, ',')
			b = appendCents(b, amt)
			b = append(b, ',')
			b = append(b, acct...)
			b = append(b, ',')
			b = append(b, agency...)
			b = append(b, '\n')
			hf.rows++
		}
		if len(b) > 1<<16 {
			hf.Write(b)
			b = b[:0]
		}
	}
	hf.Write(b)
	return hf.close(false)
}

func worldDateOf(y, m, d int) int64 {
	return dateUnix(y, m, d) - worldBase
}
