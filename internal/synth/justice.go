package synth

import (
	"math/rand/v2"
	"strconv"
)

// Violation is one injected supervision violation with the identifiers that answer it.
type Violation struct {
	Type     string   `json:"type"`
	IDNumber string   `json:"id_number,omitempty"`
	Name     string   `json:"name,omitempty"`
	IDs      []string `json:"ids"`
	Detail   string   `json:"detail"`
}

// CaseGap is something a case file missed that the world (or another case) reveals.
type CaseGap struct {
	CaseNo     string `json:"case_no"`
	What       string `json:"what"` // missed_card, missed_offender, unreported_victim
	Value      string `json:"value"`
	RevealedBy string `json:"revealed_by,omitempty"` // another case naming it, when one does
}

type justice struct {
	cases, parties, judgments, custody, licenses, penalties [][]string
	deathRows                                               [][]string // deaths.csv
	violations                                              []Violation
	gaps                                                    []CaseGap
	pensioners                                              []pensioner
	convicted                                               map[int32]string // person → judgment no
	caseSeq, judgSeq, penSeq                                int
	namedIn                                                 map[string]string // card or id → first case naming it
	licensed                                                map[int32]bool
}

type pensioner struct {
	person           int32
	base             int64 // cents per month
	stopFrom, stopTo int64 // window in which payment stops: custody, or after death (0,0 when none)
	payInCustody     bool  // violation: keeps paying in custody
	died             int64 // world time of death, 0 when alive
	noRaise          bool  // under correction in July: must not be raised
	raiseAnyway      bool  // violation: raised during correction
}

func (j *justice) caseNo(w *world, d int32, t int64) string {
	j.caseSeq++
	return "A" + w.divs[d].Code + "0000" + worldDate(t).Format("200601") + pad(int64(j.caseSeq), 5)
}

func (j *justice) party(caseNo, role string, w *world, p int32, card string) {
	pr := &w.persons[p]
	j.parties = append(j.parties, []string{caseNo, role, pr.name, pr.idNumber, pr.phone, card, card, pr.address})
	for _, k := range []string{pr.idNumber, card} {
		if _, ok := j.namedIn[k]; !ok && k != "" {
			j.namedIn[k] = caseNo
		}
	}
}

// judge records a judgment and the custody or correction that follows it.
func (j *justice) judge(w *world, r *rand.Rand, caseNo string, p int32, charge string, prison, probation int, fine int64, effective int64) string {
	pr := &w.persons[p]
	j.judgSeq++
	dv := w.divs[pr.div]
	no := "(" + worldDate(effective).Format("2006") + ")" + provinceAbbr(dv.Province) + dv.Code[:4] + "刑初" + strconv.Itoa(j.judgSeq) + "号"
	court := dv.County + "人民法院"
	judged := effective - int64(10+r.IntN(5))*day
	stype := "有期徒刑"
	if charge == "危险驾驶罪" {
		stype = "拘役"
	}
	j.judgments = append(j.judgments, []string{caseNo, court, no, dateText(judged), dateText(effective), pr.name, pr.idNumber, charge, stype, strconv.Itoa(prison), strconv.Itoa(probation), string(appendCents(nil, fine))})
	if probation > 0 {
		j.custody = append(j.custody, []string{pr.idNumber, pr.name, "社区矫正", dateText(effective), dateText(effective + int64(probation)*30*day), dv.County + "司法局社区矫正中心", dv.County + "司法局"})
	} else {
		j.custody = append(j.custody, []string{pr.idNumber, pr.name, "服刑", dateText(effective), dateText(effective + int64(prison)*30*day), dv.Province + "第" + strconv.Itoa(1+r.IntN(5)) + "监狱", dv.Province + "监狱管理局"})
	}
	j.convicted[p] = no
	return no
}

var provinceAbbrs = map[string]string{"北京": "京", "天津": "津", "河北": "冀", "山西": "晋", "内蒙": "蒙", "辽宁": "辽", "吉林": "吉", "黑龙": "黑", "上海": "沪", "江苏": "苏", "浙江": "浙", "安徽": "皖", "福建": "闽", "江西": "赣", "山东": "鲁", "河南": "豫", "湖北": "鄂", "湖南": "湘", "广东": "粤", "广西": "桂", "海南": "琼", "重庆": "渝", "四川": "川", "贵州": "黔", "云南": "滇", "西藏": "藏", "陕西": "陕", "甘肃": "甘", "青海": "青", "宁夏": "宁", "新疆": "新"}

func provinceAbbr(p string) string {
	r := []rune(p)
	if len(r) >= 2 {
		if a, ok := provinceAbbrs[string(r[:2])]; ok {
			return a
		}
	}
	return "京"
}

func (j *justice) penalty(w *world, p int32, uscc, subject, ptype string, t int64, agency, reason, caseNo string, amount int64) string {
	j.penSeq++
	no := agency[:min(len(agency), 9)] + "罚决字〔" + worldDate(t).Format("2006") + "〕" + strconv.Itoa(j.penSeq) + "号"
	id := ""
	if p >= 0 {
		id = w.persons[p].idNumber
	}
	j.penalties = append(j.penalties, []string{id, uscc, subject, ptype, no, dateText(t), agency, reason, caseNo, string(appendCents(nil, amount))})
	return no
}

// buildJustice writes the case registry, judgments, rosters, licences and penalties, and
// injects the supervision violations with their answers.
func buildJustice(w *world, f *fraudWorld, p params) *justice {
	r := newRand(w.seed, streamJustice)
	j := &justice{convicted: map[int32]string{}, namedIn: map[string]string{}, licensed: map[int32]bool{}}
	for ri := range f.rings {
		j.ringCases(w, f, r, ri)
	}
	j.background(w, f, r, p)
	j.shellViolations(w, f, r)
	j.deaths(w)
	j.scanPensions(w)
	return j
}

func (j *justice) ringCases(w *world, f *fraudWorld, r *rand.Rand, ri int) {
	g := &f.rings[ri]
	moved := map[int32]bool{} // cards that carried money: the only ones an investigation can find
	for _, e := range f.events {
		if e.from >= 0 {
			moved[e.from] = true
		}
		if e.to >= 0 {
			moved[e.to] = true
		}
	}
	// Fraud cases: victims report to the police; each case lists the cards the police found.
	per := 12
	for s := 0; s < len(g.victims); s += per {
		vs := g.victims[s:min(s+per, len(g.victims))]
		var last int64
		var loss int64
		var reported []int32
		for _, v := range vs {
			if r.IntN(100) < 85 || len(reported) == 0 {
				reported = append(reported, v)
			}
		}
		rep := map[int32]bool{}
		for _, v := range reported {
			rep[v] = true
		}
		cardsSeen := map[int32]bool{}
		var l1 []int32
		for _, pay := range f.payments {
			if rep[pay.victim] {
				loss += pay.amount
				last = max(last, f.events[pay.event].t)
				to := f.events[pay.event].to
				if !cardsSeen[to] {
					cardsSeen[to] = true
					l1 = append(l1, to)
				}
			}
		}
		reg := last + int64(1+r.IntN(10))*day
		vd := w.persons[reported[0]].div
		cn := j.caseNo(w, vd, reg)
		status := []string{"侦查中", "审查起诉", "已判决"}[r.IntN(3)]
		j.cases = append(j.cases, []string{cn, "诈骗罪", "被害人" + w.persons[reported[0]].name + "等被电信网络诈骗案", dateText(reg), w.divs[vd].County + "公安局", status, "被害人接到自称客服或公检法人员电话后转账", string(appendCents(nil, loss))})
		for _, v := range vs {
			if rep[v] {
				j.party(cn, "victim", w, v, w.accounts[w.persons[v].accounts[0]].card)
			} else {
				j.gaps = append(j.gaps, CaseGap{CaseNo: cn, What: "unreported_victim", Value: w.persons[v].idNumber})
			}
		}
		for _, c := range l1 {
			a := &w.accounts[c]
			if r.IntN(10) < 7 {
				j.party(cn, "suspect", w, a.holder, a.card)
			} else {
				j.gaps = append(j.gaps, CaseGap{CaseNo: cn, What: "missed_card", Value: a.card})
			}
		}
		if status == "已判决" || r.IntN(2) == 0 {
			op := g.operators[r.IntN(len(g.operators))]
			j.party(cn, "suspect", w, op, "")
			if status == "已判决" {
				j.judge(w, r, cn, op, "诈骗罪", 60+r.IntN(60), 0, int64(50_000+r.IntN(200_000))*100, reg+int64(90+r.IntN(120))*day)
			}
		}
	}
	// 帮信 cases, one per dealer: the dealer and most of the farmers, with some of their cards.
	shellReps := map[int32]bool{}
	for _, c := range g.shells {
		shellReps[w.companies[c].legalRep] = true
	}
	for di, dealer := range g.dealers {
		t := g.start + g.span + int64(20+r.IntN(60))*day
		cn := j.caseNo(w, w.persons[dealer].div, t)
		j.cases = append(j.cases, []string{cn, "帮助信息网络犯罪活动罪", w.persons[dealer].name + "等帮助信息网络犯罪活动案", dateText(t), w.divs[w.persons[dealer].div].County + "公安局", "已判决", "收购、出售银行卡供电信网络诈骗使用", "0.00"})
		j.party(cn, "suspect", w, dealer, "")
		eff := t + int64(100+r.IntN(100))*day
		j.judge(w, r, cn, dealer, "帮助信息网络犯罪活动罪", 24+r.IntN(24), 0, int64(20_000+r.IntN(50_000))*100, eff)
		for _, fm := range g.farmers[di] {
			cards := w.persons[fm].accounts
			mules := []int32{}
			for _, a := range cards {
				if w.accounts[a].ring >= 0 && moved[a] {
					mules = append(mules, a)
				}
			}
			if r.IntN(10) < 6 || shellReps[fm] {
				for k, a := range mules {
					if k < 1+len(mules)/2 {
						j.party(cn, "suspect", w, fm, w.accounts[a].card)
					} else {
						j.gaps = append(j.gaps, CaseGap{CaseNo: cn, What: "missed_card", Value: w.accounts[a].card, RevealedBy: j.namedIn[w.accounts[a].card]})
					}
				}
				prob := 0
				if r.IntN(2) == 0 && !shellReps[fm] {
					prob = 12 + r.IntN(12)
				}
				j.judge(w, r, cn, fm, "帮助信息网络犯罪活动罪", 6+r.IntN(8), prob, int64(2_000+r.IntN(10_000))*100, eff)
				continue
			}
			j.gaps = append(j.gaps, CaseGap{CaseNo: cn, What: "missed_offender", Value: w.persons[fm].idNumber, RevealedBy: j.namedIn[w.persons[fm].idNumber]})
			if r.IntN(2) == 0 {
				// A separate case ends in non-prosecution; the police should then impose the
				// administrative penalty for renting out cards (Anti-Telecom Fraud Law art. 31, 38).
				t2 := t + int64(30+r.IntN(60))*day
				cn2 := j.caseNo(w, w.persons[fm].div, t2)
				j.cases = append(j.cases, []string{cn2, "帮助信息网络犯罪活动罪", w.persons[fm].name + "帮助信息网络犯罪活动案", dateText(t2), w.divs[w.persons[fm].div].County + "公安局", "不起诉", "出售本人银行卡，情节轻微，作相对不起诉", "0.00"})
				if len(mules) > 0 {
					j.party(cn2, "suspect", w, fm, w.accounts[mules[0]].card)
				} else {
					j.party(cn2, "suspect", w, fm, "")
				}
				if r.IntN(2) == 0 {
					j.penalty(w, fm, "", w.persons[fm].name, "罚款", t2+int64(20+r.IntN(40))*day, w.divs[w.persons[fm].div].County+"公安局", "出租、出借、出售银行卡", cn2, int64(5000+r.IntN(15000))*100)
				} else {
					j.violations = append(j.violations, Violation{Type: "non_prosecution_without_followup", IDNumber: w.persons[fm].idNumber, Name: w.persons[fm].name, IDs: []string{cn2}, Detail: "不起诉后未移送行政处罚"})
				}
			}
		}
	}
	// 掩隐: the holders of the last-level cards who withdrew cash.
	var last []int32
	for _, a := range g.levels[g.depth] {
		if w.accounts[a].holder >= 0 {
			last = append(last, a)
		}
	}
	if len(last) > 0 && r.IntN(3) > 0 {
		t := g.start + g.span + int64(40+r.IntN(60))*day
		h := w.accounts[last[0]].holder
		cn := j.caseNo(w, w.persons[h].div, t)
		j.cases = append(j.cases, []string{cn, "掩饰、隐瞒犯罪所得罪", w.persons[h].name + "掩饰、隐瞒犯罪所得案", dateText(t), w.divs[w.persons[h].div].County + "公安局", "已判决", "明知是电信网络诈骗所得仍通过ATM取现转移", "0.00"})
		j.party(cn, "suspect", w, h, w.accounts[last[0]].card)
		if _, done := j.convicted[h]; !done {
			j.judge(w, r, cn, h, "掩饰、隐瞒犯罪所得罪", 12+r.IntN(24), 0, int64(10_000+r.IntN(30_000))*100, t+int64(120+r.IntN(60))*day)
		}
	}
}

// shellViolations: a shell company whose legal representative was convicted should be
// deregistered; most stay active (the violation), a few were correctly revoked.
func (j *justice) shellViolations(w *world, f *fraudWorld, r *rand.Rand) {
	for ri := range f.rings {
		for _, c := range f.rings[ri].shells {
			co := &w.companies[c]
			jn, ok := j.convicted[co.legalRep]
			if !ok {
				continue
			}
			if r.IntN(10) < 7 {
				j.violations = append(j.violations, Violation{Type: "shell_company_active_after_conviction", IDNumber: w.persons[co.legalRep].idNumber, Name: co.name, IDs: []string{co.uscc, jn, w.accounts[co.account].acct}, Detail: "法定代表人因帮信罪被判刑后，涉案空壳公司仍为存续状态"})
			} else {
				co.status = "吊销"
				co.dissolved = f.rings[ri].start + f.rings[ri].span + int64(300+r.IntN(100))*day
			}
		}
	}
}
