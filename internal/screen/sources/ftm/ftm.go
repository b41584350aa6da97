// Package ftm reads sanctions and watch lists in the FollowTheMoney entity format, one JSON
// object per line, as OpenSanctions publishes them (entities.ftm.json), into screening
// entities. Only entities that can be screened by name (persons, organisations, companies,
// vessels, aircraft) are kept; addresses, sanctions and other statements are skipped.
package ftm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"procura/internal/screen"
)

// Read reads the FollowTheMoney JSON-lines file at path.
func Read(ctx context.Context, path string) ([]screen.Entity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("FollowTheMoney list: %w; name a JSON-lines file such as OpenSanctions' entities.ftm.json, e.g. --list ftm:entities.ftm.json", err)
	}
	defer f.Close()
	return Parse(ctx, f, path)
}

type object struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// screenable maps the schemas kept to an entity type.
var screenable = map[string]string{
	"Person": "individual", "Organization": "entity", "Company": "entity", "LegalEntity": "entity",
	"PublicBody": "entity", "Vessel": "vessel", "Airplane": "aircraft",
}

// nameProps and idProps are the properties read as names and as identifiers, in that order.
var (
	nameProps = []string{"name", "alias", "previousName", "weakAlias"}
	idProps   = []string{"passportNumber", "idNumber", "registrationNumber", "taxNumber", "innCode", "ogrnCode",
		"leiCode", "imoNumber", "swiftBic", "vatCode", "mmsi"}
)

// Parse reads FollowTheMoney objects from r, one per line; name is the file name used in
// errors, which give the line and column.
func Parse(ctx context.Context, r io.Reader, name string) ([]screen.Entity, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var ents []screen.Entity
	for line := 1; ; line++ {
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		b, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			e, ok, perr := parseLine(b)
			if perr != nil {
				return nil, fmt.Errorf("FollowTheMoney list %s line %d %w", name, line, perr)
			}
			if ok {
				ents = append(ents, e)
			}
		}
		if errors.Is(err, io.EOF) {
			return ents, nil
		}
		if err != nil {
			return nil, fmt.Errorf("FollowTheMoney list %s line %d: %w", name, line, err)
		}
	}
}

func parseLine(b []byte) (screen.Entity, bool, error) {
	var o object
	if err := json.Unmarshal(b, &o); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return screen.Entity{}, false, fmt.Errorf("column %d: %v; each line must be one JSON object", se.Offset, se)
		case errors.As(err, &te):
			return screen.Entity{}, false, fmt.Errorf("column %d: field %s: %v; properties are lists of strings", te.Offset, te.Field, te)
		}
		return screen.Entity{}, false, fmt.Errorf("column 1: %w", err)
	}
	typ, ok := screenable[o.Schema]
	if !ok {
		return screen.Entity{}, false, nil
	}
	if o.ID == "" {
		return screen.Entity{}, false, errors.New(`column 1: the object has no "id"`)
	}
	e := screen.Entity{ListID: "ftm:" + o.ID, Type: typ}
	seen := map[string]bool{}
	for _, p := range nameProps {
		for _, n := range o.Properties[p] {
			if n = strings.TrimSpace(n); n != "" && !seen[n] {
				seen[n] = true
				e.Names = append(e.Names, n)
			}
		}
	}
	for _, p := range idProps {
		for _, v := range o.Properties[p] {
			if v = strings.TrimSpace(v); v != "" {
				e.IDs = append(e.IDs, screen.Identifier{Kind: p, Value: v})
			}
		}
	}
	e.Programs = o.Properties["program"]
	return e, true, nil
}
