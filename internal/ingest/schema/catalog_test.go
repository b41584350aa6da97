package schema

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestEveryKindOfTheBriefIsInTheCatalogue(t *testing.T) {
	want := []string{"transactions", "calls", "persons", "accounts", "cases", "case_parties", "judgments",
		"custody", "benefits", "deaths", "licenses", "companies", "penalties", "ip_sessions", "chain_transfers"}
	for _, name := range want {
		if _, ok := KindByName(name); !ok {
			t.Errorf("kind %s is missing", name)
		}
	}
	if got := len(Kinds()); got != len(want) {
		t.Errorf("catalogue has %d kinds, want %d", got, len(want))
	}
}

func TestEveryFieldHasTitlesAValidTypeAndSemanticType(t *testing.T) {
	for _, k := range Kinds() {
		for _, lang := range []string{"zh", "en"} {
			if k.Title[lang] == "" || k.Description[lang] == "" {
				t.Errorf("%s: no %s title or description", k.Name, lang)
			}
		}
		for _, f := range k.Fields {
			if f.Title["zh"] == "" || f.Title["en"] == "" {
				t.Errorf("%s.%s: zh and en titles needed, got %v", k.Name, f.Name, f.Title)
			}
			if !validDataType(f.Type) {
				t.Errorf("%s.%s: type %q", k.Name, f.Name, f.Type)
			}
			sem, ok := SemanticByName(f.Semantic)
			if !ok {
				t.Errorf("%s.%s: semantic %q", k.Name, f.Name, f.Semantic)
				continue
			}
			if !contains(sem.Types, f.Type) {
				t.Errorf("%s.%s: type %s does not suit %s", k.Name, f.Name, f.Type, f.Semantic)
			}
			if f.Doc == "" {
				t.Errorf("%s.%s: no doc", k.Name, f.Name)
			}
			if len(f.Synonyms) == 0 && !isFallbackTarget(k, f.Name) {
				t.Errorf("%s.%s: no synonyms and no field falls back to it, so no header can reach it", k.Name, f.Name)
			}
		}
	}
}

func isFallbackTarget(k Kind, name string) bool {
	for _, f := range k.Fields {
		if f.Fallback == name {
			return true
		}
	}
	return false
}

func TestNoSynonymMapsToTwoFieldsOfOneKind(t *testing.T) {
	for _, k := range Kinds() {
		owner := map[string]string{}
		for _, tg := range targetsOf(k) {
			for _, s := range tg.synonyms {
				hk := keyOf(s)
				for _, key := range []string{hk.full, hk.base} {
					if prev, ok := owner[key]; ok && prev != tg.label() {
						t.Errorf("%s: synonym %q belongs to %s and %s", k.Name, s, prev, tg.label())
					}
					owner[key] = tg.label()
				}
			}
		}
	}
}

func TestTheBriefsFieldsArePresent(t *testing.T) {
	want := map[string][]string{
		"transactions": {"tx_id", "request_no", "account", "card_no", "holder_name", "holder_id_number", "time",
			"direction", "amount", "balance", "currency", "counterparty_account", "counterparty_name",
			"counterparty_id_number", "counterparty_bank", "channel", "branch_code", "branch_name", "teller",
			"summary", "ip", "mac", "imei", "device_id", "is_reversal", "status", "location"},
		"calls":           {"caller", "callee", "start_time", "duration_s", "call_type", "imei", "imsi", "cell_id", "lac", "location", "operator"},
		"persons":         {"person_id", "name", "id_number", "gender", "birth_date", "phone", "address", "nationality"},
		"accounts":        {"account", "card_no", "bank", "branch_code", "branch_name", "holder_name", "holder_id_number", "opened_at", "opened_by", "phone", "status", "closed_at", "open_ip", "open_mac", "open_imei"},
		"cases":           {"case_no", "case_type", "charge", "title", "registered_at", "agency", "status", "summary", "loss_amount"},
		"case_parties":    {"case_no", "role", "name", "id_number", "phone", "bank_card", "account", "address"},
		"judgments":       {"case_no", "court", "judgment_no", "judgment_date", "effective_date", "defendant_name", "defendant_id_number", "charge", "sentence_type", "prison_months", "probation_months", "fine"},
		"custody":         {"id_number", "name", "custody_type", "start_date", "end_date", "facility", "agency"},
		"benefits":        {"id_number", "name", "benefit_type", "period", "pay_date", "amount", "account", "agency"},
		"deaths":          {"id_number", "name", "death_date", "source", "record_no", "agency", "registered_at"},
		"licenses":        {"id_number", "name", "license_no", "license_class", "status", "status_date", "issued_at", "agency"},
		"companies":       {"uscc", "name", "legal_rep_name", "legal_rep_id_number", "reg_address", "status", "established_at", "dissolved_at", "business_scope", "phone"},
		"penalties":       {"subject_id_number", "subject_uscc", "subject_name", "penalty_type", "decision_no", "decision_date", "agency", "reason", "case_no", "amount"},
		"ip_sessions":     {"account", "user_id", "ip", "mac", "imei", "start_time", "end_time", "app", "location"},
		"chain_transfers": {"tx_hash", "chain", "from_address", "to_address", "token", "amount", "time", "block"},
	}
	for kind, fields := range want {
		k, ok := KindByName(kind)
		if !ok {
			t.Errorf("kind %s missing", kind)
			continue
		}
		for _, name := range fields {
			if _, ok := k.Field(name); !ok {
				t.Errorf("%s.%s missing", kind, name)
			}
		}
	}
}

func TestTransactionAmountIsRequiredMoneyAndChainAmountIsDouble(t *testing.T) {
	tx, _ := KindByName("transactions")
	amount, _ := tx.Field("amount")
	if !amount.Required || amount.Type != TypeMoney {
		t.Errorf("transactions.amount = required %v type %s, want required money", amount.Required, amount.Type)
	}
	ch, _ := KindByName("chain_transfers")
	if f, _ := ch.Field("amount"); f.Type != TypeDouble {
		t.Errorf("chain_transfers.amount type %s, want double", f.Type)
	}
}

func TestKindsReturnsACopyThatCallersCannotCorrupt(t *testing.T) {
	k, _ := KindByName("transactions")
	k.Fields[0].Synonyms[0] = "changed"
	k.Title["zh"] = "changed"
	again, _ := KindByName("transactions")
	if again.Fields[0].Synonyms[0] == "changed" || again.Title["zh"] == "changed" {
		t.Error("KindByName returned shared state")
	}
}

func TestEveryProfileNamesItsKindAndKnownFields(t *testing.T) {
	names := map[string]bool{}
	for _, p := range Profiles() {
		names[p.Name] = true
		k, ok := KindByName(p.Kind)
		if !ok {
			t.Errorf("profile %s: kind %s unknown", p.Name, p.Kind)
			continue
		}
		for field := range p.Columns {
			if _, ok := k.Field(field); !ok {
				t.Errorf("profile %s: field %s unknown", p.Name, field)
			}
		}
	}
	for _, want := range []string{"cn-bank-inquiry", "cn-police-feedback", "en-bank-statement", "amlsim"} {
		if !names[want] {
			t.Errorf("profile %s missing", want)
		}
	}
}

func TestTheCatalogueLoaderRejectsBrokenFiles(t *testing.T) {
	good := string(mustRead(t, "kinds/custody.yaml"))
	base := func() fstest.MapFS {
		fs := fstest.MapFS{}
		for _, name := range kindOrder {
			fs["kinds/"+name+".yaml"] = &fstest.MapFile{Data: mustRead(t, "kinds/"+name+".yaml")}
		}
		return fs
	}
	tests := []struct {
		name, file, content, wantErr string
	}{
		{"an unknown key", "kinds/custody.yaml", strings.Replace(good, "fields:", "feilds: []\nfields:", 1), "feilds"},
		{"a bad data type", "kinds/custody.yaml", strings.Replace(good, "type: date", "type: datum", 1), `type "datum"`},
		{"an unknown semantic type", "kinds/custody.yaml", strings.Replace(good, "semantic: text", "semantic: nope", 1), "semantic type"},
		{"a synonym of two fields", "kinds/custody.yaml", strings.Replace(good, "[姓名, 人员姓名", "[身份证号, 人员姓名", 1), "also a synonym"},
		{"a kind named unlike its file", "kinds/custody.yaml", strings.Replace(good, "name: custody", "name: custodies", 1), "like its file"},
		{"a missing English title", "kinds/custody.yaml", strings.Replace(good, "title: {zh: 姓名, en: Name}", "title: {zh: 姓名}", 1), `no "en"`},
		{"a fingerprint field that does not exist", "kinds/custody.yaml", strings.Replace(good, "fields:", "fingerprint: [nobody]\nfields:", 1), "fingerprint"},
		{"a profile of an unknown field", "profiles/x.yaml", "name: x\nkind: custody\ntitle: {zh: x, en: x}\ndescription: {zh: x, en: x}\ncolumns: {nobody: 姓名}\n", "not a field"},
		{"a profile with a bad sign", "profiles/x.yaml", "name: x\nkind: benefits\ntitle: {zh: x, en: x}\ndescription: {zh: x, en: x}\ncolumns: {amount: 金额}\nsign: {amount: sideways}\n", "sign"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.content == good {
				t.Fatal("the test's replacement did not change the file")
			}
			fs := base()
			fs[tt.file] = &fstest.MapFile{Data: []byte(tt.content)}
			_, err := loadCatalog(fs)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
	if _, err := loadCatalog(base()); err != nil {
		t.Fatalf("unchanged files fail: %v", err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := catalogFS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
