package funds

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Schedule files that WriteSchedules writes for the case file.
const (
	ScheduleSeeds    = "seeds.csv"
	ScheduleAccounts = "accounts.csv"
	ScheduleFlows    = "flows.csv"
	ScheduleExits    = "exits.csv"
)

// WriteSchedules writes a trace as CSV schedules into dir (created if missing): the seeds
// with where their money ended, the accounts by level with the money of each seed, every
// flow and every exit. Files start with a UTF-8 byte order mark so that spreadsheet programs
// read the holders' names right. It returns the paths written.
func WriteSchedules(dir string, r *Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("export folder %s: %w", dir, err)
	}
	writers := []struct {
		name  string
		write func(io.Writer, *Result) error
	}{
		{ScheduleSeeds, WriteSeedsCSV}, {ScheduleAccounts, WriteAccountsCSV},
		{ScheduleFlows, WriteFlowsCSV}, {ScheduleExits, WriteExitsCSV},
	}
	var paths []string
	for _, w := range writers {
		p := filepath.Join(dir, w.name)
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return paths, fmt.Errorf("export %s: %w", p, err)
		}
		if _, err = io.WriteString(f, "\ufeff"); err == nil {
			err = w.write(f, r)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return paths, fmt.Errorf("export %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// exitColumns is the order of exit kinds in the seeds schedule.
var exitColumns = []string{ExitCashOut, ExitOutside, ExitOnBalance, ExitHeld, ExitUnseen, ExitMaxHops, ExitBelowMin, ExitSeedOverlap}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateTime)
}

func writeAll(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

func seedTx(r *Result, seed int) string {
	if seed >= 0 && seed < len(r.Seeds) {
		return r.Seeds[seed].TxID
	}
	return ""
}

// WriteSeedsCSV writes one row per seed: its transaction, amount and the amount that ended
// in each exit kind.
func WriteSeedsCSV(w io.Writer, r *Result) error {
	header := []string{"seed", "seed_tx", "time", "from", "to", "amount", "levels", "accounts_reached"}
	header = append(header, exitColumns...)
	var rows [][]string
	for _, s := range r.Seeds {
		row := []string{strconv.Itoa(s.Seed), s.TxID, csvTime(s.Time), s.From, s.To, s.Amount.String(),
			strconv.Itoa(s.Levels), strconv.Itoa(s.Reached)}
		for _, k := range exitColumns {
			row = append(row, s.Exits[k].String())
		}
		rows = append(rows, row)
	}
	return writeAll(w, header, rows)
}

// WriteAccountsCSV writes one row per account and seed, by level: the seed's money the
// account received, passed on, withdrew as cash, and kept (received minus passed on).
func WriteAccountsCSV(w io.Writer, r *Result) error {
	type ak struct {
		acct string
		seed int
	}
	cash := map[ak]Cents{}
	for _, x := range r.Exits {
		if x.Kind == ExitCashOut {
			cash[ak{x.Account, x.Seed}] += x.Amount
		}
	}
	accts := slices.Clone(r.Accounts)
	slices.SortStableFunc(accts, func(x, y AccountResult) int {
		return cmp.Or(cmp.Compare(x.Level, y.Level), cmp.Compare(x.Account, y.Account))
	})
	header := []string{"level", "account", "holder", "in_data", "seed", "seed_tx", "attributed_in", "attributed_out",
		"cash_out", "retained", "first_time", "last_time"}
	var rows [][]string
	for _, a := range accts {
		for _, s := range a.Seeds {
			rows = append(rows, []string{strconv.Itoa(a.Level), a.Account, a.Holder, strconv.FormatBool(a.InData),
				strconv.Itoa(s.Seed), seedTx(r, s.Seed), s.In.String(), s.Out.String(), cash[ak{a.Account, s.Seed}].String(),
				(s.In - s.Out).String(), csvTime(a.First), csvTime(a.Last)})
		}
	}
	return writeAll(w, header, rows)
}

// WriteFlowsCSV writes every flow of traced money: transaction, seed, hop and amount.
func WriteFlowsCSV(w io.Writer, r *Result) error {
	header := []string{"tx_id", "time", "from", "to", "channel", "seed", "seed_tx", "hop", "amount"}
	var rows [][]string
	for _, f := range r.Flows {
		rows = append(rows, []string{f.TxID, csvTime(f.Time), f.From, f.To, f.Channel, strconv.Itoa(f.Seed),
			seedTx(r, f.Seed), strconv.Itoa(f.Hop), f.Amount.String()})
	}
	return writeAll(w, header, rows)
}

// WriteExitsCSV writes every exit: where traced money stopped being followed, and why.
func WriteExitsCSV(w io.Writer, r *Result) error {
	header := []string{"kind", "account", "level", "counterparty", "channel", "tx_id", "time", "seed", "seed_tx", "amount"}
	var rows [][]string
	for _, x := range r.Exits {
		rows = append(rows, []string{x.Kind, x.Account, strconv.Itoa(x.Level), x.Counterparty, x.Channel, x.TxID,
			csvTime(x.Time), strconv.Itoa(x.Seed), seedTx(r, x.Seed), x.Amount.String()})
	}
	return writeAll(w, header, rows)
}
