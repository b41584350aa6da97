package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"
)

var txCols = []ColumnDef{
	{Name: "tx_id", Type: TypeText}, {Name: "account", Type: TypeText}, {Name: "card_no", Type: TypeText},
	{Name: "counterparty_account", Type: TypeText}, {Name: "channel", Type: TypeText}, {Name: "holder_name", Type: TypeText},
	{Name: "counterparty_name", Type: TypeText}, {Name: "tx_type", Type: TypeText}, {Name: "summary", Type: TypeText},
	{Name: "amount", Type: TypeMoney}, {Name: "time", Type: TypeTimestamp}, {Name: "balance", Type: TypeMoney},
}

// importTransactions writes n rows into dataset tx: batch 2 first, then batch 1, so the
// table's insertion order is not the import order.
func importTransactions(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	tx := mustBegin(t, s)
	if err := tx.EnsureDataset(ctx, "tx", "transactions", `{}`, txCols); err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{2, 1} {
		for line := range n / 2 {
			i := batch*n + line
			var bal, cp, name any
			if i%3 != 0 {
				bal = fmt.Sprintf("%d.%02d", i*7, i%100)
			}
			if i%4 != 0 {
				cp, name = fmt.Sprintf("acct%d", (i*13)%17), "对手 "+fmt.Sprint(i%5)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO ds_tx (_batch, _line, _fp, tx_id, account, card_no, counterparty_account, channel,
				holder_name, counterparty_name, tx_type, summary, amount, "time", balance)
				VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, TIMESTAMPTZ '2024-05-01 10:00:00+00' + $13 * INTERVAL '1 second', $14)`,
				batch, line+1, fmt.Sprintf("T%d", i), fmt.Sprintf("acct%d", i%17), fmt.Sprintf("card%d", i%17), cp,
				[]string{"网银", "ATM", ""}[i%3], "持卡人", name, "转账", []string{"", "工资", "货款"}[i%3],
				fmt.Sprintf("%d.%02d", i-n, i%100), (i*37)%1000, bal)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestScanTransactionColumnsReadsWhatScanTransactionsReads(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := mustInit(t, b.options(t))
		importTransactions(t, s, 200)
		ctx := context.Background()
		var want []TxRow
		if err := s.ScanTransactions(ctx, "tx", 64, func(rows []TxRow) error { want = append(want, rows...); return nil }); err != nil {
			t.Fatal(err)
		}
		type row struct {
			TxRow
			order int64
		}
		var got []row
		reader, err := s.ScanTransactionColumns(ctx, "tx", func(c *TxColumns) error {
			for i := range c.N {
				got = append(got, row{TxRow{TxID: c.TxID[i], Account: c.Account[i], Card: c.Card[i], Counterparty: c.Counterparty[i],
					Channel: c.Channel[i], Holder: c.Holder[i], CounterpartyName: c.CounterpartyName[i], Memo: c.Memo[i],
					Cents: c.Cents[i], Unix: c.Unix[i], Balance: c.Balance[i]}, c.Order[i]})
				// Copy the strings: they may point into the reader's memory.
				r := &got[len(got)-1].TxRow
				for _, p := range []*string{&r.TxID, &r.Account, &r.Card, &r.Counterparty, &r.Channel, &r.Holder, &r.CounterpartyName, &r.Memo} {
					*p = string([]byte(*p))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("reader %s", reader)
		if b.name == BackendPostgres && reader != ReadCopy {
			t.Errorf("PostgreSQL read through %s, want %s", reader, ReadCopy)
		}
		if slices.IsSortedFunc(got, func(x, y row) int { return int(x.order - y.order) }) {
			t.Error("rows came in import order although the table holds batch 2 first: the test proves nothing")
		}
		slices.SortStableFunc(got, func(x, y row) int { return int(x.order - y.order) })
		if len(got) != len(want) {
			t.Fatalf("%d rows, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].TxRow != want[i] {
				t.Fatalf("row %d: %+v, want %+v", i, got[i].TxRow, want[i])
			}
		}
		if want[0].TxID != "T200" || want[1].TxID != "T201" || want[1].Balance != math.MinInt64 {
			t.Errorf("first rows %+v %+v: not batch 1 in line order", want[0], want[1])
		}
	})
}

// copyStream writes a binary COPY stream of rows of twelve fields (nil = NULL).
func copyStream(rows [][12]any) []byte {
	var b bytes.Buffer
	b.Write(copySignature)
	b.Write(make([]byte, 8))
	for _, r := range rows {
		binary.Write(&b, binary.BigEndian, int16(12))
		for _, f := range r {
			switch v := f.(type) {
			case nil:
				binary.Write(&b, binary.BigEndian, int32(-1))
			case string:
				binary.Write(&b, binary.BigEndian, int32(len(v)))
				b.WriteString(v)
			case int64:
				binary.Write(&b, binary.BigEndian, int32(8))
				binary.Write(&b, binary.BigEndian, v)
			}
		}
	}
	binary.Write(&b, binary.BigEndian, int16(-1))
	return b.Bytes()
}

func TestReadCopyBinaryParsesRowsAndNulls(t *testing.T) {
	rows := [][12]any{
		{"T1", "A", "", "B", "网银", "张三", "李四", "转账", int64(-100), int64(1714557600), nil, int64(1)},
		{"T2", "B", nil, nil, "", "", "", "", int64(100), int64(1714557601), int64(5000), int64(2)},
		{"T3", "C", "c", "", "ATM", "", "", "取现", int64(-7), int64(1714557602), int64(0), int64(3)},
	}
	var got []TxRow
	var order []int64
	err := readCopyBinary(bytes.NewReader(copyStream(rows)), 2, func(c *TxColumns) error {
		for i := range c.N {
			got = append(got, TxRow{TxID: c.TxID[i], Account: c.Account[i], Card: c.Card[i], Counterparty: c.Counterparty[i],
				Channel: c.Channel[i], Holder: c.Holder[i], CounterpartyName: c.CounterpartyName[i], Memo: c.Memo[i],
				Cents: c.Cents[i], Unix: c.Unix[i], Balance: c.Balance[i]})
		}
		order = append(order, c.Order...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []TxRow{
		{TxID: "T1", Account: "A", Counterparty: "B", Channel: "网银", Holder: "张三", CounterpartyName: "李四", Memo: "转账", Cents: -100, Unix: 1714557600, Balance: math.MinInt64},
		{TxID: "T2", Account: "B", Cents: 100, Unix: 1714557601, Balance: 5000},
		{TxID: "T3", Account: "C", Card: "c", Channel: "ATM", Memo: "取现", Cents: -7, Unix: 1714557602},
	}
	if !slices.Equal(got, want) || !slices.Equal(order, []int64{1, 2, 3}) {
		t.Errorf("got %+v order %v, want %+v", got, order, want)
	}
	for _, bad := range [][]byte{[]byte("PGCOPY\n"), append([]byte("XXCOPY\n\xff\r\n\x00"), make([]byte, 8)...), copyStream(rows)[:40]} {
		if err := readCopyBinary(bytes.NewReader(bad), 2, func(*TxColumns) error { return nil }); err == nil {
			t.Errorf("stream %q accepted", bad)
		}
	}
}

func FuzzReadCopyBinary(f *testing.F) {
	f.Add(copyStream([][12]any{{"T1", "A", "", "B", "网银", "张三", "李四", "转账", int64(-100), int64(1714557600), nil, int64(1)}}))
	f.Add([]byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff"))
	f.Fuzz(func(t *testing.T, in []byte) {
		n := 0
		err := readCopyBinary(bytes.NewReader(in), 4, func(c *TxColumns) error {
			for _, col := range [][]string{c.TxID, c.Account, c.Memo} {
				if len(col) != c.N {
					t.Fatalf("a column has %d values for %d rows", len(col), c.N)
				}
			}
			for _, col := range [][]int64{c.Cents, c.Unix, c.Balance, c.Order} {
				if len(col) != c.N {
					t.Fatalf("a column has %d values for %d rows", len(col), c.N)
				}
			}
			n += c.N
			return nil
		})
		if err == nil && n < 0 {
			t.Fatal("negative rows")
		}
	})
}

func TestKnownVictimsReadsVictimRowsOfCaseParties(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := mustInit(t, b.options(t))
		ctx := context.Background()
		if src, err := s.KnownVictims(ctx); err != nil || len(src.Numbers) != 0 {
			t.Fatalf("a workspace without case parties: %+v, %v", src, err)
		}
		tx := mustBegin(t, s)
		cols := []ColumnDef{{Name: "case_no", Type: TypeText}, {Name: "role", Type: TypeText}, {Name: "name", Type: TypeText},
			{Name: "bank_card", Type: TypeText}, {Name: "account", Type: TypeText}}
		if err := tx.EnsureDataset(ctx, "parties", "case_parties", `{}`, cols); err != nil {
			t.Fatal(err)
		}
		for i, r := range [][4]any{{"victim", "张三", "6222", "6222"}, {"suspect", "李四", "6333", nil}, {"victim", "王五", nil, "A9"}, {"victim", "赵六", "6444", "6445"}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ds_parties (_batch, _line, _fp, case_no, role, name, bank_card, account) VALUES (1, $1, 0, 'C1', $2, $3, $4, $5)`,
				i+1, r[0], r[1], r[2], r[3]); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.EnsureDataset(ctx, "tx", "transactions", `{}`, txCols); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		src, err := s.KnownVictims(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(src.Numbers)
		if want := []string{"6222", "6444", "6445", "A9"}; !slices.Equal(src.Numbers, want) || !slices.Equal(src.Datasets, []string{"parties"}) {
			t.Errorf("victims %v from %v, want %v from [parties]", src.Numbers, src.Datasets, want)
		}
		if _, err := s.KnownVictims(ctx, "tx"); err == nil {
			t.Error("a transactions dataset was read as case parties")
		}
	})
}
