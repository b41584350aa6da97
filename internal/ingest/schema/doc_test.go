package schema

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated part of docs/kinds.md")

const (
	docPath  = "../../../docs/kinds.md"
	docBegin = "<!-- BEGIN GENERATED: go test ./internal/ingest/schema -run TestKindsDocIsUpToDate -update -->"
	docEnd   = "<!-- END GENERATED -->"
)

// TestKindsDocIsUpToDate keeps the tables of docs/kinds.md equal to the embedded catalogue, so
// the documentation never lists a field or synonym that the code does not know.
func TestKindsDocIsUpToDate(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("read %s: %v", docPath, err)
	}
	doc := string(data)
	i, j := strings.Index(doc, docBegin), strings.Index(doc, docEnd)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the generated-section markers", docPath)
	}
	generated := "\n" + renderCatalogDoc() + "\n"
	current := doc[i+len(docBegin) : j]
	if current == generated {
		return
	}
	if *update {
		out := doc[:i+len(docBegin)] + generated + doc[j:]
		if err := os.WriteFile(filepath.Clean(docPath), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with the catalogue; run: go test ./internal/ingest/schema -run TestKindsDocIsUpToDate -update", docPath)
}

func TestKindsDocNamesEverySemanticTypeAndTheSignRule(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, s := range semanticTypes {
		if !strings.Contains(doc, "`"+s.Name+"`") {
			t.Errorf("docs/kinds.md does not describe semantic type %s", s.Name)
		}
	}
	for _, want := range []string{"## The sign rule", "## Writing a profile", "DirectionFrom", "rejects the row"} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/kinds.md lacks %q", want)
		}
	}
}

func renderCatalogDoc() string {
	var b strings.Builder
	b.WriteString("## Semantic types\n\n| semantic type | stored as | identifier (joins datasets) | meaning |\n|---|---|---|---|\n")
	for _, s := range semanticTypes {
		id := ""
		if s.Identifier {
			id = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.Name, strings.Join(s.Types, ", "), id, cell(s.Doc))
	}
	b.WriteString("\n## Kinds\n")
	for _, k := range Kinds() {
		fmt.Fprintf(&b, "\n### `%s` — %s / %s\n\n%s\n\n%s\n\n", k.Name, k.Title["zh"], k.Title["en"], k.Description["zh"], k.Description["en"])
		if len(k.Fingerprint) > 0 {
			fmt.Fprintf(&b, "Row fingerprint: %s.\n\n", codeList(k.Fingerprint))
		} else {
			b.WriteString("Row fingerprint: all mapped fields.\n\n")
		}
		b.WriteString("| field | type | semantic | required | 中文 | English | header synonyms | notes |\n|---|---|---|---|---|---|---|---|\n")
		for _, f := range k.Fields {
			req := ""
			if f.Required {
				req = "**yes**"
			}
			syn := strings.Join(f.Synonyms, ", ")
			if len(f.DateSynonyms) > 0 {
				syn += "; date column: " + strings.Join(f.DateSynonyms, ", ")
			}
			if len(f.DebitSynonyms) > 0 {
				syn += "; out column: " + strings.Join(f.DebitSynonyms, ", ")
			}
			if len(f.CreditSynonyms) > 0 {
				syn += "; in column: " + strings.Join(f.CreditSynonyms, ", ")
			}
			notes := f.Doc
			if f.Fallback != "" {
				notes += fmt.Sprintf(" A second column of this field goes to `%s`.", f.Fallback)
			}
			if f.Unit != "" {
				notes += " Unit: " + f.Unit + "."
			}
			if len(f.Values) > 0 {
				notes += " Values: " + vocabulary(f) + "."
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n",
				f.Name, f.Type, f.Semantic, req, cell(f.Title["zh"]), cell(f.Title["en"]), cell(syn), cell(notes))
		}
	}
	b.WriteString("\n## Built-in profiles\n")
	for _, p := range Profiles() {
		fmt.Fprintf(&b, "\n### `%s` — %s / %s\n\nKind `%s`", p.Name, p.Title["zh"], p.Title["en"], p.Kind)
		if p.Encoding != "" {
			fmt.Fprintf(&b, ", usually %s", p.Encoding)
		}
		fmt.Fprintf(&b, ". %s\n\n| field | header |\n|---|---|\n", p.Description["en"])
		k, _ := KindByName(p.Kind)
		for _, f := range k.Fields {
			switch {
			case p.Columns[f.Name] != "":
				fmt.Fprintf(&b, "| `%s` | %s |\n", f.Name, cell(p.Columns[f.Name]))
			case p.DateTime[f.Name].Date != "":
				fmt.Fprintf(&b, "| `%s` | date %s + time %s |\n", f.Name, cell(p.DateTime[f.Name].Date), cell(p.DateTime[f.Name].Time))
			case p.Split[f.Name] != SplitColumns{}:
				fmt.Fprintf(&b, "| `%s` | in %s − out %s |\n", f.Name, cell(p.Split[f.Name].Credit), cell(p.Split[f.Name].Debit))
			}
		}
		for _, field := range slices.Sorted(maps.Keys(p.Sign)) {
			fmt.Fprintf(&b, "\nEvery `%s` flows **%s** (sign option).\n", field, p.Sign[field])
		}
	}
	return b.String()
}

func vocabulary(f Field) string {
	byCanon := map[string][]string{}
	for raw, canon := range f.Values {
		byCanon[canon] = append(byCanon[canon], raw)
	}
	var parts []string
	for _, canon := range slices.Sorted(maps.Keys(byCanon)) {
		raws := byCanon[canon]
		slices.Sort(raws)
		parts = append(parts, fmt.Sprintf("`%s` ← %s", canon, strings.Join(raws, "/")))
	}
	if f.Other != "" {
		parts = append(parts, fmt.Sprintf("anything else → `%s`", f.Other))
	}
	return strings.Join(parts, "; ")
}

func codeList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "`" + n + "`"
	}
	return strings.Join(out, ", ")
}

func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
