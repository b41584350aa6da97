package graph

import (
	"cmp"
	"slices"
)

// Controller is something that ties many other people's accounts or numbers together: a
// device operating the cards of many holders (a card dealer, 卡头, runs all the cards his card
// farmers, 卡农, sold him from his own device), a person whose devices operate other people's
// accounts, IMEIs carrying many numbers (a SIM farm of a call centre), or a person holding
// many numbers.
type Controller struct {
	Kind     string      `json:"kind"`  // "device", "person", "sim_farm" or "sim_holder"
	Nodes    []Ref       `json:"nodes"` // the device's IP, MAC and IMEI; the person; the farm's IMEIs
	Score    int         `json:"score"` // other holders tied (device, person), numbers (sim_farm, sim_holder)
	Holders  int         `json:"holders"`
	Accounts int         `json:"accounts"`
	Phones   int         `json:"phones"`
	Sample   []Ref       `json:"holders_sample,omitempty"` // up to ten holders
	Behind   []Organiser `json:"organisers,omitempty"`     // persons named in cases beside the holders

	members []int32 // device controllers: the device's nodes, accounts, phones, holders and first organiser
}

// Organiser is a person that cases name beside the holders of a controller's accounts: the
// person behind a dealer's device is named in the same 帮信 case as the farmers.
type Organiser struct {
	Person  Ref      `json:"person"`
	CoNamed int      `json:"co_named_holders"`
	Cases   []string `json:"cases"`
}

var kindRank = map[string]int{"device": 0, "person": 1, "sim_farm": 2, "sim_holder": 3}

// ControllerOptions tune Controllers.
type ControllerOptions struct {
	MinHolders int // a device or person must tie at least this many other holders (default 3)
	MinPhones  int // a SIM farm or SIM holder at least this many numbers (default 6)
	// MaxUsers leaves out devices used by more accounts and phones than this: a shared gateway
	// is no one's controller (default 5,000).
	MaxUsers int
}

// Controllers finds and ranks controllers: devices, then persons, SIM farms and SIM holders,
// each highest score first.
func (g *Graph) Controllers(o ControllerOptions) []Controller {
	if o.MinHolders <= 0 {
		o.MinHolders = 3
	}
	if o.MinPhones <= 0 {
		o.MinPhones = 6
	}
	if o.MaxUsers <= 0 {
		o.MaxUsers = 5000
	}
	out := g.deviceControllers(o)
	out = append(out, g.simFarms(o)...)
	out = append(out, g.personControllers(o)...)
	// Kinds are ranked apart, devices first: a score counts holders for devices and persons
	// but numbers for SIM farms, and the two do not compare.
	slices.SortStableFunc(out, func(a, b Controller) int {
		return cmp.Or(cmp.Compare(kindRank[a.Kind], kindRank[b.Kind]), cmp.Compare(b.Score, a.Score), cmp.Compare(a.Nodes[0].Key, b.Nodes[0].Key))
	})
	return out
}

// used lists the accounts and phones used from a device.
func (g *Graph) used(dev int32) (accts, phones []int32) {
	g.Neighbours(dev, func(a Adj) bool {
		if a.Rel == Uses && !a.Out {
			switch g.types[a.Node] {
			case Account:
				accts = append(accts, a.Node)
			case Phone:
				phones = append(phones, a.Node)
			}
		}
		return true
	})
	return accts, phones
}

// holdersOf adds the holders of nodes to set.
func (g *Graph) holdersOf(nodes []int32, set map[int32]bool) {
	for _, n := range nodes {
		g.Neighbours(n, func(a Adj) bool {
			if a.Rel == Holds && !a.Out {
				set[a.Node] = true
			}
			return true
		})
	}
}

type devGroup struct {
	nodes  []int32
	accts  map[int32]bool
	phones map[int32]bool
}

// deviceControllers finds devices whose accounts have many holders and merges the IP, MAC
// and IMEI of one device (they operate the same accounts) into one controller.
func (g *Graph) deviceControllers(o ControllerOptions) []Controller {
	var groups []*devGroup
	for i, t := range g.types {
		if !t.IsDevice() {
			continue
		}
		dev := int32(i)
		accts, phones := g.used(dev)
		if len(accts)+len(phones) > o.MaxUsers || len(accts)+len(phones) < o.MinHolders {
			continue
		}
		hs := map[int32]bool{}
		g.holdersOf(accts, hs)
		g.holdersOf(phones, hs)
		if len(hs) < o.MinHolders {
			continue
		}
		d := &devGroup{nodes: []int32{dev}, accts: setOf(accts), phones: setOf(phones)}
		merged := false
		for _, x := range groups {
			if jaccard(x.accts, d.accts) >= 0.5 {
				x.nodes = append(x.nodes, dev)
				for a := range d.accts {
					x.accts[a] = true
				}
				for p := range d.phones {
					x.phones[p] = true
				}
				merged = true
				break
			}
		}
		if !merged {
			groups = append(groups, d)
		}
	}
	var out []Controller
	for _, x := range groups {
		hs := map[int32]bool{}
		g.holdersOf(keys(x.accts), hs)
		g.holdersOf(keys(x.phones), hs)
		c := Controller{Kind: "device", Score: len(hs), Holders: len(hs), Accounts: len(x.accts), Phones: len(x.phones)}
		slices.SortFunc(x.nodes, func(a, b int32) int { return cmp.Compare(g.types[a], g.types[b]) })
		for _, n := range x.nodes {
			c.Nodes = append(c.Nodes, g.Ref(n))
		}
		c.Sample = g.sample(hs)
		c.Behind = g.organisers(hs, x.accts)
		c.members = append(append(append(slices.Clone(x.nodes), keys(x.accts)...), keys(x.phones)...), keys(hs)...)
		if len(c.Behind) > 0 {
			c.members = append(c.members, c.Behind[0].Person.ID)
		}
		slices.Sort(c.members)
		out = append(out, c)
	}
	return out
}

// simFarms finds IMEIs that carried many numbers, grouping IMEIs that share numbers (a call
// centre moves its SIMs between a few handsets or SIM boxes).
func (g *Graph) simFarms(o ControllerOptions) []Controller {
	var farms []*devGroup
	for i, t := range g.types {
		if t != IMEI {
			continue
		}
		_, phones := g.used(int32(i))
		if len(phones) < o.MinPhones || len(phones) > o.MaxUsers {
			continue
		}
		d := &devGroup{nodes: []int32{int32(i)}, phones: setOf(phones)}
		merged := false
		for _, x := range farms {
			if overlaps(x.phones, d.phones) {
				x.nodes = append(x.nodes, int32(i))
				for p := range d.phones {
					x.phones[p] = true
				}
				merged = true
				break
			}
		}
		if !merged {
			farms = append(farms, d)
		}
	}
	var out []Controller
	for _, x := range farms {
		hs := map[int32]bool{}
		g.holdersOf(keys(x.phones), hs)
		c := Controller{Kind: "sim_farm", Score: len(x.phones), Holders: len(hs), Phones: len(x.phones), Sample: g.sample(hs)}
		for _, n := range x.nodes {
			c.Nodes = append(c.Nodes, g.Ref(n))
		}
		out = append(out, c)
	}
	return out
}

// personControllers finds persons whose own accounts' and phones' devices operate other
// people's accounts, and persons holding many numbers.
func (g *Graph) personControllers(o ControllerOptions) []Controller {
	var out []Controller
	for i, t := range g.types {
		if t != Person {
			continue
		}
		p := int32(i)
		var own, phones []int32
		g.Neighbours(p, func(a Adj) bool {
			if a.Rel == Holds && a.Out {
				own = append(own, a.Node)
				if g.types[a.Node] == Phone {
					phones = append(phones, a.Node)
				}
			}
			return true
		})
		if len(phones) >= o.MinPhones {
			out = append(out, Controller{Kind: "sim_holder", Nodes: []Ref{g.Ref(p)}, Score: len(phones), Holders: 1, Phones: len(phones)})
		}
		others := map[int32]bool{}
		accts := map[int32]bool{}
		for _, n := range own {
			g.Neighbours(n, func(a Adj) bool {
				if a.Rel != Uses || !a.Out {
					return true
				}
				ua, up := g.used(a.Node)
				if len(ua)+len(up) > o.MaxUsers {
					return true
				}
				for _, x := range ua {
					accts[x] = true
				}
				g.holdersOf(ua, others)
				g.holdersOf(up, others)
				return true
			})
		}
		delete(others, p)
		if len(others) >= o.MinHolders {
			out = append(out, Controller{Kind: "person", Nodes: []Ref{g.Ref(p)}, Score: len(others), Holders: len(others), Accounts: len(accts), Sample: g.sample(others)})
		}
	}
	return out
}

// organisers ranks the persons that cases name beside the holders of a controller's accounts
// and who hold no card operated from a shared device themselves (those are card farmers). A
// card dealer's own case names him and mostly his farmers, while a fraud case names the
// farmers of several dealers and the call centre's operators, so a person ranks by the
// largest share of a case's suspects that are this controller's holders, then by how many
// holders cases name beside them.
func (g *Graph) organisers(holders, accts map[int32]bool) []Organiser {
	type score struct {
		share float64
		co    map[int32]bool
		cases []string
	}
	sc := map[int32]*score{}
	done := map[int32]bool{}
	visitCase := func(c int32) {
		if done[c] {
			return
		}
		done[c] = true
		var co, others []int32
		suspects := 0
		g.Neighbours(c, func(b Adj) bool {
			if b.Rel != Party || !b.Out || g.types[b.Node] != Person || b.Label == "victim" {
				return true
			}
			if slices.Contains(co, b.Node) || slices.Contains(others, b.Node) {
				return true // named twice (suspect and defendant)
			}
			suspects++
			if holders[b.Node] {
				co = append(co, b.Node)
			} else {
				others = append(others, b.Node)
			}
			return true
		})
		if len(co) < 2 {
			return
		}
		share := float64(len(co)) / float64(suspects)
		for _, p := range others {
			if g.holdsSharedCard(p) {
				continue
			}
			x := sc[p]
			if x == nil {
				x = &score{co: map[int32]bool{}}
				sc[p] = x
			}
			x.share = max(x.share, share)
			for _, h := range co {
				x.co[h] = true
			}
			x.cases = append(x.cases, g.keys[c])
		}
	}
	for n := range holders {
		g.Neighbours(n, func(a Adj) bool {
			if a.Rel == Party && !a.Out {
				visitCase(a.Node)
			}
			return true
		})
	}
	type ranked struct {
		o     Organiser
		share float64
	}
	var rs []ranked
	for p, x := range sc {
		slices.Sort(x.cases)
		rs = append(rs, ranked{Organiser{Person: g.Ref(p), CoNamed: len(x.co), Cases: x.cases}, x.share})
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.share, a.share), cmp.Compare(b.o.CoNamed, a.o.CoNamed), cmp.Compare(a.o.Person.Key, b.o.Person.Key))
	})
	var out []Organiser
	for i := range min(len(rs), 5) {
		out = append(out, rs[i].o)
	}
	return out
}

// holdsSharedCard reports whether person p holds an account operated from a device that
// operates the accounts of at least minShared holders.
func (g *Graph) holdsSharedCard(p int32) bool {
	shared := false
	g.Neighbours(p, func(a Adj) bool {
		if a.Rel == Holds && a.Out && g.types[a.Node] == Account {
			if _, h := g.sharedDevice(a.Node, 5000); h >= minShared {
				shared = true
			}
		}
		return !shared
	})
	return shared
}

func (g *Graph) sample(set map[int32]bool) []Ref {
	ks := keys(set)
	slices.SortFunc(ks, func(a, b int32) int { return cmp.Compare(g.keys[a], g.keys[b]) })
	if len(ks) > 10 {
		ks = ks[:10]
	}
	out := make([]Ref, len(ks))
	for i, k := range ks {
		out[i] = g.Ref(k)
	}
	return out
}

func setOf(xs []int32) map[int32]bool {
	m := make(map[int32]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func keys(m map[int32]bool) []int32 {
	out := make([]int32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func jaccard(a, b map[int32]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	in := 0
	for x := range a {
		if b[x] {
			in++
		}
	}
	return float64(in) / float64(len(a)+len(b)-in)
}

func overlaps(a, b map[int32]bool) bool {
	for x := range b {
		if a[x] {
			return true
		}
	}
	return false
}

// ControlGroups labels the nodes that device controllers tie together, as a starting
// partition for LouvainFrom: each device's nodes, the accounts and phones used from it, their
// holders and its first organiser share one label; a node in two groups stays in the one of
// the higher-ranked controller; every other node is a group of its own.
func (g *Graph) ControlGroups(cs []Controller) []int32 {
	of := make([]int32, g.Nodes())
	for i := range of {
		of[i] = int32(i)
	}
	taken := make([]bool, g.Nodes())
	for _, c := range cs {
		if c.Kind != "device" || len(c.members) == 0 {
			continue
		}
		label := int32(-1)
		for _, m := range c.members {
			if !taken[m] {
				if label < 0 {
					label = m
				}
				of[m], taken[m] = label, true
			}
		}
	}
	return of
}
