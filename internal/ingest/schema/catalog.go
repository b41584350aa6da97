package schema

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed kinds/*.yaml profiles/*.yaml
var catalogFS embed.FS

// catalog is the parsed and validated content of kinds/ and profiles/.
type catalog struct {
	kinds    []Kind
	profiles []Profile
	targets  map[string][]target // per kind, the synonym targets with their keys
}

// kindOrder is the order in which kinds are listed (by how often they are imported), not
// alphabetical; a kind file not named here is an error, so a new kind is never forgotten.
var kindOrder = []string{
	"transactions", "calls", "ip_sessions", "chain_transfers", "accounts", "persons",
	"cases", "case_parties", "judgments", "custody", "benefits", "deaths", "licenses", "companies", "penalties",
}

// loadedCatalog parses the embedded files once; the catalogue never changes afterwards.
var loadedCatalog = sync.OnceValues(func() (*catalog, error) { return loadCatalog(catalogFS) })

// mustCatalog returns the embedded catalogue. The files are validated by the package tests,
// so a failure here is a build defect, reported like template.Must does.
func mustCatalog() *catalog {
	c, err := loadedCatalog()
	if err != nil {
		panic("schema: embedded catalogue is invalid: " + err.Error())
	}
	return c
}

func loadCatalog(fsys fs.FS) (*catalog, error) {
	c := &catalog{targets: map[string][]target{}}
	byName := map[string]Kind{}
	kindFiles, err := fs.Glob(fsys, "kinds/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, file := range kindFiles {
		var k Kind
		if err := decodeStrict(fsys, file, &k); err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(path.Base(file), ".yaml"); k.Name != want {
			return nil, fmt.Errorf("%s: kind is named %q; name it %q like its file", file, k.Name, want)
		}
		if err := prepareKind(&k); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		byName[k.Name] = k
	}
	for _, name := range kindOrder {
		k, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("kinds/%s.yaml is missing", name)
		}
		c.kinds = append(c.kinds, k)
		c.targets[name] = targetsOf(k)
		delete(byName, name)
	}
	for name := range byName {
		return nil, fmt.Errorf("kinds/%s.yaml is not in the kind order list; add it to kindOrder", name)
	}

	profileFiles, err := fs.Glob(fsys, "profiles/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, file := range profileFiles {
		var p Profile
		if err := decodeStrict(fsys, file, &p); err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(path.Base(file), ".yaml"); p.Name != want {
			return nil, fmt.Errorf("%s: profile is named %q; name it %q like its file", file, p.Name, want)
		}
		if err := prepareProfile(&p, c.kinds); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		c.profiles = append(c.profiles, p)
	}
	return c, nil
}

// ParseProfile reads a profile written by a user (same format as profiles/*.yaml, see
// docs/kinds.md) and checks it against the built-in kinds.
func ParseProfile(data []byte) (Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("read profile: %w", err)
	}
	if err := prepareProfile(&p, mustCatalog().kinds); err != nil {
		return Profile{}, err
	}
	return p, nil
}

func decodeStrict(fsys fs.FS, file string, v any) error {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

var units = map[string]bool{"": true, "yuan": true, "second": true, "month": true}

// prepareKind validates a kind and normalises its vocabularies' keys.
func prepareKind(k *Kind) error {
	if !snakeCase.MatchString(k.Name) {
		return fmt.Errorf("kind name %q is not snake_case", k.Name)
	}
	if err := needTitles("kind "+k.Name+" title", k.Title); err != nil {
		return err
	}
	if err := needTitles("kind "+k.Name+" description", k.Description); err != nil {
		return err
	}
	if len(k.Fields) == 0 {
		return fmt.Errorf("kind %s has no fields", k.Name)
	}
	seen := map[string]bool{}
	for i := range k.Fields {
		f := &k.Fields[i]
		if err := checkField(f); err != nil {
			return fmt.Errorf("field %d (%s): %w", i+1, f.Name, err)
		}
		if seen[f.Name] {
			return fmt.Errorf("field %s is listed twice", f.Name)
		}
		seen[f.Name] = true
	}
	for _, f := range k.Fields {
		if f.Fallback != "" && (!seen[f.Fallback] || f.Fallback == f.Name) {
			return fmt.Errorf("field %s: fallback %q is not another field of %s", f.Name, f.Fallback, k.Name)
		}
	}
	for _, name := range k.Fingerprint {
		if !seen[name] {
			return fmt.Errorf("fingerprint names %q, which is not a field of %s", name, k.Name)
		}
	}
	return checkSynonymsUnique(*k)
}

func checkField(f *Field) error {
	if !snakeCase.MatchString(f.Name) {
		return fmt.Errorf("name %q is not snake_case", f.Name)
	}
	if !validDataType(f.Type) {
		return fmt.Errorf("type %q is not one of %s", f.Type, strings.Join(DataTypes(), ", "))
	}
	sem, ok := SemanticByName(f.Semantic)
	if !ok {
		return fmt.Errorf("semantic type %q is unknown; see SemanticTypes", f.Semantic)
	}
	if !slices.Contains(sem.Types, f.Type) {
		return fmt.Errorf("type %s does not suit semantic type %s (allowed: %s)", f.Type, f.Semantic, strings.Join(sem.Types, ", "))
	}
	if err := needTitles("title", f.Title); err != nil {
		return err
	}
	if len(f.DateSynonyms) > 0 && f.Type != TypeTimestamp {
		return fmt.Errorf("date_synonyms need a timestamp field, not %s", f.Type)
	}
	if (len(f.DebitSynonyms) > 0 || len(f.CreditSynonyms) > 0) && f.Semantic != SemAmount {
		return fmt.Errorf("debit/credit synonyms need an amount field, not %s", f.Semantic)
	}
	if !units[f.Unit] {
		return fmt.Errorf("unit %q is not one of yuan, second, month", f.Unit)
	}
	for _, lists := range [][]string{f.Synonyms, f.DateSynonyms, f.DebitSynonyms, f.CreditSynonyms} {
		for _, s := range lists {
			if keyOf(s).full == "" {
				return fmt.Errorf("synonym %q has no letters or digits", s)
			}
		}
	}
	if f.Values != nil {
		norm := make(map[string]string, len(f.Values))
		for raw, canon := range f.Values {
			key := normValue(raw)
			if prev, dup := norm[key]; dup && prev != canon {
				return fmt.Errorf("values %q maps to both %q and %q", raw, prev, canon)
			}
			norm[key] = canon
		}
		f.Values = norm
	}
	return nil
}

func needTitles(what string, m map[string]string) error {
	for _, lang := range []string{"zh", "en"} {
		if strings.TrimSpace(m[lang]) == "" {
			return fmt.Errorf("%s has no %q text", what, lang)
		}
	}
	return nil
}

// checkSynonymsUnique rejects a header name that would map to two targets of one kind: two
// fields, or a field and the date or debit/credit part of another.
func checkSynonymsUnique(k Kind) error {
	owner := map[string]string{}
	for _, t := range targetsOf(k) {
		for _, s := range t.synonyms {
			hk := keyOf(s)
			for _, key := range []string{hk.full, hk.base} {
				if prev, ok := owner[key]; ok && prev != t.label() {
					return fmt.Errorf("synonym %q of %s is also a synonym of %s", s, t.label(), prev)
				}
				owner[key] = t.label()
			}
		}
	}
	return nil
}

var encodings = map[string]bool{"": true, "utf-8": true, "gb18030": true, "gbk": true, "big5": true, "utf-16le": true, "utf-16be": true}

// prepareProfile validates a profile against its kind and normalises its value maps' keys.
func prepareProfile(p *Profile, kinds []Kind) error {
	if p.Name == "" {
		return fmt.Errorf("profile has no name")
	}
	var kind *Kind
	for i := range kinds {
		if kinds[i].Name == p.Kind {
			kind = &kinds[i]
		}
	}
	if kind == nil {
		return fmt.Errorf("profile %s: kind %q is unknown", p.Name, p.Kind)
	}
	if err := needTitles("profile "+p.Name+" title", p.Title); err != nil {
		return err
	}
	if err := needTitles("profile "+p.Name+" description", p.Description); err != nil {
		return err
	}
	if !encodings[p.Encoding] {
		return fmt.Errorf("profile %s: encoding %q is not one of utf-8, gb18030, gbk, big5, utf-16le, utf-16be", p.Name, p.Encoding)
	}
	field := func(what, name string) (Field, error) {
		f, ok := kind.Field(name)
		if !ok {
			return f, fmt.Errorf("profile %s %s: %q is not a field of %s", p.Name, what, name, kind.Name)
		}
		return f, nil
	}
	claimed := map[string]string{}
	claim := func(what, fieldName string, headers ...string) error {
		for _, h := range headers {
			if h == "" {
				continue
			}
			if prev, ok := claimed[h]; ok {
				return fmt.Errorf("profile %s %s: column %q is already used by %s", p.Name, what, h, prev)
			}
			claimed[h] = fieldName
		}
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(p.Columns)) {
		if _, err := field("columns", name); err != nil {
			return err
		}
		if strings.TrimSpace(p.Columns[name]) == "" {
			return fmt.Errorf("profile %s columns: field %s has an empty header", p.Name, name)
		}
		if err := claim("columns", name, p.Columns[name]); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.DateTime)) {
		f, err := field("datetime", name)
		if err != nil {
			return err
		}
		dt := p.DateTime[name]
		if f.Type != TypeTimestamp || dt.Date == "" || dt.Time == "" {
			return fmt.Errorf("profile %s datetime: %s needs a timestamp field with both date and time columns", p.Name, name)
		}
		if _, dup := p.Columns[name]; dup {
			return fmt.Errorf("profile %s: %s is in both columns and datetime", p.Name, name)
		}
		if err := claim("datetime", name, dt.Date, dt.Time); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Split)) {
		f, err := field("split", name)
		if err != nil {
			return err
		}
		sp := p.Split[name]
		if f.Semantic != SemAmount || (sp.Debit == "" && sp.Credit == "") {
			return fmt.Errorf("profile %s split: %s needs an amount field and a debit or credit column", p.Name, name)
		}
		if _, dup := p.Columns[name]; dup {
			return fmt.Errorf("profile %s: %s is in both columns and split", p.Name, name)
		}
		if err := claim("split", name, sp.Debit, sp.Credit); err != nil {
			return err
		}
	}
	for name, dir := range p.Sign {
		f, err := field("sign", name)
		if err != nil {
			return err
		}
		if f.Semantic != SemAmount || (dir != DirectionIn && dir != DirectionOut) {
			return fmt.Errorf("profile %s sign: %s must be an amount field and its sign \"in\" or \"out\", not %q", p.Name, name, dir)
		}
	}
	for name, m := range p.Values {
		if _, err := field("values", name); err != nil {
			return err
		}
		norm := make(map[string]string, len(m))
		for raw, canon := range m {
			norm[normValue(raw)] = canon
		}
		p.Values[name] = norm
	}
	return nil
}
