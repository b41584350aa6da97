package synth

import (
	"math/rand/v2"
	"strconv"
)

var licenceClasses = []string{"C1", "C1", "C1", "C2", "B2", "A2", "C1E"}

func (j *justice) licence(w *world, r *rand.Rand, p int32, status string, statusDate int64) {
	pr := &w.persons[p]
	issued := -int64(200+r.IntN(5000)) * day
	j.licenses = append(j.licenses, []string{pr.idNumber, pr.name, "机动车驾驶证", pr.idNumber, licenceClasses[r.IntN(len(licenceClasses))], status, dateText(statusDate), dateText(issued), w.divs[pr.div].Prefecture + "公安局交通警察支队"})
	j.licensed[p] = true
}

// background adds the justice records of ordinary life and the injected violations that do not
// come from the rings.
func (j *justice) background(w *world, f *fraudWorld, r *rand.Rand, p params) {
	n := len(w.persons)
	free := func(minAge int) int32 {
		for {
			i := int32(r.IntN(n))
			pr := &w.persons[i]
			if pr.role == roleNormal && pr.nationality == "CHN" && 2024-pr.birth/10000 >= minAge && !j.licensed[i] && j.convicted[i] == "" {
				return i
			}
		}
	}
	// Drunk driving (危险驾驶罪): the licence must be revoked (Road Traffic Safety Law art. 91).
	for k := 0; k < max(6, n/1000); k++ {
		pi := free(22)
		eff := int64(r.IntN(300)) * day
		t := eff - int64(60+r.IntN(60))*day
		cn := j.caseNo(w, w.persons[pi].div, t)
		j.cases = append(j.cases, []string{cn, "危险驾驶罪", w.persons[pi].name + "危险驾驶案", dateText(t), w.divs[w.persons[pi].div].County + "公安局", "已判决", "醉酒驾驶机动车", "0.00"})
		j.party(cn, "suspect", w, pi, "")
		prob := 0
		if r.IntN(2) == 0 {
			prob = 2 + r.IntN(4)
		}
		jn := j.judge(w, r, cn, pi, "危险驾驶罪", 1+r.IntN(5), prob, int64(2000+r.IntN(8000))*100, eff)
		if r.IntN(4) == 0 {
			j.licence(w, r, pi, "正常", -int64(r.IntN(1000))*day)
			j.violations = append(j.violations, Violation{Type: "drunk_driving_licence_not_revoked", IDNumber: w.persons[pi].idNumber, Name: w.persons[pi].name, IDs: []string{jn, w.persons[pi].idNumber}, Detail: "醉驾被判刑后驾驶证未吊销"})
		} else {
			j.licence(w, r, pi, "吊销", eff+int64(r.IntN(20))*day)
		}
	}
	// Correction subjects with a revoked licence; some are recorded driving during correction.
	for k := 0; k < max(6, n/1500); k++ {
		pi := free(22)
		j.licence(w, r, pi, "吊销", -int64(100+r.IntN(500))*day)
		eff := int64(r.IntN(200)) * day
		t := eff - 90*day
		cn := j.caseNo(w, w.persons[pi].div, t)
		j.cases = append(j.cases, []string{cn, "盗窃罪", w.persons[pi].name + "盗窃案", dateText(t), w.divs[w.persons[pi].div].County + "公安局", "已判决", "入户盗窃", "0.00"})
		j.party(cn, "suspect", w, pi, "")
		j.judge(w, r, cn, pi, "盗窃罪", 6+r.IntN(6), 12+r.IntN(12), int64(2000+r.IntN(5000))*100, eff)
		if k%2 == 0 {
			td := eff + int64(30+r.IntN(200))*day
			dn := j.penalty(w, pi, "", w.persons[pi].name, "罚款", td, w.divs[w.persons[pi].div].Prefecture+"公安局交通警察支队", "驾驶机动车违反道路交通信号灯通行（驾驶证已吊销）", "", 20000)
			j.violations = append(j.violations, Violation{Type: "correction_subject_driving_revoked_licence", IDNumber: w.persons[pi].idNumber, Name: w.persons[pi].name, IDs: []string{dn, w.persons[pi].idNumber}, Detail: "社区矫正期间驾驶证已吊销仍驾驶机动车"})
		}
	}
	// Pensioners: most are ordinary; some are imprisoned or under correction.
	for i := range w.persons {
		pr := &w.persons[i]
		if 2024-pr.birth/10000 >= 60 && pr.nationality == "CHN" && r.IntN(10) < 4 {
			j.pensioners = append(j.pensioners, pensioner{person: int32(i), base: int64(1800+r.IntN(3500)) * 100})
		}
	}
	used := map[int]bool{}
	pickPensioner := func() *pensioner {
		for k := 0; k < 1000; k++ {
			x := r.IntN(len(j.pensioners))
			pe := &j.pensioners[x]
			if !used[x] && j.convicted[pe.person] == "" && w.persons[pe.person].role == roleNormal {
				used[x] = true
				return pe
			}
		}
		return nil
	}
	for k := 0; k < max(6, n/1500); k++ {
		pe := pickPensioner()
		if pe == nil {
			break
		}
		pi := pe.person
		eff := int64(r.IntN(240)) * day
		t := eff - 100*day
		cn := j.caseNo(w, w.persons[pi].div, t)
		j.cases = append(j.cases, []string{cn, "诈骗罪", w.persons[pi].name + "诈骗案", dateText(t), w.divs[w.persons[pi].div].County + "公安局", "已判决", "以投资养老项目为名骗取他人财物", "0.00"})
		j.party(cn, "suspect", w, pi, "")
		if k%2 == 0 {
			// Imprisoned: the basic pension is suspended while serving the sentence.
			months := 8 + r.IntN(12)
			jn := j.judge(w, r, cn, pi, "诈骗罪", months, 0, 500_000, eff)
			pe.stopFrom, pe.stopTo = eff, eff+int64(months)*30*day
			pe.payInCustody = r.IntN(3) > 0
			if pe.payInCustody {
				j.violations = append(j.violations, Violation{Type: "pension_paid_during_custody", IDNumber: w.persons[pi].idNumber, Name: w.persons[pi].name, IDs: []string{jn, w.persons[pi].idNumber}, Detail: "服刑期间仍领取基本养老金"})
			}
		} else {
			// Probation from before July 2024: no annual raise while under correction.
			eff = int64(r.IntN(150)) * day
			jn := j.judge(w, r, cn, pi, "诈骗罪", 12, 24, 300_000, eff)
			pe.noRaise = true
			pe.raiseAnyway = r.IntN(2) == 0
			if pe.raiseAnyway {
				j.violations = append(j.violations, Violation{Type: "pension_raised_during_correction", IDNumber: w.persons[pi].idNumber, Name: w.persons[pi].name, IDs: []string{jn, w.persons[pi].idNumber}, Detail: "社区矫正期间违规上调基本养老金"})
			}
		}
	}
	// Ordinary licences and traffic penalties.
	for i := range w.persons {
		pi := int32(i)
		if j.licensed[pi] || w.persons[i].nationality != "CHN" || 2024-w.persons[i].birth/10000 < 20 || r.IntN(4) > 0 {
			continue
		}
		j.licence(w, r, pi, "正常", -int64(r.IntN(3000))*day)
		if r.IntN(30) == 0 {
			j.penalty(w, pi, "", w.persons[i].name, "罚款", int64(r.IntN(numDays))*day, w.divs[w.persons[i].div].Prefecture+"公安局交通警察支队", "机动车超速行驶", "", 20000)
		}
	}
	j.civilSuits(w, r, n)
}

// civilSuits adds private-lending suits: most plaintiffs sue once or twice; a few sue many
// different people (the false-litigation pattern, Criminal Law art. 307-1).
func (j *justice) civilSuits(w *world, r *rand.Rand, n int) {
	suit := func(pl, df int32, t int64) string {
		dv := w.divs[w.persons[pl].div]
		j.caseSeq++
		cn := "(" + worldDate(t).Format("2006") + ")" + provinceAbbr(dv.Province) + dv.Code[:4] + "民初" + strconv.Itoa(j.caseSeq) + "号"
		amt := int64(20_000+r.IntN(300_000)) * 100
		j.cases = append(j.cases, []string{cn, "民间借贷纠纷", w.persons[pl].name + "诉" + w.persons[df].name + "民间借贷纠纷", dateText(t), dv.County + "人民法院", "已结案", "原告持借条起诉要求归还借款", string(appendCents(nil, amt))})
		j.party(cn, "other", w, pl, "")   // 原告: the schema has no plaintiff role
		j.party(cn, "suspect", w, df, "") // 被告 maps to suspect in the schema
		return cn
	}
	for k := 0; k < max(20, n/300); k++ {
		pl := int32(r.IntN(n))
		for s := 0; s < 1+r.IntN(2); s++ {
			suit(pl, int32(r.IntN(n)), int64(r.IntN(numDays))*day)
		}
	}
	for k := 0; k < 2+n/30000; k++ {
		pl := int32(r.IntN(n))
		var ids []string
		for s := 0; s < 8+r.IntN(10); s++ {
			ids = append(ids, suit(pl, int32(r.IntN(n)), int64(r.IntN(numDays))*day))
		}
		j.violations = append(j.violations, Violation{Type: "false_litigation_many_lending_suits", IDNumber: w.persons[pl].idNumber, Name: w.persons[pl].name, IDs: ids, Detail: "同一原告短期内大量提起民间借贷诉讼"})
	}
}
