package tabular

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jsonHeaderObjects is how many objects the JSON header is taken from.
const jsonHeaderObjects = 1000

// JSON input comes in three shapes, told apart by content:
//   - JSON lines: one object per line; Line is the physical line, and a bad
//     line is a *ParseError after which reading goes on.
//   - an array of objects: Line is the element number (index+1), not a
//     physical line; a syntax error ends the file, since the rest of an
//     array cannot be found again reliably.
//   - concatenated (possibly pretty-printed) objects: Line is the physical
//     line where each object starts; a syntax error ends the file.
//
// The header is the union of the keys of the first 1000 objects in
// first-seen order. An object after those with a key outside the header is
// a *ParseError naming the key (rather than a silently dropped value or a
// header that changes half way). Strings come out unquoted, numbers as
// written, true/false as such, null as "", and nested objects and arrays as
// compact JSON text.

type jsonMode int

const (
	modeLines jsonMode = iota
	modeArray
	modeStream
)

type jsonObject struct {
	line int64
	keys []string
	vals []string
	raw  string
	err  error
}

type jsonReader struct {
	name   string
	det    Detected
	dec    *decoder
	mode   jsonMode
	jd     *json.Decoder
	line   int64 // last line (lines mode) or element number (array mode)
	nlSeen int64 // stream mode: decoded offset up to which line breaks are counted

	header  []string
	index   map[string]int
	pending []jsonObject
	fields  []string
	done    error
}

func openJSON(name string, r io.Reader, head []byte, eof bool, format Format, o Options) (Reader, error) {
	enc, bom := o.Encoding, 0
	if enc == "" {
		enc, bom = detectEncoding(head, eof)
	} else if enc == EncUTF8 && bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		bom = 3
	}
	dec, err := newDecoder(r, enc, bom, o.Encoding != "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	j := &jsonReader{name: name, dec: dec, index: map[string]int{}}
	j.det = Detected{Format: format, Encoding: enc, HeaderLine: 1}
	peek := bytes.TrimLeft(dec.peek(sniffSize), " \t\r\n")
	switch {
	case len(peek) == 0:
		return nil, fmt.Errorf("%s: %w", name, ErrNoData)
	case peek[0] == '[':
		j.mode, j.det.Format = modeArray, JSON
		j.dec.autoKeep, j.dec.limit = true, 0
		j.jd = json.NewDecoder(dec)
		j.jd.UseNumber()
		if _, err := j.jd.Token(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	case peek[0] == '{':
		first := peek
		if i := bytes.IndexByte(peek, '\n'); i >= 0 {
			first = peek[:i]
		}
		if format == JSONL || json.Valid(first) {
			j.mode, j.det.Format = modeLines, JSONL
		} else {
			j.mode, j.det.Format = modeStream, JSON
			j.dec.limit = 0
			j.jd = json.NewDecoder(dec)
			j.jd.UseNumber()
			j.line = 1
		}
	default:
		return nil, fmt.Errorf("%s: the file does not start with a JSON object or array (found %q): check the format", name, firstRune(peek))
	}
	if err := j.readHeader(); err != nil {
		return nil, err
	}
	if len(j.header) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoData)
	}
	return j, nil
}

func firstRune(b []byte) string {
	s := string(b[:min(len(b), 8)])
	for i := range s {
		if i > 0 {
			return s[:i]
		}
	}
	return s
}

// readHeader reads the first objects and builds the header from their keys.
func (j *jsonReader) readHeader() error {
	for len(j.pending) < jsonHeaderObjects {
		obj, err := j.read()
		if err == io.EOF {
			j.done = io.EOF
			break
		}
		if err != nil && obj.err == nil {
			if len(j.pending) == 0 {
				return err
			}
			j.done = err
			break
		}
		for _, k := range obj.keys {
			if _, ok := j.index[k]; !ok {
				j.index[k] = len(j.header)
				j.header = append(j.header, k)
			}
		}
		j.pending = append(j.pending, obj)
	}
	j.header = cleanHeader(j.header)
	return nil
}

func (j *jsonReader) Detected() Detected { return j.det }
func (j *jsonReader) Header() []string   { return j.header }
func (j *jsonReader) Close() error       { return nil }

func (j *jsonReader) Next() (Record, error) {
	var obj jsonObject
	if len(j.pending) > 0 {
		obj, j.pending = j.pending[0], j.pending[1:]
	} else {
		if j.done != nil {
			return Record{}, j.done
		}
		var err error
		obj, err = j.read()
		if err != nil && obj.err == nil {
			j.done = err
			return Record{}, err
		}
	}
	if obj.err != nil {
		return Record{}, obj.err
	}
	f := j.fields[:0]
	for range j.header {
		f = append(f, "")
	}
	for i, k := range obj.keys {
		c, ok := j.index[k]
		if !ok {
			return Record{}, &ParseError{File: j.name, Line: obj.line, Raw: obj.raw,
				Msg: fmt.Sprintf("key %q is not in the header, which was taken from the keys of the first %d objects: import this object separately or put the key into one of the first objects", k, jsonHeaderObjects)}
		}
		f[c] = obj.vals[i]
	}
	j.fields = f
	cleanNUL(f)
	return Record{Line: obj.line, Fields: f, Cells: len(obj.keys), Raw: obj.raw}, nil
}

// read returns the next object. A per-object problem comes back as
// obj.err (a *ParseError); a returned error ends the file.
func (j *jsonReader) read() (jsonObject, error) {
	switch j.mode {
	case modeLines:
		return j.readLine()
	case modeArray:
		return j.readElement()
	}
	return j.readStreamed()
}

func (j *jsonReader) readLine() (jsonObject, error) {
	for {
		b, off, err := j.dec.readLine()
		if errors.Is(err, errRecordTooLong) {
			j.line++
			line := j.line
			if err := j.dec.skipLine(); err != nil && err != io.EOF {
				return jsonObject{}, err
			}
			j.dec.firstBad(0, j.dec.pos)
			pe := &ParseError{File: j.name, Line: line, Msg: "the line is longer than 4 MiB: JSON lines files need one object per line"}
			return jsonObject{line: line, err: pe}, pe
		}
		if err != nil {
			return jsonObject{}, err
		}
		j.line++
		text := bytes.TrimSpace(b)
		if len(text) == 0 {
			continue
		}
		obj := jsonObject{line: j.line, raw: string(text)}
		if bad, ok := j.dec.firstBad(off, off+int64(len(b))); ok {
			obj.err = &ParseError{File: j.name, Line: j.line, Msg: j.dec.describe(bad), Raw: obj.raw}
			return obj, obj.err
		}
		j.parse(&obj, text, "line")
		return obj, obj.err
	}
}

func (j *jsonReader) readElement() (jsonObject, error) {
	if !j.jd.More() {
		if _, err := j.jd.Token(); err != nil {
			return jsonObject{}, j.fatal(err)
		}
		// Only white space may follow the array.
		if _, err := j.jd.Token(); err != io.EOF {
			return jsonObject{}, fmt.Errorf("%s: text follows the closing ] of the array: the file holds more than one JSON value", j.name)
		}
		return jsonObject{}, io.EOF
	}
	start := j.jd.InputOffset()
	var raw json.RawMessage
	if err := j.jd.Decode(&raw); err != nil {
		return jsonObject{}, j.fatal(err)
	}
	j.line++
	obj := jsonObject{line: j.line, raw: string(raw)}
	if bad, ok := j.dec.firstBad(start, j.jd.InputOffset()); ok {
		obj.err = &ParseError{File: j.name, Line: j.line, Msg: j.dec.describe(bad), Raw: obj.raw}
		return obj, obj.err
	}
	j.parse(&obj, raw, "element")
	return obj, obj.err
}

func (j *jsonReader) readStreamed() (jsonObject, error) {
	var raw json.RawMessage
	if err := j.jd.Decode(&raw); err != nil {
		if err == io.EOF {
			return jsonObject{}, io.EOF
		}
		return jsonObject{}, j.fatal(err)
	}
	// The object ends at InputOffset; its line is the number of line
	// breaks before its start plus one.
	end := j.jd.InputOffset()
	start := end - int64(len(raw))
	j.line += int64(bytes.Count(j.dec.slice(j.nlSeen, start), []byte("\n")))
	obj := jsonObject{line: j.line, raw: string(raw)}
	j.line += int64(bytes.Count(raw, []byte("\n")))
	j.nlSeen = end
	j.dec.release(end)
	if bad, ok := j.dec.firstBad(start, end); ok {
		obj.err = &ParseError{File: j.name, Line: obj.line, Msg: j.dec.describe(bad), Raw: obj.raw}
		return obj, obj.err
	}
	j.parse(&obj, raw, "object")
	return obj, obj.err
}

func (j *jsonReader) fatal(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: broken JSON at character %d after object %d: %v; the rest of the file cannot be read: fix the JSON and import it again", j.name, se.Offset, j.line, se)
	}
	if err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%s: the JSON ends in the middle of object %d: the file is truncated", j.name, j.line+1)
	}
	return fmt.Errorf("%s: %w", j.name, err)
}

// parse fills obj's keys and values from the text of one JSON value.
func (j *jsonReader) parse(obj *jsonObject, text []byte, what string) {
	keys, vals, err := parseObject(text)
	if err != nil {
		obj.err = &ParseError{File: j.name, Line: obj.line, Msg: fmt.Sprintf("the %s is not a JSON object: %v", what, err), Raw: obj.raw}
		return
	}
	obj.keys, obj.vals = keys, vals
}

// parseObject reads one JSON object, keeping its key order. A repeated key
// keeps its last value.
func parseObject(text []byte) (keys, vals []string, err error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	t, err := d.Token()
	if err != nil {
		return nil, nil, err
	}
	if t != json.Delim('{') {
		return nil, nil, fmt.Errorf("found %s", jsonKind(t))
	}
	seen := map[string]int{}
	for d.More() {
		kt, err := d.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := kt.(string)
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return nil, nil, err
		}
		val, err := jsonText(raw)
		if err != nil {
			return nil, nil, err
		}
		if i, ok := seen[key]; ok {
			vals[i] = val
			continue
		}
		seen[key] = len(keys)
		keys, vals = append(keys, key), append(vals, val)
	}
	if _, err := d.Token(); err != nil {
		return nil, nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, nil, errors.New("text follows the object")
	}
	return keys, vals, nil
}

func jsonKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", t)
}

// jsonText turns a JSON value into cell text.
func jsonText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case '{', '[':
		var b bytes.Buffer
		err := json.Compact(&b, raw)
		return b.String(), err
	}
	return strings.Clone(string(raw)), nil
}
