package ofac

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/screen"
)

const sdn = `306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. 'BNC'."
6707,"CARO QUINTERO, Rafael","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 24 Oct 1952; Passport J287011 (Colombia); alt. Cedula No. 16247821 (Colombia); Phone Number 5551234."
`

func TestReadSDNAndAliasesMakeEntitiesWithIdentifiers(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sdn.csv"), []byte(sdn), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alt.csv"), []byte(`6707,4415,"aka","CARO QUINTERO, Raphael",-0- `+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ents, err := Read(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 || ents[0].Type != "entity" || ents[1].Type != "individual" {
		t.Fatalf("read %+v", ents)
	}
	if got := strings.Join(ents[1].Names, "|"); got != "CARO QUINTERO, Rafael|CARO QUINTERO, Raphael" {
		t.Errorf("names %q", got)
	}
	want := []screen.Identifier{{Kind: "Passport", Value: "J287011"}, {Kind: "Cedula No.", Value: "16247821"}}
	if len(ents[1].IDs) != 2 || ents[1].IDs[0] != want[0] || ents[1].IDs[1] != want[1] {
		t.Errorf("identifiers %+v, want %+v (phone numbers left out)", ents[1].IDs, want)
	}
}

func TestReadSDNNamesTheLineThatIsWrong(t *testing.T) {
	cases := []struct{ in, want string }{
		{"ent_num,name,type,program\n", "line 1 column 1: entity number \"ent_num\" is not a number"},
		{"36,\"A\",-0- ,\"CUBA\"\n37,\"B\"\n", "line 2 column 1: 2 fields, want at least 4"},
		{"36,\"A,-0- ,\"CUBA\"\n", "sdn.csv: parse error on line 1"},
	}
	for _, c := range cases {
		_, err := ReadSDN(context.Background(), strings.NewReader(c.in), "sdn.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadSDN(%q) = %v, want %q", c.in, err, c.want)
		}
	}
	if _, err := Read(context.Background(), t.TempDir()); err == nil || !strings.Contains(err.Error(), "name the directory holding sdn.csv") {
		t.Errorf("a directory without sdn.csv gave %v", err)
	}
}

func FuzzReadSDN(f *testing.F) {
	f.Add(sdn)
	f.Add("1,\"X\",-0- ,\"P\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Passport 12345 (X); National ID No. 99-88\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		ents, err := ReadSDN(context.Background(), strings.NewReader(s), "fuzz.csv")
		if err != nil && !strings.Contains(err.Error(), "fuzz.csv") {
			t.Fatalf("error %q does not name the file", err)
		}
		for _, e := range ents {
			if !strings.HasPrefix(e.ListID, "ofac:") {
				t.Fatalf("list id %q", e.ListID)
			}
		}
	})
}
