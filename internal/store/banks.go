package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// AccountBank is where an account is held, as an accounts dataset (开户信息) says.
type AccountBank struct {
	Bank, Branch string
}

// AccountBanks looks the given account or card numbers up in every accounts dataset of the
// workspace that has a bank column, and returns the bank and branch of those found (by the
// number asked for). The first dataset (by name) that names a bank for a number wins.
func (s *Store) AccountBanks(ctx context.Context, numbers []string) (map[string]AccountBank, error) {
	out := map[string]AccountBank{}
	if len(numbers) == 0 {
		return out, nil
	}
	names, err := s.datasetsOfKind(ctx, "accounts")
	if err != nil {
		return nil, err
	}
	for _, d := range names {
		cols, err := s.tableColumns(ctx, DatasetTable(d))
		if err != nil {
			return nil, fmt.Errorf("accounts dataset %s: %w", d, err)
		}
		if !cols["bank"] || !cols["account"] {
			continue
		}
		card, branch := "NULL", "NULL"
		if cols["card_no"] {
			card = "card_no"
		}
		if cols["branch_name"] {
			branch = "branch_name"
		}
		// Chunks keep the statements under the parameter limits of both backends.
		for start := 0; start < len(numbers); start += 500 {
			chunk := numbers[start:min(start+500, len(numbers))]
			if err := s.accountBanksIn(ctx, d, card, branch, chunk, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (s *Store) accountBanksIn(ctx context.Context, dataset, card, branch string, numbers []string, out map[string]AccountBank) error {
	ph := make([]string, len(numbers))
	args := make([]any, len(numbers))
	for i, n := range numbers {
		ph[i], args[i] = "$"+strconv.Itoa(i+1), n
	}
	in := strings.Join(ph, ", ")
	where := "account IN (" + in + ")"
	if card != "NULL" {
		where += " OR card_no IN (" + in + ")"
	}
	q := `SELECT account, ` + card + `, bank, ` + branch + ` FROM ` + s.dialect.Quote(DatasetTable(dataset)) +
		` WHERE bank IS NOT NULL AND bank <> '' AND (` + where + `)`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read banks of %s: %w", dataset, err)
	}
	for rows.Next() {
		var acct, cardNo, bank, br sql.NullString
		if err := rows.Scan(&acct, &cardNo, &bank, &br); err != nil {
			rows.Close()
			return fmt.Errorf("read banks of %s: %w", dataset, err)
		}
		for _, n := range []sql.NullString{acct, cardNo} {
			if _, seen := out[n.String]; n.Valid && n.String != "" && !seen {
				out[n.String] = AccountBank{Bank: bank.String, Branch: br.String}
			}
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("read banks of %s: %w", dataset, err)
	}
	return nil
}

// datasetsOfKind lists the datasets of a kind, by name.
func (s *Store) datasetsOfKind(ctx context.Context, kind string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM datasets WHERE kind = $1 ORDER BY name`, kind)
	if err != nil {
		return nil, fmt.Errorf("list %s datasets: %w", kind, err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list %s datasets: %w", kind, err)
		}
		names = append(names, n)
	}
	return names, errors.Join(rows.Err(), rows.Close())
}

// tableColumns returns the names of a table's columns.
func (s *Store) tableColumns(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	cols := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read columns: %w", err)
		}
		cols[n] = true
	}
	return cols, errors.Join(rows.Err(), rows.Close())
}
