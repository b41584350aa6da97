package csv

import (
	"context"
	"strings"
	"testing"
)

const sample = "id,name,aliases,type,id_number\n" +
	"W1,\"ZHANG, Wei\",张伟;Chang Wei,individual,110101199003077777\n" +
	"W2,Golden Dragon Trading Ltd,,entity,\n"

func TestParseReadsNamesAliasesAndIdentifiers(t *testing.T) {
	ents, err := Parse(context.Background(), strings.NewReader(sample), "w.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 || ents[0].ListID != "csv:W1" || strings.Join(ents[0].Names, "|") != "ZHANG, Wei|张伟|Chang Wei" {
		t.Fatalf("read %+v", ents)
	}
	if ents[0].IDs[0].Value != "110101199003077777" || ents[0].IDs[0].Kind != "id_number" || len(ents[1].IDs) != 0 {
		t.Errorf("identifiers read as %+v / %+v", ents[0].IDs, ents[1].IDs)
	}
}

func TestParseSaysWhatIsWrongAndWhere(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "is empty"},
		{"name\nx\n", "line 1: no id column"},
		{"id,name\n1,a\n1,b\n", "line 3 column 1: id \"1\" is used again (first on line 2)"},
		{"id,name\n,a\n", "line 2 column 1: the id is empty"},
		{"id,name\n1,\"a\n", "w.csv: parse error on line 2, column 6"},
	}
	for _, c := range cases {
		_, err := Parse(context.Background(), strings.NewReader(c.in), "w.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("id,name\n1,a\n")
	f.Fuzz(func(t *testing.T, s string) {
		ents, err := Parse(context.Background(), strings.NewReader(s), "fuzz.csv")
		if err != nil && !strings.Contains(err.Error(), "fuzz.csv") {
			t.Fatalf("error %q does not name the file", err)
		}
		for _, e := range ents {
			if e.ListID == "csv:" {
				t.Fatal("an entity without an id was read")
			}
		}
	})
}
