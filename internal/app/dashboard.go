package app

import (
	"context"
	"time"

	"procura/internal/store"
)

// NewCluesByModel counts the clues each model first found in the last days, among the clues
// the user may see, most first.
func (a *App) NewCluesByModel(ctx context.Context, days int) ([]store.ModelCount, error) {
	p, err := a.authorize(ctx, ActClueRead)
	if err != nil {
		return nil, err
	}
	out, err := a.st.NewCluesByModel(ctx, a.now().AddDate(0, 0, -days), visibleTo(p))
	if out == nil {
		out = []store.ModelCount{}
	}
	return out, err
}

// ClueDeadlines lists the open clues the user may see that have a due date, soonest (and
// overdue) first, masked like any list of clues.
func (a *App) ClueDeadlines(ctx context.Context, limit int) ([]ClueView, error) {
	p, err := a.authorize(ctx, ActClueRead)
	if err != nil {
		return nil, err
	}
	cs, err := a.st.CluesDue(ctx, visibleTo(p), limit)
	if err != nil {
		return nil, err
	}
	out := make([]ClueView, 0, len(cs))
	for _, c := range cs {
		v, err := clueView(c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	views := make([]*ClueView, len(out))
	for i := range out {
		views[i] = &out[i]
	}
	return out, a.maskClues(ctx, "", views)
}

// Overdue reports whether a due date has passed, by the app's clock.
func (a *App) Overdue(due time.Time) bool { return !due.IsZero() && due.Before(a.now()) }
