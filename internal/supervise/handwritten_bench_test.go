package supervise

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"procura/internal/store"
	"procura/internal/synth"
)

// handWritten is the query an analyst would write by hand for the same logic as a built-in
// model: the same filters, groups and measures, the same rows out (every row behind a clue).
// The victims' cards are joined as typed, where the model normalises both sides.
var handWritten = map[string]string{
	"card_dealer_device": `
WITH g AS (
  SELECT open_imei, count(DISTINCT holder_id_number) AS holders, count(DISTINCT card_no) AS cards
  FROM ds_accounts WHERE card_no IS NOT NULL AND open_imei IS NOT NULL
  GROUP BY open_imei HAVING count(DISTINCT holder_id_number) >= 3)
SELECT g.holders, g.cards, a.open_imei, a.open_ip, a.open_mac, a.holder_id_number, a.holder_name, a.card_no, a.bank, a.branch_code,
       a.opened_at, a._batch, a._line
FROM ds_accounts a JOIN g ON a.open_imei = g.open_imei
WHERE a.card_no IS NOT NULL
ORDER BY a.open_imei, a._batch, a._line`,
	"account_paid_by_many_victims": `
WITH r AS (
  SELECT v.id_number, v.case_no, v.name, v._batch AS vb, v._line AS vl, t.counterparty_account, t.counterparty_name,
         t.counterparty_id_number, t.tx_id, t.time, t.amount, t._batch AS tb, t._line AS tl
  FROM ds_case_parties v JOIN ds_transactions t ON v.bank_card = t.account JOIN ds_cases k ON v.case_no = k.case_no
  WHERE v.role = 'victim' AND t.direction = 'out' AND t.counterparty_id_number IS NOT NULL
    AND t.counterparty_account IS NOT NULL AND abs(t.amount) >= 1000 AND t.time < k.registered_at + INTERVAL 1 DAY),
g AS (SELECT counterparty_account, count(DISTINCT id_number) AS victims, sum(amount) AS paid
  FROM r GROUP BY counterparty_account HAVING count(DISTINCT id_number) >= 2)
SELECT g.victims, g.paid, r.* FROM r JOIN g ON r.counterparty_account = g.counterparty_account
ORDER BY r.counterparty_account, vb, vl, tb, tl`,
}

// benchStore opens the workspace named by PROCURA_BENCH_WORKSPACE (such as one holding the
// medium world) or imports a small synthetic world into a fresh embedded workspace.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	ctx := context.Background()
	if ws := os.Getenv("PROCURA_BENCH_WORKSPACE"); ws != "" {
		st, err := store.Open(ctx, store.Options{Workspace: ws, Holder: "supervise benchmark"})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	dir := b.TempDir()
	if _, err := synth.Generate(ctx, synth.Options{Out: dir, Seed: 7, Scale: "small", Formats: []string{"canonical"}}); err != nil {
		b.Fatal(err)
	}
	st, err := store.Init(ctx, store.Options{Workspace: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	importWorld(b, st, dir)
	return st
}

func drain(b *testing.B, db *sql.DB, q string) int {
	rows, err := db.Query(q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkCompiledVersusHandWritten runs two models' compiled SQL and the hand-written
// query for the same logic; the compiled query should stay within 1.2× of the hand-written one.
// The machine is shared, so each iteration runs both queries, in alternating order, and the
// benchmark reports their wall and CPU times per query and the ratios (compiled / hand).
func BenchmarkCompiledVersusHandWritten(b *testing.B) {
	st := benchStore(b)
	env, err := WorkspaceEnv(context.Background(), st)
	if err != nil {
		b.Fatal(err)
	}
	ms, err := Builtins()
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range ms {
		hand, ok := handWritten[m.ID]
		if !ok {
			continue
		}
		q, err := Compile(m, env, st.Backend(), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(m.ID, func(b *testing.B) {
			var wall, cpu [2]time.Duration // compiled, hand
			var rows [2]int
			run := func(k int, sqlText string) {
				w0, c0 := time.Now(), cpuTime()
				rows[k] = drain(b, st.DB(), sqlText)
				wall[k] += time.Since(w0)
				cpu[k] += cpuTime() - c0
			}
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					run(0, q.SQL)
					run(1, hand)
				} else {
					run(1, hand)
					run(0, q.SQL)
				}
				i++
			}
			if rows[0] != rows[1] {
				b.Errorf("%s: compiled query returns %d rows, the hand-written one %d", m.ID, rows[0], rows[1])
			}
			n := float64(i)
			b.ReportMetric(float64(wall[0].Milliseconds())/n, "compiled-ms")
			b.ReportMetric(float64(wall[1].Milliseconds())/n, "hand-ms")
			b.ReportMetric(float64(wall[0])/float64(wall[1]), "wall-ratio")
			b.ReportMetric(float64(cpu[0])/float64(max(cpu[1], 1)), "cpu-ratio")
		})
	}
}
