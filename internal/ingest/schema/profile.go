package schema

import (
	"maps"
	"slices"
)

// Profile is a named mapping of one export layout to a kind: which header holds which field,
// how split columns compose a field, value maps, and the expected text encoding.
type Profile struct {
	Name        string            `yaml:"name"`
	Kind        string            `yaml:"kind"`
	Title       map[string]string `yaml:"title"`
	Description map[string]string `yaml:"description"`
	// Encoding is the text encoding the layout usually comes in ("utf-8", "gb18030"); empty
	// means detect. A reader may still detect and warn when the file disagrees.
	Encoding string `yaml:"encoding,omitempty"`
	// Columns maps field → header text.
	Columns map[string]string `yaml:"columns"`
	// DateTime maps a timestamp field → the date column and the time column composing it.
	DateTime map[string]DateTimeColumns `yaml:"datetime,omitempty"`
	// Split maps an amount field → the out (debit) and in (credit) columns composing it.
	Split map[string]SplitColumns `yaml:"split,omitempty"`
	// Sign maps an amount field → "out" or "in" when the file's amounts are unsigned and all
	// flow one way (each AMLSim row is a transfer out of orig_acct).
	Sign map[string]string `yaml:"sign,omitempty"`
	// Values maps field → raw value → canonical value, applied before the field's own
	// vocabulary (for a direction flag written as 0/1).
	Values map[string]map[string]string `yaml:"values,omitempty"`
}

// DateTimeColumns names the date column and the time column of a split timestamp.
type DateTimeColumns struct {
	Date string `yaml:"date"`
	Time string `yaml:"time"`
}

// SplitColumns names the out (debit, 支出) and in (credit, 存入) columns of a split amount.
type SplitColumns struct {
	Debit  string `yaml:"debit"`
	Credit string `yaml:"credit"`
}

// Profiles returns every built-in profile, sorted by name. The result is a copy.
func Profiles() []Profile {
	c := mustCatalog()
	out := make([]Profile, len(c.profiles))
	for i, p := range c.profiles {
		out[i] = p.clone()
	}
	return out
}

// ProfileByName returns the built-in profile with the given name.
func ProfileByName(name string) (Profile, bool) {
	for _, p := range mustCatalog().profiles {
		if p.Name == name {
			return p.clone(), true
		}
	}
	return Profile{}, false
}

// DetectProfile returns the built-in profile whose headers best cover the given header, with
// the share of the profile's columns found (0…1). It reports false when no profile finds at
// least three quarters of its columns; the caller then resolves by synonyms alone.
func DetectProfile(header []string) (Profile, float64, bool) {
	keys := make(map[string]bool, len(header))
	for _, h := range header {
		k := keyOf(h)
		keys[k.full] = true
		keys[k.base] = true
	}
	var best Profile
	bestScore := 0.0
	for _, p := range mustCatalog().profiles {
		headers := p.headers()
		found := 0
		for _, h := range headers {
			k := keyOf(h)
			if keys[k.full] || keys[k.base] {
				found++
			}
		}
		score := float64(found) / float64(len(headers))
		if score > bestScore {
			best, bestScore = p, score
		}
	}
	if bestScore < 0.75 {
		return Profile{}, bestScore, false
	}
	return best.clone(), bestScore, true
}

// headers lists every header text the profile expects.
func (p Profile) headers() []string {
	var out []string
	for _, h := range p.Columns {
		out = append(out, h)
	}
	for _, dt := range p.DateTime {
		out = append(out, dt.Date, dt.Time)
	}
	for _, sp := range p.Split {
		out = append(out, sp.Debit, sp.Credit)
	}
	out = slices.DeleteFunc(out, func(h string) bool { return h == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

func (p Profile) clone() Profile {
	p.Title = maps.Clone(p.Title)
	p.Description = maps.Clone(p.Description)
	p.Columns = maps.Clone(p.Columns)
	p.DateTime = maps.Clone(p.DateTime)
	p.Split = maps.Clone(p.Split)
	p.Sign = maps.Clone(p.Sign)
	if p.Values != nil {
		v := make(map[string]map[string]string, len(p.Values))
		for f, m := range p.Values {
			v[f] = maps.Clone(m)
		}
		p.Values = v
	}
	return p
}
