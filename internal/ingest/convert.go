package ingest

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"procura/internal/ident"
	"procura/internal/ingest/schema"
	"procura/internal/store"
)

// cellError is why one cell of a record cannot be stored.
type cellError struct {
	Column   string // header text of the source column
	ColumnNo int    // 1-based index in the file's header; 0 when the row as a whole is wrong
	Code     string // machine-readable: invalid_value, required, conflict, column_count
	Reason   string
}

// column converts the source cells of one stored column.
type column struct {
	plan     schema.ColumnPlan
	name     string
	dataType string
	convert  func(cells []string) (any, *cellError)
}

// converter turns a record's cells into the stored row of a dataset. One converter is built per
// import and cloned per worker, because parsers such as ident.TimeParser keep per-goroutine state.
type converter struct {
	cols      []column
	fpIndex   []int              // indexes into cols whose values form the row fingerprint
	width     int                // number of header columns the file declares
	signIdx   int                // index of the amount column in cols, -1 if none (transactions sign rule)
	dirIdx    int                // index of the direction column in cols, -1 if none
	dirPlan   *schema.ColumnPlan // how the direction flag is read, for amounts signed by it
	loc       *time.Location
	region    string
	fpScratch []byte
}

// convOptions are the settings a converter needs beyond the mapping.
type convOptions struct {
	Location      *time.Location
	DefaultRegion string
}

func newConverter(m schema.Mapping, header []string, o convOptions) *converter {
	c := &converter{width: len(header), signIdx: -1, dirIdx: -1, loc: o.Location, region: o.DefaultRegion}
	for _, p := range append(append([]schema.ColumnPlan{}, m.Columns...), m.ExtraColumns...) {
		c.cols = append(c.cols, column{plan: p, name: p.Field.Name, dataType: p.Field.Type})
	}
	if d, ok := m.Plan("direction"); ok {
		c.dirPlan = &d
	} else if _, hasAmount := m.Plan("amount"); hasAmount && m.Kind == "transactions" {
		// No direction column: the direction is derived from the amount's sign.
		if k, ok := schema.KindByName(m.Kind); ok {
			if f, ok := k.Field("direction"); ok {
				p := schema.ColumnPlan{Field: f, Source: -1, DateFrom: -1, TimeFrom: -1, Debit: -1, Credit: -1, DirectionFrom: -1, Header: "(from the sign of amount)", Match: "derived"}
				c.cols = append(c.cols, column{plan: p, name: f.Name, dataType: f.Type})
			}
		}
	}
	fp := map[string]bool{}
	for _, f := range m.Fingerprint {
		fp[f] = true
	}
	for i, col := range c.cols {
		if len(fp) == 0 || fp[col.name] {
			c.fpIndex = append(c.fpIndex, i)
		}
		if m.Kind == "transactions" {
			switch col.name {
			case "amount":
				c.signIdx = i
			case "direction":
				c.dirIdx = i
			}
		}
	}
	return c
}

// clone returns a converter with its own parser state for another goroutine.
func (c *converter) clone() *converter {
	n := *c
	n.cols = make([]column, len(c.cols))
	copy(n.cols, c.cols)
	n.fpScratch = nil
	tp := ident.NewTimeParser(c.loc)
	dp := ident.NewDateParser(c.loc)
	for i := range n.cols {
		n.cols[i].convert = n.cellFunc(n.cols[i], tp, dp)
	}
	return &n
}

// Columns returns the stored columns in order, as store definitions.
func (c *converter) columnDefs() []store.ColumnDef {
	defs := make([]store.ColumnDef, len(c.cols))
	for i, col := range c.cols {
		defs[i] = store.ColumnDef{Name: col.name, Type: col.dataType}
	}
	return defs
}

// row converts one record. It fills vals (len(c.cols)) and returns the fingerprint, or the
// errors of every bad cell so a reject names them all at once.
func (c *converter) row(cells []string, vals []any) (int64, []cellError) {
	var errs []cellError
	if len(cells) > c.width && !allEmpty(cells[c.width:]) {
		errs = append(errs, cellError{Code: "column_count", Reason: fmt.Sprintf("the row has %d cells but the header has %d columns: a delimiter or quote inside a value is likely; fix the row or quote the value", len(cells), c.width)})
		return 0, errs
	}
	for i := range c.cols {
		v, err := c.cols[i].convert(cells)
		if err != nil {
			errs = append(errs, *err)
			vals[i] = nil
			continue
		}
		vals[i] = v
	}
	if len(errs) == 0 && c.signIdx >= 0 {
		if e := c.applySignRule(vals); e != nil {
			errs = append(errs, *e)
		}
	}
	if len(errs) > 0 {
		return 0, errs
	}
	return c.fingerprint(vals), nil
}

// applySignRule makes the stored amount signed (negative = money out of the account) and the
// direction agree, as docs/kinds.md states: an unsigned amount takes its sign from the
// direction flag; a signed amount with no flag gives the direction; a contradiction is rejected.
func (c *converter) applySignRule(vals []any) *cellError {
	amt, ok := vals[c.signIdx].(store.Money)
	if !ok {
		return nil
	}
	plan := c.cols[c.signIdx].plan
	if c.dirIdx < 0 {
		return nil
	}
	dir, _ := vals[c.dirIdx].(string)
	switch {
	case dir == "" && amt < 0:
		vals[c.dirIdx] = "out"
	case dir == "" && amt > 0:
		vals[c.dirIdx] = "in"
	case dir == "out" && amt > 0 && plan.Debit < 0:
		vals[c.signIdx] = -amt
	case dir == "in" && amt < 0 && plan.DirectionFrom >= 0:
		return &cellError{Column: plan.Header, ColumnNo: plan.Source + 1, Code: "conflict",
			Reason: fmt.Sprintf("amount %s is negative but the direction flag says money came in; check the row or map only one of the two columns", amt)}
	}
	return nil
}

// fingerprint hashes the canonical encoding of the fingerprint columns, so the same transaction
// from two overlapping statements in different layouts hashes the same.
func (c *converter) fingerprint(vals []any) int64 {
	b := c.fpScratch[:0]
	for _, i := range c.fpIndex {
		switch v := vals[i].(type) {
		case nil:
			b = append(b, 0)
		case string:
			b = append(b, 1)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case int64:
			b = append(b, 2)
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		case store.Money:
			b = append(b, 3)
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		case float64:
			b = append(b, 4)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		case bool:
			if v {
				b = append(b, 5)
			} else {
				b = append(b, 6)
			}
		case time.Time:
			b = append(b, 7)
			b = binary.LittleEndian.AppendUint64(b, uint64(v.UnixMicro()))
		}
	}
	c.fpScratch = b
	return int64(xxh3.Hash(b))
}

func allEmpty(cells []string) bool {
	for _, s := range cells {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}
