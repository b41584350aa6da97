package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"procura/internal/funds"
	"procura/internal/score"
	"procura/internal/synth"
)

// DemoFindings is what the demo's analyses found, in the terms a prosecutor reads.
type DemoFindings struct {
	Models      []DemoModel    `json:"models"`
	Clues       int            `json:"clues"`
	Victims     int            `json:"victim_payments_traced"`
	VictimMoney funds.Cents    `json:"victim_money"`
	CashedOut   funds.Cents    `json:"cashed_out"`
	Level1      []DemoAccount  `json:"level1_accounts"`
	Typologies  map[string]int `json:"typology_findings"`
	Flagged     int            `json:"flagged_accounts"`
	// Link analysis across cases.
	LinkedCases     int `json:"linked_cases"`
	MissedCards     int `json:"missed_card_candidates"`
	MissedOffenders int `json:"missed_offender_candidates"`
	Controllers     int `json:"controllers"`
}

// DemoModel is one supervision model's run in the demo.
type DemoModel struct {
	ID        string  `json:"id"`
	Clues     int     `json:"clues"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// DemoAccount is an account the victims' money went through.
type DemoAccount struct {
	Account string      `json:"account"`
	Holder  string      `json:"holder"`
	Amount  funds.Cents `json:"amount"`
}

// demoAnalyses runs every analysis procura has on the imported world and scores it against
// the world's truth: supervision models (truth/violations.json), fund tracing of every victim
// payment (truth/money_paths.csv), and typologies (truth/mule_accounts.csv).
func (a *App) demoAnalyses(ctx context.Context, world string, res *DemoResult) error {
	ctx = scoringOnly(ctx) // results are scored against the truth, never shown
	truth := filepath.Join(world, "truth")
	if err := a.demoModels(ctx, filepath.Join(truth, "violations.json"), res); err != nil {
		return err
	}
	if err := a.demoTrace(ctx, truth, res); err != nil {
		return err
	}
	if err := a.demoTypologies(ctx, truth, res); err != nil {
		return err
	}
	if err := a.demoResolve(ctx, truth, res); err != nil {
		return err
	}
	if err := a.demoCollisions(ctx, truth, res); err != nil {
		return err
	}
	return a.demoLinks(ctx, truth, res)
}

// demoCollisions collides the cases' identifiers in the entity graph and scores what it says
// each case missed against truth/case_gaps.csv (cards and offenders that other data reveal).
func (a *App) demoCollisions(ctx context.Context, truth string, res *DemoResult) error {
	want := map[string]map[string]bool{"card": {}, "offender": {}}
	kinds := map[string]string{"missed_card": "card", "missed_offender": "offender"}
	if err := eachCSV(filepath.Join(truth, "case_gaps.csv"), func(r map[string]string) {
		if k, ok := kinds[r["what"]]; ok {
			want[k][r["case_no"]+"|"+r["value"]] = true
		}
	}); err != nil {
		return err
	}
	cr, err := a.GraphCollisions(ctx, CollisionsRequest{})
	if err != nil {
		return fmt.Errorf("demo: cross-case collisions: %w", err)
	}
	got := map[string]map[string]bool{"card": {}, "offender": {}}
	for _, c := range cr.Candidates {
		if m, ok := got[c.What]; ok {
			m[c.Case+"|"+c.Node.Key] = true
		}
	}
	res.Findings.LinkedCases = len(cr.Links)
	res.Findings.MissedCards = len(got["card"])
	res.Findings.MissedOffenders = len(got["offender"])
	res.Findings.Controllers = len(cr.Controllers)
	res.Scores["collisions_missed_cards"] = newScore(score.Sets(got["card"], want["card"]), "cards a case file missed that other cases and bank data reveal")
	res.Scores["collisions_missed_offenders"] = newScore(score.Sets(got["offender"], want["offender"]), "offenders a case file missed that other data reveal")
	return nil
}

func (a *App) demoModels(ctx context.Context, violations string, res *DemoResult) error {
	runs, err := a.RunModels(ctx, RunRequest{All: true})
	if err != nil {
		return fmt.Errorf("demo: run models: %w", err)
	}
	var tp, fp, fn int64
	for _, r := range runs {
		m := DemoModel{ID: r.ModelID, Clues: int(r.CluesFound)}
		res.Findings.Clues += int(r.CluesFound)
		bt, err := a.Backtest(ctx, r.ModelID, violations, nil)
		if err == nil {
			m.Precision, m.Recall = bt.Precision, bt.Recall
			tp += int64(bt.TruePositives)
			fp += int64(bt.Clues - bt.TruePositives)
			fn += int64(bt.Truth - bt.Recalled)
		}
		res.Findings.Models = append(res.Findings.Models, m)
	}
	res.Scores["supervision_models"] = newScore(score.Of(tp, fp, fn), fmt.Sprintf("%d models run; clues against the injected violations", len(runs)))
	return nil
}

func (a *App) demoTrace(ctx context.Context, truth string, res *DemoResult) error {
	var ids []string
	if err := eachCSV(filepath.Join(truth, "victim_payments.csv"), func(r map[string]string) { ids = append(ids, r["tx_id"]) }); err != nil {
		return err
	}
	want := map[string]map[string]bool{"level1": {}, "level2": {}, "cash_out": {}}
	if err := eachCSV(filepath.Join(truth, "money_paths.csv"), func(r map[string]string) {
		switch r["to_level"] {
		case "1":
			want["level1"][r["to"]] = true
		case "2":
			want["level2"][r["to"]] = true
		}
		if r["method"] == "atm" || r["method"] == "gold" {
			want["cash_out"][r["from_account"]] = true
		}
	}); err != nil {
		return err
	}
	tr, err := a.Trace(ctx, TraceRequest{Dataset: "transactions", SeedTxIDs: ids, Options: funds.TraceOptions{
		Policy: funds.LIBR, MaxHops: 6, HopWindow: 72 * time.Hour, MinCents: 10000, NoFlows: true}})
	if err != nil {
		return fmt.Errorf("demo: trace the victims' payments: %w", err)
	}
	got := map[string]map[string]bool{"level1": {}, "level2": {}, "cash_out": {}}
	f := &res.Findings
	f.Victims = len(tr.Seeds)
	for _, s := range tr.Seeds {
		f.VictimMoney += s.Amount
	}
	for _, acc := range tr.Result.Accounts {
		if acc.InData && acc.Level == 1 {
			got["level1"][acc.Account] = true
			f.Level1 = append(f.Level1, DemoAccount{Account: acc.Account, Holder: acc.Holder, Amount: acc.In})
		}
		if acc.InData && acc.Level == 2 {
			got["level2"][acc.Account] = true
		}
		if acc.CashOut > 0 {
			got["cash_out"][acc.Account] = true
			f.CashedOut += acc.CashOut
		}
	}
	sort.Slice(f.Level1, func(i, j int) bool { return f.Level1[i].Amount > f.Level1[j].Amount })
	detail := map[string]string{"level1": "level-1 cards: received victims' money directly", "level2": "level-2 cards", "cash_out": "accounts that cashed out (ATM, gold/POS)"}
	for _, k := range []string{"level1", "level2", "cash_out"} {
		res.Scores["trace_"+k] = newScore(score.Sets(got[k], want[k]), detail[k])
	}
	return nil
}

func (a *App) demoTypologies(ctx context.Context, truth string, res *DemoResult) error {
	mules := map[string]bool{}
	if err := eachCSV(filepath.Join(truth, "mule_accounts.csv"), func(r map[string]string) { mules[r["account"]] = true }); err != nil {
		return err
	}
	ty, err := a.Typologies(ctx, TypologyRequest{Dataset: "transactions", Params: funds.DefaultTypologyParams()})
	if err != nil {
		return fmt.Errorf("demo: typologies: %w", err)
	}
	got := map[string]bool{}
	for _, acc := range ty.FlaggedAccounts {
		got[acc] = true
	}
	res.Findings.Typologies = ty.Counts
	res.Findings.Flagged = len(ty.FlaggedAccounts)
	res.Scores["typologies_ring_members"] = newScore(score.Sets(got, mules), "accounts flagged by laundering typologies against the rings' mule accounts")
	return nil
}

// eachCSV calls fn with every record of a truth CSV as a map from header to value.
func eachCSV(path string, fn func(map[string]string)) error {
	rows, err := synth.ReadCSV(path)
	if err != nil {
		return fmt.Errorf("demo truth: %w", err)
	}
	for _, r := range rows {
		fn(r)
	}
	return nil
}
