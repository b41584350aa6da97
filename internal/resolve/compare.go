package resolve

// A comparison grades one field of a pair of records into a level: 0 means a value is missing
// (the field says nothing), 1 is the closest agreement and the last level is disagreement.
// Each level gets its own Fellegi-Sunter weight log2(m/u).
type comparison struct {
	field  string
	levels []string // labels of levels 1…n
	level  func(a, b *prepared) uint8
	has    func(p *prepared) bool // whether a record carries the field
	// fixedM pins m of some levels (index = level, 0 = learnt by EM): levels whose chance among
	// matches is known from how the value is made, not from the data.
	fixedM []float64
}

// mDifferentValidIDs is m of "two different valid resident IDs": for one person's records to
// carry them takes two copying errors whose sum still verifies (1 in 11 of them) or a record
// filed under another person's number. Resident IDs are unique by law, so this is rare; EM is
// not allowed to learn it, because in a large population the strangers it groups as
// "matches" (one household, one name and birthday) would teach it that persons change IDs.
const mDifferentValidIDs = 1e-4

// Field names that Options.Fields accepts.
const (
	FieldName     = "name"
	FieldDOB      = "dob"
	FieldIDNumber = "id_number"
	FieldPhone    = "phone"
	FieldEmail    = "email"
	FieldAddress  = "address"
	FieldCity     = "city"
	FieldPostcode = "postcode"
)

// AllFields lists the fields in the order comparisons are made.
var AllFields = []string{FieldName, FieldDOB, FieldIDNumber, FieldPhone, FieldEmail, FieldAddress, FieldCity, FieldPostcode}

// nameLevel grades two folded names: exact, Jaro-Winkler ≥ 0.92, ≥ 0.80, else.
func nameLevel(a, b string) uint8 {
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	switch s := jaroWinkler(a, b); {
	case s >= 0.92:
		return 2
	case s >= 0.80:
		return 3
	}
	return 4
}

var nameLevels = []string{"exact", "jaro_winkler>=0.92", "jaro_winkler>=0.80", "different"}

func comparisonsFor(fields []string, split bool) []comparison {
	var cs []comparison
	for _, f := range fields {
		switch f {
		case FieldName:
			if split {
				cs = append(cs, splitNameComparisons()...)
			} else {
				cs = append(cs, fullNameComparison())
			}
		case FieldDOB:
			cs = append(cs, comparison{field: f, levels: []string{"exact", "one_typo_or_day_month_swapped", "within_a_year", "different"},
				has: func(p *prepared) bool { return p.dob != "" }, level: dobLevel})
		case FieldIDNumber:
			cs = append(cs, residentIDLevels())
		case FieldPhone:
			cs = append(cs, identLevels(f, func(p *prepared) string { return p.phone }))
		case FieldEmail:
			cs = append(cs, comparison{field: f, levels: []string{"exact", "same_user_or_one_typo", "similar_user", "different"},
				has: func(p *prepared) bool { return p.email != "" }, level: emailLevel})
		case FieldAddress:
			cs = append(cs, comparison{field: f, levels: []string{"exact", "tokens_overlap>=0.75", "tokens_overlap>=0.4", "different"},
				has: func(p *prepared) bool { return p.addr != "" }, level: addressLevel})
		case FieldCity:
			cs = append(cs, comparison{field: f, levels: []string{"exact", "jaro_winkler>=0.90", "different"},
				has: func(p *prepared) bool { return p.city != "" }, level: func(a, b *prepared) uint8 {
					if a.city == "" || b.city == "" {
						return 0
					}
					if a.city == b.city {
						return 1
					}
					if jaroWinkler(a.city, b.city) >= 0.90 {
						return 2
					}
					return 3
				}})
		case FieldPostcode:
			cs = append(cs, comparison{field: f, levels: []string{"exact", "one_typo", "different"},
				has: func(p *prepared) bool { return p.postcode != "" }, level: func(a, b *prepared) uint8 {
					if a.postcode == "" || b.postcode == "" {
						return 0
					}
					if a.postcode == b.postcode {
						return 1
					}
					if withinOneEdit(a.postcode, b.postcode) {
						return 2
					}
					return 3
				}})
		}
	}
	return cs
}

// splitNameComparisons compare given name and surname apart, with a level for names written
// in each other's place (Febrl and clerks both swap them).
func splitNameComparisons() []comparison {
	part := func(field string, own, other func(p *prepared) string) comparison {
		return comparison{field: field, levels: append(append([]string(nil), nameLevels[:3]...), "swapped_with_other_name", "different"),
			has: func(p *prepared) bool { return own(p) != "" },
			level: func(a, b *prepared) uint8 {
				l := nameLevel(own(a), own(b))
				if l == 4 {
					if x, y := own(a), other(b); x != "" && y != "" && jaroWinkler(x, y) >= 0.92 {
						return 4
					}
					return 5
				}
				return l
			}}
	}
	given := func(p *prepared) string { return p.given }
	sur := func(p *prepared) string { return p.surname }
	return []comparison{part("surname", sur, given), part("given_name", given, sur)}
}

// fullNameComparison compares whole names with tokens sorted, so "ZHANG Wei", "Wei Zhang" and
// 张伟 agree; the name in its own script decides "exact", pinyin only "same_pinyin".
func fullNameComparison() comparison {
	return comparison{field: FieldName, levels: []string{"exact", "same_pinyin_or_latin", "jaro_winkler>=0.92", "jaro_winkler>=0.80", "different"},
		has: func(p *prepared) bool { return p.name != "" },
		level: func(a, b *prepared) uint8 {
			if a.name == "" || b.name == "" {
				return 0
			}
			if a.nameScript == b.nameScript {
				return 1
			}
			if a.name == b.name {
				return 2
			}
			if l := nameLevel(a.name, b.name); l > 1 {
				return l + 1
			}
			return 5
		}}
}

func dobLevel(a, b *prepared) uint8 {
	if a.dob == "" || b.dob == "" {
		return 0
	}
	if a.dob == b.dob {
		return 1
	}
	if withinOneEdit(a.dob, b.dob) || (a.dob[:4] == b.dob[:4] && a.dob[4:6] == b.dob[6:8] && a.dob[6:8] == b.dob[4:6]) {
		return 2
	}
	if d := a.dobDays - b.dobDays; d <= 372 && d >= -372 {
		return 3
	}
	return 4
}

// identLevels grades identifiers: exact, one typo, else. Identifiers are copied by hand at
// counters, so one wrong or swapped digit is common; two already occur between strangers
// born on one day in one county, whose resident IDs share 14 of 18 characters.
func identLevels(field string, get func(p *prepared) string) comparison {
	return comparison{field: field, levels: []string{"exact", "one_typo", "different"},
		has: func(p *prepared) bool { return get(p) != "" },
		level: func(a, b *prepared) uint8 {
			x, y := get(a), get(b)
			if x == "" || y == "" {
				return 0
			}
			if x == y {
				return 1
			}
			if withinOneEdit(x, y) {
				return 2
			}
			return 3
		}}
}

// residentIDLevels grades ID numbers like identLevels, with one more level for two
// different numbers that both verify as resident IDs: those are two persons.
func residentIDLevels() comparison {
	c := identLevels(FieldIDNumber, func(p *prepared) string { return p.id })
	plain := c.level
	c.levels = []string{"exact", "one_typo", "different", "different_valid_resident_ids"}
	c.level = func(a, b *prepared) uint8 {
		if a.idValid && b.idValid && a.id != b.id {
			return 4
		}
		return plain(a, b)
	}
	c.fixedM = []float64{4: mDifferentValidIDs}
	return c
}

func emailLevel(a, b *prepared) uint8 {
	if a.email == "" || b.email == "" {
		return 0
	}
	if a.email == b.email {
		return 1
	}
	if (a.emailID != "" && a.emailID == b.emailID) || withinOneEdit(a.email, b.email) {
		return 2
	}
	if jaroWinkler(a.emailID, b.emailID) >= 0.88 {
		return 3
	}
	return 4
}

func addressLevel(a, b *prepared) uint8 {
	if a.addr == "" || b.addr == "" {
		return 0
	}
	if a.addr == b.addr {
		return 1
	}
	o := tokenOverlap(a.addrTokens, b.addrTokens)
	if o >= 0.4 && o < 0.75 && !a.addrHan && !b.addrHan && len(a.addr) <= 64 && len(b.addr) <= 64 {
		// Tokens that differ by a typo still count: compare the joined text too (only for
		// short addresses that already share tokens; it costs n²).
		if jaroWinkler(a.addr, b.addr) >= 0.93 {
			o = 0.75
		}
	}
	switch {
	case o >= 0.75:
		return 2
	case o >= 0.4:
		return 3
	}
	return 4
}
