package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// VictimSource is where known victims' account and card numbers came from.
type VictimSource struct {
	Datasets []string // case_parties datasets read
	Numbers  []string // distinct bank_card and account values of rows with the role victim
}

// KnownVictims reads the bank cards and accounts of the case parties whose role is victim,
// from the named case_parties datasets, or from every case_parties dataset of the workspace
// when none is named. A workspace without case parties yields no numbers and no error.
func (s *Store) KnownVictims(ctx context.Context, datasets ...string) (VictimSource, error) {
	var src VictimSource
	if len(datasets) == 0 {
		rows, err := s.db.QueryContext(ctx, `SELECT name FROM datasets WHERE kind = 'case_parties' ORDER BY name`)
		if err != nil {
			return src, fmt.Errorf("list case_parties datasets: %w", err)
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return src, fmt.Errorf("list case_parties datasets: %w", err)
			}
			datasets = append(datasets, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return src, fmt.Errorf("list case_parties datasets: %w", err)
		}
	} else {
		for _, d := range datasets {
			kind, err := s.DatasetKind(ctx, d)
			if err != nil {
				return src, err
			}
			if kind != "case_parties" {
				return src, fmt.Errorf("dataset %s is of kind %q, not case_parties: give a dataset imported with --kind case_parties, or a file of victims' numbers", d, kind)
			}
		}
	}
	seen := map[string]bool{}
	for _, d := range datasets {
		q := `SELECT bank_card, account FROM ` + s.dialect.Quote(DatasetTable(d)) + ` WHERE role = 'victim'`
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			return src, fmt.Errorf("read victims of %s: %w", d, err)
		}
		for rows.Next() {
			var card, acct sql.NullString
			if err := rows.Scan(&card, &acct); err != nil {
				rows.Close()
				return src, fmt.Errorf("read victims of %s: %w", d, err)
			}
			for _, v := range []sql.NullString{card, acct} {
				if v.Valid && v.String != "" && !seen[v.String] {
					seen[v.String] = true
					src.Numbers = append(src.Numbers, v.String)
				}
			}
		}
		err = errors.Join(rows.Err(), rows.Close())
		if err != nil {
			return src, fmt.Errorf("read victims of %s: %w", d, err)
		}
		src.Datasets = append(src.Datasets, d)
	}
	return src, nil
}
