// Package un reads the United Nations Security Council Consolidated List in its XML form
// (https://scsanctions.un.org/resources/xml/en/consolidated.xml) into screening entities.
package un

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"procura/internal/screen"
)

// Read reads the consolidated list XML file at path.
func Read(ctx context.Context, path string) ([]screen.Entity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("UN list: %w; name the consolidated list XML file, e.g. --list un:consolidated.xml", err)
	}
	defer f.Close()
	return Parse(ctx, f, path)
}

type alias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type document struct {
	Type   string `xml:"TYPE_OF_DOCUMENT"`
	Type2  string `xml:"TYPE_OF_DOCUMENT2"`
	Number string `xml:"NUMBER"`
}

// record is an INDIVIDUAL or an ENTITY element; entities have FIRST_NAME only.
type record struct {
	DataID    string     `xml:"DATAID"`
	Reference string     `xml:"REFERENCE_NUMBER"`
	First     string     `xml:"FIRST_NAME"`
	Second    string     `xml:"SECOND_NAME"`
	Third     string     `xml:"THIRD_NAME"`
	Fourth    string     `xml:"FOURTH_NAME"`
	Original  string     `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType  string     `xml:"UN_LIST_TYPE"`
	Aliases   []alias    `xml:"INDIVIDUAL_ALIAS"`
	EAliases  []alias    `xml:"ENTITY_ALIAS"`
	Documents []document `xml:"INDIVIDUAL_DOCUMENT"`
}

// Parse reads the consolidated list from r; name is the file name used in errors, which give
// the line and column of the element that failed.
func Parse(ctx context.Context, r io.Reader, name string) ([]screen.Entity, error) {
	dec := xml.NewDecoder(r)
	var ents []screen.Entity
	root := false
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		line, col := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("UN list %s line %d column %d: %w; is this the consolidated list XML?", name, line, col, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "CONSOLIDATED_LIST":
			root = true
		case "INDIVIDUAL", "ENTITY":
			var rec record
			if err := dec.DecodeElement(&rec, &se); err != nil {
				return nil, fmt.Errorf("UN list %s line %d column %d: %s: %w", name, line, col, se.Name.Local, err)
			}
			ents = append(ents, entity(rec, se.Name.Local == "INDIVIDUAL"))
		}
	}
	if !root {
		return nil, fmt.Errorf("UN list %s: no CONSOLIDATED_LIST element; download the XML form of the UN Security Council consolidated list", name)
	}
	return ents, nil
}

func entity(rec record, individual bool) screen.Entity {
	e := screen.Entity{ListID: "un:" + strings.TrimSpace(firstOf(rec.Reference, rec.DataID)), Type: "entity"}
	if individual {
		e.Type = "individual"
	}
	var parts []string
	for _, p := range []string{rec.First, rec.Second, rec.Third, rec.Fourth} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) > 0 {
		e.Names = append(e.Names, strings.Join(parts, " "))
	}
	if o := strings.TrimSpace(rec.Original); o != "" {
		e.Names = append(e.Names, o)
	}
	for _, a := range append(rec.Aliases, rec.EAliases...) {
		if n := strings.TrimSpace(a.Name); n != "" {
			e.Names = append(e.Names, n)
		}
	}
	for _, d := range rec.Documents {
		if v := strings.TrimSpace(d.Number); v != "" {
			e.IDs = append(e.IDs, screen.Identifier{Kind: strings.TrimSpace(firstOf(d.Type, d.Type2)), Value: v})
		}
	}
	if lt := strings.TrimSpace(rec.ListType); lt != "" {
		e.Programs = []string{lt}
	}
	return e
}

func firstOf(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
