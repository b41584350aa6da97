// Package ofac reads the US Treasury OFAC Specially Designated Nationals list in its CSV form
// (sdn.csv, alt.csv and sdn_comments.csv of one directory, as
// https://sanctionslistservice.ofac.treas.gov publishes them) into screening entities.
package ofac

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"procura/internal/screen"
)

// Read reads dir/sdn.csv with the aliases of dir/alt.csv and the remarks overflow of
// dir/sdn_comments.csv (both optional).
func Read(ctx context.Context, dir string) ([]screen.Entity, error) {
	sdnPath := filepath.Join(dir, "sdn.csv")
	f, err := os.Open(sdnPath)
	if err != nil {
		return nil, fmt.Errorf("OFAC list: %w; name the directory holding sdn.csv (and alt.csv), e.g. --list ofac:/data/ofac", err)
	}
	defer f.Close()
	ents, err := ReadSDN(ctx, f, sdnPath)
	if err != nil {
		return nil, err
	}
	byNum := make(map[string]int, len(ents))
	for i, e := range ents {
		byNum[strings.TrimPrefix(e.ListID, "ofac:")] = i
	}
	remarks := map[string]string{}
	for _, extra := range []string{"sdn_comments.csv", "alt.csv"} {
		path := filepath.Join(dir, extra)
		g, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("OFAC list: %w", err)
		}
		if extra == "alt.csv" {
			err = ReadAliases(ctx, g, path, func(num, alias string) {
				if i, ok := byNum[num]; ok {
					ents[i].Names = append(ents[i].Names, alias)
				}
			})
		} else {
			err = readRows(ctx, g, path, 2, func(row []string, line int) error {
				remarks[row[0]] += field(row[1])
				return nil
			})
		}
		g.Close()
		if err != nil {
			return nil, err
		}
	}
	for num, more := range remarks {
		if i, ok := byNum[num]; ok {
			ents[i].IDs = append(ents[i].IDs, Identifiers(more)...)
		}
	}
	return ents, nil
}

// ReadSDN reads the primary records of sdn.csv (no header): ent_num, name, type, program,
// title, call_sign, vessel_type, tonnage, grt, vessel_flag, vessel_owner, remarks. name is the
// file name used in errors.
func ReadSDN(ctx context.Context, r io.Reader, name string) ([]screen.Entity, error) {
	var ents []screen.Entity
	err := readRows(ctx, r, name, 4, func(row []string, line int) error {
		e := screen.Entity{ListID: "ofac:" + row[0], Type: entityType(field(row[2]))}
		if n := field(row[1]); n != "" {
			e.Names = []string{n}
		}
		for _, p := range strings.Split(strings.Trim(field(row[3]), "[] "), "] [") {
			if p = strings.TrimSpace(p); p != "" {
				e.Programs = append(e.Programs, p)
			}
		}
		if len(row) >= 12 {
			e.IDs = Identifiers(field(row[11]))
		}
		ents = append(ents, e)
		return nil
	})
	return ents, err
}

// ReadAliases reads alt.csv (no header): ent_num, alt_num, alt_type (aka, fka, nka), alt_name,
// remarks, calling add for each alias.
func ReadAliases(ctx context.Context, r io.Reader, name string, add func(entNum, alias string)) error {
	return readRows(ctx, r, name, 4, func(row []string, line int) error {
		if a := field(row[3]); a != "" {
			add(row[0], a)
		}
		return nil
	})
}

// readRows reads a header-less OFAC CSV whose first column is the entity number.
func readRows(ctx context.Context, r io.Reader, name string, minFields int, fn func(row []string, line int) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("OFAC list %s: %w; is this an unmodified OFAC CSV file?", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) == 1 && strings.TrimSpace(row[0]) == "\x1a" {
			continue // the DOS end-of-file mark OFAC files end with
		}
		if len(row) < minFields {
			return fmt.Errorf("OFAC list %s line %d column 1: %d fields, want at least %d; is this the right file (sdn.csv, alt.csv, sdn_comments.csv)?", name, line, len(row), minFields)
		}
		if _, err := strconv.Atoi(strings.TrimSpace(row[0])); err != nil {
			return fmt.Errorf("OFAC list %s line %d column 1: entity number %q is not a number; OFAC CSV files have no header row", name, line, row[0])
		}
		row[0] = strings.TrimSpace(row[0])
		if err := fn(row, line); err != nil {
			return err
		}
	}
}

// field reads an OFAC field: "-0-" means empty.
func field(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

func entityType(t string) string {
	switch strings.ToLower(t) {
	case "individual", "vessel", "aircraft":
		return strings.ToLower(t)
	}
	return "entity"
}

// idPattern finds "Passport J287011 (Colombia)"-style identifiers in a remarks segment: a kind
// ending in a word that introduces a number, then a value holding at least one digit.
var idPattern = regexp.MustCompile(`^(?:alt\. )?((?:[A-Za-z][A-Za-z.'/ -]*?\s)?(?:Passport|No\.|Number|ID|IMO|SWIFT/BIC|#|D\.N\.I\.|C\.U\.R\.P\.|R\.F\.C\.|SSN|Cedula|NIT|RUC|RFC|CURP))\s+([A-Za-z0-9][A-Za-z0-9./-]*[0-9][A-Za-z0-9./-]*)`)

// Identifiers extracts document and registration numbers from OFAC remarks. Phone and fax
// numbers are not identifiers of a person and are left out.
func Identifiers(remarks string) []screen.Identifier {
	var ids []screen.Identifier
	for _, seg := range strings.Split(remarks, ";") {
		m := idPattern.FindStringSubmatch(strings.TrimSpace(seg))
		if m == nil {
			continue
		}
		kind := strings.TrimSpace(m[1])
		if k := strings.ToLower(kind); strings.Contains(k, "phone") || strings.Contains(k, "fax") {
			continue
		}
		ids = append(ids, screen.Identifier{Kind: kind, Value: strings.TrimRight(m[2], ".")})
	}
	return ids
}
