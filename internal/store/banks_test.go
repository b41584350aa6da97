package store

import (
	"context"
	"testing"
)

func TestAccountBanksFindsAccountsAndCardsInAccountsDatasetsWithABank(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := mustInit(t, b.options(t))
		ctx := context.Background()
		tx := mustBegin(t, s)
		full := []ColumnDef{{Name: "account", Type: TypeText}, {Name: "card_no", Type: TypeText}, {Name: "bank", Type: TypeText}, {Name: "branch_name", Type: TypeText}}
		if err := tx.EnsureDataset(ctx, "accts", "accounts", `{}`, full); err != nil {
			t.Fatal(err)
		}
		for i, r := range [][4]any{{"A1", "6222000011112222", "工商银行", "东城支行"}, {"A2", nil, "农业银行", nil}, {"A3", nil, nil, nil}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ds_accts (_batch, _line, _fp, account, card_no, bank, branch_name) VALUES (1, $1, 0, $2, $3, $4, $5)`,
				i+1, r[0], r[1], r[2], r[3]); err != nil {
				t.Fatal(err)
			}
		}
		// An accounts dataset without a bank column is passed over.
		if err := tx.EnsureDataset(ctx, "bare", "accounts", `{}`, []ColumnDef{{Name: "account", Type: TypeText}}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		got, err := s.AccountBanks(ctx, []string{"A1", "6222000011112222", "A2", "A3", "nobody"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]AccountBank{"A1": {"工商银行", "东城支行"}, "6222000011112222": {"工商银行", "东城支行"}, "A2": {"农业银行", ""}}
		if len(got) != len(want) {
			t.Errorf("banks = %v, want %v", got, want)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("bank of %s = %+v, want %+v", k, got[k], w)
			}
		}
	})
}
