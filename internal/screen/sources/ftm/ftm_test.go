package ftm

import (
	"context"
	"strings"
	"testing"
)

const sample = `{"id":"NK-abc","schema":"Person","properties":{"name":["Ivan Ivanov"],"alias":["Иван Иванов"],"passportNumber":["7512345678"]}}
{"id":"addr-1","schema":"Address","properties":{"full":["Moscow"]}}

{"id":"NK-co","schema":"Company","properties":{"name":["Rosoboronexport"],"innCode":["7718852163"]}}
`

func TestParseKeepsScreenableEntitiesWithNamesAndIdentifiers(t *testing.T) {
	ents, err := Parse(context.Background(), strings.NewReader(sample), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 {
		t.Fatalf("got %d entities, want 2 (the address is skipped)", len(ents))
	}
	if p := ents[0]; p.ListID != "ftm:NK-abc" || p.Type != "individual" || strings.Join(p.Names, "|") != "Ivan Ivanov|Иван Иванов" || p.IDs[0].Value != "7512345678" {
		t.Errorf("person read as %+v", p)
	}
	if c := ents[1]; c.Type != "entity" || c.IDs[0].Kind != "innCode" {
		t.Errorf("company read as %+v", c)
	}
}

func TestParseNamesTheLineAndColumnOfBadJSON(t *testing.T) {
	_, err := Parse(context.Background(), strings.NewReader(`{"id":"a","schema":"Person","properties":{}}`+"\n"+`{"id":"b",,}`), "bad.json")
	if err == nil || !strings.Contains(err.Error(), "bad.json line 2 column 11") {
		t.Errorf("error %v does not name line 2 column 11", err)
	}
	_, err = Parse(context.Background(), strings.NewReader(`{"id":"a","schema":"Person","properties":{"name":"x"}}`), "t.json")
	if err == nil || !strings.Contains(err.Error(), "line 1 column") {
		t.Errorf("a property that is not a list gave %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add(`{"id":"x","schema":"Vessel","properties":{"name":["A"],"imoNumber":["IMO 1234567"]}}`)
	f.Fuzz(func(t *testing.T, s string) {
		ents, err := Parse(context.Background(), strings.NewReader(s), "fuzz.json")
		if err != nil && !strings.Contains(err.Error(), "fuzz.json line ") {
			t.Fatalf("error %q does not name the file and line", err)
		}
		for _, e := range ents {
			if !strings.HasPrefix(e.ListID, "ftm:") {
				t.Fatalf("list id %q", e.ListID)
			}
		}
	})
}
