package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTypologiesReadKnownVictimsFromCaseParties imports statements and case parties, then
// finds the account that two victims paid, with the victims from the case parties or a file.
func TestTypologiesReadKnownVictimsFromCaseParties(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	if _, _, err := run(t, "init", "--workspace", ws); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tx := write("tx.csv", `tx_id,account,time,amount,counterparty_account,summary
T1,V1,2024-05-01 10:00:00,-5000.00,MULE,转账
T2,V2,2024-05-01 11:00:00,-3000.00,MULE,转账
T3,V1,2024-05-02 10:00:00,-100.00,SHOP,消费
T4,V2,2024-05-02 11:00:00,-100.00,SHOP,消费
T5,MULE,2024-05-01 12:00:00,-7900.00,L2,转账
`)
	parties := write("parties.csv", "case_no,role,name,bank_card,account\nC1,被害人,张三,,V1\nC1,被害人,李四,,V2\nC1,犯罪嫌疑人,王五,,MULE\n")
	for _, imp := range [][]string{{tx, "tx", "transactions"}, {parties, "parties", "case_parties"}} {
		if _, _, err := run(t, "import", imp[0], "--dataset", imp[1], "--kind", imp[2], "--workspace", ws); err != nil {
			t.Fatalf("import %s: %v", imp[1], err)
		}
	}
	type result struct {
		Findings []struct {
			Typology string   `json:"typology"`
			Accounts []string `json:"accounts"`
		} `json:"findings"`
		VictimAccounts int    `json:"victim_accounts"`
		VictimsSource  string `json:"victims_source"`
	}
	check := func(args ...string) result {
		t.Helper()
		out, _, err := run(t, append([]string{"typologies", "--dataset", "tx", "--only", "many_victims", "--workspace", ws, "--json", "--unmask"}, args...)...)
		if err != nil {
			t.Fatalf("typologies %v: %v", args, err)
		}
		var r result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if len(r.Findings) != 1 || r.Findings[0].Typology != "many_victims" || !slices.Equal(r.Findings[0].Accounts, []string{"MULE"}) || r.VictimAccounts != 2 {
			t.Errorf("typologies %v: %+v, want one many_victims finding of MULE from 2 victims", args, r)
		}
		return r
	}
	if r := check(); !strings.Contains(r.VictimsSource, "parties") {
		t.Errorf("victims source %q does not name the case_parties dataset", r.VictimsSource)
	}
	if r := check("--victims", write("victims.txt", "V1\nV2\n")); !strings.Contains(r.VictimsSource, "victims.txt") {
		t.Errorf("victims source %q does not name the file", r.VictimsSource)
	}
	out, _, err := run(t, "typologies", "--dataset", "tx", "--victims-dataset", "tx", "--workspace", ws, "--json")
	if err == nil || !strings.Contains(out, `"error"`) || !strings.Contains(out, "case_parties") {
		t.Errorf("a transactions dataset as victims: %v %s", err, out)
	}
}
