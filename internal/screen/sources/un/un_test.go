package un

import (
	"context"
	"strings"
	"testing"
)

const sample = `<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2024-01-01">
 <INDIVIDUALS>
  <INDIVIDUAL>
   <DATAID>6908555</DATAID>
   <REFERENCE_NUMBER>QDi.430</REFERENCE_NUMBER>
   <FIRST_NAME>AHMAD</FIRST_NAME>
   <SECOND_NAME>ZAHER</SECOND_NAME>
   <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
   <NAME_ORIGINAL_SCRIPT>أحمد زاهر</NAME_ORIGINAL_SCRIPT>
   <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Abu Zaher</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>N 12345678</NUMBER></INDIVIDUAL_DOCUMENT>
  </INDIVIDUAL>
 </INDIVIDUALS>
 <ENTITIES>
  <ENTITY>
   <DATAID>110</DATAID>
   <REFERENCE_NUMBER>QDe.001</REFERENCE_NUMBER>
   <FIRST_NAME>RASHID TRUST</FIRST_NAME>
   <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Al-Rasheed Trust</ALIAS_NAME></ENTITY_ALIAS>
  </ENTITY>
 </ENTITIES>
</CONSOLIDATED_LIST>`

func TestParseReadsIndividualsEntitiesAliasesAndDocuments(t *testing.T) {
	ents, err := Parse(context.Background(), strings.NewReader(sample), "sample.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 {
		t.Fatalf("got %d entities, want 2", len(ents))
	}
	p := ents[0]
	if p.ListID != "un:QDi.430" || p.Type != "individual" || strings.Join(p.Names, "|") != "AHMAD ZAHER|أحمد زاهر|Abu Zaher" {
		t.Errorf("individual read as %+v", p)
	}
	if len(p.IDs) != 1 || p.IDs[0].Value != "N 12345678" || p.IDs[0].Kind != "Passport" {
		t.Errorf("documents read as %+v", p.IDs)
	}
	if e := ents[1]; e.Type != "entity" || strings.Join(e.Names, "|") != "RASHID TRUST|Al-Rasheed Trust" {
		t.Errorf("entity read as %+v", e)
	}
}

func TestParseSaysWhereTheXMLBreaks(t *testing.T) {
	_, err := Parse(context.Background(), strings.NewReader("<CONSOLIDATED_LIST>\n <INDIVIDUAL><DATAID>1</DATAID>\n</CONSOLIDATED_LIST>"), "bad.xml")
	if err == nil || !strings.Contains(err.Error(), "bad.xml line 2") {
		t.Errorf("error %v does not name the file and line", err)
	}
	_, err = Parse(context.Background(), strings.NewReader("<sdnList></sdnList>"), "other.xml")
	if err == nil || !strings.Contains(err.Error(), "no CONSOLIDATED_LIST") {
		t.Errorf("a foreign XML file gave %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("<CONSOLIDATED_LIST><ENTITY><FIRST_NAME>x</FIRST_NAME></ENTITY>")
	f.Fuzz(func(t *testing.T, s string) {
		ents, err := Parse(context.Background(), strings.NewReader(s), "fuzz.xml")
		if err != nil && ents != nil {
			t.Fatalf("entities returned with error %v", err)
		}
		if err != nil && !strings.Contains(err.Error(), "fuzz.xml") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}
