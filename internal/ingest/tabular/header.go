package tabular

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// headerScanRows is how many rows the header detector looks at.
const headerScanRows = 20

// DetectHeader picks the header among the first rows of a sheet: the first
// row with the most non-empty, non-numeric, distinct cells. Bank exports put
// titles ("中国XX银行账户交易明细"), a 协作编号 line or blank lines above the
// header; those rows have fewer such cells than the header, and data rows
// have numbers, dates and repeated values.
//
// When the row directly above the header is a group row of a two-row
// header (at least two cells, fewer than the header), the header keeps its
// own names and takes the group row's cell only where its own cell is empty,
// as in a vertically merged "序号" cell. lines gives each row's line number
// (nil = consecutive). It returns the header's index and its cells.
func DetectHeader(rows [][]string, lines []int64) (int, []string) {
	if len(rows) == 0 {
		return -1, nil
	}
	best, bestScore := 0, -1
	for i, r := range rows {
		if s := headerScore(r); s > bestScore {
			best, bestScore = i, s
		}
	}
	return best, mergeGroupRow(rows, lines, best)
}

func mergeGroupRow(rows [][]string, lines []int64, h int) []string {
	header := append([]string(nil), rows[h]...)
	if h == 0 || (lines != nil && lines[h-1] != lines[h]-1) {
		return header
	}
	above := rows[h-1]
	if n := nonEmpty(above); n < 2 || n >= nonEmpty(header) {
		return header
	}
	for i, c := range above {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if i >= len(header) {
			header = append(header, make([]string, i+1-len(header))...)
		}
		if strings.TrimSpace(header[i]) == "" {
			header[i] = c
		}
	}
	return header
}

func nonEmpty(r []string) int {
	n := 0
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

func headerScore(r []string) int {
	seen := make(map[string]bool, len(r))
	for _, c := range r {
		c = strings.TrimSpace(c)
		if c == "" || numericLike(c) {
			continue
		}
		seen[c] = true
	}
	return len(seen)
}

// numericLike reports cells made of digits and number or date punctuation
// only: amounts, dates, times, account numbers.
func numericLike(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" .,:-/+eE%¥$()", r):
		default:
			return false
		}
	}
	return digits > 0
}

// cleanHeader turns header cells into usable, unique column names.
func cleanHeader(cells []string) []string {
	out := make([]string, len(cells))
	used := make(map[string]bool, len(cells))
	for i, c := range cells {
		name := cleanName(c)
		if name == "" {
			name = "column_" + itoa(i+1)
		}
		if used[name] {
			for k := 2; ; k++ {
				if cand := name + "_" + itoa(k); !used[cand] {
					name = cand
					break
				}
			}
		}
		used[name] = true
		out[i] = name
	}
	return out
}

// cleanName trims a header cell, drops BOMs and NULs, and removes line
// breaks typed inside a cell (Alt+Enter): between two CJK characters they
// vanish, elsewhere they become one space.
func cleanName(c string) string {
	c = strings.ReplaceAll(c, "\uFEFF", "")
	c = strings.ReplaceAll(c, "\x00", "")
	c = strings.TrimSpace(c)
	if !strings.ContainsAny(c, "\r\n") {
		return c
	}
	parts := strings.FieldsFunc(c, func(r rune) bool { return r == '\r' || r == '\n' })
	var b strings.Builder
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(b.String())
			first, _ := utf8.DecodeRuneInString(p)
			if !(unicode.Is(unicode.Han, last) && unicode.Is(unicode.Han, first)) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

// row is one row as a source reads it; cells may be reused by the source.
type row struct {
	sheet   string
	line    int64
	cells   []string
	raw     string
	nulFree bool // the source knows there is no NUL in cells
}

// rowSource is a format's row reader below header detection.
type rowSource interface {
	next() (row, error) // io.EOF, *ParseError (continue) or a fatal error
	close() error
}

// buffered is a row or per-row error read ahead during header detection.
type buffered struct {
	r   row
	err error
}

// prelude is what header detection found at the top of a sheet.
type prelude struct {
	header     []string // cells of the header row, not yet cleaned
	headerLine int64
	titles     []string
	rest       []buffered // rows after the header already read
	lastLine   int64      // last line read
	empty      bool       // the sheet has no rows
}

// readPrelude reads rows until the header is known: the first
// headerScanRows rows, or up to headerRow when it is given.
func readPrelude(src rowSource, headerRow int) (prelude, error) {
	var p prelude
	var buf []buffered
	for {
		r, err := src.next()
		if err == io.EOF {
			break
		}
		if _, ok := err.(*ParseError); err != nil && !ok {
			return p, err
		}
		if err == nil {
			r.cells = append([]string(nil), r.cells...)
			if nonEmpty(r.cells) == 0 {
				continue
			}
			p.lastLine = r.line
		}
		buf = append(buf, buffered{r, err})
		if headerRow > 0 && err == nil && r.line >= int64(headerRow) {
			break
		}
		if headerRow == 0 && countRows(buf) >= headerScanRows {
			break
		}
	}
	var rows [][]string
	var lines []int64
	var idx []int
	for i, b := range buf {
		if b.err == nil {
			rows, lines, idx = append(rows, b.r.cells), append(lines, b.r.line), append(idx, i)
		}
	}
	if len(rows) == 0 {
		p.empty = true
		p.rest = buf
		return p, nil
	}
	h := -1
	var header []string
	if headerRow > 0 {
		for i, l := range lines {
			if l == int64(headerRow) {
				h, header = i, mergeGroupRow(rows, lines, i)
			}
		}
		if h < 0 {
			return p, fmt.Errorf("header row %d is blank or past the end of the data", headerRow)
		}
	} else {
		h, header = DetectHeader(rows, lines)
	}
	p.header, p.headerLine = header, lines[h]
	for _, b := range buf[:idx[h]] {
		if t := titleText(b); t != "" {
			p.titles = append(p.titles, t)
		}
	}
	p.rest = buf[idx[h]+1:]
	return p, nil
}

func countRows(buf []buffered) int {
	n := 0
	for _, b := range buf {
		if b.err == nil {
			n++
		}
	}
	return n
}

func titleText(b buffered) string {
	if b.err != nil {
		return strings.TrimSpace(b.err.(*ParseError).Raw)
	}
	var parts []string
	for _, c := range b.r.cells {
		if c = strings.TrimSpace(c); c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " ")
}

// part is one sheet (or the only table of a CSV file) behind a tableReader.
type part struct {
	pre    prelude
	src    rowSource                 // open source positioned after pre's rows, or nil
	open   func() (rowSource, error) // reopens the sheet when src is nil
	colMap []int                     // sheet column → header column; nil = identity
}

// tableReader serves records of one or more parts under one header.
type tableReader struct {
	name   string
	det    Detected
	header []string
	parts  []part
	cur    int
	fields []string
	closed bool
}

func (t *tableReader) Detected() Detected { return t.det }
func (t *tableReader) Header() []string   { return t.header }

func (t *tableReader) Next() (Record, error) {
	for t.cur < len(t.parts) {
		p := &t.parts[t.cur]
		var r row
		var err error
		if len(p.pre.rest) > 0 {
			r, err = p.pre.rest[0].r, p.pre.rest[0].err
			p.pre.rest = p.pre.rest[1:]
		} else {
			if p.src == nil {
				if err := t.reopen(p); err != nil {
					return Record{}, err
				}
			}
			r, err = p.src.next()
		}
		if err == io.EOF {
			if p.src != nil {
				if err := p.src.close(); err != nil {
					return Record{}, err
				}
				p.src = nil
			}
			t.cur++
			continue
		}
		if err != nil {
			return Record{}, err
		}
		if allEmpty(r.cells) {
			continue
		}
		return t.record(r, p.colMap), nil
	}
	return Record{}, io.EOF
}

// reopen opens a sheet again and skips the rows its prelude already read.
func (t *tableReader) reopen(p *part) error {
	src, err := p.open()
	if err != nil {
		return err
	}
	p.src = src
	for {
		r, err := src.next()
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				return err
			}
			continue
		}
		if r.line >= p.pre.lastLine {
			return nil
		}
	}
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

func (t *tableReader) record(r row, colMap []int) Record {
	n := len(t.header)
	f := t.fields[:0]
	if colMap == nil {
		f = append(f, r.cells...)
		for len(f) < n {
			f = append(f, "")
		}
	} else {
		for len(f) < n {
			f = append(f, "")
		}
		for i, c := range r.cells {
			if i < len(colMap) {
				f[colMap[i]] = c
			} else {
				f = append(f, c)
			}
		}
	}
	t.fields = f
	if !r.nulFree {
		cleanNUL(f)
	}
	return Record{Sheet: r.sheet, Line: r.line, Fields: f, Cells: len(r.cells), Raw: r.raw}
}

func (t *tableReader) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	var first error
	for i := range t.parts {
		if s := t.parts[i].src; s != nil {
			if err := s.close(); err != nil && first == nil {
				first = err
			}
			t.parts[i].src = nil
		}
	}
	return first
}
