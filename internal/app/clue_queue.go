package app

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"procura/internal/casework"
	"procura/internal/store"
	"procura/internal/supervise"
)

// ClueSorts names the columns clues can be sorted by, alphabetically: score (the severity),
// created, updated, model, status (in the order of the lifecycle), assignee, due and id.
func ClueSorts() []string {
	return slices.Sorted(maps.Keys(store.ClueSorts))
}

// clueFilter checks q and turns it into the store's filter for p.
func (a *App) clueFilter(p Principal, q ClueQuery) (store.ClueFilter, error) {
	if q.Status != "" {
		if err := casework.CheckStatus(q.Status); err != nil {
			return store.ClueFilter{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	if q.Severity != "" && !slices.Contains(supervise.Severities, q.Severity) {
		return store.ClueFilter{}, fmt.Errorf("%w: severity %q is not known: use one of %s", ErrInvalid, q.Severity, strings.Join(supervise.Severities, ", "))
	}
	if _, ok := store.ClueSorts[q.Sort]; q.Sort != "" && !ok {
		return store.ClueFilter{}, fmt.Errorf("%w: clues cannot be sorted by %q: sort by one of %s", ErrInvalid, q.Sort, strings.Join(ClueSorts(), ", "))
	}
	desc := false
	switch strings.ToLower(q.Order) {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return store.ClueFilter{}, fmt.Errorf("%w: order %q is not known: use asc or desc", ErrInvalid, q.Order)
	}
	f := store.ClueFilter{ModelID: q.ModelID, Status: q.Status, Assignee: q.Assignee, CaseID: q.CaseID, Limit: q.Limit,
		Offset: q.Offset, VisibleTo: visibleTo(p), Severity: q.Severity, Dataset: q.Dataset, Text: strings.TrimSpace(q.Text),
		Sort: q.Sort, Desc: desc}
	if q.Overdue {
		f.DueBefore = a.now()
	}
	if !q.All {
		holds := !q.Gone
		f.Holds = &holds
	}
	return f, nil
}

// ClueStatusCounts counts the clues the user may see that match q in each status of the
// lifecycle, whatever q.Status says: the queue shows how the clues it filters are spread.
func (a *App) ClueStatusCounts(ctx context.Context, q ClueQuery) (map[string]int64, error) {
	p, err := a.authorize(ctx, ActClueRead)
	if err != nil {
		return nil, err
	}
	f, err := a.clueFilter(p, q)
	if err != nil {
		return nil, err
	}
	return a.st.ClueStatusCounts(ctx, f)
}

// EvidenceRows are the rows of one dataset behind a clue: the first two columns are the
// batch and the line, the others the dataset's own.
type EvidenceRows struct {
	Dataset string     `json:"dataset"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
	// Missing counts the rows the clue names that are no longer stored (a batch removed
	// since the model ran).
	Missing int `json:"missing"`
}

// MaxEvidenceRows is how many evidence rows of a clue are read at most: a clue that names
// more says so (ClueEvidence's truncated), and the full list is in its evidence references.
const MaxEvidenceRows = 500

// ClueEvidence reads the dataset rows behind clue id, masked unless the user asks and may
// see them unmasked. truncated reports that the clue names more than MaxEvidenceRows rows.
func (a *App) ClueEvidence(ctx context.Context, id int64) (out []EvidenceRows, truncated bool, err error) {
	c, _, err := a.clue(ctx, ActClueRead, id)
	if err != nil {
		return nil, false, err
	}
	if _, err := a.authorize(ctx, ActDatasetRead); err != nil {
		return nil, false, err
	}
	v, err := clueView(c)
	if err != nil {
		return nil, false, err
	}
	refs := map[string][]store.RowRef{}
	var order []string
	seen := map[supervise.Evidence]bool{}
	n := 0
	for _, e := range v.Evidence {
		key := supervise.Evidence{Dataset: e.Dataset, Batch: e.Batch, Line: e.Line}
		if seen[key] {
			continue
		}
		if n == MaxEvidenceRows {
			truncated = true
			break
		}
		seen[key] = true
		n++
		if _, ok := refs[e.Dataset]; !ok {
			order = append(order, e.Dataset)
		}
		refs[e.Dataset] = append(refs[e.Dataset], store.RowRef{Batch: e.Batch, Line: e.Line})
	}
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return nil, false, err
	}
	cols := map[string][]DatasetColumn{}
	for _, d := range infos {
		var sch struct {
			Columns []DatasetColumn `json:"columns"`
		}
		if json.Unmarshal([]byte(d.ColumnsJSON), &sch) == nil {
			cols[d.Name] = sch.Columns
		}
	}
	out = []EvidenceRows{}
	total := 0
	for _, ds := range order {
		set := EvidenceRows{Dataset: ds, Columns: []string{"_batch", "_line"}, Rows: [][]string{}}
		dc, ok := cols[ds]
		if !ok { // the dataset is gone: every row it held is missing
			set.Missing = len(refs[ds])
			out = append(out, set)
			continue
		}
		names := make([]string, len(dc))
		for i, c := range dc {
			names[i] = c.Name
		}
		set.Columns = append(set.Columns, names...)
		rows, err := a.st.RowsAt(ctx, ds, names, refs[ds])
		if err != nil {
			return nil, false, err
		}
		set.Rows = append(set.Rows, rows...)
		set.Missing = len(refs[ds]) - len(rows)
		total += len(rows)
		out = append(out, set)
	}
	return out, truncated, a.maskEvidence(ctx, c, cols, out, total)
}

// maskEvidence masks evidence rows column by column, by the semantic type of each column,
// or records the unmasked view.
func (a *App) maskEvidence(ctx context.Context, c store.Clue, cols map[string][]DatasetColumn, sets []EvidenceRows, rows int) error {
	if ctx.Value(scoringKey{}) != nil {
		return nil
	}
	show, err := a.revealed(ctx, shown{Object: "clue_evidence", ID: strconv.FormatInt(c.ID, 10), CaseID: c.CaseID, Rows: rows})
	if err != nil || show {
		return err
	}
	for _, set := range sets {
		sem := map[string]string{}
		for _, dc := range cols[set.Dataset] {
			sem[dc.Name] = dc.Semantic
		}
		plan := basePlan.withColumns(sem)
		for _, row := range set.Rows {
			for i := 2; i < len(row) && i < len(set.Columns); i++ { // batch and line name no one
				row[i] = plan.apply(set.Columns[i], row[i])
			}
		}
	}
	return nil
}

// TransitionAction is the permission a move of a clue into status to needs ("" when no clue
// moves there), so that a page offers only the moves the user's role may make.
func TransitionAction(to string) Action {
	return gateAction[casework.GateOf(to)]
}
