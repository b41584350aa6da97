package tabular

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// Parquet values become text as follows: strings as is; integers and
// floats in Go's shortest form; DECIMAL scaled ("123.45"); DATE as
// yyyy-mm-dd; TIMESTAMP and legacy INT96 timestamps as RFC 3339 in UTC
// (with the fraction when there is one); TIME as hh:mm:ss[.fraction]; other
// binary values as hex; null as ""; nested groups, lists and maps as compact
// JSON. Line is the 1-based row number in the file.

type parquetReader struct {
	name    string
	det     Detected
	header  []string
	file    *parquet.File
	rows    *parquet.Reader
	schema  *parquet.Schema
	fields  []parquetField
	nested  bool
	buf     []parquet.Row
	n, i    int
	line    int64
	out     []string
	sb      strings.Builder
	cleanup func() error
}

// parquetField is one top-level column: a plain leaf or a nested group.
type parquetField struct {
	name   string
	leaf   bool // a non-repeated leaf: one value per row
	column int  // leaf column index
	typ    parquet.Type
}

const parquetBatch = 512

func openParquet(name string, ra io.ReaderAt, size int64, cleanup func() error, o Options) (rd Reader, err error) {
	defer func() {
		// parquet-go panics on some corrupt files instead of returning errors.
		if p := recover(); p != nil {
			rd, err = nil, fmt.Errorf("%s: the Parquet file is damaged: %v", name, p)
		}
	}()
	f, err := parquet.OpenFile(ra, size)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot open the Parquet file: %w", name, err)
	}
	p := &parquetReader{name: name, file: f, schema: f.Schema(), cleanup: cleanup}
	p.det = Detected{Format: Parquet}
	col := 0
	var names []string
	for _, fl := range f.Schema().Fields() {
		pf := parquetField{name: fl.Name(), column: col}
		if fl.Leaf() && !fl.Repeated() {
			pf.leaf, pf.typ = true, fl.Type()
			col++
		} else {
			p.nested = true
			col += countLeaves(fl)
		}
		p.fields = append(p.fields, pf)
		names = append(names, fl.Name())
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoData)
	}
	p.header = cleanHeader(names)
	p.rows = parquet.NewReader(f)
	p.buf = make([]parquet.Row, parquetBatch)
	return p, nil
}

func countLeaves(n parquet.Node) int {
	if n.Leaf() {
		return 1
	}
	c := 0
	for _, f := range n.Fields() {
		c += countLeaves(f)
	}
	return c
}

func (p *parquetReader) Detected() Detected { return p.det }
func (p *parquetReader) Header() []string   { return p.header }

func (p *parquetReader) Close() error {
	var err error
	if p.rows != nil {
		err = p.rows.Close()
		p.rows = nil
	}
	if p.cleanup != nil {
		if cerr := p.cleanup(); err == nil {
			err = cerr
		}
		p.cleanup = nil
	}
	return err
}

func (p *parquetReader) Next() (rec Record, err error) {
	if p.rows == nil {
		return Record{}, io.EOF
	}
	if p.i >= p.n {
		if err := p.fill(); err != nil {
			return Record{}, err
		}
	}
	r := p.buf[p.i]
	p.i++
	p.line++
	return p.record(r)
}

func (p *parquetReader) fill() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: the Parquet file is damaged after row %d: %v", p.name, p.line, r)
		}
	}()
	n, err := p.rows.ReadRows(p.buf)
	p.n, p.i = n, 0
	if n > 0 {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return io.EOF
	}
	return fmt.Errorf("%s: read after row %d: %w", p.name, p.line, err)
}

func (p *parquetReader) record(r parquet.Row) (rec Record, err error) {
	defer func() {
		// Reconstruct panics when a row does not match its schema.
		if x := recover(); x != nil {
			rec, err = Record{}, &ParseError{File: p.name, Line: p.line, Msg: fmt.Sprintf("the row does not match the file's schema: %v", x)}
		}
	}()
	out := p.out[:0]
	var nested map[string]any
	if p.nested {
		nested = make(map[string]any, len(p.fields))
		if err := p.schema.Reconstruct(&nested, r); err != nil {
			return Record{}, &ParseError{File: p.name, Line: p.line, Msg: "cannot read the nested values of this row: " + err.Error()}
		}
	}
	for _, f := range p.fields {
		if f.leaf {
			out = append(out, parquetText(r, f))
			continue
		}
		v, ok := nested[f.name]
		if !ok || v == nil {
			out = append(out, "")
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return Record{}, &ParseError{File: p.name, Line: p.line, Msg: fmt.Sprintf("column %s: %v", f.name, err)}
		}
		out = append(out, string(b))
	}
	p.out = out
	cleanNUL(out)
	p.sb.Reset()
	for i, c := range out {
		if i > 0 {
			p.sb.WriteByte('\t')
		}
		p.sb.WriteString(c)
	}
	return Record{Line: p.line, Fields: out, Cells: len(out), Raw: p.sb.String()}, nil
}

// parquetText formats the value of a plain leaf column.
func parquetText(r parquet.Row, f parquetField) string {
	var v parquet.Value
	found := false
	if f.column < len(r) && r[f.column].Column() == f.column {
		v, found = r[f.column], true
	}
	for _, x := range r {
		if found {
			break
		}
		if x.Column() == f.column {
			v, found = x, true
			break
		}
	}
	if !found || v.IsNull() {
		return ""
	}
	lt := f.typ.LogicalType()
	var logical format.LogicalTypeValue
	if lt != nil {
		logical = lt.Value
	}
	switch t := logical.(type) {
	case *format.TimestampType:
		return formatTimestamp(v.Int64(), t.Unit.Value)
	case *format.DateType:
		return time.Unix(int64(v.Int32())*86400, 0).UTC().Format("2006-01-02")
	case *format.TimeType:
		var d time.Duration
		switch t.Unit.Value.(type) {
		case *format.MilliSeconds:
			d = time.Duration(v.Int32()) * time.Millisecond
		case *format.MicroSeconds:
			d = time.Duration(v.Int64()) * time.Microsecond
		default:
			d = time.Duration(v.Int64())
		}
		return time.Unix(0, int64(d)).UTC().Format("15:04:05.999999999")
	case *format.DecimalType:
		return formatDecimal(v, int(t.Scale))
	case *format.UUIDType:
		b := v.ByteArray()
		if len(b) == 16 {
			h := hex.EncodeToString(b)
			return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
	case *format.IntType:
		if !t.IsSigned {
			switch v.Kind() {
			case parquet.Int32:
				return strconv.FormatUint(uint64(uint32(v.Int32())), 10)
			case parquet.Int64:
				return strconv.FormatUint(uint64(v.Int64()), 10)
			}
		}
	}
	switch v.Kind() {
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Int96:
		return formatInt96(v.Int96())
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	case parquet.ByteArray, parquet.FixedLenByteArray:
		b := v.ByteArray()
		if isText(f.typ, logical) {
			return string(b)
		}
		return hex.EncodeToString(b)
	}
	return v.String()
}

func isText(t parquet.Type, logical format.LogicalTypeValue) bool {
	switch logical.(type) {
	case *format.StringType, *format.JsonType, *format.EnumType:
		return true
	}
	if ct := t.ConvertedType(); ct != nil {
		switch *ct {
		case deprecated.UTF8, deprecated.Json, deprecated.Enum:
			return true
		}
	}
	// Writers that leave strings unannotated are common; plain BYTE_ARRAY
	// without any annotation is treated as text.
	return logical == nil && t.Kind() == parquet.ByteArray && t.ConvertedType() == nil
}

func formatTimestamp(n int64, unit format.TimeUnitValue) string {
	var ts time.Time
	switch unit.(type) {
	case *format.MilliSeconds:
		ts = time.UnixMilli(n)
	case *format.MicroSeconds:
		ts = time.UnixMicro(n)
	default:
		ts = time.Unix(0, n)
	}
	return ts.UTC().Format(time.RFC3339Nano)
}

// formatInt96 decodes the legacy Impala/Hive timestamp: nanoseconds of the
// day in the first 8 bytes, the Julian day in the last 4.
func formatInt96(i deprecated.Int96) string {
	nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
	days := int64(i[2]) - 2440588 // Julian day of 1970-01-01
	return time.Unix(days*86400, nanos).UTC().Format(time.RFC3339Nano)
}

func formatDecimal(v parquet.Value, scale int) string {
	var n big.Int
	switch v.Kind() {
	case parquet.Int32:
		n.SetInt64(int64(v.Int32()))
	case parquet.Int64:
		n.SetInt64(v.Int64())
	default:
		b := v.ByteArray()
		n.SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 { // two's complement, big-endian
			n.Sub(&n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
	}
	s := n.String()
	if scale <= 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) <= scale {
		s = "0" + s
	}
	s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	if neg {
		s = "-" + s
	}
	return s
}
