// Package screen screens names against sanctions and watch lists: every name of a listed
// entity (primary names and aliases) goes into one index; a query is folded the same way
// (transliteration, pinyin, honorifics, company suffixes, token order), candidates come from
// token, one-typo and consonant-skeleton keys, and each is scored by aligning tokens with
// Jaro-Winkler. Identifiers (passport and ID numbers) in list entries match exactly and
// short-circuit the name comparison. Every match says why it matched.
//
// The list formats live in sources/ (one package per list: ofac, un, ftm, csv), each turning a
// file into []Entity.
package screen

// Entity is one listed person, company, vessel or aircraft with every name it is known by.
type Entity struct {
	ListID   string       `json:"list_id"`        // the list and the entry's number there: "ofac:306"
	Type     string       `json:"type,omitempty"` // individual, entity, vessel, aircraft; "" unknown
	Names    []string     `json:"names"`          // Names[0] is the primary name, the rest are aliases
	IDs      []Identifier `json:"ids,omitempty"`  // passport, national ID, registration numbers
	Programs []string     `json:"programs,omitempty"`
}

// Identifier is a document or registration number of a listed entity.
type Identifier struct {
	Kind  string `json:"kind"` // as the list words it: "Passport", "National ID No."
	Value string `json:"value"`
}

// Match is one listed entity found for a query.
type Match struct {
	ListID      string  `json:"list_id"`
	Name        string  `json:"name"`                   // the listed name that matched (primary or alias)
	PrimaryName string  `json:"primary_name,omitempty"` // the entity's primary name when an alias matched
	Type        string  `json:"type,omitempty"`
	Score       float64 `json:"score"` // 0..1; 1 = the same name after folding, or an identifier
	Explanation string  `json:"explanation"`
}
