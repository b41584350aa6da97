package supervise

import (
	"fmt"
	"regexp"
	"strings"
)

// groupPlan is the compiled group stage: it wraps the row query ("base") and adds measures.
type groupPlan struct {
	window       string // bucket expression of the window's time column in base; "" = no window
	measureNames []string
	measureTypes map[string]string
	wrap         func(base string) string
	// inlineBase marks a base that is a filtered scan of one input (no join, no anti-join). It
	// is then inlined (NOT MATERIALIZED) rather than computed once into a temporary result:
	// re-reading it is a scan, and the engine pushes the groups' keys from the join into that
	// scan, so only the rows of the clues are read in full. A base with joins is computed once.
	inlineBase bool
}

// baseCTE opens the WITH clause that names the row query "base".
func (g *groupPlan) baseCTE(base string) string {
	if g.inlineBase {
		return "WITH " + quote("base") + " AS NOT MATERIALIZED (\n" + base + "\n),\n"
	}
	return "WITH " + quote("base") + " AS (\n" + base + "\n),\n"
}

func (c *compiler) group(g *Group) *groupPlan {
	if g == nil {
		return nil
	}
	path := "logic.group"
	if len(g.By) == 0 {
		c.errf(path+".by", "group needs by: (the columns that make one clue), such as [a.holder_id_number]")
		return nil
	}
	if len(g.Measures) == 0 {
		c.errf(path+".measures", "group needs measures:, such as {banks: {count_distinct: a.bank}}")
	}
	var by []string
	for i, ref := range g.By {
		if _, _, ok := c.colRef(fmt.Sprintf("%s.by[%d]", path, i), ref, false); ok {
			by = append(by, quote(ref))
		}
	}
	plan := &groupPlan{measureTypes: map[string]string{}}
	aggs := map[string]string{} // measure → aggregate over rows of the alias "y" (or "base")
	rowAlias := quote("base")
	if g.Window != nil {
		rowAlias = quote("y")
	}
	for _, name := range sortedKeys(g.Measures) {
		p := path + ".measures." + name
		if !aliasRe.MatchString(name) || name == "rows" {
			c.errf(p, "measure name %q is not allowed: use lower-case letters, digits and underscores (not rows)", name)
			continue
		}
		fn, ref, n := g.Measures[name].fn()
		if n != 1 {
			c.errf(p, "a measure takes exactly one of count, count_distinct, sum, min, max")
			continue
		}
		typ := "integer"
		arg := "*"
		if !(fn == "count" && ref == "*") {
			_, col, ok := c.colRef(p+"."+fn, ref, false)
			if !ok {
				continue
			}
			arg = rowAlias + "." + quote(ref)
			if fn == "sum" || fn == "min" || fn == "max" {
				typ = col.Type
			}
			if fn == "sum" && col.Type != "" && typeFamily(col.Type) != "number" {
				c.errf(p, "sum of %s, which is %s: sum needs a number column", ref, col.Type)
				continue
			}
		}
		switch fn {
		case "count_distinct":
			aggs[name] = "count(DISTINCT " + arg + ")"
		default:
			aggs[name] = fn + "(" + arg + ")"
		}
		plan.measureNames = append(plan.measureNames, name)
		plan.measureTypes[name] = typ
	}
	var having []string
	for i, h := range g.Having {
		p := fmt.Sprintf("%s.having[%d]", path, i)
		if h.Measure == "" {
			c.errf(p, "a having condition names a measure: {measure: NAME, op: ge, value: ...}")
			continue
		}
		agg, ok := aggs[h.Measure]
		if !ok {
			c.errf(p+".measure", "unknown measure %s: declare it under group.measures", h.Measure)
			continue
		}
		typ := plan.measureTypes[h.Measure]
		if s := c.compare(p, agg, typ, h.Op, h.Value); s != "" {
			having = append(having, s)
		}
	}
	var aggSel []string
	for _, name := range plan.measureNames {
		aggSel = append(aggSel, aggs[name]+" AS "+quote(name))
	}
	joinOn := func(l, r string) []string {
		var on []string
		for _, b := range by {
			on = append(on, l+"."+b+" = "+r+"."+b)
		}
		return on
	}
	notNull := func(a string) []string {
		var out []string
		for _, b := range by {
			out = append(out, a+"."+b+" IS NOT NULL")
		}
		return out
	}
	havingSQL := ""
	if len(having) > 0 {
		havingSQL = " HAVING " + andAll(having)
	}
	var measureOut []string
	for _, name := range plan.measureNames {
		measureOut = append(measureOut, quote("grp")+"."+quote(name))
	}
	if g.Window == nil {
		plan.wrap = func(base string) string {
			grp := "SELECT " + strings.Join(append(prefixed(quote("base"), by), aggSel...), ", ") + " FROM " + quote("base") +
				" WHERE " + andAll(notNull(quote("base"))) + " GROUP BY " + strings.Join(prefixed(quote("base"), by), ", ") + havingSQL
			return plan.baseCTE(base) + quote("grp") + " AS (" + grp + ")\n" +
				"SELECT " + strings.Join(append([]string{quote("base") + ".*"}, measureOut...), ", ") + " FROM " + quote("base") +
				" JOIN " + quote("grp") + " ON " + andAll(joinOn(quote("base"), quote("grp")))
		}
		return plan
	}
	// Sliding window: each row x anchors a window [t, t + length]; rows y of the same group in
	// it are found through time buckets as in a tolerance join.
	wp := path + ".window"
	_, tcol, ok := c.colRef(wp+".time", g.Window.Time, false)
	length, ok2 := c.duration(wp+".length", g.Window.Length)
	if !ok || !ok2 {
		return plan
	}
	if tcol.Type != "" && typeFamily(tcol.Type) != "time" {
		c.errf(wp+".time", "%s is %s; a window needs a date or timestamp column", g.Window.Time, tcol.Type)
		return plan
	}
	width := max(length.approxSeconds(), 1)
	t := quote(g.Window.Time)
	alias, col, _ := strings.Cut(g.Window.Time, ".")
	plan.window = bucketExpr(quote(alias)+"."+quote(col), width)
	x, y := quote("x"), quote("y")
	plan.wrap = func(base string) string {
		win := "SELECT " + strings.Join(append(append(prefixed(x, by), x+"."+t+" AS "+quote("_anchor")), aggSel...), ", ") +
			" FROM " + quote("base") + " AS " + x + " CROSS JOIN (VALUES (0), (1)) AS " + quote("_w") + "(k) JOIN " + quote("base") + " AS " + y +
			" ON " + andAll(append(joinOn(x, y),
			y+"."+quote("_bk")+" = "+x+"."+quote("_bk")+" + "+quote("_w")+".k",
			y+"."+t+" >= "+x+"."+t, y+"."+t+" <= "+x+"."+t+" + "+length.interval())) +
			" WHERE " + andAll(notNull(x)) + " GROUP BY " + strings.Join(append(prefixed(x, by), x+"."+t), ", ") + havingSQL
		first := "SELECT " + strings.Join(append(prefixed(quote("win"), by), "min("+quote("win")+"."+quote("_anchor")+") AS "+quote("_anchor")), ", ") +
			" FROM " + quote("win") + " GROUP BY " + strings.Join(prefixed(quote("win"), by), ", ")
		grp := "SELECT " + quote("win") + ".* FROM " + quote("win") + " JOIN " + quote("first") + " ON " +
			andAll(append(joinOn(quote("win"), quote("first")), quote("win")+"."+quote("_anchor")+" = "+quote("first")+"."+quote("_anchor")))
		b := quote("base")
		return plan.baseCTE(base) + quote("win") + " AS (" + win + "),\n" +
			quote("first") + " AS (" + first + "),\n" + quote("grp") + " AS (" + grp + ")\n" +
			"SELECT " + strings.Join(append([]string{b + ".*"}, measureOut...), ", ") + " FROM " + b + " JOIN " + quote("grp") +
			" ON " + andAll(append(joinOn(b, quote("grp")),
			b+"."+t+" >= "+quote("grp")+"."+quote("_anchor"), b+"."+t+" <= "+quote("grp")+"."+quote("_anchor")+" + "+length.interval()))
	}
	return plan
}

func prefixed(alias string, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = alias + "." + c
	}
	return out
}

var placeholderRe = regexp.MustCompile(`\{([a-z][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)(?:\|(min|max|list|count))?\}`)

// templates checks the clue template: subject, fingerprint, fields and the placeholders of
// title and explanation name columns of joined inputs or measures.
func (c *compiler) templates(g *groupPlan) {
	ct := c.m.Clue
	measure := func(name string) bool {
		if g == nil {
			return false
		}
		_, ok := g.measureTypes[name]
		return ok
	}
	ref := func(path, r string) {
		if strings.Contains(r, ".") {
			c.colRef(path, r, false)
			return
		}
		if !measure(r) {
			c.errf(path, "%q is neither INPUT.COLUMN nor a measure of group.measures", r)
		}
	}
	if ct.Subject.Key == "" {
		c.errf("clue.subject.key", "the clue has no subject key: name the column that identifies who or what it is about")
	} else {
		ref("clue.subject.key", ct.Subject.Key)
	}
	if ct.Subject.Type == "" {
		c.errf("clue.subject.type", "the clue subject has no type: person, account, company, case, phone or institution")
	}
	if ct.Subject.Name != "" {
		ref("clue.subject.name", ct.Subject.Name)
	}
	if len(ct.Fingerprint) == 0 {
		c.errf("clue.fingerprint", "the clue has no fingerprint: list the columns that make one clue, so re-runs do not duplicate it")
	}
	for i, f := range ct.Fingerprint {
		ref(fmt.Sprintf("clue.fingerprint[%d]", i), f)
	}
	for i, f := range ct.Fields {
		ref(fmt.Sprintf("clue.fields[%d]", i), f)
	}
	if ct.Title.ZH == "" && ct.Title.EN == "" {
		c.errf("clue.title", "the clue has no title template: add title: {zh: ..., en: ...}")
	}
	for _, t := range []struct{ path, text string }{{"clue.title.zh", ct.Title.ZH}, {"clue.title.en", ct.Title.EN},
		{"clue.explanation.zh", ct.Explanation.ZH}, {"clue.explanation.en", ct.Explanation.EN}} {
		for _, m := range placeholderRe.FindAllStringSubmatch(t.text, -1) {
			if m[1] == "rows" {
				continue
			}
			ref(t.path, m[1])
		}
	}
}
