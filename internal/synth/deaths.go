package synth

import "strconv"

// streamDeaths is the random stream of deaths, apart from the justice stream, so adding or
// changing deaths leaves every other file of the world as it was.
const streamDeaths = 64

// deathsHeader is the header of deaths.csv (kind deaths).
const deathsHeader = "id_number,name,death_date,source,record_no,agency,registered_at"

// yearlyDeathsPerMille is the chance per thousand that a person of the given age dies in the
// world's year, close to China's age-specific mortality.
func yearlyDeathsPerMille(age int) int {
	switch {
	case age < 40:
		return 1
	case age < 60:
		return 4
	case age < 70:
		return 10
	case age < 80:
		return 30
	}
	return 90
}

// deaths lets part of the population die during 2024 and writes the registrations each death
// leaves: a medical death certificate (卫健), a cremation record (民政殡葬) and the
// cancellation of the household registration (公安户籍注销), most deaths having two or three.
// A deceased pensioner's pension is paid up to the month of death; for some the agency keeps
// paying for one to three months, or until the data ends. Persons named in a case, pensioners
// in custody or correction and the rings' people do not die, so no other answer changes.
func (j *justice) deaths(w *world) {
	r := newRand(w.seed, streamDeaths)
	pension := map[int32]int{}
	for i := range j.pensioners {
		pension[j.pensioners[i].person] = i
	}
	var deceasedPensioners []int
	seq := 0
	for i := range w.persons {
		pr := &w.persons[i]
		if pr.role != roleNormal || pr.nationality != "CHN" || j.namedIn[pr.idNumber] != "" || j.convicted[int32(i)] != "" {
			continue
		}
		k, isPensioner := pension[int32(i)]
		if isPensioner && (j.pensioners[k].stopTo > 0 || j.pensioners[k].noRaise) {
			continue
		}
		if r.IntN(1000) >= yearlyDeathsPerMille(2024-pr.birth/10000) {
			continue
		}
		died := int64(r.IntN(numDays)) * day
		dv := w.divs[pr.div]
		year := worldDate(died).Format("2006")
		record := func(source, prefix, agency string, after int64) {
			seq++
			no := prefix + dv.Code + year + pad(int64(seq), 6)
			j.deathRows = append(j.deathRows, []string{pr.idNumber, pr.name, dateText(died), source, no, agency, dateText(died + after*day)})
		}
		medical, funeral, household := r.IntN(100) < 85, r.IntN(100) < 90, r.IntN(100) < 75
		if !medical && !funeral {
			household = true
		}
		if medical {
			record("卫健死亡医学证明", "Y", dv.County+"人民医院", int64(r.IntN(2)))
		}
		if funeral {
			city := dv.Prefecture
			if city == "市辖区" {
				city = dv.Province
			}
			record("民政殡葬", "H", city+"殡仪馆", int64(1+r.IntN(7)))
		}
		if household {
			record("公安户籍注销", "Z", dv.County+"公安局"+streets[r.IntN(len(streets))]+"派出所", int64(3+r.IntN(60)))
		}
		if isPensioner {
			j.pensioners[k].died = died
			deceasedPensioners = append(deceasedPensioners, k)
		}
	}
	// The agency learns of most deaths in time; for about one in eight deceased pensioners
	// (at least four, so a small world has answers) it keeps paying after the month of death.
	want := min(len(deceasedPensioners), max(4, len(deceasedPensioners)/8))
	for n, k := range deceasedPensioners {
		pe := &j.pensioners[k]
		y, m, _ := worldDate(pe.died).Date()
		extra := 0                                    // months paid after the month of death
		if r.IntN(len(deceasedPensioners)-n) < want { // selection sampling: exactly want of them
			want--
			extra = 1 + r.IntN(3)
			if r.IntN(2) == 0 {
				extra = 99 // never stopped within the data
			}
		}
		pe.stopFrom, pe.stopTo = worldDateOf(y, int(m)+1+extra, 1), worldDateOf(2100, 1, 1)
	}
}

// benefitMonths is the number of monthly pension payments benefits.csv holds (January 2024 to
// June 2025).
const benefitMonths = 18

// pensionPayment is the payment rule of writeBenefits for month m (0 = January 2024): its pay
// date, amount and whether it is paid at all. The truth scans below use it; the synth tests
// recompute the violations from benefits.csv, so a rule that drifts from writeBenefits fails them.
func pensionPayment(pe *pensioner, m int) (pay, amount int64, paid bool) {
	pay = worldDateOf(2024+m/12, 1+m%12, 15)
	if pe.stopTo > 0 && pay >= pe.stopFrom && pay < pe.stopTo && !pe.payInCustody {
		return pay, 0, false
	}
	amount = pe.base
	if m >= 6 && (!pe.noRaise || pe.raiseAnyway) {
		amount = amount * 103 / 100
	}
	return pay, amount, true
}

// periodText is the first day of month m (0 = January 2024), as benefits.csv writes periods.
func periodText(m int) string {
	return strconv.Itoa(2024+m/12) + "-" + pad(int64(1+m%12), 2) + "-01"
}

// scanPensions labels the pension violations from the generated data itself, by the rule each
// model states, so the truth is complete: besides the injected cases, a pensioner sentenced to
// criminal detention for drunk driving is paid in prison, and a pensioner on probation for
// another offence is raised in July. Benefit paid after death is labelled here too.
func (j *justice) scanPensions(w *world) {
	type period struct{ kind, start, end string }
	custody := map[string][]period{}
	for _, c := range j.custody {
		custody[c[0]] = append(custody[c[0]], period{c[2], c[3], c[4]})
	}
	have := map[string]bool{}
	for _, v := range j.violations {
		have[v.Type+"|"+v.IDNumber] = true
	}
	add := func(v Violation) {
		if !have[v.Type+"|"+v.IDNumber] {
			have[v.Type+"|"+v.IDNumber] = true
			j.violations = append(j.violations, v)
		}
	}
	for i := range j.pensioners {
		pe := &j.pensioners[i]
		pr := &w.persons[pe.person]
		for _, c := range custody[pr.idNumber] {
			switch c.kind {
			case "服刑":
				for m := range benefitMonths {
					if pay, _, paid := pensionPayment(pe, m); paid && dateText(pay) >= c.start && dateText(pay) < c.end {
						add(Violation{Type: "pension_paid_during_custody", IDNumber: pr.idNumber, Name: pr.name, IDs: []string{j.convicted[pe.person], pr.idNumber}, Detail: "服刑期间仍领取基本养老金"})
						break
					}
				}
			case "社区矫正":
				// The raise takes effect with the July 2024 payment.
				_, june, paid0 := pensionPayment(pe, 5)
				_, july, paid1 := pensionPayment(pe, 6)
				if paid0 && paid1 && july > june && c.start <= periodText(6) && periodText(6) <= c.end {
					add(Violation{Type: "pension_raised_during_correction", IDNumber: pr.idNumber, Name: pr.name, IDs: []string{j.convicted[pe.person], pr.idNumber}, Detail: "社区矫正期间违规上调基本养老金"})
				}
			}
		}
		if pe.died == 0 {
			continue
		}
		y, mo, _ := worldDate(pe.died).Date()
		deathMonth := (y-2024)*12 + int(mo) - 1
		var after []string
		for m := deathMonth + 1; m < benefitMonths; m++ {
			if _, _, paid := pensionPayment(pe, m); paid {
				after = append(after, periodText(m))
			}
		}
		if len(after) > 0 {
			add(Violation{Type: "benefit_paid_after_death", IDNumber: pr.idNumber, Name: pr.name, IDs: append([]string{pr.idNumber}, after...),
				Detail: dateText(pe.died) + "死亡后仍发放基本养老金" + strconv.Itoa(len(after)) + "个月"})
		}
	}
}
