package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding names reported in Detected.Encoding and accepted in Options.Encoding.
const (
	EncUTF8    = "utf-8"
	EncGBK     = "gbk"
	EncGB18030 = "gb18030"
	EncUTF16LE = "utf-16le"
	EncUTF16BE = "utf-16be"
)

// sniffSize is how much of the input the encoding, format and delimiter
// detectors look at.
const sniffSize = 64 << 10

// maxRecordBytes bounds the decoded size of one record. A stray opening
// quote would otherwise make encoding/csv swallow the rest of the file into
// one field; past this size the reader gives up on the record, rejects its
// first line and re-reads the following lines one by one.
const maxRecordBytes = 4 << 20

// errRecordTooLong is returned by decoder.Read when the consumer has read
// more than maxRecordBytes past the last released offset.
var errRecordTooLong = errors.New("record longer than 4 MiB")

// badBytes records one invalid byte sequence found while decoding: where it
// was in the source file and where its U+FFFD replacement is in the output.
type badBytes struct {
	out   int64 // offset of the replacement in the decoded stream
	in    int64 // byte offset in the source file
	bytes []byte
}

// normEncoding maps user spellings to the canonical names.
func normEncoding(s string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-")) {
	case "":
		return "", nil
	case "utf-8", "utf8":
		return EncUTF8, nil
	case "gbk", "cp936", "gb2312":
		return EncGBK, nil
	case "gb18030":
		return EncGB18030, nil
	case "utf-16le", "utf16le":
		return EncUTF16LE, nil
	case "utf-16be", "utf16be":
		return EncUTF16BE, nil
	}
	return "", fmt.Errorf("encoding %q is not supported: use utf-8, gbk, gb18030, utf-16le or utf-16be", s)
}

// detectEncoding chooses the encoding of head (the first sniffSize bytes,
// all of the input when eof) and returns how many BOM bytes to skip.
//
// Order: a BOM wins; then NUL-byte patterns typical of UTF-16 without BOM;
// then valid UTF-8; then GB18030 (a superset of GBK) when it has fewer
// undecodable sequences than UTF-8. A UTF-8 file with a
// few corrupt bytes has many valid multi-byte runes per invalid sequence,
// while GBK text happens to form valid UTF-8 only rarely (about one
// character in seven), so ten valid runes per invalid sequence still counts
// as UTF-8; the bad records are then reported one by one.
func detectEncoding(head []byte, eof bool) (enc string, bom int) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return EncUTF8, 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return EncUTF16LE, 2
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncUTF16BE, 2
	}
	if enc := sniffUTF16(head); enc != "" {
		return enc, 0
	}
	valid, invalid := countUTF8(head, eof)
	if invalid == 0 || valid >= 10*invalid {
		return EncUTF8, 0
	}
	if gb := countGB18030(head, eof); gb < invalid {
		return EncGB18030, 0
	}
	return EncUTF8, 0
}

// countGB18030 counts the byte sequences GB18030 cannot decode.
func countGB18030(b []byte, eof bool) int {
	d := decoder{}
	bad := 0
	for len(b) > 0 {
		n := d.unitSize(b)
		if n == 1 && b[0] > 0x80 {
			if !eof && len(b) < 4 {
				break
			}
			bad++
		}
		b = b[n:]
	}
	return bad
}

// sniffUTF16 recognises BOM-less UTF-16 text by its NUL bytes: ASCII text
// in UTF-16LE has a zero at every odd offset.
func sniffUTF16(head []byte) string {
	n := min(len(head), 4096) &^ 1
	if n < 8 {
		return ""
	}
	var evenZero, oddZero int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			evenZero++
		}
		if head[i+1] == 0 {
			oddZero++
		}
	}
	pairs := n / 2
	switch {
	case oddZero*10 >= pairs*4 && evenZero*10 < pairs:
		return EncUTF16LE
	case evenZero*10 >= pairs*4 && oddZero*10 < pairs:
		return EncUTF16BE
	}
	return ""
}

// countUTF8 counts valid multi-byte runes and invalid sequences; an
// incomplete rune at the end of a truncated sample is not counted.
func countUTF8(b []byte, eof bool) (valid, invalid int) {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			if !eof && !utf8.FullRune(b) {
				break
			}
			invalid++
			b = b[1:]
			continue
		}
		valid++
		b = b[size:]
	}
	return valid, invalid
}

// decoder turns the source bytes into UTF-8 as an io.Reader, remembers where
// invalid sequences were, and keeps the decoded bytes from the last released
// offset on, so that readers can recover the raw text of a record and
// re-read a region after a parse error.
type decoder struct {
	src      io.Reader
	encName  string // for messages, e.g. "GB18030"
	t        transform.Transformer
	report   bool // record invalid sequences (false when the user forced the encoding)
	utf16    bool
	bigEnd   bool
	autoKeep bool // release everything as soon as it is read

	in    []byte
	inLen int
	inOff int64 // source offset of in[0]
	srcOK bool  // false once src returned EOF or an error
	err   error

	buf  []byte // decoded bytes; buf[0] is at offset base
	base int64
	pos  int64 // next offset handed out by Read
	keep int64 // bytes before keep may be discarded

	events []badBytes
	limit  int64
}

func newDecoder(src io.Reader, enc string, bom int, forced bool) (*decoder, error) {
	d := &decoder{src: src, report: !forced, srcOK: true, in: make([]byte, sniffSize), limit: maxRecordBytes}
	switch enc {
	case EncUTF8:
		d.encName = "UTF-8"
	case EncGBK, EncGB18030:
		// GB18030 decodes every GBK file the same way and covers more.
		d.encName = strings.ToUpper(enc)
		d.t = simplifiedchinese.GB18030.NewDecoder()
	case EncUTF16LE:
		d.encName, d.utf16 = "UTF-16LE", true
		d.t = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
	case EncUTF16BE:
		d.encName, d.utf16, d.bigEnd = "UTF-16BE", true, true
		d.t = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
	default:
		return nil, fmt.Errorf("encoding %q is not supported", enc)
	}
	if bom > 0 {
		skip := make([]byte, bom)
		if _, err := io.ReadFull(src, skip); err != nil {
			return nil, err
		}
		d.inOff = int64(bom)
	}
	return d, nil
}

// Read implements io.Reader over the decoded text.
func (d *decoder) Read(p []byte) (int, error) {
	if d.autoKeep {
		d.keep = d.pos
	}
	if d.limit > 0 && d.pos-d.keep > d.limit {
		return 0, errRecordTooLong
	}
	for d.pos == d.base+int64(len(d.buf)) {
		if err := d.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, d.buf[d.pos-d.base:])
	d.pos += int64(n)
	return n, nil
}

// peek returns up to n decoded bytes from the read position without
// consuming them.
func (d *decoder) peek(n int) []byte {
	for d.base+int64(len(d.buf))-d.pos < int64(n) {
		if d.fill() != nil {
			break
		}
	}
	b := d.buf[d.pos-d.base:]
	return b[:min(len(b), n)]
}

// slice returns the retained decoded bytes [from, to); the result is only
// valid until the next Read.
func (d *decoder) slice(from, to int64) []byte {
	return d.buf[from-d.base : to-d.base]
}

// release allows the decoder to discard decoded bytes before off.
func (d *decoder) release(off int64) {
	if off > d.keep {
		d.keep = off
	}
}

// rewind moves the read position back to off, which must not be before the
// last released offset.
func (d *decoder) rewind(off int64) { d.pos = off }

// skipLine advances the read position past the next newline.
func (d *decoder) skipLine() error {
	for {
		b := d.buf[d.pos-d.base:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			d.pos += int64(i + 1)
			d.keep = d.pos
			return nil
		}
		d.pos += int64(len(b))
		d.keep = d.pos
		if err := d.fill(); err != nil {
			return err
		}
	}
}

// firstBad returns the first invalid sequence decoded into [from, to) and
// forgets all sequences before to.
func (d *decoder) firstBad(from, to int64) (badBytes, bool) {
	var found badBytes
	ok := false
	i := 0
	for ; i < len(d.events) && d.events[i].out < to; i++ {
		if !ok && d.events[i].out >= from {
			found, ok = d.events[i], true
		}
	}
	if i > 0 {
		d.events = append(d.events[:0], d.events[i:]...)
	}
	return found, ok
}

// fill decodes the next chunk of the source into buf.
func (d *decoder) fill() error {
	if d.err != nil {
		return d.err
	}
	if drop := d.keep - d.base; drop > 0 && drop >= int64(len(d.buf)/2) {
		d.buf = append(d.buf[:0], d.buf[drop:]...)
		d.base = d.keep
	}
	if d.srcOK {
		n, err := io.ReadFull(d.src, d.in[d.inLen:])
		d.inLen += n
		if err != nil {
			d.srcOK = false
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				d.err = err
				return err
			}
		}
	}
	atEOF := !d.srcOK
	if d.inLen == 0 && atEOF {
		d.err = io.EOF
		return io.EOF
	}
	used := d.decode(d.in[:d.inLen], atEOF)
	d.inOff += int64(used)
	d.inLen = copy(d.in, d.in[used:d.inLen])
	if used == 0 && atEOF {
		d.err = io.EOF
		return io.EOF
	}
	return nil
}

// decode appends the decoded form of src to buf and returns how many source
// bytes it consumed (an incomplete trailing sequence is kept for later).
func (d *decoder) decode(src []byte, atEOF bool) int {
	if d.t == nil {
		return d.decodeUTF8(src, atEOF)
	}
	start := len(d.buf)
	need := start + 3*len(src) + 4
	if cap(d.buf) < need {
		nb := make([]byte, start, max(need, 2*cap(d.buf)))
		copy(nb, d.buf)
		d.buf = nb
	}
	var nDst, nSrc int
	if d.utf16 {
		nDst, nSrc, _ = d.t.Transform(d.buf[start:need], src, atEOF)
	} else {
		nDst, nSrc = d.decodeGB(d.buf[start:need], src, atEOF)
	}
	d.buf = d.buf[:start+nDst]
	if d.report {
		out := d.buf[start:]
		if bytes.Contains(out, []byte("\uFFFD")) {
			d.locateBad(src[:nSrc], out, d.base+int64(start))
		}
	}
	return nSrc
}

// decodeGB copies ASCII runs directly and hands the runs of multi-byte
// characters to x/text's GB18030 decoder, which is several times slower
// per byte; bank statements are mostly digits.
func (d *decoder) decodeGB(dst, src []byte, atEOF bool) (nDst, nSrc int) {
	for nSrc < len(src) {
		i := nSrc
		for i < len(src) && src[i] < 0x80 {
			i++
		}
		nDst += copy(dst[nDst:], src[nSrc:i])
		nSrc = i
		if i == len(src) {
			break
		}
		// A multi-byte run ends before the next ASCII byte that is not a
		// trail byte of the previous character.
		j := i
		for j < len(src) && src[j] >= 0x80 {
			j += d.unitSize(src[j:])
		}
		runEOF := true
		if !atEOF && j >= len(src)-3 {
			// The last character may be cut by the chunk boundary.
			j, runEOF = len(src), false
		}
		n, m, err := d.t.Transform(dst[nDst:], src[i:j], runEOF)
		nDst += n
		nSrc += m
		if err != nil || m < j-i {
			break // an incomplete character at the end of the chunk
		}
	}
	return nDst, nSrc
}

// decodeUTF8 validates src; invalid bytes become U+FFFD one by one.
func (d *decoder) decodeUTF8(src []byte, atEOF bool) int {
	n := len(src)
	if !atEOF {
		// Hold back an incomplete rune at the end of the chunk.
		for i := 1; i <= utf8.UTFMax && i <= n; i++ {
			if c := src[n-i]; c >= 0xC0 {
				if !utf8.FullRune(src[n-i:]) {
					n -= i
				}
				break
			} else if c < 0x80 {
				break
			}
		}
	}
	src = src[:n]
	if utf8.Valid(src) {
		d.buf = append(d.buf, src...)
		return n
	}
	for len(src) > 0 {
		i := 0
		for i < len(src) {
			if src[i] < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		d.buf = append(d.buf, src[:i]...)
		if i == len(src) {
			break
		}
		if d.report {
			d.events = append(d.events, badBytes{out: d.base + int64(len(d.buf)), in: d.inOff + int64(n-len(src)+i), bytes: []byte{src[i]}})
		}
		d.buf = append(d.buf, "\uFFFD"...)
		src = src[i+1:]
	}
	return n
}

// locateBad walks the source units and the decoded runes in step to find
// which source bytes became U+FFFD. Each source unit decodes to exactly one
// rune in x/text's GB18030 and UTF-16 decoders.
func (d *decoder) locateBad(src, out []byte, outBase int64) {
	var si, oi int
	for si < len(src) && oi < len(out) {
		size := d.unitSize(src[si:])
		r, rs := utf8.DecodeRune(out[oi:])
		if r == utf8.RuneError && rs == 3 {
			d.events = append(d.events, badBytes{out: outBase + int64(oi), in: d.inOff + int64(si), bytes: bytes.Clone(src[si : si+size])})
		}
		si += size
		oi += rs
	}
}

// unitSize mirrors how the decoders split their input into characters.
func (d *decoder) unitSize(b []byte) int {
	if d.utf16 {
		if len(b) < 2 {
			return len(b)
		}
		u := uint16(b[0]) | uint16(b[1])<<8
		if d.bigEnd {
			u = uint16(b[1]) | uint16(b[0])<<8
		}
		if u >= 0xD800 && u < 0xDC00 && len(b) >= 4 {
			v := uint16(b[2]) | uint16(b[3])<<8
			if d.bigEnd {
				v = uint16(b[3]) | uint16(b[2])<<8
			}
			if v >= 0xDC00 && v < 0xE000 {
				return 4
			}
		}
		return 2
	}
	c0 := b[0]
	if c0 <= 0x80 || c0 == 0xFF || len(b) < 2 {
		return 1
	}
	c1 := b[1]
	switch {
	case (c1 >= 0x40 && c1 < 0x7F) || (c1 >= 0x80 && c1 < 0xFF):
		return 2
	case c1 >= 0x30 && c1 < 0x40 && len(b) >= 4 && b[2] >= 0x81 && b[2] < 0xFF && b[3] >= 0x30 && b[3] < 0x3A:
		r := ((rune(c0-0x81)*10+rune(c1-0x30))*126+rune(b[2]-0x81))*10 + rune(b[3]-0x30)
		if r < 39420 || (r >= 189000 && r-189000 < 0x100000) {
			return 4
		}
	}
	return 1
}

// describe explains an invalid sequence to the user.
func (d *decoder) describe(b badBytes) string {
	hex := make([]string, len(b.bytes))
	for i, c := range b.bytes {
		hex[i] = fmt.Sprintf("0x%02X", c)
	}
	return fmt.Sprintf("invalid %s byte sequence %s at byte offset %d; the file is not entirely %s: re-export it or choose its encoding explicitly",
		d.encName, strings.Join(hex, " "), b.in, d.encName)
}

// readLine returns the next line including its '\n' and its decoded
// offset; the slice is valid until the next call. A line longer than
// maxRecordBytes returns errRecordTooLong with the read position at its
// start; skipLine then passes over it.
func (d *decoder) readLine() ([]byte, int64, error) {
	d.keep = d.pos
	start, scanned := d.pos, 0
	for {
		b := d.buf[start-d.base:]
		if i := bytes.IndexByte(b[scanned:], '\n'); i >= 0 {
			n := scanned + i + 1
			if n > maxRecordBytes {
				return nil, start, errRecordTooLong
			}
			d.pos = start + int64(n)
			return b[:n], start, nil
		}
		scanned = len(b)
		if scanned > maxRecordBytes {
			return nil, start, errRecordTooLong
		}
		if err := d.fill(); err != nil {
			b = d.buf[start-d.base:]
			if err == io.EOF && len(b) > 0 {
				d.pos = start + int64(len(b))
				return b, start, nil
			}
			return nil, start, err
		}
	}
}
