// Package tabular reads the files that agencies hand over (CSV and TSV in any
// of the encodings Chinese banks use, Excel workbooks, JSON, JSON lines and
// Parquet) as a stream of records under one header, with the exact source
// position of every record so that the importer can reject a row and say
// where it came from.
//
// Memory stays flat in the file size: text formats are decoded and parsed
// as a stream, workbooks through excelize's row iterator, Parquet one row
// group page at a time.
//
// Conventions shared by all formats:
//   - Record.Line is the 1-based physical line where a CSV record starts, the
//     row number in a worksheet, the line of a JSON-lines object, the element
//     number (index+1) in a JSON array, and the row number (1-based) in a
//     Parquet file.
//   - Rows whose cells are all empty are skipped, as encoding/csv skips empty
//     lines; every other row comes back as a Record or a *ParseError.
//   - A *ParseError concerns one record: log or reject it and call Next again.
//     Any other error from Next means the rest of the file cannot be read.
//   - Values are passed as they appear in the file; trimming, identifier and
//     amount normalisation are the importer's job. Only NUL bytes are removed.
package tabular

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Format names an input file format.
type Format string

// Supported formats.
const (
	CSV     Format = "csv"
	TSV     Format = "tsv"
	XLSX    Format = "xlsx"
	JSONL   Format = "jsonl"
	JSON    Format = "json"
	Parquet Format = "parquet"
)

// Options tell Open how to read a file; the zero value detects everything.
type Options struct {
	Format    Format // "" = detect from extension and content
	Encoding  string // "" = detect; "utf-8", "gbk", "gb18030", "utf-16le", "utf-16be"
	Delimiter rune   // 0 = sniff among , \t ; | for csv/tsv
	Sheet     string // xlsx: "" = every sheet with data; else the named sheet
	HeaderRow int    // 0 = detect; else the 1-based line (csv) or row (xlsx) of the header
}

// Detected reports what Open found or was told.
type Detected struct {
	Format     Format
	Encoding   string // text formats only
	Delimiter  rune   // csv/tsv only
	Sheets     []string
	HeaderLine int      // line or row of the header (of the first sheet for xlsx)
	TitleLines []string // rows above the header, such as a bank's "账户明细查询" title or a 协作编号 line
	// SheetHeaderLines holds the header row of each sheet in Sheets.
	SheetHeaderLines []int
}

// Record is one row of data.
type Record struct {
	Sheet string // xlsx only
	Line  int64  // see the package documentation for what a line is per format
	// Fields has one entry per header column, decoded to UTF-8, with missing
	// trailing cells as "". Extra cells beyond the header are kept at the
	// end. The slice is reused by the next call to Next; the strings are not.
	Fields []string
	// Cells is the number of cells the row really had before padding, so the
	// importer can reject rows with too few or too many cells.
	Cells int
	// Raw is the record as it appeared: the CSV line(s) decoded to UTF-8, the
	// worksheet cells joined by tabs, or the JSON object text.
	Raw string
}

// Reader streams the records of one file.
type Reader interface {
	Detected() Detected
	// Header returns the column names as in the file: trimmed, BOM removed,
	// line breaks inside a cell removed, duplicates made unique ("金额",
	// "金额_2") and empty names replaced by "column_N".
	Header() []string
	// Next returns the next record, io.EOF at the end, or a *ParseError for a
	// malformed record after which Next can be called again.
	Next() (Record, error)
	Close() error
}

// ParseError describes one record that could not be read.
type ParseError struct {
	File   string
	Line   int64
	Column int // 1-based column (field) number, 0 when unknown
	Sheet  string
	Msg    string
	Raw    string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, " sheet %s", e.Sheet)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, " column %d", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ErrLegacyExcel is returned for .xls (BIFF) and .et workbooks.
var ErrLegacyExcel = errors.New("legacy .xls files cannot be read: open it in Excel/WPS and save as .xlsx or CSV")

// ErrNoData is returned when a file holds no rows at all.
var ErrNoData = errors.New("the file holds no data rows")

// Open opens the file at path.
func Open(path string, o Options) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := open(filepath.Base(path), f, f, o)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// OpenReader reads an upload; name gives the extension. Workbooks and
// Parquet files need random access: r is used directly when it is an
// io.ReaderAt and io.Seeker, otherwise it is copied to a temporary file.
func OpenReader(name string, r io.Reader, o Options) (Reader, error) {
	return open(name, r, nil, o)
}

// open reads from r; file is non-nil when r is an *os.File we own.
func open(name string, r io.Reader, file *os.File, o Options) (Reader, error) {
	enc, err := normEncoding(o.Encoding)
	if err != nil {
		return nil, err
	}
	o.Encoding = enc
	if o.Delimiter != 0 && !validDelimiter(o.Delimiter) {
		return nil, fmt.Errorf("delimiter %q cannot separate fields: use , or tab or ; or |", o.Delimiter)
	}
	if o.HeaderRow < 0 {
		return nil, fmt.Errorf("header row %d: rows are numbered from 1 (0 = detect)", o.HeaderRow)
	}
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	eof := err != nil
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	format, err := detectFormat(name, head, o.Format)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var rd Reader
	switch format {
	case CSV, TSV:
		rd, err = openCSV(name, br, head, eof, format, o)
	case JSON, JSONL:
		rd, err = openJSON(name, br, head, eof, format, o)
	case XLSX, Parquet:
		rd, err = openRandomAccess(name, r, br, file, format, o)
	}
	if err != nil {
		return nil, err
	}
	if file != nil && format != XLSX && format != Parquet {
		rd = closeAlso{rd, file}
	}
	return rd, nil
}

// closeAlso closes the underlying file after the reader.
type closeAlso struct {
	Reader
	c io.Closer
}

func (c closeAlso) Close() error {
	err := c.Reader.Close()
	if err2 := c.c.Close(); err == nil {
		err = err2
	}
	return err
}

var (
	magicZip  = []byte("PK\x03\x04")
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicPAR1 = []byte("PAR1")
)

// detectFormat trusts an explicit format, then content signatures, then
// the extension. Content comes first because Chinese bank systems often
// save tab-separated text or HTML under an .xls name.
func detectFormat(name string, head []byte, f Format) (Format, error) {
	switch f {
	case CSV, TSV, XLSX, JSONL, JSON, Parquet:
		return f, nil
	case "":
	default:
		return "", fmt.Errorf("format %q is not supported: use csv, tsv, xlsx, jsonl, json or parquet", f)
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(head, magicOLE):
		if ext == ".xlsx" || ext == ".xlsm" {
			return "", errors.New("the workbook is password-protected or encrypted: remove the password in Excel/WPS and save it again")
		}
		return "", ErrLegacyExcel
	case bytes.HasPrefix(head, magicZip):
		return XLSX, nil
	case bytes.HasPrefix(head, magicPAR1):
		return Parquet, nil
	}
	text := bytes.TrimLeft(head, "\xEF\xBB\xBF \t\r\n")
	if (ext == ".xls" || ext == ".et" || ext == ".htm" || ext == ".html") && isHTML(text) {
		return "", errors.New("the file is a web page (HTML) saved under an Excel name: open it in Excel/WPS and save as .xlsx or CSV")
	}
	switch ext {
	case ".xlsx", ".xlsm":
		return "", errors.New("the file is not a valid .xlsx workbook (no ZIP signature): check that the upload is complete")
	case ".parquet", ".parq":
		return "", errors.New("the file is not a Parquet file (no PAR1 signature): check that the upload is complete")
	case ".jsonl", ".ndjson":
		return JSONL, nil
	case ".json":
		return JSON, nil
	case ".tsv", ".tab":
		return TSV, nil
	case ".csv", ".txt", ".xls", ".et", "":
	default:
		if len(text) > 0 && (text[0] == '[' || text[0] == '{') {
			return JSON, nil
		}
	}
	return CSV, nil
}

func isHTML(b []byte) bool {
	p := strings.ToLower(string(b[:min(len(b), 64)]))
	return strings.HasPrefix(p, "<!doctype html") || strings.HasPrefix(p, "<html") || strings.HasPrefix(p, "<table")
}

func validDelimiter(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && r != 0xFFFD && r >= ' ' || r == '\t'
}

// openRandomAccess opens workbooks and Parquet files, which need an
// io.ReaderAt, spooling a plain stream to a temporary file first.
func openRandomAccess(name string, r io.Reader, br *bufio.Reader, file *os.File, format Format, o Options) (Reader, error) {
	var tmp *os.File
	if file == nil {
		ra, isRA := r.(io.ReaderAt)
		sk, isSeek := r.(io.Seeker)
		if isRA && isSeek && format == Parquet {
			size, err := sk.Seek(0, io.SeekEnd)
			if err != nil {
				return nil, err
			}
			return openParquet(name, ra, size, nil, o)
		}
		var err error
		tmp, err = spool(br)
		if err != nil {
			return nil, fmt.Errorf("%s: copy upload to a temporary file: %w", name, err)
		}
		file = tmp
	}
	cleanup := func() error {
		err := file.Close()
		if tmp != nil {
			os.Remove(tmp.Name())
		}
		return err
	}
	var rd Reader
	var err error
	if format == XLSX {
		rd, err = openXLSX(name, file.Name(), cleanup, o)
	} else {
		var st os.FileInfo
		if st, err = file.Stat(); err == nil {
			rd, err = openParquet(name, file, st.Size(), cleanup, o)
		}
	}
	if err != nil {
		cleanup()
		return nil, err
	}
	return rd, nil
}

func spool(r io.Reader) (*os.File, error) {
	f, err := os.CreateTemp("", "procura-upload-*")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// cleanNUL removes NUL bytes, which some exporters pad fields with and
// which PostgreSQL text columns reject.
func cleanNUL(fields []string) {
	for i, f := range fields {
		if strings.IndexByte(f, 0) >= 0 {
			fields[i] = strings.ReplaceAll(f, "\x00", "")
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
