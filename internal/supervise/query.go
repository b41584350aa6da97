package supervise

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// query builds the SQL of the model. Inputs are written as placeholders {{input:alias}} and
// filled at the end, when every column the model uses is known.
func (c *compiler) query() *Query {
	lg := c.m.Logic
	if _, ok := c.m.Inputs[lg.From]; !ok {
		c.errf("logic.from", "logic.from names %q, which is not declared under inputs: (declared: %s)", lg.From, strings.Join(sortedKeys(c.m.Inputs), ", "))
		return &Query{}
	}
	c.scope[lg.From] = true
	from := []string{"{{input:" + lg.From + "}}"}
	joined := []string{lg.From}
	for i, j := range lg.Join {
		path := fmt.Sprintf("logic.join[%d]", i)
		if _, ok := c.m.Inputs[j.Input]; !ok {
			c.errf(path+".input", "join names %q, which is not declared under inputs:", j.Input)
			continue
		}
		if c.scope[j.Input] {
			c.errf(path+".input", "input %s is joined twice: declare a second input with the same kind under another name", j.Input)
			continue
		}
		c.scope[j.Input] = true
		joined = append(joined, j.Input)
		conds := c.keys(path+".on", j.On)
		if len(j.On) == 0 {
			c.errf(path+".on", "join of %s has no keys: add on: [{left: A.COL, right: %s.COL}]", j.Input, j.Input)
		}
		if j.Within != nil {
			pre, wc := c.within(path+".within", j.Input, *j.Within)
			from = append(from, pre...)
			conds = append(conds, wc...)
		}
		from = append(from, "JOIN {{input:"+j.Input+"}} ON "+andAll(conds))
	}
	var where []string
	for i, w := range lg.Where {
		if s := c.cond(fmt.Sprintf("logic.where[%d]", i), w, false); s != "" {
			where = append(where, s)
		}
	}
	for i, a := range lg.Absent {
		if s := c.absent(fmt.Sprintf("logic.absent[%d]", i), a); s != "" {
			where = append(where, s)
		}
	}
	evidence := c.m.Clue.Evidence
	if len(evidence) == 0 {
		evidence = joined
	}
	for i, e := range evidence {
		if !slices.Contains(joined, e) {
			c.errf(fmt.Sprintf("clue.evidence[%d]", i), "evidence names %q, which is not the from input or a joined input (%s)", e, strings.Join(joined, ", "))
		}
	}
	g := c.group(lg.Group)
	c.templates(g)
	if len(c.probs) > 0 {
		return &Query{}
	}
	// The select list: every used column of a joined input, and the provenance of evidence.
	var sel []string
	var cols []OutColumn
	for _, a := range joined {
		for _, name := range sortedKeys(c.used[a]) {
			col := c.used[a][name]
			out := a + "." + col.Name
			sel = append(sel, quote(a)+"."+quote(col.Name)+" AS "+quote(out))
			cols = append(cols, OutColumn{Name: out, Alias: a, Col: col.Name, Type: col.Type})
		}
		if slices.Contains(evidence, a) {
			for _, sys := range []string{"_ds", "_batch", "_line"} {
				out := a + "." + sys
				if src := c.binds[a].sources; sys == "_ds" && c.directTable(a) {
					sel = append(sel, quoteLit(src[0].Name)+" AS "+quote(out))
				} else {
					sel = append(sel, quote(a)+"."+quote(sys)+" AS "+quote(out))
				}
				cols = append(cols, OutColumn{Name: out, Alias: a, Col: sys})
			}
		}
	}
	if g != nil && g.window != "" {
		sel = append(sel, g.window+" AS "+quote("_bk"))
	}
	base := "SELECT " + strings.Join(sel, ", ") + "\nFROM " + strings.Join(from, "\n")
	if len(where) > 0 {
		base += "\nWHERE " + andAll(where)
	}
	var sqlText string
	if g == nil {
		sqlText = base
	} else {
		g.inlineBase = len(lg.Join) == 0 && len(lg.Absent) == 0
		sqlText = g.wrap(base)
		for _, name := range g.measureNames {
			cols = append(cols, OutColumn{Name: name, Col: name, Type: g.measureTypes[name]})
		}
	}
	order := []string{}
	for _, f := range c.m.Clue.Fingerprint {
		order = append(order, quote(f))
	}
	for _, oc := range cols {
		if oc.Col == "_batch" || oc.Col == "_line" || oc.Col == "_ds" {
			order = append(order, quote(oc.Name))
		}
	}
	sqlText = "SELECT * FROM (\n" + sqlText + "\n) AS clue_rows"
	if len(order) > 0 {
		sqlText += "\nORDER BY " + strings.Join(order, ", ")
	}
	return &Query{SQL: c.fillInputs(sqlText), Columns: cols}
}

func andAll(conds []string) string {
	if len(conds) == 0 {
		return "TRUE"
	}
	return strings.Join(conds, " AND ")
}

// keys compiles join keys; normalised keys compare upper case without spaces and hyphens.
func (c *compiler) keys(path string, on []KeyPair) []string {
	var out []string
	for i, k := range on {
		p := fmt.Sprintf("%s[%d]", path, i)
		l, lc, ok1 := c.colRef(p+".left", k.Left, false)
		r, rc, ok2 := c.colRef(p+".right", k.Right, false)
		if !ok1 || !ok2 {
			continue
		}
		if lc.Type != "" && rc.Type != "" && typeFamily(lc.Type) != typeFamily(rc.Type) {
			c.errf(p, "type mismatch in a join: %s is %s but %s is %s", k.Left, lc.Type, k.Right, rc.Type)
			continue
		}
		switch k.Match {
		case "", "exact":
			out = append(out, l+" = "+r)
		case "normalized":
			out = append(out, normKey(l)+" = "+normKey(r))
		default:
			c.errf(p+".match", "match %q is not known: use exact or normalized", k.Match)
		}
	}
	return out
}

func normKey(e string) string {
	return "upper(replace(replace(trim(" + e + "), ' ', ''), '-', ''))"
}

// bucketExpr numbers the time bucket of width seconds that expression e falls in.
func bucketExpr(e string, width int64) string {
	return fmt.Sprintf("CAST(floor(date_part('epoch', %s) / %d) AS BIGINT)", e, width)
}

// within compiles a tolerance join. A plain key join with a time filter compares every pair
// of rows of a key; instead each right row carries its bucket (time / width) and each left
// row is joined to the two buckets its window can touch, so the join is an equality join on
// (key, bucket) and the exact time filter only sees close pairs (docs/design.md, Storage).
func (c *compiler) within(path, right string, w Within) ([]string, []string) {
	l, lc, ok1 := c.colRef(path+".left", w.Left, false)
	r, rc, ok2 := c.colRef(path+".right", w.Right, false)
	before, ok3 := c.duration(path+".before", w.Before)
	after, ok4 := c.duration(path+".after", w.After)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, nil
	}
	if !strings.HasPrefix(w.Right, right+".") {
		c.errf(path+".right", "within.right must be a column of the joined input %s", right)
		return nil, nil
	}
	for _, cc := range []struct {
		ref string
		col Column
	}{{w.Left, lc}, {w.Right, rc}} {
		if cc.col.Type != "" && typeFamily(cc.col.Type) != "time" {
			c.errf(path, "%s is %s; within needs a date or timestamp column", cc.ref, cc.col.Type)
			return nil, nil
		}
	}
	width := max(before.approxSeconds()+after.approxSeconds(), 1)
	offsets := "(VALUES (0), (1))"
	if lc.Type != rc.Type {
		// A date and a timestamp disagree on the epoch by the zone offset: widen by a bucket
		// each side, and keep buckets at least a day wide.
		width = max(width, 86400)
		offsets = "(VALUES (-1), (0), (1), (2))"
	}
	c.buckets[right] = bucket{col: rc.Name, width: width}
	c.gid++
	g := fmt.Sprintf("_g%d", c.gid)
	lo := l
	if before != (Duration{}) {
		lo = "(" + l + " - " + before.interval() + ")"
	}
	hi := l
	if after != (Duration{}) {
		hi = "(" + l + " + " + after.interval() + ")"
	}
	pre := []string{"CROSS JOIN " + offsets + " AS " + quote(g) + "(k)"}
	conds := []string{
		quote(right) + "." + quote("_bk") + " = " + bucketExpr(lo, width) + " + " + quote(g) + ".k",
		r + " >= " + lo, r + " <= " + hi,
	}
	return pre, conds
}

// cond compiles one condition; having=true resolves measures instead of columns.
func (c *compiler) cond(path string, w Cond, having bool) string {
	forms := 0
	for _, set := range []bool{w.Col != "" || w.Measure != "", w.During != nil, w.Overlaps != nil, w.Before != nil, w.SQL != ""} {
		if set {
			forms++
		}
	}
	if forms != 1 {
		c.errf(path, "a condition takes exactly one of col/op/value, during, overlaps, before or sql")
		return ""
	}
	switch {
	case w.During != nil:
		return c.during(path+".during", *w.During)
	case w.Overlaps != nil:
		return c.overlaps(path+".overlaps", *w.Overlaps)
	case w.Before != nil:
		return c.before(path+".before", *w.Before)
	case w.SQL != "":
		if having {
			c.errf(path+".sql", "sql: is allowed in where conditions only")
			return ""
		}
		return c.escape(path+".sql", w.SQL)
	}
	var left string
	var lc Column
	if having {
		if w.Col != "" {
			c.errf(path+".col", "having conditions name a measure: write measure: NAME")
			return ""
		}
		c.errf(path, "internal: having is compiled by group")
		return ""
	}
	if w.Measure != "" {
		c.errf(path+".measure", "measure: is allowed in group.having only")
		return ""
	}
	var ok bool
	if left, lc, ok = c.colRef(path+".col", w.Col, false); !ok {
		return ""
	}
	return c.compare(path, left, lc.Type, w.Op, w.Value)
}

// compare compiles "left op value" where left has data type typ.
func (c *compiler) compare(path, left, typ, op string, v *Value) string {
	switch op {
	case "is_null":
		return left + " IS NULL"
	case "not_null":
		return left + " IS NOT NULL"
	case "":
		c.errf(path+".op", "the condition has no op: use one of %s", strings.Join(Ops, ", "))
		return ""
	}
	if !slices.Contains(Ops, op) {
		c.errf(path+".op", "op %q is not known: use one of %s", op, strings.Join(Ops, ", "))
		return ""
	}
	if v == nil {
		c.errf(path, "op %s needs a value:", op)
		return ""
	}
	if op == "in" || op == "not_in" {
		if v.List == nil {
			c.errf(path+".value", "op %s needs a list value, such as [服刑, 羁押]", op)
			return ""
		}
		var lits []string
		for _, s := range v.List {
			l, err := literal(typ, s)
			if err != nil {
				c.errf(path+".value", "%v", err)
				return ""
			}
			lits = append(lits, l)
		}
		kw := " IN "
		if op == "not_in" {
			kw = " NOT IN "
		}
		return left + kw + "(" + strings.Join(lits, ", ") + ")"
	}
	right, ok := c.value(path+".value", typ, v)
	if !ok {
		return ""
	}
	sym := map[string]string{"eq": " = ", "ne": " <> ", "lt": " < ", "le": " <= ", "gt": " > ", "ge": " >= ", "like": " LIKE "}[op]
	return left + sym + right
}

// value compiles the right side of a comparison against a column of data type typ.
func (c *compiler) value(path, typ string, v *Value) (string, bool) {
	var out string
	switch {
	case v.Lit != nil:
		l, err := literal(typ, *v.Lit)
		if err != nil {
			c.errf(path, "%v", err)
			return "", false
		}
		out = l
	case v.Param != "":
		p, ok := c.m.Params[v.Param]
		if !ok {
			c.errf(path, "undefined parameter %s: declare it under params:", v.Param)
			return "", false
		}
		l, err := literal(typ, c.params[v.Param])
		if err != nil {
			c.errf(path, "parameter %s (%s): %v", v.Param, p.Type, err)
			return "", false
		}
		out = l
	case v.Col != "":
		e, rc, ok := c.colRef(path+".col", v.Col, false)
		if !ok {
			return "", false
		}
		if typ != "" && rc.Type != "" && typeFamily(typ) != typeFamily(rc.Type) {
			c.errf(path, "type mismatch: a %s column is compared with %s, which is %s", typ, v.Col, rc.Type)
			return "", false
		}
		out = e
	default:
		c.errf(path, "the value is empty: give a plain value, a list, {param: NAME} or {col: INPUT.COLUMN}")
		return "", false
	}
	if v.Plus != "" {
		d, ok := c.duration(path+".plus", v.Plus)
		if !ok {
			return "", false
		}
		out = "(" + out + " + " + d.interval() + ")"
	}
	return out, true
}

func (c *compiler) timeCol(path, ref string) (string, bool) {
	e, col, ok := c.colRef(path, ref, false)
	if ok && col.Type != "" && typeFamily(col.Type) != "time" {
		c.errf(path, "%s is %s; a date or timestamp column is needed here", ref, col.Type)
		return "", false
	}
	return e, ok
}

func (c *compiler) during(path string, d During) string {
	at, ok1 := c.timeCol(path+".at", d.At)
	start, ok2 := c.timeCol(path+".start", d.Start)
	if !ok1 || !ok2 {
		return ""
	}
	s := at + " >= " + start
	if d.End != "" {
		end, ok := c.timeCol(path+".end", d.End)
		if !ok {
			return ""
		}
		s += " AND (" + end + " IS NULL OR " + at + " <= " + end + ")"
	}
	return "(" + s + ")"
}

func (c *compiler) overlaps(path string, o Overlaps) string {
	if len(o.A) != 2 || len(o.B) != 2 {
		c.errf(path, "overlaps takes two periods: a: [START, END] and b: [START, END]")
		return ""
	}
	var e [4]string
	for i, ref := range []string{o.A[0], o.A[1], o.B[0], o.B[1]} {
		var ok bool
		if e[i], ok = c.timeCol(path, ref); !ok {
			return ""
		}
	}
	return fmt.Sprintf("(%s <= coalesce(%s, %s) AND %s <= coalesce(%s, %s))", e[0], e[3], e[0], e[2], e[1], e[2])
}

func (c *compiler) before(path string, b Before) string {
	first, ok1 := c.timeCol(path+".first", b.First)
	then, ok2 := c.timeCol(path+".then", b.Then)
	d, ok3 := c.duration(path+".at_most", b.AtMost)
	if !ok1 || !ok2 || !ok3 {
		return ""
	}
	s := then + " >= " + first
	if b.AtMost != "" {
		s += " AND " + then + " <= " + first + " + " + d.interval()
	}
	return "(" + s + ")"
}

// absent compiles an anti-join: NOT EXISTS a matching row of the input.
func (c *compiler) absent(path string, a Absent) string {
	if _, ok := c.m.Inputs[a.Input]; !ok {
		c.errf(path+".input", "absent names %q, which is not declared under inputs:", a.Input)
		return ""
	}
	if c.scope[a.Input] {
		c.errf(path+".input", "input %s is already joined; an anti-join needs an input of its own", a.Input)
		return ""
	}
	c.scope[a.Input] = true
	defer delete(c.scope, a.Input)
	conds := c.keys(path+".on", a.On)
	if len(a.On) == 0 {
		c.errf(path+".on", "absent %s has no keys: add on: [{left: A.COL, right: %s.COL}]", a.Input, a.Input)
	}
	for i, w := range a.Where {
		if s := c.cond(fmt.Sprintf("%s.where[%d]", path, i), w, false); s != "" {
			conds = append(conds, s)
		}
	}
	return "NOT EXISTS (SELECT 1 FROM {{input:" + a.Input + "}} WHERE " + andAll(conds) + ")"
}

// fillInputs replaces {{input:alias}} with a subquery over the alias's datasets that reads
// only the columns the model uses, with each row's dataset, batch and line.
func (c *compiler) fillInputs(sqlText string) string {
	return inputRe.ReplaceAllStringFunc(sqlText, func(m string) string {
		alias := m[len("{{input:") : len(m)-2]
		b := c.binds[alias]
		if c.directTable(alias) {
			return quote(tableOf(b.sources[0])) + " AS " + quote(alias)
		}
		var parts []string
		for _, d := range b.sources {
			sel := []string{quoteLit(d.Name) + " AS " + quote("_ds"), quote("_batch"), quote("_line")}
			for _, name := range sortedKeys(c.used[alias]) {
				sel = append(sel, quote(c.used[alias][name].Name))
			}
			parts = append(parts, "SELECT "+strings.Join(sel, ", ")+" FROM "+quote(tableOf(d)))
		}
		if len(parts) == 0 {
			// Validation without a workspace: a typed empty stand-in keeps the SQL readable.
			parts = append(parts, "SELECT NULL AS "+quote("_ds"))
		}
		inner := strings.Join(parts, " UNION ALL ")
		if bk, ok := c.buckets[alias]; ok {
			inner = "SELECT u.*, " + bucketExpr("u."+quote(bk.col), bk.width) + " AS " + quote("_bk") + " FROM (" + inner + ") AS u"
		}
		return "(" + inner + ") AS " + quote(alias)
	})
}

// directTable reports whether an input is read straight from its table: it has one dataset
// and no time bucket to add. The engine then sees the table itself, as in a hand-written
// query, and pushes every filter into its scan; the dataset name is a literal.
func (c *compiler) directTable(alias string) bool {
	_, bucketed := c.buckets[alias]
	return len(c.binds[alias].sources) == 1 && !bucketed
}

var inputRe = regexp.MustCompile(`\{\{input:[a-z][a-z0-9_]*\}\}`)

// tableOf is the table that holds a dataset's rows.
func tableOf(d Dataset) string {
	if d.Table != "" {
		return d.Table
	}
	return "ds_" + d.Name
}
