package graph

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// checkFtM reads FollowTheMoney JSON lines and checks that they are entities of the model:
// an id that no other entity has, a schema of FtMSchemas, only that schema's properties,
// every required property set, and every entity-valued property naming an entity of the
// file. It returns the count of entities by schema.
func checkFtM(t *testing.T, data []byte) map[string]int {
	t.Helper()
	var all []FtMEntity
	ids := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var x FtMEntity
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&x); err != nil {
			t.Fatalf("line %d is no FtM entity: %v: %s", line, err, sc.Text())
		}
		if x.ID == "" || len(x.ID) > 128 || ids[x.ID] {
			t.Fatalf("line %d: id %q is empty, too long or repeated", line, x.ID)
		}
		ids[x.ID] = true
		all = append(all, x)
	}
	n := map[string]int{}
	for _, x := range all {
		s, ok := FtMSchemas[x.Schema]
		if !ok {
			t.Fatalf("entity %s: schema %q is not one the export may write", x.ID, x.Schema)
		}
		n[x.Schema]++
		for p, vs := range x.Properties {
			if !slices.Contains(s.Props, p) {
				t.Errorf("entity %s (%s): property %q is not a %s property", x.ID, x.Schema, p, x.Schema)
			}
			if len(vs) == 0 {
				t.Errorf("entity %s (%s): property %q has no values", x.ID, x.Schema, p)
			}
			if slices.Contains(s.Entity, p) {
				for _, v := range vs {
					if !ids[v] {
						t.Errorf("entity %s (%s): %s names %s, which is not in the export", x.ID, x.Schema, p, v)
					}
				}
			}
		}
		for _, p := range s.Required {
			if len(x.Properties[p]) == 0 {
				t.Errorf("entity %s (%s) lacks the required %s", x.ID, x.Schema, p)
			}
		}
	}
	return n
}

// ftmSchemaProperties are the properties FollowTheMoney's schema files (followthemoney/schema/*.yaml)
// define for each schema, its parents' included, as far as the export uses them. They are
// typed out here from the model so that a property name the export invents fails the test.
var ftmSchemaProperties = map[string][]string{
	"Person":         {"name", "idNumber", "phone", "email", "nationality", "birthDate"},
	"Company":        {"name", "registrationNumber", "phone", "email", "jurisdiction"},
	"BankAccount":    {"name", "accountNumber", "iban", "bankName"},
	"UserAccount":    {"username", "service", "number", "email", "ipAddress", "owner", "password"},
	"CryptoWallet":   {"publicKey", "holder", "currencySymbol", "balance"},
	"CourtCase":      {"name", "caseNumber", "court", "fileDate", "closeDate", "category", "type", "status"},
	"Ownership":      {"owner", "asset", "role", "summary", "description", "startDate", "endDate", "percentage"},
	"Payment":        {"payer", "beneficiary", "payerAccount", "beneficiaryAccount", "summary", "description", "amount", "date", "purpose"},
	"Call":           {"caller", "callerNumber", "receiver", "receiverNumber", "duration", "summary", "description", "date"},
	"CourtCaseParty": {"party", "case", "role", "summary", "description"},
	"Directorship":   {"director", "organization", "role", "summary", "startDate", "endDate"},
	"UnknownLink":    {"subject", "object", "role", "summary", "description", "startDate", "endDate"},
}

func TestFtMSchemasUseOnlyPropertiesOfTheModel(t *testing.T) {
	for name, s := range FtMSchemas {
		model, ok := ftmSchemaProperties[name]
		if !ok {
			t.Errorf("schema %s is not in the model table", name)
			continue
		}
		for _, p := range append(append(slices.Clone(s.Props), s.Required...), s.Entity...) {
			if !slices.Contains(model, p) {
				t.Errorf("%s.%s is not a property of FollowTheMoney's %s", name, p, name)
			}
		}
	}
}

func TestFtMExportTurnsTransfersCallsAndPartiesIntoIntervals(t *testing.T) {
	b := NewBuilder()
	p1, p2 := b.Node(Person, "110101199001011234"), b.Node(Person, "110101199001015678")
	b.SetLabel(p1, "张伟")
	a1, a2, a3 := b.Node(Account, "6222000011112222"), b.Node(Account, "6222000033334444"), b.Node(Account, "6222000055556666")
	ph1, ph2 := b.Node(Phone, "+8613800000001"), b.Node(Phone, "+8613800000002")
	co, ip, cs := b.Node(Company, "91110000100000000X"), b.Node(IP, "61.185.70.151"), b.Node(Case, "A1100")
	b.Edge(p1, a1, Holds, "", 1)
	b.Edge(p2, a2, Holds, "", 1)
	b.Edge(p1, ph1, Holds, "", 1)
	b.Edge(p2, ph2, Holds, "", 1)
	b.Edge(a1, a2, Transfer, "", 3) // both holders known: a Payment
	b.Edge(a2, a3, Transfer, "", 1) // a3's holder unknown: an UnknownLink
	b.Edge(ph1, ph2, Call, "", 5)
	b.Edge(a1, ip, Uses, "", 2)
	b.Edge(cs, p2, Party, "suspect", 1)
	b.Edge(co, p1, LegalRep, "", 1)
	g := b.Build()
	var buf bytes.Buffer
	if err := g.Subgraph(nil, nil).Write(&buf, "ftm"); err != nil {
		t.Fatal(err)
	}
	n := checkFtM(t, buf.Bytes())
	want := map[string]int{"Person": 2, "Company": 1, "BankAccount": 3, "UserAccount": 3, "CourtCase": 1,
		"Ownership": 2, "Payment": 1, "UnknownLink": 2, "Call": 1, "CourtCaseParty": 1, "Directorship": 1}
	for s, k := range want {
		if n[s] != k {
			t.Errorf("%d %s entities, want %d (all: %v)", n[s], s, k, n)
		}
	}
	out := buf.String()
	for _, frag := range []string{`"name":["张伟"]`, `"phone":["+8613800000001"]`, `"role":["suspect"]`, `"ipAddress":["61.185.70.151"]`, `"summary":["3 transfers"]`} {
		if !strings.Contains(out, frag) {
			t.Errorf("the export lacks %s:\n%s", frag, out)
		}
	}
}

func TestTheWorldsWholeGraphExportsAsValidFtM(t *testing.T) {
	w := testWorld(t)
	var buf bytes.Buffer
	if err := w.g.Subgraph(nil, nil).Write(&buf, "ftm"); err != nil {
		t.Fatal(err)
	}
	n := checkFtM(t, buf.Bytes())
	t.Logf("%d bytes of FtM entities: %v", buf.Len(), n)
	for _, s := range []string{"Person", "Company", "BankAccount", "UserAccount", "CryptoWallet", "CourtCase", "Ownership", "Payment", "Call", "CourtCaseParty", "Directorship", "UnknownLink"} {
		if n[s] == 0 {
			t.Errorf("no %s in the world's export", s)
		}
	}
}
