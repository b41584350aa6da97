package tabular

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Cell values of workbooks are the formatted text the user sees in Excel,
// with two choices made for consistency:
//   - Dates under Excel's built-in date formats come out as yyyy-mm-dd (and
//     hh:mm:ss for times); custom formats ("yyyy年m月d日") are applied as
//     written. Serial numbers are never returned for date-formatted cells.
//   - Numbers under the General format come out as Excel keeps them: a card
//     number typed as a number has lost its digits after the 15th, and is
//     passed on as Excel shows it, "6.22202100112346E+18" or with the digits
//     after the 15th as zeros ("6222021001123450000"), so that the identifier
//     parser can reject it with a clear reason. No digit is invented. The
//     importer should treat 16+-digit numbers from workbooks that end in
//     zeros as suspect: a cell's number-or-text type is not visible through
//     the streaming iterator.
var xlsxOptions = excelize.Options{ShortDatePattern: "yyyy-mm-dd", LongTimePattern: "hh:mm:ss"}

// openXLSX reads the workbook at path; cleanup releases the file behind it.
func openXLSX(name, path string, cleanup func() error, o Options) (Reader, error) {
	f, err := excelize.OpenFile(path, xlsxOptions)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot open the workbook: %w", name, err)
	}
	closeAll := func() error {
		err := f.Close()
		if cerr := cleanup(); err == nil {
			err = cerr
		}
		return err
	}
	rd, err := newXLSXReader(name, f, o)
	if err != nil {
		closeAll()
		return nil, err
	}
	rd.closeFile = closeAll
	return rd, nil
}

type xlsxReader struct {
	tableReader
	closeFile func() error
}

func (x *xlsxReader) Close() error {
	err := x.tableReader.Close()
	if x.closeFile != nil {
		if cerr := x.closeFile(); err == nil {
			err = cerr
		}
		x.closeFile = nil
	}
	return err
}

func newXLSXReader(name string, f *excelize.File, o Options) (*xlsxReader, error) {
	all := f.GetSheetList()
	sheets := all
	if o.Sheet != "" {
		if idx, _ := f.GetSheetIndex(o.Sheet); idx < 0 {
			return nil, fmt.Errorf("%s: there is no sheet %q; the workbook has the sheets %s", name, o.Sheet, quoteList(all))
		}
		sheets = []string{o.Sheet}
	}
	x := &xlsxReader{tableReader: tableReader{name: name, det: Detected{Format: XLSX}}}
	index := map[string]int{}
	for _, sh := range sheets {
		open := func() (rowSource, error) {
			rows, err := f.Rows(sh)
			if err != nil {
				return nil, fmt.Errorf("%s: read sheet %s: %w", name, sh, err)
			}
			return &xlsxSource{name: name, sheet: sh, rows: rows}, nil
		}
		src, err := open()
		if err != nil {
			var nosheet excelize.ErrSheetNotExist
			if errors.As(err, &nosheet) {
				continue // a chart sheet has no cells
			}
			return nil, err
		}
		pre, err := readPrelude(src, o.HeaderRow)
		if cerr := src.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("%s sheet %s: %w", name, sh, err)
		}
		if pre.empty {
			continue
		}
		names := cleanHeader(pre.header)
		p := part{pre: pre, open: open}
		// Sheets with the same columns share one header; a sheet with other
		// columns adds them, and its cells are placed by column name.
		p.colMap = make([]int, len(names))
		identity := true
		for i, n := range names {
			j, ok := index[n]
			if !ok {
				j = len(x.header)
				index[n] = j
				x.header = append(x.header, n)
			}
			p.colMap[i] = j
			if j != i {
				identity = false
			}
		}
		if identity {
			p.colMap = nil
		}
		x.parts = append(x.parts, p)
		x.det.Sheets = append(x.det.Sheets, sh)
		x.det.SheetHeaderLines = append(x.det.SheetHeaderLines, int(pre.headerLine))
		for _, t := range pre.titles {
			if len(sheets) > 1 {
				t = sh + ": " + t
			}
			x.det.TitleLines = append(x.det.TitleLines, t)
		}
	}
	if len(x.parts) == 0 {
		return nil, fmt.Errorf("%s: %w (sheets: %s)", name, ErrNoData, quoteList(all))
	}
	x.det.HeaderLine = x.det.SheetHeaderLines[0]
	return x, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// xlsxSource streams one worksheet with excelize's row iterator.
type xlsxSource struct {
	name, sheet string
	rows        *excelize.Rows
	line        int64
	sb          strings.Builder
}

func (s *xlsxSource) next() (row, error) {
	for s.rows.Next() {
		// excelize calls Next once per row number, including rows missing
		// from the XML, so counting calls gives the row number.
		s.line++
		cells, err := s.rows.Columns()
		if err != nil {
			return row{}, &ParseError{File: s.name, Sheet: s.sheet, Line: s.line, Msg: "cannot read the row: " + err.Error()}
		}
		if len(cells) == 0 {
			continue
		}
		s.sb.Reset()
		for i, c := range cells {
			if i > 0 {
				s.sb.WriteByte('\t')
			}
			s.sb.WriteString(c)
		}
		return row{sheet: s.sheet, line: s.line, cells: cells, raw: s.sb.String()}, nil
	}
	if err := s.rows.Error(); err != nil {
		return row{}, fmt.Errorf("%s sheet %s after row %d: %w", s.name, s.sheet, s.line, err)
	}
	return row{}, io.EOF
}

func (s *xlsxSource) close() error { return s.rows.Close() }
