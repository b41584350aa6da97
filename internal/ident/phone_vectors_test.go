package ident

import (
	"path/filepath"
	"testing"
)

func TestParsePhoneNormalisesEveryLibphonenumberExample(t *testing.T) {
	dir := datasetDir(t, "phone-examples")
	rows := readCSV(t, filepath.Join(dir, "libphonenumber_examples.csv"))
	checked := 0
	for _, r := range rows {
		if r["valid"] != "True" {
			continue
		}
		for _, form := range []string{"e164", "international", "national", "rfc3966"} {
			got, err := ParsePhone(r[form], r["region"])
			if err != nil || got != r["e164"] {
				t.Errorf("%s %s %s %q: got %q, %v; want %s", r["region"], r["type"], form, r[form], got, err, r["e164"])
			}
			checked++
		}
	}
	t.Logf("checked %d forms of %d example rows", checked, len(rows))
}
