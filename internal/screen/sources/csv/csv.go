// Package csv reads a watch list kept as a CSV file with a header row: an office's own list of
// persons of interest, or any list exported from a spreadsheet. Columns (case-insensitive):
// id and name are required; aliases (separated by ";" or "|"), type, and identifiers
// (id_number, passport; several separated by ";") are optional.
package csv

import (
	"context"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"procura/internal/screen"
)

// Read reads the CSV list at path.
func Read(ctx context.Context, path string) ([]screen.Entity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("CSV list: %w; name a CSV file with id and name columns, e.g. --list csv:watchlist.csv", err)
	}
	defer f.Close()
	return Parse(ctx, f, path)
}

// columns a header may use for each part of an entity.
var columns = map[string]string{
	"id": "id", "list_id": "id", "entity_id": "id", "编号": "id",
	"name": "name", "full_name": "name", "primary_name": "name", "姓名": "name", "名称": "name",
	"alias": "aliases", "aliases": "aliases", "aka": "aliases", "别名": "aliases",
	"type": "type", "entity_type": "type", "类型": "type",
	"id_number": "ids", "identifiers": "ids", "passport": "ids", "passport_number": "ids", "document_number": "ids", "证件号码": "ids", "身份证号": "ids",
}

// Parse reads a CSV list from r; name is the file name used in errors, which give the line
// and column.
func Parse(ctx context.Context, r io.Reader, name string) ([]screen.Entity, error) {
	cr := stdcsv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("CSV list %s is empty; it needs a header row with id and name columns", name)
		}
		return nil, fmt.Errorf("CSV list %s: %w", name, err)
	}
	at := map[string]int{}
	for i, h := range header {
		key := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if part, ok := columns[key]; ok {
			if _, dup := at[part]; !dup {
				at[part] = i
			}
		}
	}
	for _, need := range []string{"id", "name"} {
		if _, ok := at[need]; !ok {
			return nil, fmt.Errorf("CSV list %s line 1: no %s column in the header (%s); add one, or rename a column to %s", name, need, strings.Join(header, ", "), need)
		}
	}
	get := func(row []string, part string) string {
		if i, ok := at[part]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var ents []screen.Entity
	seen := map[string]int{}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return ents, nil
		}
		if err != nil {
			return nil, fmt.Errorf("CSV list %s: %w", name, err) // csv.ParseError carries line and column
		}
		line, _ := cr.FieldPos(0)
		id := get(row, "id")
		if id == "" {
			col := at["id"] + 1
			return nil, fmt.Errorf("CSV list %s line %d column %d: the id is empty; every entry needs an id", name, line, col)
		}
		if first, dup := seen[id]; dup {
			return nil, fmt.Errorf("CSV list %s line %d column %d: id %q is used again (first on line %d); ids must be unique", name, line, at["id"]+1, id, first)
		}
		seen[id] = line
		e := screen.Entity{ListID: "csv:" + id, Type: strings.ToLower(get(row, "type"))}
		if nm := get(row, "name"); nm != "" {
			e.Names = append(e.Names, nm)
		}
		for _, a := range strings.FieldsFunc(get(row, "aliases"), func(r rune) bool { return r == ';' || r == '|' }) {
			if a = strings.TrimSpace(a); a != "" {
				e.Names = append(e.Names, a)
			}
		}
		for _, v := range strings.Split(get(row, "ids"), ";") {
			if v = strings.TrimSpace(v); v != "" {
				e.IDs = append(e.IDs, screen.Identifier{Kind: header[at["ids"]], Value: v})
			}
		}
		if len(e.Names) == 0 && len(e.IDs) == 0 {
			return nil, fmt.Errorf("CSV list %s line %d column %d: entry %s has neither a name nor an identifier", name, line, at["name"]+1, id)
		}
		ents = append(ents, e)
	}
}
