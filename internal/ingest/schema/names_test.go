package schema

import "testing"

func TestACanonicalHeaderMapsEveryFieldByItsOwnNameWithoutWarnings(t *testing.T) {
	for _, k := range Kinds() {
		m, err := Resolve(k.FieldNames(), k.Name, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		if len(m.Warnings) > 0 || len(m.Extra) > 0 {
			t.Errorf("%s: warnings %q, extra columns %v; want none for the kind's own field names", k.Name, m.Warnings, m.Extra)
		}
		for _, p := range m.Columns {
			if p.Header != p.Field.Name {
				t.Errorf("%s: field %s read from column %q", k.Name, p.Field.Name, p.Header)
			}
		}
	}
}
