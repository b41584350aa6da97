package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"procura/internal/ingest/tabular"
	"procura/internal/store"
)

const chunkSize = 512

type chunk struct {
	recs []tabular.Record
	errs []error
}

type converted struct {
	rows    [][]any
	rejects []store.Reject
}

// load runs the import transaction: batch record, rows, rejects, duplicate check, commit.
func load(ctx context.Context, st *store.Store, o Options, kind string, plan *columnPlan, src *source, res *Result) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tx, err := st.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := tx.EnsureDataset(ctx, o.Dataset, kind, schemaJSON(kind, plan.defs, plan.fields), plan.defs); err != nil {
		return err
	}
	id, err := tx.NextBatchID(ctx)
	if err != nil {
		return err
	}
	res.BatchID = id
	batch := store.Batch{
		ID: id, Dataset: o.Dataset, FileName: o.Path, FileSHA256: res.FileSHA256, FileSize: res.FileSize,
		Format: res.Format, Encoding: res.Encoding, OptionsJSON: optionsJSON(o, res),
		SourceAgency: o.SourceAgency, RequestNo: o.RequestNo, Importer: o.Importer,
		Status: store.BatchRunning, StartedAt: time.Now(),
	}
	if err := tx.InsertBatch(ctx, batch); err != nil {
		return err
	}

	spill, err := newRejectSpill(filepath.Join(filepath.Dir(st.EvidenceDir()), "tmp"))
	if err != nil {
		return err
	}
	defer spill.Close()
	rows := &rowStream{ctx: ctx, spill: spill, out: convertAll(ctx, plan, src, o, id)}
	cols := append([]string{"_batch", "_line", "_fp"}, columnNames(plan.conv)...)
	n, err := tx.BulkLoad(ctx, "ds_"+o.Dataset, cols, rows)
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		cancel()
		rows.drain()
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return fmt.Errorf("import %s cancelled: nothing was imported", o.Path)
		}
		return fmt.Errorf("import %s: %w", o.Path, err)
	}
	src.reader.Close()
	if _, err := spill.load(ctx, tx); err != nil {
		return err
	}
	cross, inFile, err := tx.RejectCrossBatchDuplicates(ctx, o.Dataset, id, columnNames(plan.conv))
	if err != nil {
		return err
	}

	res.RowsRead = rows.read
	res.RowsRejected = rows.rejected + cross
	res.RowsImported = n - cross
	res.RowsDuplicate = cross
	res.RowsDuplicateInFile = inFile
	res.RejectsByCode = rows.byCode
	if cross > 0 {
		if res.RejectsByCode == nil {
			res.RejectsByCode = map[string]int64{}
		}
		res.RejectsByCode["duplicate"] += cross
	}
	if res.RowsImported+res.RowsRejected != res.RowsRead {
		return fmt.Errorf("import %s: %d rows read but %d imported and %d rejected; nothing was imported (this is a bug, please report it)", o.Path, res.RowsRead, res.RowsImported, res.RowsRejected)
	}
	batch.Status, batch.FinishedAt = store.BatchDone, time.Now()
	batch.RowsRead, batch.RowsImported, batch.RowsRejected = res.RowsRead, res.RowsImported, res.RowsRejected
	batch.RowsDuplicate, batch.RowsDuplicateInFile = res.RowsDuplicate, res.RowsDuplicateInFile
	if err := tx.UpdateBatch(ctx, batch); err != nil {
		return err
	}
	return tx.Commit()
}

func columnNames(c *converter) []string {
	out := make([]string, len(c.cols))
	for i, col := range c.cols {
		out[i] = col.name
	}
	return out
}

// convertAll reads records in one goroutine and converts them in o.Workers goroutines.
// The returned channel closes when the file is done or ctx is cancelled.
func convertAll(ctx context.Context, plan *columnPlan, src *source, o Options, batch int64) <-chan converted {
	chunks := make(chan chunk, o.Workers*2)
	out := make(chan converted, o.Workers*2)
	go func() {
		defer close(chunks)
		c := chunk{}
		// The reader reuses its Fields slice; the cells of a chunk's records are copied
		// into one backing array per chunk rather than one allocation per record.
		var cells []string
		keep := func(rec tabular.Record) tabular.Record {
			if cells == nil {
				cells = make([]string, 0, chunkSize*len(rec.Fields))
			}
			start := len(cells)
			cells = append(cells, rec.Fields...)
			rec.Fields = cells[start:len(cells):len(cells)]
			return rec
		}
		send := func() bool {
			if len(c.recs) == 0 {
				return true
			}
			select {
			case chunks <- c:
				c, cells = chunk{}, nil
				return true
			case <-ctx.Done():
				return false
			}
		}
		for i, rec := range src.ahead {
			c.recs, c.errs = append(c.recs, rec), append(c.errs, src.aheadE[i])
			if len(c.recs) == chunkSize && !send() {
				return
			}
		}
		src.ahead, src.aheadE = nil, nil
		for {
			rec, err := src.reader.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			c.recs, c.errs = append(c.recs, keep(rec)), append(c.errs, err)
			if len(c.recs) == chunkSize && !send() {
				return
			}
		}
		send()
	}()
	var wg sync.WaitGroup
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		conv := plan.conv.clone()
		go func() {
			defer wg.Done()
			for c := range chunks {
				select {
				case out <- convertChunk(conv, c, src.name, o.Dataset, batch):
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// convertChunk converts records to stored rows or rejects.
func convertChunk(conv *converter, c chunk, file, dataset string, batch int64) converted {
	var out converted
	out.rows = make([][]any, 0, len(c.recs))
	width := 3 + len(conv.cols)
	vals := make([]any, len(c.recs)*width) // one allocation for the chunk's rows
	for i, rec := range c.recs {
		if err := c.errs[i]; err != nil {
			out.rejects = append(out.rejects, parseReject(err, rec, file, dataset, batch))
			continue
		}
		if allEmpty(rec.Fields) {
			out.rejects = append(out.rejects, store.Reject{BatchID: batch, Dataset: dataset, Line: rec.Line, Code: "empty_row", Reason: "the row is empty", Raw: rec.Raw})
			continue
		}
		row := vals[i*width : (i+1)*width : (i+1)*width]
		fp, errs := conv.row(rec.Fields, row[3:])
		if len(errs) > 0 {
			out.rejects = append(out.rejects, cellReject(errs, rec, dataset, batch))
			continue
		}
		row[0], row[1], row[2] = batch, rec.Line, fp
		out.rows = append(out.rows, row)
	}
	return out
}

func parseReject(err error, rec tabular.Record, file, dataset string, batch int64) store.Reject {
	r := store.Reject{BatchID: batch, Dataset: dataset, Line: rec.Line, Code: "parse_error", Reason: err.Error(), Raw: rec.Raw}
	var pe *tabular.ParseError
	if errors.As(err, &pe) {
		r.Line, r.ColumnNo, r.Reason = pe.Line, pe.Column, pe.Msg
		if pe.Raw != "" {
			r.Raw = pe.Raw
		}
	}
	return r
}

// summaryWords mark the totals rows that bank exports append (合计: 12 笔 …); naming them makes
// the reject obvious instead of a puzzling "time is empty".
var summaryWords = []string{"合计", "总计", "小计", "本页合计", "累计", "total", "Total", "TOTAL"}

func cellReject(errs []cellError, rec tabular.Record, dataset string, batch int64) store.Reject {
	first := errs[0]
	r := store.Reject{BatchID: batch, Dataset: dataset, Line: rec.Line, Column: first.Column, ColumnNo: first.ColumnNo, Code: first.Code, Raw: rec.Raw}
	if isSummaryRow(rec.Fields) {
		r.Code, r.Column, r.ColumnNo = "summary_row", "", 0
		r.Reason = "a totals row (合计/总计), not a record; nothing to fix"
		return r
	}
	reasons := make([]string, len(errs))
	for i, e := range errs {
		if e.Column != "" {
			reasons[i] = fmt.Sprintf("column %d %s: %s", e.ColumnNo, e.Column, e.Reason)
		} else {
			reasons[i] = e.Reason
		}
	}
	r.Reason = strings.Join(reasons, "; ")
	return r
}

func isSummaryRow(cells []string) bool {
	for _, c := range cells {
		c = strings.TrimSpace(c)
		for _, w := range summaryWords {
			if strings.HasPrefix(c, w) {
				return true
			}
		}
	}
	return false
}

// rowStream feeds converted rows to the store's bulk loader and sends rejects to the spill.
type rowStream struct {
	ctx      context.Context
	out      <-chan converted
	spill    *rejectSpill
	cur      [][]any
	pos      int
	read     int64
	rejected int64
	byCode   map[string]int64
	err      error
}

func (s *rowStream) Next() bool {
	for s.pos >= len(s.cur) {
		var c converted
		var ok bool
		select {
		case c, ok = <-s.out:
		case <-s.ctx.Done():
			s.err = s.ctx.Err()
			return false
		}
		if !ok {
			return false
		}
		s.read += int64(len(c.rows) + len(c.rejects))
		s.rejected += int64(len(c.rejects))
		for _, r := range c.rejects {
			if s.byCode == nil {
				s.byCode = map[string]int64{}
			}
			s.byCode[r.Code]++
			if err := s.spill.add(r); err != nil {
				s.err = err
				return false
			}
		}
		s.cur, s.pos = c.rows, 0
	}
	s.pos++
	return true
}

func (s *rowStream) Values() ([]any, error) { return s.cur[s.pos-1], nil }
func (s *rowStream) Err() error             { return s.err }

// drain lets the converting goroutines finish after a failure.
func (s *rowStream) drain() {
	for range s.out {
	}
}
