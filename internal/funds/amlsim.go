package funds

import (
	"encoding/csv"
	"fmt"
	"io"
	measure "procura/internal/score"
	"slices"
	"strings"
)

// AMLScore is account-level precision, recall and F1.
type AMLScore struct {
	Positives int     `json:"positives"`
	Flagged   int     `json:"flagged"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func newAMLScore(tp, fp, fn int) AMLScore {
	p := measure.Of(int64(tp), int64(fp), int64(fn))
	return AMLScore{TP: tp, FP: fp, FN: fn, Positives: tp + fn, Flagged: tp + fp, Precision: p.Precision, Recall: p.Recall, F1: p.F1}
}

// AMLEvaluation scores typology findings against AMLSim alerts.
type AMLEvaluation struct {
	// Overall: flagged accounts (any detector) against members of SAR alerts of the scored
	// typologies. Members of look-alike alerts and of unscored SAR typologies are left out.
	Overall AMLScore `json:"overall"`
	// ByTypology: positives are the members of SAR alerts of that typology; flagged are the
	// accounts the detector of the same name flagged; other SAR members flagged by it are
	// counted neither way (they are laundering, only of another shape).
	ByTypology map[string]AMLScore `json:"by_typology"`
	// RecallAnyDetector: share of a typology's members flagged by any detector.
	RecallAnyDetector map[string]float64 `json:"recall_any_detector"`
	// LookAlikes: members of is_sar=False alerts, and the share of them flagged.
	LookAlikes        int     `json:"look_alike_accounts"`
	LookAlikesFlagged float64 `json:"look_alikes_flagged_share"`
	// Unscored: members of SAR alerts of typologies without transactions (stack, bipartite).
	Unscored  int `json:"unscored_accounts"`
	Accounts  int `json:"accounts"`
	Negatives int `json:"negatives"`
}

// AMLSimMembershipTypologies have alerts in AMLSim runs whose members made no transactions of
// the pattern; EvaluateAML scores them per typology only.
var AMLSimMembershipTypologies = []string{Bipartite, Stack}

// ReadAMLSimAlerts reads alert_accounts.csv (alert_id, alert_type, acct_id, …, is_sar) into
// SAR members by typology and the look-alike members.
func ReadAMLSimAlerts(r io.Reader) (sar map[string]map[string]bool, lookAlike map[string]bool, err error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("alert accounts: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"alert_type", "acct_id", "is_sar"} {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("alert accounts: no column %s; expected AMLSim alert_accounts.csv with alert_id,alert_type,acct_id,…,is_sar", need)
		}
	}
	sar, lookAlike = map[string]map[string]bool{}, map[string]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("alert accounts line %d: %w", line, err)
		}
		typ, acct := rec[col["alert_type"]], rec[col["acct_id"]]
		if strings.EqualFold(rec[col["is_sar"]], "true") {
			if sar[typ] == nil {
				sar[typ] = map[string]bool{}
			}
			sar[typ][acct] = true
		} else {
			lookAlike[acct] = true
		}
	}
	return sar, lookAlike, nil
}

// EvaluateAML scores findings against AMLSim alerts over the given typologies; accounts lists
// every account of the data (the negatives are those in no alert).
func EvaluateAML(res *TypologyResult, sar map[string]map[string]bool, lookAlike map[string]bool, accounts []string, scored []string) AMLEvaluation {
	pos := map[string]bool{}
	for _, t := range scored {
		for a := range sar[t] {
			pos[a] = true
		}
	}
	skip := map[string]bool{}
	for t, m := range sar {
		if !slices.Contains(scored, t) {
			for a := range m {
				if !pos[a] {
					skip[a] = true
				}
			}
		}
	}
	for a := range lookAlike {
		if !pos[a] {
			skip[a] = true
		}
	}
	flagged := map[string]bool{}
	byDet := map[string]map[string]bool{}
	for _, f := range res.Findings {
		if byDet[f.Typology] == nil {
			byDet[f.Typology] = map[string]bool{}
		}
		for _, a := range f.Accounts {
			flagged[a] = true
			byDet[f.Typology][a] = true
		}
	}
	ev := AMLEvaluation{ByTypology: map[string]AMLScore{}, RecallAnyDetector: map[string]float64{}, Accounts: len(accounts)}
	score := func(found, truth map[string]bool, ignore func(string) bool) AMLScore {
		var tp, fp, fn int
		for a := range found {
			switch {
			case truth[a]:
				tp++
			case !ignore(a):
				fp++
			}
		}
		for a := range truth {
			if !found[a] {
				fn++
			}
		}
		return newAMLScore(tp, fp, fn)
	}
	ev.Overall = score(flagged, pos, func(a string) bool { return skip[a] })
	anySAR := map[string]bool{}
	for _, m := range sar {
		for a := range m {
			anySAR[a] = true
		}
	}
	// Bipartite and stack alerts of AMLSim runs have members but no transactions: their
	// detectors are scored on membership, apart from the overall figure.
	for _, t := range AMLSimMembershipTypologies {
		if len(sar[t]) > 0 {
			ev.ByTypology[t] = score(byDet[t], sar[t], func(a string) bool { return lookAlike[a] || anySAR[a] })
		}
	}
	for _, t := range append(slices.Clone(scored), AMLSimMembershipTypologies...) {
		if _, ok := ev.ByTypology[t]; !ok {
			if slices.Contains(AMLSimMembershipTypologies, t) {
				continue // no alerts of it
			}
			ev.ByTypology[t] = score(byDet[t], sar[t], func(a string) bool { return skip[a] || pos[a] })
		}
		n := 0
		for a := range sar[t] {
			if flagged[a] {
				n++
			}
		}
		if len(sar[t]) > 0 {
			ev.RecallAnyDetector[t] = float64(n) / float64(len(sar[t]))
		}
	}
	la := 0
	for a := range lookAlike {
		if pos[a] {
			continue
		}
		ev.LookAlikes++
		if flagged[a] {
			la++
		}
	}
	if ev.LookAlikes > 0 {
		ev.LookAlikesFlagged = float64(la) / float64(ev.LookAlikes)
	}
	for a := range skip {
		if !lookAlike[a] {
			ev.Unscored++
		}
	}
	for _, a := range accounts {
		if !pos[a] && !skip[a] {
			ev.Negatives++
		}
	}
	return ev
}

// AccountsInData lists the accounts that have statement rows.
func (g *Graph) AccountsInData() []string {
	var out []string
	for i, n := range g.Names {
		if g.InData[i] {
			out = append(out, n)
		}
	}
	return out
}
