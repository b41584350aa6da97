package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"procura/internal/audit"
	"procura/internal/funds"
	"procura/internal/store"
)

// auditTrace records a trace in the audit log: following victims' money through accounts is
// an investigative act on sensitive data, like screening, so who traced which dataset how is
// on the record. The entry holds the settings and totals, not account numbers.
func (a *App) auditTrace(ctx context.Context, dataset string, r *funds.Result) error {
	levels := 0
	for _, acc := range r.Accounts {
		levels = max(levels, acc.Level)
	}
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: a.actorName(ctx), Action: "trace.run", ObjectType: "dataset", ObjectID: dataset,
			New: TraceRecord{Direction: r.Direction, Policy: string(r.Policy), MaxHops: r.MaxHops, Seeds: len(r.Seeds),
				Seeded: int64(r.Totals["seeded"]), Accounts: len(r.Accounts), Levels: levels, Exits: len(r.Exits),
				ConservationOK: r.ConservationOK}})
	}
	if err != nil {
		return fmt.Errorf("the trace ran, but recording it in the audit log failed, so its result is withheld: %w; check the chain with procura audit verify", err)
	}
	return nil
}

// TraceRecord is what the audit log keeps of a trace.
type TraceRecord struct {
	Direction      string `json:"direction"`
	Policy         string `json:"policy"`
	MaxHops        int    `json:"max_hops"`
	Seeds          int    `json:"seeds"`
	Seeded         int64  `json:"seeded_cents"` // the seed transactions' money followed
	Accounts       int    `json:"accounts"`
	Levels         int    `json:"levels"`
	Exits          int    `json:"exits"`
	ConservationOK bool   `json:"conservation_ok"`
	// Filled in when read back.
	Dataset string    `json:"dataset,omitempty"`
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at,omitzero"`
}

// MoneyTraced sums the traces of the last days days (from the audit log, where each trace
// is recorded) for the dashboard: how many, how much money they followed, and the latest.
type MoneyTraced struct {
	Days    int                    `json:"days"`
	Traces  int                    `json:"traces"`
	Seeded  funds.Cents            `json:"seeded"`
	Latest  []TraceRecord          `json:"latest"` // newest first, at most 5
	Dataset map[string]funds.Cents `json:"by_dataset"`
}

// TracedMoney reads MoneyTraced; it needs trace.run, the permission of those who trace.
func (a *App) TracedMoney(ctx context.Context, days int) (MoneyTraced, error) {
	if _, err := a.authorize(ctx, ActTraceRun); err != nil {
		return MoneyTraced{}, err
	}
	out := MoneyTraced{Days: days, Dataset: map[string]funds.Cents{}}
	es, err := a.st.AuditEntries(ctx, store.AuditFilter{Action: "trace.run", Since: a.now().AddDate(0, 0, -days), Newest: true, Limit: 100000})
	if err != nil {
		return out, err
	}
	for i := len(es) - 1; i >= 0; i-- { // newest first
		var r TraceRecord
		if json.Unmarshal([]byte(es[i].NewJSON), &r) != nil {
			continue
		}
		r.Dataset, r.By, r.At = es[i].ObjectID, es[i].Actor, es[i].At
		out.Traces++
		out.Seeded += funds.Cents(r.Seeded)
		out.Dataset[r.Dataset] += funds.Cents(r.Seeded)
		if len(out.Latest) < 5 {
			out.Latest = append(out.Latest, r)
		}
	}
	return out, nil
}
