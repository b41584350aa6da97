package tabular

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// openCSV reads delimited text. head holds the first bytes of r (all of it
// when eof).
func openCSV(name string, r io.Reader, head []byte, eof bool, format Format, o Options) (Reader, error) {
	enc, bom := o.Encoding, 0
	if enc == "" {
		enc, bom = detectEncoding(head, eof)
	} else if enc == EncUTF8 && bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		bom = 3
	} else if (enc == EncUTF16LE && bytes.HasPrefix(head, []byte{0xFF, 0xFE})) || (enc == EncUTF16BE && bytes.HasPrefix(head, []byte{0xFE, 0xFF})) {
		bom = 2
	}
	dec, err := newDecoder(r, enc, bom, o.Encoding != "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	delim := o.Delimiter
	if delim == 0 {
		delim = sniffDelimiter(dec.peek(sniffSize), format == TSV)
	}
	if delim == '\t' && o.Format == "" {
		format = TSV
	}
	src := newCSVSource(name, dec, delim)
	pre, err := readPrelude(src, o.HeaderRow)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if pre.empty {
		return nil, fmt.Errorf("%s: %w", name, ErrNoData)
	}
	return &tableReader{
		name:   name,
		header: cleanHeader(pre.header),
		det: Detected{Format: format, Encoding: enc, Delimiter: delim,
			HeaderLine: int(pre.headerLine), TitleLines: pre.titles},
		parts: []part{{pre: pre, src: src}},
	}, nil
}

// sniffDelimiter picks the delimiter whose per-record count is most
// consistent over the first records (quotes respected, blank lines and
// one-cell title lines ignored). preferTab breaks ties for .tsv files.
func sniffDelimiter(text []byte, preferTab bool) rune {
	cands := []rune{',', '\t', ';', '|'}
	if preferTab {
		cands = []rune{'\t', ',', ';', '|'}
	}
	counts := make([][]int, len(cands))
	cur := make([]int, len(cands))
	inQuote, records := false, 0
	for i := 0; i < len(text) && records < 50; i++ {
		c := text[i]
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == '\n' && !inQuote:
			for k := range cands {
				counts[k] = append(counts[k], cur[k])
				cur[k] = 0
			}
			records++
		case !inQuote:
			for k, d := range cands {
				if rune(c) == d {
					cur[k]++
				}
			}
		}
	}
	best, bestScore, bestMode := cands[0], 0, 0
	for k, d := range cands {
		freq := map[int]int{}
		for _, n := range counts[k] {
			if n > 0 {
				freq[n]++
			}
		}
		mode, score := 0, 0
		for n, f := range freq {
			if f > score || (f == score && n > mode) {
				mode, score = n, f
			}
		}
		if score > bestScore || (score == bestScore && mode > bestMode) {
			best, bestScore, bestMode = d, score, mode
		}
	}
	return best
}

// csvSource reads delimited records. Lines without any quote character
// are split directly (the common case in bank exports, and twice as fast
// as encoding/csv, with one allocation shared by Raw and Fields); a record
// whose first line has a quote is read with encoding/csv, which stays in
// charge while the following lines have quotes too. Both paths give the
// same fields for quote-free lines: split at the delimiter, "\r\n" or "\n"
// ends a line, empty lines are skipped.
type csvSource struct {
	name  string
	dec   *decoder
	delim rune
	sep   string
	cr    *csv.Reader // nil on the fast path
	plain int         // records without quotes read by cr in a row
	br    *bufio.Reader
	cells []string

	start    int64 // decoded offset where the next record's text starts
	nextLine int64 // physical line at start
	offBase  int64 // decoded offset where cr started reading

	// Recovery after a quote that did not close where it should: the lines
	// it swallowed are re-read one by one.
	recov     []recLine
	recovLine int64
	recovEnd  int64
	err       error
}

func newCSVSource(name string, dec *decoder, delim rune) *csvSource {
	return &csvSource{name: name, dec: dec, delim: delim, sep: string(delim), nextLine: 1}
}

// startCSV hands the input from off on to encoding/csv.
func (s *csvSource) startCSV(off int64) {
	s.dec.rewind(off)
	if s.br == nil {
		s.br = bufio.NewReaderSize(s.dec, 16<<10)
	} else {
		s.br.Reset(s.dec)
	}
	s.cr = csv.NewReader(s.br)
	s.plain = 0
	s.cr.Comma = s.delim
	s.cr.FieldsPerRecord = -1
	s.cr.ReuseRecord = true
	s.offBase = off
}

// fastPath returns to line splitting at off.
func (s *csvSource) fastPath(off int64) {
	s.cr = nil
	s.dec.rewind(off)
}

func (s *csvSource) close() error { return nil }

func (s *csvSource) next() (row, error) {
	switch {
	case s.err != nil:
		return row{}, s.err
	case len(s.recov) > 0:
		return s.nextRecovered()
	case s.cr == nil:
		return s.nextFast()
	}
	return s.nextCSV()
}

func (s *csvSource) nextFast() (row, error) {
	for {
		b, off, err := s.dec.readLine()
		if errors.Is(err, errRecordTooLong) {
			return s.skipLongLine(off)
		}
		if err == io.EOF {
			s.err = io.EOF
			return row{}, io.EOF
		}
		if err != nil {
			s.err = fmt.Errorf("read %s near line %d: %w", s.name, s.nextLine, err)
			return row{}, s.err
		}
		text := trimEOL(b)
		if len(text) == 0 {
			s.nextLine++
			s.start = off + int64(len(b))
			continue
		}
		if bytes.IndexByte(text, '"') >= 0 {
			s.startCSV(off)
			return s.nextCSV()
		}
		line := s.nextLine
		s.nextLine++
		s.start = off + int64(len(b))
		str := string(text)
		if bad, ok := s.dec.firstBad(off, s.start); ok {
			col := fieldAt(text, int(bad.out-off), s.delim)
			return row{}, &ParseError{File: s.name, Line: line, Column: col, Msg: s.dec.describe(bad), Raw: str}
		}
		s.cells = splitFields(s.cells[:0], str, text, s.sep)
		return row{line: line, cells: s.cells, raw: str, nulFree: strings.IndexByte(str, 0) < 0}, nil
	}
}

// splitFields appends the fields of a quote-free line to dst; the fields
// are substrings of s, so one allocation serves the whole record. b holds
// the same bytes as s.
func splitFields(dst []string, s string, b []byte, sep string) []string {
	if len(sep) != 1 {
		for {
			i := strings.Index(s, sep)
			if i < 0 {
				return append(dst, s)
			}
			dst = append(dst, s[:i])
			s = s[i+len(sep):]
		}
	}
	// Eight bytes at a time: a byte of w^pattern is zero where the
	// separator is ("determine if a word has a zero byte", Hacker's Delight
	// 6-1); the exact form below has no false positives.
	const lo7 = 0x7F7F7F7F7F7F7F7F
	pattern := uint64(sep[0]) * 0x0101010101010101
	last, i := 0, 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ pattern
		m := ^(((x & lo7) + lo7) | x | lo7)
		for m != 0 {
			j := i + bits.TrailingZeros64(m)/8
			dst = append(dst, s[last:j])
			last = j + 1
			m &= m - 1
		}
	}
	c := sep[0]
	for ; i < len(b); i++ {
		if b[i] == c {
			dst = append(dst, s[last:i])
			last = i + 1
		}
	}
	return append(dst, s[last:])
}

func (s *csvSource) nextCSV() (row, error) {
	fields, err := s.cr.Read()
	end := s.offBase + s.cr.InputOffset()
	var pe *csv.ParseError
	switch {
	case err == nil:
		text := s.dec.slice(s.start, end)
		line, raw := s.locate(text)
		r := row{line: line, cells: fields, raw: string(raw), nulFree: bytes.IndexByte(raw, 0) < 0}
		bad, isBad := s.dec.firstBad(s.start, end)
		var col int
		if isBad {
			col = fieldAt(text, int(bad.out-s.start), s.delim)
		}
		s.advance(end, text)
		if bytes.IndexByte(raw, '"') < 0 {
			s.plain++
		} else {
			s.plain = 0
		}
		s.maybeFast(end)
		if isBad {
			return row{}, &ParseError{File: s.name, Line: line, Column: col, Msg: s.dec.describe(bad), Raw: r.raw}
		}
		return r, nil
	case err == io.EOF:
		s.err = io.EOF
		return row{}, io.EOF
	case errors.As(err, &pe) && pe.StartLine == pe.Line:
		text := s.dec.slice(s.start, end)
		line, raw := s.locate(text)
		perr := &ParseError{File: s.name, Line: line, Column: fieldAt(raw, pe.Column-1, s.delim),
			Msg: csvMessage(pe.Err, s.delim), Raw: string(raw)}
		s.dec.firstBad(s.start, end)
		s.advance(end, text)
		s.maybeFast(end)
		return row{}, perr
	case pe != nil || errors.Is(err, errRecordTooLong):
		return s.recover(end, pe == nil)
	default:
		s.err = fmt.Errorf("read %s near line %d: %w", s.name, s.nextLine, err)
		return row{}, s.err
	}
}

// maybeFast leaves encoding/csv when the last records and the next line,
// already decoded, have no quote. Waiting for a run of plain records keeps
// files where every few lines are quoted from paying for a new
// encoding/csv reader at every switch.
func (s *csvSource) maybeFast(end int64) {
	if s.plain < 16 {
		return
	}
	next := s.dec.slice(end, s.dec.pos)
	if i := bytes.IndexByte(next, '\n'); i >= 0 && bytes.IndexByte(next[:i], '"') < 0 {
		s.fastPath(end)
	}
}

// locate skips the blank lines encoding/csv passed over before a record and
// returns the record's line number and its text without the line break.
func (s *csvSource) locate(text []byte) (int64, []byte) {
	line := s.nextLine
	for len(text) > 0 && (text[0] == '\n' || text[0] == '\r') {
		if text[0] == '\n' {
			line++
		}
		text = text[1:]
	}
	text = bytes.TrimSuffix(text, []byte("\n"))
	text = bytes.TrimSuffix(text, []byte("\r"))
	return line, text
}

func (s *csvSource) advance(end int64, text []byte) {
	s.nextLine += int64(bytes.Count(text, []byte("\n")))
	s.start = end
	s.dec.release(end)
}

// recover handles a record whose quoted field ran over several lines and
// then failed (or ran past maxRecordBytes): the first line is rejected and
// the lines the quote swallowed are parsed one line at a time, so that one
// stray quote costs one row, not the rest of the file.
func (s *csvSource) recover(end int64, tooLong bool) (row, error) {
	text := s.dec.slice(s.start, end)
	if tooLong {
		i := bytes.LastIndexByte(text, '\n')
		if i < 0 {
			return s.skipLongLine(s.start)
		}
		text = text[:i+1]
	}
	s.recovEnd = s.start + int64(len(text))
	s.recov = s.recov[:0]
	off := s.start
	for _, l := range bytes.SplitAfter(text, []byte("\n")) {
		if len(l) > 0 {
			s.recov = append(s.recov, recLine{bytes.Clone(l), off})
			off += int64(len(l))
		}
	}
	s.recovLine = s.nextLine
	// The first non-blank line holds the quote that never closed properly.
	for len(s.recov) > 0 && isBlankLine(s.recov[0].b) {
		s.recov, s.recovLine = s.recov[1:], s.recovLine+1
	}
	first := s.recov[0]
	line := s.recovLine
	s.recov, s.recovLine = s.recov[1:], s.recovLine+1
	s.dec.firstBad(first.off, first.off+int64(len(first.b)))
	msg := "a quoted field opens here but its closing quote is missing or followed by other text, so the field ran into the following lines; they are read again one by one: fix the quotes in this line"
	if tooLong {
		msg = "a quoted field opens here and does not close within 4 MiB; the following lines are read again one by one: fix the quotes in this line"
	}
	s.finishRecovery()
	raw := trimEOL(first.b)
	return row{}, &ParseError{File: s.name, Line: line, Column: openQuoteField(raw, s.delim), Msg: msg, Raw: string(raw)}
}

// recLine is one line of a region being re-read, with its decoded offset.
type recLine struct {
	b   []byte
	off int64
}

// finishRecovery resumes normal reading after the recovered region when no
// recovered lines are left.
func (s *csvSource) finishRecovery() {
	if len(s.recov) == 0 {
		s.start = s.recovEnd
		s.nextLine = s.recovLine
		s.dec.release(s.recovEnd)
		s.fastPath(s.recovEnd)
	}
}

func (s *csvSource) nextRecovered() (row, error) {
	for len(s.recov) > 0 && isBlankLine(s.recov[0].b) {
		s.recov, s.recovLine = s.recov[1:], s.recovLine+1
	}
	if len(s.recov) == 0 {
		s.finishRecovery()
		return s.next()
	}
	rl := s.recov[0]
	l := trimEOL(rl.b)
	line := s.recovLine
	s.recov, s.recovLine = s.recov[1:], s.recovLine+1
	defer s.finishRecovery()
	if bad, ok := s.dec.firstBad(rl.off, rl.off+int64(len(rl.b))); ok {
		return row{}, &ParseError{File: s.name, Line: line, Column: fieldAt(l, int(bad.out-rl.off), s.delim), Msg: s.dec.describe(bad), Raw: string(l)}
	}
	cr := csv.NewReader(bytes.NewReader(l))
	cr.Comma = s.delim
	cr.FieldsPerRecord = -1
	fields, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		col := 0
		msg := err.Error()
		if errors.As(err, &pe) {
			col, msg = fieldAt(l, pe.Column-1, s.delim), csvMessage(pe.Err, s.delim)
		}
		return row{}, &ParseError{File: s.name, Line: line, Column: col, Msg: msg, Raw: string(l)}
	}
	return row{line: line, cells: fields, raw: string(l)}, nil
}

// skipLongLine rejects a line longer than maxRecordBytes that starts at
// off without buffering it.
func (s *csvSource) skipLongLine(off int64) (row, error) {
	text := s.dec.slice(off, min(off+200, s.dec.base+int64(len(s.dec.buf))))
	prefix := strings.ToValidUTF8(string(trimEOL(text)), "")
	line := s.nextLine
	s.dec.rewind(off)
	err := s.dec.skipLine()
	s.dec.firstBad(0, s.dec.pos)
	if err != nil && err != io.EOF {
		s.err = err
		return row{}, err
	}
	s.start = s.dec.pos
	s.nextLine = line + 1
	s.dec.release(s.start)
	s.fastPath(s.start)
	return row{}, &ParseError{File: s.name, Line: line, Msg: "the line is longer than 4 MiB, so it cannot be a record: check the delimiter and line breaks of the file", Raw: prefix}
}

func isBlankLine(l []byte) bool { return len(trimEOL(l)) == 0 }

func trimEOL(l []byte) []byte {
	l = bytes.TrimSuffix(l, []byte("\n"))
	return bytes.TrimSuffix(l, []byte("\r"))
}

// csvMessage words encoding/csv's errors for users.
func csvMessage(err error, delim rune) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "bare quote in unquoted field; a field that contains \" must be enclosed in quotes with the inner quote doubled (\"\")"
	case errors.Is(err, csv.ErrQuote):
		return fmt.Sprintf("extraneous or missing quote in quoted field; a closing quote must be followed by %s or the end of the line", delimName(delim))
	}
	return err.Error()
}

func delimName(d rune) string {
	switch d {
	case '\t':
		return "a tab"
	case ',':
		return "a comma"
	}
	return fmt.Sprintf("%q", d)
}

// fieldAt returns the 1-based field number that contains byte offset off
// of a record's text, honouring quotes.
func fieldAt(text []byte, off int, delim rune) int {
	field, inQuote := 1, false
	for _, r := range string(text[:min(max(off, 0), len(text))]) {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == delim && !inQuote:
			field++
		}
	}
	return field
}

// openQuoteField returns the field in which a line's last unclosed quote
// starts.
func openQuoteField(line []byte, delim rune) int {
	field, inQuote, openAt := 1, false, 0
	for len(line) > 0 {
		r, size := utf8.DecodeRune(line)
		line = line[size:]
		switch {
		case r == '"':
			inQuote = !inQuote
			if inQuote {
				openAt = field
			}
		case r == delim && !inQuote:
			field++
		}
	}
	if openAt == 0 {
		return field
	}
	return openAt
}
