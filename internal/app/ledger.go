package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"procura/internal/casework"
	"procura/internal/ledger"
	"procura/internal/store"
)

// featureClue is the ledger's feature for clues that models suggest.
const featureClue = "clue"

// clueDecision is a change of a clue that decides on (or reopens) the model's suggestion.
type clueDecision struct {
	before, after store.Clue
	decision      string // accepted, edited, rejected, or "" to reopen
}

// decisionOf says what a change of a clue means for the model's suggestion: confirming accepts
// it (edited when the severity was corrected), dismissing rejects it, reopening a dismissed
// clue makes it pending again.
func decisionOf(before, after store.Clue) (clueDecision, bool) {
	d := clueDecision{before: before, after: after}
	switch {
	case after.Status == casework.Confirmed && before.Status == casework.Verifying:
		d.decision = ledger.Accepted
		if after.Severity != before.Severity {
			d.decision = ledger.Edited
		}
	case after.Status == casework.Dismissed:
		d.decision = ledger.Rejected
	case before.Status == casework.Dismissed && after.Status == casework.Verifying:
		d.decision = ""
	default:
		return d, false
	}
	return d, true
}

// decideClueSuggestions records the decisions in the ledger inside tx and returns what the
// audit entry of the change records about them.
func (a *App) decideClueSuggestions(ctx context.Context, tx *store.Tx, p Principal, ds []clueDecision, now time.Time) ([]map[string]any, error) {
	var out []map[string]any
	for _, d := range ds {
		s, err := tx.SuggestionOn(ctx, featureClue, "clue", strconv.FormatInt(d.after.ID, 10))
		if errors.Is(err, store.ErrNoSuggestion) {
			continue // a clue put into the store by hand, not by a model run
		}
		if err != nil {
			return nil, err
		}
		final := store.ClueSuggestion(d.after)
		if d.decision == ledger.Rejected {
			final["verdict"] = "no violation"
			final["reason"] = d.after.ReviewNote
		}
		fj, _ := json.Marshal(final)
		if err := decide(&s, d.decision, fj, p.Name, now); err != nil {
			return nil, err
		}
		if err := tx.DecideSuggestion(ctx, s); err != nil {
			return nil, err
		}
		entry := map[string]any{"suggestion": s.ID, "clue": d.after.ID, "decision": s.Decision}
		if s.Distance != nil {
			entry["distance"] = *s.Distance
		}
		out = append(out, entry)
	}
	return out, nil
}

// decide fills in the decision on s: the final version, the diff from the suggestion and the
// distance (0 accepted, 1 rejected, the line distance when edited). An empty decision makes
// the suggestion pending again.
func decide(s *store.Suggestion, decision string, final []byte, by string, now time.Time) error {
	if decision == "" {
		s.Decision, s.DecidedBy, s.DecidedAt, s.FinalJSON, s.Diff, s.Distance = "", "", time.Time{}, "", "", nil
		return nil
	}
	diff, dist, err := ledger.Compare([]byte(s.SuggestionJSON), final)
	if err != nil {
		return err
	}
	switch decision {
	case ledger.Accepted:
		dist = 0
	case ledger.Rejected:
		dist = 1
	}
	s.Decision, s.DecidedBy, s.DecidedAt, s.FinalJSON, s.Diff, s.Distance = decision, by, now, string(final), diff, &dist
	return nil
}

// AIReport answers "did AI decide this?" in numbers: per feature, and per engine and version
// within it, how many suggestions procura's automation made, how many people accepted, edited
// or rejected, and how far the final decisions were from the suggestions.
type AIReport struct {
	Features []AIFeature `json:"features"`
}

// AIFeature sums the ledger of one feature.
type AIFeature struct {
	Feature        string                  `json:"feature"`
	Suggestions    int64                   `json:"suggestions"`
	Pending        int64                   `json:"pending"`
	Accepted       int64                   `json:"accepted"`
	Edited         int64                   `json:"edited"`
	Rejected       int64                   `json:"rejected"`
	AcceptanceRate *float64                `json:"acceptance_rate,omitempty"` // accepted / decided
	MeanDistance   *float64                `json:"mean_distance,omitempty"`   // over decided suggestions
	EditedDistance *float64                `json:"edited_distance,omitempty"` // over edited ones
	Engines        []store.SuggestionTally `json:"engines"`
}

// AIReport reads the AI-assistance ledger. Everyone who reads models or the audit log may.
func (a *App) AIReport(ctx context.Context) (AIReport, error) {
	if _, err := a.authorizeAny(ctx, ActModelRead, ActAuditRead); err != nil {
		return AIReport{}, err
	}
	ts, err := a.st.SuggestionTallies(ctx)
	if err != nil {
		return AIReport{}, err
	}
	rep := AIReport{Features: []AIFeature{}}
	sumDist, sumEdited := map[string]float64{}, map[string]float64{}
	for _, t := range ts {
		if n := len(rep.Features); n == 0 || rep.Features[n-1].Feature != t.Feature {
			rep.Features = append(rep.Features, AIFeature{Feature: t.Feature})
		}
		f := &rep.Features[len(rep.Features)-1]
		f.Engines = append(f.Engines, t)
		f.Suggestions += t.Suggestions
		f.Pending += t.Pending
		f.Accepted += t.Accepted
		f.Edited += t.Edited
		f.Rejected += t.Rejected
		if t.MeanDistance != nil {
			sumDist[t.Feature] += *t.MeanDistance * float64(t.Accepted+t.Edited+t.Rejected)
		}
		if t.EditedDistance != nil {
			sumEdited[t.Feature] += *t.EditedDistance * float64(t.Edited)
		}
	}
	for i := range rep.Features {
		f := &rep.Features[i]
		if decided := f.Accepted + f.Edited + f.Rejected; decided > 0 {
			r := float64(f.Accepted) / float64(decided)
			m := sumDist[f.Feature] / float64(decided)
			f.AcceptanceRate, f.MeanDistance = &r, &m
		}
		if f.Edited > 0 {
			e := sumEdited[f.Feature] / float64(f.Edited)
			f.EditedDistance = &e
		}
	}
	return rep, nil
}

// SuggestionView is a ledger entry with its recorded documents: what the automation read
// (inputs, parameters, sources), what it suggested, and the final decision.
type SuggestionView struct {
	store.Suggestion
	Inputs    json.RawMessage `json:"inputs"`
	Params    json.RawMessage `json:"params"`
	Sources   json.RawMessage `json:"sources"`
	Suggested json.RawMessage `json:"suggested"`
	Final     json.RawMessage `json:"final,omitempty"`
}

func suggestionView(s store.Suggestion) SuggestionView {
	raw := func(t string) json.RawMessage {
		if t == "" || !json.Valid([]byte(t)) {
			return nil
		}
		return json.RawMessage(t)
	}
	return SuggestionView{Suggestion: s, Inputs: raw(s.InputsJSON), Params: raw(s.ParamsJSON), Sources: raw(s.SourcesJSON),
		Suggested: raw(s.SuggestionJSON), Final: raw(s.FinalJSON)}
}

// AISuggestion shows the ledger's record of a suggestion on a subject: for feature clue, the
// subject is a clue id and the clue's permissions and need-to-know apply.
func (a *App) AISuggestion(ctx context.Context, feature, subjectID string) (SuggestionView, error) {
	if feature != featureClue {
		return SuggestionView{}, fmt.Errorf("%w: the ledger holds suggestions of feature %q only so far", ErrInvalid, featureClue)
	}
	id, err := strconv.ParseInt(subjectID, 10, 64)
	if err != nil {
		return SuggestionView{}, fmt.Errorf("%w: clue id %q is not a number: list clues with procura clue list", ErrInvalid, subjectID)
	}
	c, _, err := a.clue(ctx, ActClueRead, id)
	if err != nil {
		return SuggestionView{}, err
	}
	s, err := a.st.SuggestionOn(ctx, feature, "clue", subjectID)
	if err != nil {
		return SuggestionView{}, notFound(err)
	}
	v := suggestionView(s)
	return v, a.maskSuggestion(ctx, c.CaseID, &v)
}
