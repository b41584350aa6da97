package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"procura/internal/store"
)

// rejectSpill holds an import's rejects on disk until the rows are loaded, so a file that is
// rejected whole does not have to fit in memory. It lives in the workspace, not in /tmp: rejects
// carry raw case data.
type rejectSpill struct {
	f *os.File
	w *bufio.Writer
	n int64
}

func newRejectSpill(dir string) (*rejectSpill, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("rejects spill: %w", err)
	}
	f, err := os.CreateTemp(dir, "rejects-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("rejects spill: %w", err)
	}
	return &rejectSpill{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (s *rejectSpill) add(r store.Reject) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("rejects spill: %w", err)
	}
	s.n++
	return nil
}

// load bulk-inserts the spilled rejects inside tx.
func (s *rejectSpill) load(ctx context.Context, tx *store.Tx) (int64, error) {
	if s.n == 0 {
		return 0, nil
	}
	if err := s.w.Flush(); err != nil {
		return 0, fmt.Errorf("rejects spill: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("rejects spill: %w", err)
	}
	src := &spillSource{dec: json.NewDecoder(bufio.NewReaderSize(s.f, 1<<16))}
	n, err := tx.InsertRejectsFrom(ctx, src)
	if err == nil {
		err = src.err
	}
	return n, err
}

func (s *rejectSpill) Close() error {
	s.f.Close()
	return os.Remove(s.f.Name())
}

// spillSource reads the spilled rejects back for the store's bulk load.
type spillSource struct {
	dec *json.Decoder
	cur store.Reject
	err error
}

func (s *spillSource) Next() bool {
	s.cur = store.Reject{}
	if err := s.dec.Decode(&s.cur); err != nil {
		if err != io.EOF {
			s.err = fmt.Errorf("rejects spill: %w", err)
		}
		return false
	}
	return true
}

func (s *spillSource) Value() (store.Reject, error) { return s.cur, nil }
func (s *spillSource) Err() error                   { return s.err }

// optionsJSON records how the file was read and mapped, so the batch can be re-derived.
func optionsJSON(o Options, res *Result) string {
	b, _ := json.Marshal(map[string]any{
		"kind": res.Kind, "profile": o.Profile, "map": o.Map, "format": res.Format, "encoding": res.Encoding,
		"delimiter": res.Delimiter, "sheet": o.Read.Sheet, "header_row": o.Read.HeaderRow,
		"time_zone": o.Location.String(), "default_region": o.DefaultRegion, "mapping": res.Mapping,
	})
	return string(b)
}
