package resolve

import (
	"slices"
)

// clusterer joins linked records with union-find, strongest links first. A link that would
// merge two groups is refused when the groups, compared record by record, do not on the whole
// look like one person: chaining (A≈B, B≈C, so A=C although A and C share nothing) is how one
// weak link fuses two families into one "person".
type clusterer struct {
	parent  []int32
	members [][]int32
	score   func(i, j int32) float64 // match weight of two records
	minLink float64                  // weight a link needs
	guard   float64                  // share of cross pairs that must look alike
	maxSize int
	refused int
}

func newClusterer(n int, score func(i, j int32) float64, minLink, guard float64, maxSize int) *clusterer {
	c := &clusterer{parent: make([]int32, n), members: make([][]int32, n), score: score, minLink: minLink, guard: guard, maxSize: maxSize}
	for i := range c.parent {
		c.parent[i] = int32(i)
	}
	return c
}

func (c *clusterer) find(i int32) int32 {
	for c.parent[i] != i {
		c.parent[i] = c.parent[c.parent[i]]
		i = c.parent[i]
	}
	return i
}

func (c *clusterer) group(r int32) []int32 {
	if c.members[r] == nil {
		return []int32{r}
	}
	return c.members[r]
}

// link merges the groups of i and j unless the guard refuses; it reports whether they merged.
func (c *clusterer) link(i, j int32) bool {
	ri, rj := c.find(i), c.find(j)
	if ri == rj {
		return true
	}
	gi, gj := c.group(ri), c.group(rj)
	if len(gi)+len(gj) > c.maxSize {
		c.refused++
		return false
	}
	if len(gi)+len(gj) > 2 && !c.coherent(gi, gj) {
		c.refused++
		return false
	}
	if len(gi) < len(gj) {
		ri, rj, gi, gj = rj, ri, gj, gi
	}
	c.parent[rj] = ri
	c.members[ri] = append(slices.Clip(gi), gj...)
	c.members[rj] = nil
	return true
}

// coherent requires that a share of the record pairs across the two groups reach half the
// link threshold: a duplicate need not match every other duplicate (each has its own typos),
// but a group joined through one record only is suspect.
func (c *clusterer) coherent(a, b []int32) bool {
	good, total := 0, 0
	for _, x := range a {
		for _, y := range b {
			total++
			if c.score(x, y) >= c.minLink/2 {
				good++
			}
		}
	}
	return float64(good) >= c.guard*float64(total)
}

// clusters returns the groups of two or more records, largest first, and each record's group
// number (-1 for a record alone).
func (c *clusterer) clusters() ([][]int32, []int32) {
	var out [][]int32
	for r := range c.parent {
		if c.find(int32(r)) == int32(r) && len(c.members[r]) > 1 {
			g := slices.Clone(c.members[r])
			slices.Sort(g)
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(x, y []int32) int {
		if len(x) != len(y) {
			return len(y) - len(x)
		}
		return int(x[0] - y[0])
	})
	of := make([]int32, len(c.parent))
	for i := range of {
		of[i] = -1
	}
	for n, g := range out {
		for _, r := range g {
			of[r] = int32(n)
		}
	}
	return out, of
}
