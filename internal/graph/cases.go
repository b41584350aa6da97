package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The cross-case analysis follows the Changping model (national competition of big-data legal
// supervision models, 2023): collide the identifiers that case files name (cards, phones,
// identity numbers, the devices the cards were operated from) across cases; an identifier in
// two cases links them, and whoever the collisions and the shared devices point to without
// being named is a candidate for a missed offender, card or victim.

// Collision is an identifier that two or more cases touch.
type Collision struct {
	Node  Ref      `json:"node"`
	Cases []string `json:"cases"`
	How   []string `json:"how"` // per case: "named as suspect", "holder of a named account", "device of a named account" …
}

// CaseLink is a pair of cases that share identifiers.
type CaseLink struct {
	A      string `json:"case_a"`
	B      string `json:"case_b"`
	Shared []Ref  `json:"shared"`
}

// Candidate is someone or something a case file did not name that the graph ties to it.
type Candidate struct {
	Case     string   `json:"case"`
	What     string   `json:"what"` // "card", "offender" or "victim"
	Node     Ref      `json:"node"`
	Score    int      `json:"score"` // independent pieces of evidence
	Evidence []string `json:"evidence"`
	NamedIn  []string `json:"named_in,omitempty"` // other cases that do name it
}

// CaseReport is the result of Cases.
type CaseReport struct {
	Cases      int         `json:"cases"`
	Collisions []Collision `json:"collisions"`
	Links      []CaseLink  `json:"linked_cases"`
	Candidates []Candidate `json:"candidates"`
}

// CaseOptions tune Cases.
type CaseOptions struct {
	// MaxDeviceAccounts leaves out devices used by more accounts than this when expanding a
	// case (a bank's gateway address ties thousands of strangers). Default 200.
	MaxDeviceAccounts int
}

// footprint is what one case touches: node → how.
type footprint map[int32]string

// caseFootprint collects the case's named parties, the holders of named accounts and the
// accounts and phones of named persons, and the devices the named accounts were used from.
func (g *Graph) caseFootprint(c int32, maxDev int) (footprint, map[int32]string) {
	fp := footprint{}
	roles := map[int32]string{} // named node → role
	g.Neighbours(c, func(a Adj) bool {
		if a.Rel == Party {
			roles[a.Node] = a.Label
			fp[a.Node] = "named as " + roleName(a.Label)
		}
		return true
	})
	add := func(n int32, how string) {
		if _, ok := fp[n]; !ok {
			fp[n] = how
		}
	}
	for n := range roles {
		g.Neighbours(n, func(a Adj) bool {
			switch {
			case a.Rel == Holds && !a.Out && g.types[n] == Account:
				add(a.Node, "holder of named account "+g.keys[n])
			case a.Rel == Holds && a.Out && (g.types[n] == Person || g.types[n] == Company):
				add(a.Node, "held by named "+g.keys[n])
			}
			return true
		})
	}
	for n, how := range fp {
		if g.types[n] != Account {
			continue
		}
		_ = how
		g.Neighbours(n, func(a Adj) bool {
			if a.Rel == Uses && a.Out && g.usersOf(a.Node) <= maxDev {
				add(a.Node, "device of account "+g.keys[n])
			}
			return true
		})
	}
	return fp, roles
}

// usersOf counts the accounts and phones used from a device.
func (g *Graph) usersOf(dev int32) int {
	n := 0
	g.Neighbours(dev, func(a Adj) bool {
		if a.Rel == Uses && !a.Out {
			n++
		}
		return true
	})
	return n
}

func roleName(r string) string {
	if r == "" {
		return "party"
	}
	return r
}

// Cases collides every case's footprint with every other's and proposes candidates.
func (g *Graph) Cases(o CaseOptions) CaseReport {
	if o.MaxDeviceAccounts <= 0 {
		o.MaxDeviceAccounts = 200
	}
	var cases []int32
	for i, t := range g.types {
		if t == Case {
			cases = append(cases, int32(i))
		}
	}
	slices.SortFunc(cases, func(a, b int32) int { return cmp.Compare(g.keys[a], g.keys[b]) })
	rep := CaseReport{Cases: len(cases)}
	fps := make([]footprint, len(cases))
	named := make([]map[int32]string, len(cases))
	touched := map[int32][]int{} // node → indexes of cases touching it
	for i, c := range cases {
		fps[i], named[i] = g.caseFootprint(c, o.MaxDeviceAccounts)
		for n := range fps[i] {
			touched[n] = append(touched[n], i)
		}
	}
	namedIn := map[int32][]string{}
	for i := range cases {
		for n := range named[i] {
			namedIn[n] = append(namedIn[n], g.keys[cases[i]])
		}
	}
	shared := map[[2]int][]Ref{}
	for n, cs := range touched {
		if len(cs) < 2 {
			continue
		}
		slices.Sort(cs)
		col := Collision{Node: g.Ref(n)}
		for _, i := range cs {
			col.Cases = append(col.Cases, g.keys[cases[i]])
			col.How = append(col.How, fps[i][n])
		}
		rep.Collisions = append(rep.Collisions, col)
		for x := range cs {
			for y := x + 1; y < len(cs); y++ {
				k := [2]int{cs[x], cs[y]}
				shared[k] = append(shared[k], g.Ref(n))
			}
		}
	}
	slices.SortFunc(rep.Collisions, func(a, b Collision) int {
		return cmp.Or(cmp.Compare(len(b.Cases), len(a.Cases)), cmp.Compare(a.Node.Type, b.Node.Type), cmp.Compare(a.Node.Key, b.Node.Key))
	})
	for k, refs := range shared {
		slices.SortFunc(refs, func(a, b Ref) int { return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Key, b.Key)) })
		rep.Links = append(rep.Links, CaseLink{A: g.keys[cases[k[0]]], B: g.keys[cases[k[1]]], Shared: refs})
	}
	slices.SortFunc(rep.Links, func(a, b CaseLink) int {
		return cmp.Or(cmp.Compare(len(b.Shared), len(a.Shared)), cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B))
	})
	for i, c := range cases {
		rep.Candidates = append(rep.Candidates, g.candidates(g.keys[c], fps[i], named[i], namedIn, o.MaxDeviceAccounts)...)
	}
	return rep
}

// candidates proposes what case c missed. A case that names victims is a fraud case: its
// scope is the victims' money, so the candidates are
//   - cards that received money from a named victim's account and are operated from a device
//     that operates other holders' accounts too (a mule card, not a relative or a shop), with
//     their holders as offenders;
//   - the holders of other accounts that paid those cards or the named level-1 cards, when
//     they are no mule cards themselves, as unreported victims.
//
// A case without victims (帮信, 掩隐) is about the cards: the candidates are the cards
// operated from a device that also operated two of the case's named accounts (a card dealer
// runs all his farmers' cards from one device), and their holders as offenders.
func (g *Graph) candidates(c string, fp footprint, named map[int32]string, namedIn map[int32][]string, maxDev int) []Candidate {
	type cand struct {
		what string
		ev   []string
	}
	found := map[int32]*cand{}
	add := func(n int32, what, ev string) {
		if _, isNamed := named[n]; isNamed {
			return
		}
		x := found[n]
		if x == nil {
			x = &cand{what: what}
			found[n] = x
		}
		if !slices.Contains(x.ev, ev) && len(x.ev) < 8 {
			x.ev = append(x.ev, ev)
		}
	}
	holdersOf := func(acct int32, what, ev string) {
		g.Neighbours(acct, func(a Adj) bool {
			if a.Rel == Holds && !a.Out && g.types[a.Node] == Person {
				add(a.Node, what, ev)
			}
			return true
		})
	}
	namedAccts := map[int32]bool{}
	victims := false
	for n, role := range named {
		if g.types[n] == Account {
			namedAccts[n] = true
		}
		victims = victims || role == "victim"
	}
	if victims {
		g.fraudCandidates(named, namedAccts, maxDev, add, holdersOf)
	} else {
		g.cardCandidates(fp, namedAccts, maxDev, add, holdersOf)
	}
	var out []Candidate
	for n, x := range found {
		slices.Sort(x.ev)
		out = append(out, Candidate{Case: c, What: x.what, Node: g.Ref(n), Score: len(x.ev), Evidence: x.ev, NamedIn: namedIn[n]})
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.What, b.What), cmp.Compare(a.Node.Key, b.Node.Key))
	})
	return out
}

type addFunc func(n int32, what, ev string)

// cardCandidates expands a case through the devices that operated two or more of its named
// accounts (or accounts of its named persons).
func (g *Graph) cardCandidates(fp footprint, namedAccts map[int32]bool, maxDev int, add, holdersOf addFunc) {
	for dev := range fp {
		if !g.types[dev].IsDevice() || g.usersOf(dev) > maxDev {
			continue
		}
		accts, _ := g.used(dev)
		var mine []int32
		for _, a := range accts {
			if _, ok := fp[a]; ok {
				mine = append(mine, a)
			}
		}
		// A person's own phone operates only their own accounts: the device must operate the
		// accounts of two of the case's parties.
		hs := map[int32]bool{}
		g.holdersOf(mine, hs)
		if len(hs) < 2 {
			continue
		}
		ev := fmt.Sprintf("operated from %s %s like %d accounts of %d parties of the case", g.types[dev], g.keys[dev], len(mine), len(hs))
		for _, a := range accts {
			if namedAccts[a] {
				continue
			}
			// An unnamed card of a named person is a missed card; a card of someone unnamed
			// makes its holder a missed offender.
			if how, ok := fp[a]; ok && strings.HasPrefix(how, "held by named") {
				add(a, "card", ev)
			} else {
				holdersOf(a, "offender", ev+"; holds "+g.keys[a])
			}
		}
	}
}

// fraudCandidates follows the named victims' money to the cards it reached.
func (g *Graph) fraudCandidates(named map[int32]string, namedAccts map[int32]bool, maxDev int, add, holdersOf addFunc) {
	level1 := map[int32]bool{}
	for n, role := range named {
		if role != "victim" || g.types[n] != Account {
			continue
		}
		g.Neighbours(n, func(a Adj) bool {
			if a.Rel != Transfer || !a.Out || g.types[a.Node] != Account {
				return true
			}
			if namedAccts[a.Node] {
				level1[a.Node] = true
				return true
			}
			if dev, holders := g.sharedDevice(a.Node, maxDev); holders >= minShared {
				ev := fmt.Sprintf("received money from named victim account %s; operated from %s %s with accounts of %d holders", g.keys[n], g.types[dev], g.keys[dev], holders)
				add(a.Node, "card", ev)
				holdersOf(a.Node, "offender", ev)
				level1[a.Node] = true
			}
			return true
		})
	}
	for l1 := range level1 {
		g.Neighbours(l1, func(a Adj) bool {
			if a.Rel != Transfer || a.Out || g.types[a.Node] != Account || namedAccts[a.Node] || level1[a.Node] {
				return true
			}
			if _, holders := g.sharedDevice(a.Node, maxDev); holders >= minShared {
				return true // a mule card passing money on, no victim
			}
			holdersOf(a.Node, "victim", "paid "+g.keys[l1]+", a level-1 card of the case's victims")
			return true
		})
	}
	// The numbers that called the named victims, and whom else they called: a callee who then
	// paid a mule card is a victim of the same call centre.
	for n, role := range named {
		if role != "victim" || g.types[n] != Phone {
			continue
		}
		g.Neighbours(n, func(a Adj) bool {
			if a.Rel != Call || a.Out || g.types[a.Node] != Phone {
				return true
			}
			caller := a.Node
			if !g.onSIMFarm(caller) && g.victimsCalled(caller, named) < 2 {
				return true // a relative or a shop, not the call centre
			}
			g.Neighbours(caller, func(b Adj) bool {
				if b.Rel != Call || !b.Out || b.Node == n {
					return true
				}
				for _, h := range g.holdersOfNode(b.Node) {
					if _, isNamed := named[h]; isNamed {
						continue
					}
					if card, dev := g.paidMuleCard(h, maxDev); card >= 0 {
						add(h, "victim", fmt.Sprintf("called by %s, which called named victim %s; then paid %s, operated from %s %s", g.keys[caller], g.keys[n], g.keys[card], g.types[dev], g.keys[dev]))
					}
				}
				return true
			})
			return true
		})
	}
}

// minShared is how many holders' accounts a device must operate to be taken for a card
// dealer's: a household shares one device between two or three people.
const minShared = 4

// holdersOfNode lists the holders of an account or phone.
func (g *Graph) holdersOfNode(n int32) []int32 {
	var hs []int32
	g.Neighbours(n, func(a Adj) bool {
		if a.Rel == Holds && !a.Out && g.types[a.Node] == Person {
			hs = append(hs, a.Node)
		}
		return true
	})
	return hs
}

// paidMuleCard finds an account of person p paid money to an account operated from a device
// that operates the accounts of at least minShared holders; it returns -1 when none did.
func (g *Graph) paidMuleCard(p int32, maxDev int) (card, dev int32) {
	card, dev = -1, -1
	g.Neighbours(p, func(a Adj) bool {
		if a.Rel != Holds || !a.Out || g.types[a.Node] != Account {
			return true
		}
		if _, h := g.sharedDevice(a.Node, maxDev); h >= minShared {
			return true // a mule card paying the next level
		}
		g.Neighbours(a.Node, func(b Adj) bool {
			if b.Rel == Transfer && b.Out && g.types[b.Node] == Account {
				if d, h := g.sharedDevice(b.Node, maxDev); h >= minShared {
					card, dev = b.Node, d
					return false
				}
			}
			return true
		})
		return card < 0
	})
	return card, dev
}

// isHeldByNamed reports whether a named person or company holds account n.
func isHeldByNamed(g *Graph, n int32, named map[int32]string) bool {
	held := false
	g.Neighbours(n, func(a Adj) bool {
		if a.Rel == Holds && !a.Out {
			if _, ok := named[a.Node]; ok {
				held = true
				return false
			}
		}
		return true
	})
	return held
}

// sharedDevice returns the device account n was used from that operates the accounts of the
// most holders (a card dealer's device operates all its farmers' cards; a person's own phone
// only theirs), and that number of holders.
func (g *Graph) sharedDevice(n int32, maxDev int) (int32, int) {
	best, most := int32(-1), 0
	g.Neighbours(n, func(a Adj) bool {
		if a.Rel == Uses && a.Out && g.types[a.Node].IsDevice() && g.usersOf(a.Node) <= maxDev {
			if h := g.deviceHolders(a.Node); h > most {
				best, most = a.Node, h
			}
		}
		return true
	})
	return best, most
}

// deviceHolders counts the distinct holders (persons and companies) of the accounts and
// phones used from a device.
func (g *Graph) deviceHolders(dev int32) int {
	accts, phones := g.used(dev)
	hs := map[int32]bool{}
	g.holdersOf(accts, hs)
	g.holdersOf(phones, hs)
	return len(hs)
}

// simFarmPhones is how many numbers an IMEI must carry to be taken for a SIM farm's.
const simFarmPhones = 6

// onSIMFarm reports whether phone was used from an IMEI carrying many numbers.
func (g *Graph) onSIMFarm(phone int32) bool {
	farm := false
	g.Neighbours(phone, func(a Adj) bool {
		if a.Rel == Uses && a.Out && g.types[a.Node] == IMEI {
			_, phones := g.used(a.Node)
			farm = len(phones) >= simFarmPhones
		}
		return !farm
	})
	return farm
}

// victimsCalled counts the case's named victims' phones that phone called.
func (g *Graph) victimsCalled(phone int32, named map[int32]string) int {
	n := 0
	g.Neighbours(phone, func(a Adj) bool {
		if a.Rel == Call && a.Out && named[a.Node] == "victim" {
			n++
		}
		return true
	})
	return n
}
