package supervise

import (
	"context"
	"errors"
	"strings"
	"testing"

	"procura/internal/store"
	"procura/internal/store/storetest"
)

func TestTheSQLEscapeHatchAcceptsExpressionsAndRefusesStatementsAndFileAccess(t *testing.T) {
	cases := []struct {
		expr string
		ok   bool
	}{
		{"b.amount > 100 AND lower(b.agency) LIKE '%社保%'", true},
		{"coalesce(b.amount, 0) * 2 >= 10", true},
		{"b.amount > 0; DROP TABLE clues", false},
		{"b.amount > 0 -- comment", false},
		{"b.id_number IN (SELECT id_number FROM ds_custody)", false},
		{"read_csv('/etc/passwd') IS NOT NULL", false},
		{"pg_read_file('/etc/passwd') = ''", false},
		{"b.amount > (SELECT 1)", false},
		{`"b"."amount" > 1`, false},
		{"b.no_such > 1", false},
		{"(b.amount > 1", false},
		{"'it''s' = b.name", true},
	}
	for _, c := range cases {
		m := mustParse(t, strings.Replace(benefitModel, "EXPR", c.expr, 1))
		ps := Validate(m, Env{KindsOnly: true})
		if (len(ps) == 0) != c.ok {
			t.Errorf("sql: %s: problems %v, want ok=%t", c.expr, ps, c.ok)
		}
	}
}

const benefitModel = `
id: test_escape
version: 1
title: {en: test}
measure: protest
severity: low
inputs:
  b: {kind: benefits}
logic:
  from: b
  where:
    - sql: |-
        EXPR
clue:
  subject: {type: person, key: b.id_number}
  fingerprint: [b.id_number]
  title: {en: "{b.name}"}
`

func mustParse(t *testing.T, src string) *Model {
	t.Helper()
	m, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestValidationReportsEveryProblemAtOnceWithItsLine(t *testing.T) {
	m := mustParse(t, `id: x
version: 0
title: {en: t}
measure: praise
severity: high
inputs:
  a: {kind: accounts}
  j: {kind: judgments}
logic:
  from: a
  join:
    - input: j
      on: [{left: a.opened_at, right: j.defendant_id_number}]
  group:
    by: [a.holder_id_number]
    measures:
      n: {count: "*"}
    having:
      - {measure: m, op: ge, value: 2}
clue:
  subject: {type: person, key: a.holder_id_number}
  fingerprint: [a.holder_id_number]
  title: {en: "{a.nothing} {n}"}
`)
	ps := Validate(m, Env{KindsOnly: true})
	want := map[int]string{1: "model id", 2: "version", 4: "measure", 13: "type mismatch in a join", 19: "unknown measure m", 23: "missing column"}
	for line, msg := range want {
		found := false
		for _, p := range ps {
			if p.Line == line && strings.Contains(p.Message, msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem %q at line %d in %v", msg, line, ps)
		}
	}
	if err := error(ps); !errors.Is(err, ErrInvalid) {
		t.Error("Problems does not match ErrInvalid")
	}
}

func TestATimeWindowJoinCompilesToABucketedEqualityJoin(t *testing.T) {
	m := mustParse(t, `id: test_within
version: 1
title: {en: t}
measure: protest
severity: low
inputs:
  o: {kind: transactions}
  i: {kind: transactions}
logic:
  from: o
  join:
    - input: i
      on: [{left: o.counterparty_account, right: i.account}]
      within: {left: o.time, right: i.time, after: 24h}
clue:
  subject: {type: account, key: o.account}
  fingerprint: [o.tx_id, i.tx_id]
  title: {en: "{o.account}"}
`)
	q, err := Compile(m, Env{KindsOnly: true}, "duckdb", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`CAST(floor(date_part('epoch', u."time") / 86400) AS BIGINT) AS "_bk"`, `"i"."_bk" = CAST(floor(date_part('epoch', "o"."time") / 86400) AS BIGINT) + "_g1".k`, `"i"."time" <= ("o"."time" + INTERVAL '86400 seconds')`} {
		if !strings.Contains(q.SQL, want) {
			t.Errorf("compiled SQL lacks %s:\n%s", want, q.SQL)
		}
	}
}

func TestAToleranceJoinFindsPairsAcrossABucketBoundaryOnBothBackends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		importCSV(t, st, "tx", "transactions", `tx_id,account,time,amount,counterparty_account
A,6222020000000001,2024-01-01 23:50:00,-100.00,6222020000000002
B,6222020000000002,2024-01-02 00:10:00,100.00,6222020000000001
C,6222020000000002,2024-01-04 00:10:00,-90.00,6222020000000009
`)
		m := mustParse(t, `id: test_pass_on
version: 1
title: {en: t}
measure: protest
severity: low
inputs:
  o: {kind: transactions}
  i: {kind: transactions}
logic:
  from: o
  join:
    - input: i
      on: [{left: o.counterparty_account, right: i.account}]
      within: {left: o.time, right: i.time, after: 1h}
  where:
    - {col: o.amount, op: lt, value: "0"}
clue:
  subject: {type: account, key: i.account}
  fingerprint: [o.tx_id, i.tx_id]
  fields: [o.tx_id, i.tx_id]
  title: {en: "{o.tx_id} -> {i.tx_id}"}
`)
		env, _ := WorkspaceEnv(ctx, st)
		fs, _, _, err := Find(ctx, st.DB(), st.Backend(), st.Location(), m, env, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].TitleEN != "A -> B" {
			t.Errorf("findings = %+v, want the one pair A -> B twenty minutes apart across midnight", fs)
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(benefitModel))
	f.Add([]byte(drunkModel))
	f.Add([]byte("id: [\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse(src)
		if err != nil {
			return
		}
		// Invariant: a parsed model validates without panicking, and a model that validates
		// compiles to SQL that names every input it declares.
		if ps := Validate(m, Env{KindsOnly: true}); len(ps) == 0 {
			q, err := Compile(m, Env{KindsOnly: true}, "duckdb", nil)
			if err != nil || q.SQL == "" {
				t.Fatalf("valid model does not compile: %v", err)
			}
		}
		for _, ps := range Validate(m, Env{KindsOnly: true}) {
			if ps.Line < 1 {
				t.Fatalf("problem without a line: %v", ps)
			}
		}
	})
}

func BenchmarkCompileCardsAtManyBanks(b *testing.B) {
	ms, err := Builtins()
	if err != nil {
		b.Fatal(err)
	}
	var m *Model
	for _, x := range ms {
		if x.ID == "cards_at_many_banks" {
			m = x
		}
	}
	for b.Loop() {
		if _, err := Compile(m, Env{KindsOnly: true}, "duckdb", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// A grouped model over one input re-reads its rows by scanning the input again (so the
// groups' keys filter that scan); over a join it computes the rows once.
func TestAGroupedScanIsInlinedAndAGroupedJoinIsComputedOnce(t *testing.T) {
	ms, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[bool]bool{}
	for _, m := range ms {
		if m.Logic.Group == nil {
			continue
		}
		q, err := Compile(m, Env{KindsOnly: true}, "duckdb", nil)
		if err != nil {
			t.Fatalf("%s: %v", m.ID, err)
		}
		scan := len(m.Logic.Join) == 0 && len(m.Logic.Absent) == 0
		seen[scan] = true
		if got := strings.Contains(q.SQL, `WITH "base" AS NOT MATERIALIZED (`); got != scan {
			t.Errorf("%s (one input: %v): base inlined = %v", m.ID, scan, got)
		}
	}
	if !seen[true] || !seen[false] {
		t.Errorf("the library should hold grouped models over one input and over joins: %v", seen)
	}
}

// An input of one dataset is read straight from its table, so the engine pushes every filter
// into the scan; an input of several datasets is their union, each row naming its dataset.
func TestAnInputOfOneDatasetReadsItsTableAndOfSeveralTheirUnion(t *testing.T) {
	m := mustParse(t, `id: test_direct
version: 1
title: {en: t}
measure: protest
severity: low
inputs:
  a: {kind: accounts}
logic:
  from: a
  where: [{col: a.card_no, op: not_null}]
clue:
  subject: {type: account, key: a.card_no}
  fingerprint: [a.card_no]
  title: {en: "{a.card_no}"}
`)
	cols := []Column{{Name: "card_no", Type: "text"}}
	one := Env{Datasets: []Dataset{{Name: "acc1", Kind: "accounts", Columns: cols}}}
	two := Env{Datasets: []Dataset{{Name: "acc1", Kind: "accounts", Columns: cols}, {Name: "acc2", Kind: "accounts", Columns: cols}}}
	q1, err := Compile(m, one, "duckdb", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`FROM "ds_acc1" AS "a"`, `'acc1' AS "a._ds"`} {
		if !strings.Contains(q1.SQL, want) {
			t.Errorf("one dataset: SQL lacks %s:\n%s", want, q1.SQL)
		}
	}
	q2, err := Compile(m, two, "duckdb", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`SELECT 'acc1' AS "_ds"`, ` UNION ALL SELECT 'acc2' AS "_ds"`, `"a"."_ds" AS "a._ds"`} {
		if !strings.Contains(q2.SQL, want) {
			t.Errorf("two datasets: SQL lacks %s:\n%s", want, q2.SQL)
		}
	}
}
