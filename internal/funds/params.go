package funds

import (
	"fmt"
	"strconv"
	"strings"
)

// TypologyParams are the detection thresholds. The defaults are one setting for all data;
// docs/funds.md explains each.
type TypologyParams struct {
	// OneOffMax: a transfer is unusual when its sender and receiver exchange at most this many
	// transfers in that direction in the whole dataset. Default 1.
	OneOffMax int `json:"one_off_max"`
	// RhythmMin: a pair with at least this many transfers is judged by its rhythm, and an
	// extra transfer off it is unusual (docs/funds.md, "Typologies"). Pairs with more than
	// OneOffMax and fewer than RhythmMin transfers are taken as regular. Default 3.
	RhythmMin int `json:"rhythm_min"`
	// RhythmMax: a pair with more than this many transfers is a settled relationship whose
	// extra payments are part of it; none of its transfers is unusual. Default 48.
	RhythmMax int `json:"rhythm_max"`
	// RhythmTolerancePct: two gaps of a pair are the same when they differ by at most this
	// percentage of the gap (and at least by an hour). Default 5.
	RhythmTolerancePct int `json:"rhythm_tolerance_pct"`
	// FanMin: a fan-in (fan-out) hub has at least this many distinct unusual senders
	// (receivers). Default 3.
	FanMin int `json:"fan_min"`
	// FanSharePct: the unusual senders of a fan-in hub make up at least this percentage of
	// all the accounts that paid it. Shops and other big accounts receive one-off payments
	// from many strangers all the time; a collection account takes most of its money from
	// them. Default 10.
	FanSharePct int `json:"fan_share_pct"`
	// FanMoneyPct: the unusual transfers of a fan-in hub bring at least this percentage of
	// the money it received from the first of them to the last (its pay, cash it paid in,
	// regular relations and purchases from it count too). A collection account lives on
	// strangers' money; a busy person or shop that also gets one-off payments does not.
	// Default 50.
	FanMoneyPct int `json:"fan_money_pct"`
	// MiddleMin: a scatter-gather has at least this many distinct intermediaries between one
	// source and one sink. Default 3.
	MiddleMin int `json:"middle_min"`
	// CycleMin: a cycle joins at least this many accounts. Default 3.
	CycleMin int `json:"cycle_min"`
	// PassHours: a living account (one that makes or receives transfers whose memo names
	// ordinary life: salary, pension, rent, bills, purchases) takes part in a pattern only
	// through transfers that pass money on within this many hours: it paid strangers out of
	// money that had just arrived, or paid on what a stranger had just sent. Default 24.
	PassHours int `json:"pass_hours"`
	// FastMin: fast-in-fast-out looks at unusual transfers of at least this many yuan.
	// Default 5000.
	FastMin int `json:"fast_min"`
	// PurchaseMax: a purchase (消费, 支付宝 …) of this many yuan or more is not ordinary life
	// but a possible cash-out (gold, phones). Default 10000.
	PurchaseMax int `json:"purchase_max"`
	// BipartiteMin: a bipartite group has at least this many senders and this many
	// receivers, every sender paying every receiver; a stack chains such groups. Default 3.
	BipartiteMin int `json:"bipartite_min"`
	// StructuringBandPct: a day's total lies just below a reporting threshold when it is
	// within this percentage under it. Default 10.
	StructuringBandPct int `json:"structuring_band_pct"`
	// StructuringMin: structuring needs at least this many such days … Default 3.
	StructuringMin int `json:"structuring_min"`
	// StructuringDays: … within this many days. Default 30.
	StructuringDays int `json:"structuring_days"`
	// VictimsMin: many-victims-to-one-account needs transfers from at least this many
	// distinct known victims. Default 2.
	VictimsMin int `json:"victims_min"`
}

// DefaultTypologyParams returns the documented defaults.
func DefaultTypologyParams() TypologyParams {
	return TypologyParams{OneOffMax: 1, RhythmMin: 3, RhythmMax: 48, RhythmTolerancePct: 5, FanMin: 3, FanSharePct: 10, FanMoneyPct: 50, MiddleMin: 3, CycleMin: 3, PassHours: 24, PurchaseMax: 10000, FastMin: 5000,
		BipartiteMin: 3, StructuringBandPct: 10, StructuringMin: 3, StructuringDays: 30, VictimsMin: 2}
}

// paramNames lists the parameter names Set accepts, for messages.
const paramNames = "one_off_max, rhythm_min, rhythm_max, rhythm_tolerance_pct, fan_min, fan_share_pct, fan_money_pct, middle_min, cycle_min, pass_hours, purchase_max, fast_min, bipartite_min, structuring_band_pct, structuring_min, structuring_days, victims_min"

// Set changes one parameter from its name in docs ("fan_min=4").
func (p *TypologyParams) Set(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if !ok || err != nil || n < 1 {
		return fmt.Errorf("parameter %q: write name=N with N ≥ 1 (%s)", kv, paramNames)
	}
	switch strings.TrimSpace(k) {
	case "one_off_max":
		p.OneOffMax = n
	case "rhythm_min":
		p.RhythmMin = n
	case "rhythm_max":
		p.RhythmMax = n
	case "rhythm_tolerance_pct":
		p.RhythmTolerancePct = n
	case "fan_min":
		p.FanMin = n
	case "fan_share_pct":
		p.FanSharePct = n
	case "fan_money_pct":
		if n > 100 {
			return fmt.Errorf("parameter %q: the share of money is a percentage, at most 100", kv)
		}
		p.FanMoneyPct = n
	case "middle_min":
		p.MiddleMin = n
	case "cycle_min":
		p.CycleMin = n
	case "pass_hours":
		p.PassHours = n
	case "purchase_max":
		p.PurchaseMax = n
	case "fast_min":
		p.FastMin = n
	case "bipartite_min":
		p.BipartiteMin = n
	case "structuring_band_pct":
		if n >= 100 {
			return fmt.Errorf("parameter %q: the band is a percentage below the threshold, under 100", kv)
		}
		p.StructuringBandPct = n
	case "structuring_min":
		p.StructuringMin = n
	case "structuring_days":
		p.StructuringDays = n
	case "victims_min":
		p.VictimsMin = n
	default:
		return fmt.Errorf("parameter %q is unknown: use %s", k, paramNames)
	}
	return nil
}
