package synth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func worldViolations(t *testing.T, dir string) map[string]map[string]Violation {
	t.Helper()
	var viol []Violation
	b, err := os.ReadFile(filepath.Join(dir, "truth", "violations.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &viol); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]Violation{}
	for _, v := range viol {
		if out[v.Type] == nil {
			out[v.Type] = map[string]Violation{}
		}
		out[v.Type][v.IDNumber] = v
	}
	return out
}

// TestBenefitPaidAfterDeathIsLabelledFromTheRawFiles recomputes, from deaths.csv and
// benefits.csv alone, who was paid for a month after the month of death, and requires the
// truth to list exactly them with exactly those periods; it also requires controls: deceased
// pensioners whose payments stop with the month of death, some paid for that month after dying.
func TestBenefitPaidAfterDeathIsLabelledFromTheRawFiles(t *testing.T) {
	dir, _ := testWorld(t)
	died := map[string]string{}
	sources := map[string]map[string]bool{}
	for _, d := range readCSV(t, filepath.Join(dir, "deaths.csv")) {
		if prev, ok := died[d["id_number"]]; ok && prev != d["death_date"] {
			t.Errorf("%s: death dates %s and %s disagree", d["id_number"], prev, d["death_date"])
		}
		died[d["id_number"]] = d["death_date"]
		if d["registered_at"] < d["death_date"] {
			t.Errorf("%s: registered %s before the death %s", d["record_no"], d["registered_at"], d["death_date"])
		}
		if sources[d["id_number"]] == nil {
			sources[d["id_number"]] = map[string]bool{}
		}
		sources[d["id_number"]][d["source"]] = true
	}
	after := map[string][]string{}
	paidDeathMonth := map[string]bool{}
	pensioners := map[string]bool{}
	for _, p := range readCSV(t, filepath.Join(dir, "benefits.csv")) {
		d, ok := died[p["id_number"]]
		if !ok {
			continue
		}
		pensioners[p["id_number"]] = true
		switch month := d[:7] + "-01"; {
		case p["period"] > month:
			after[p["id_number"]] = append(after[p["id_number"]], p["period"])
		case p["period"] == month && p["pay_date"] > d:
			paidDeathMonth[p["id_number"]] = true
		}
	}
	labelled := worldViolations(t, dir)["benefit_paid_after_death"]
	if len(labelled) < 4 {
		t.Errorf("%d deaths with benefits paid after them, want at least 4", len(labelled))
	}
	for id, periods := range after {
		v, ok := labelled[id]
		if !ok {
			t.Errorf("%s was paid for %v after dying on %s, but the truth does not list it", id, periods, died[id])
			continue
		}
		if !slices.Equal(v.IDs[1:], periods) {
			t.Errorf("%s: truth lists periods %v, benefits.csv has %v", id, v.IDs[1:], periods)
		}
	}
	for id := range labelled {
		if len(after[id]) == 0 {
			t.Errorf("truth says %s was paid after death, but benefits.csv shows no such payment", id)
		}
	}
	controls, deathMonth := 0, 0
	for id := range pensioners {
		if len(after[id]) == 0 {
			controls++
			if paidDeathMonth[id] {
				deathMonth++
			}
		}
	}
	if controls < len(labelled) || deathMonth == 0 {
		t.Errorf("%d deceased pensioners correctly stopped (%d paid for the month of death after dying) against %d overpaid: the model needs controls", controls, deathMonth, len(labelled))
	}
	several := 0
	for _, s := range sources {
		if len(s) > 1 {
			several++
		}
	}
	if len(died) < 10 || several == 0 {
		t.Errorf("%d deaths, %d registered by several agencies", len(died), several)
	}
}

// TestPensionViolationsAreEveryPaymentTheRulesForbid recomputes the two pension violations
// from custody.csv and benefits.csv by the models' rules and requires the truth to hold
// exactly them: paid on a pay date inside a prison term; raised in July 2024 while under
// community correction on 1 July.
func TestPensionViolationsAreEveryPaymentTheRulesForbid(t *testing.T) {
	dir, _ := testWorld(t)
	type term struct{ kind, start, end string }
	custody := map[string][]term{}
	for _, c := range readCSV(t, filepath.Join(dir, "custody.csv")) {
		custody[c["id_number"]] = append(custody[c["id_number"]], term{c["custody_type"], c["start_date"], c["end_date"]})
	}
	inCustody, raised := map[string]bool{}, map[string]bool{}
	amount := map[string]map[string]float64{}
	for _, p := range readCSV(t, filepath.Join(dir, "benefits.csv")) {
		id := p["id_number"]
		for _, c := range custody[id] {
			if c.kind == "服刑" && p["pay_date"] >= c.start && p["pay_date"] < c.end {
				inCustody[id] = true
			}
		}
		if amount[id] == nil {
			amount[id] = map[string]float64{}
		}
		amount[id][p["period"]], _ = strconv.ParseFloat(p["amount"], 64)
	}
	for id, a := range amount {
		for _, c := range custody[id] {
			if c.kind == "社区矫正" && c.start <= "2024-07-01" && "2024-07-01" <= c.end && a["2024-06-01"] > 0 && a["2024-07-01"] > a["2024-06-01"] {
				raised[id] = true
			}
		}
	}
	v := worldViolations(t, dir)
	for typ, want := range map[string]map[string]bool{"pension_paid_during_custody": inCustody, "pension_raised_during_correction": raised} {
		var missing, extra []string
		for id := range want {
			if _, ok := v[typ][id]; !ok {
				missing = append(missing, id)
			}
		}
		for id := range v[typ] {
			if !want[id] {
				extra = append(extra, id)
			}
		}
		if len(want) == 0 || len(missing)+len(extra) > 0 {
			t.Errorf("%s: %d in the raw files; not in the truth: %s; in the truth only: %s", typ, len(want), strings.Join(missing, " "), strings.Join(extra, " "))
		}
	}
}
