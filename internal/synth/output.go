package synth

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// outputs tracks every file written, for the manifest and the summary.
type outputs struct {
	dir   string
	files []FileInfo
	truth []string
}

// hashedFile writes through a buffer and hashes the bytes exactly as stored on disk.
type hashedFile struct {
	out  *outputs
	f    *os.File
	bw   *bufio.Writer
	h    hash.Hash
	w    io.Writer // what callers write to: bw+hash, or a GBK encoder in front of them
	enc  io.WriteCloser
	rows int64
	info FileInfo
}

type hashWriter struct {
	bw *bufio.Writer
	h  hash.Hash
}

// asyncHashMin is the size from which a write hashes on another goroutine while the bytes go
// to disk: the statement and call chunks are megabytes, and hashing them in line kept the
// writer, the one sequential stage of the stream, busy for a third of its time.
const asyncHashMin = 64 << 10

func (hw hashWriter) Write(p []byte) (int, error) {
	if len(p) < asyncHashMin {
		hw.h.Write(p)
		return hw.bw.Write(p)
	}
	// The hash sees the same bytes in the same order: the next write waits for this one.
	done := make(chan struct{})
	go func() {
		hw.h.Write(p)
		close(done)
	}()
	n, err := hw.bw.Write(p)
	<-done
	return n, err
}

// create opens rel (slash-separated, relative to the output folder) for writing. gbk encodes
// everything written to it as GBK.
func (o *outputs) create(rel string, info FileInfo, gbk bool) (*hashedFile, error) {
	p := filepath.Join(o.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("create folder for %s: %w", rel, err)
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", rel, err)
	}
	hf := &hashedFile{out: o, f: f, bw: bufio.NewWriterSize(f, 1<<20), h: sha256.New(), info: info}
	hf.info.Path = rel
	hw := hashWriter{hf.bw, hf.h}
	hf.w = hw
	if gbk {
		hf.enc = transform.NewWriter(hw, simplifiedchinese.GBK.NewEncoder())
		hf.w = hf.enc
	}
	return hf, nil
}

func (hf *hashedFile) Write(p []byte) (int, error) { return hf.w.Write(p) }

// close flushes, records the file and its hash. isTruth files go to the truth list.
func (hf *hashedFile) close(isTruth bool) error {
	if hf.enc != nil {
		if err := hf.enc.Close(); err != nil {
			hf.f.Close()
			return fmt.Errorf("encode %s as GBK: %w", hf.info.Path, err)
		}
	}
	if err := hf.bw.Flush(); err != nil {
		hf.f.Close()
		return fmt.Errorf("write %s: %w", hf.info.Path, err)
	}
	if err := hf.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", hf.info.Path, err)
	}
	hf.info.Rows = hf.rows
	hf.info.SHA256 = hex.EncodeToString(hf.h.Sum(nil))
	if isTruth {
		hf.out.truth = append(hf.out.truth, hf.info.Path)
	}
	hf.out.files = append(hf.out.files, hf.info)
	return nil
}

// writeCSV writes a small table in one go (header + rows), UTF-8, no quoting needed because
// generated values never contain commas, quotes or line breaks.
func (o *outputs) writeCSV(rel string, info FileInfo, header []string, rows [][]string, isTruth bool) error {
	hf, err := o.create(rel, info, false)
	if err != nil {
		return err
	}
	b := make([]byte, 0, 1<<16)
	b = appendRecord(b, header)
	for _, r := range rows {
		b = appendRecord(b, r)
		if len(b) > 1<<15 {
			hf.Write(b)
			b = b[:0]
		}
	}
	hf.Write(b)
	hf.rows = int64(len(rows))
	return hf.close(isTruth)
}

// csvStream writes a table row by row through a small buffer, so that a table of the whole
// population is never held in memory as rows of strings.
type csvStream struct {
	hf *hashedFile
	b  []byte
}

// createCSV opens a CSV table and writes its header.
func (o *outputs) createCSV(rel string, info FileInfo, header []string) (*csvStream, error) {
	hf, err := o.create(rel, info, false)
	if err != nil {
		return nil, err
	}
	c := &csvStream{hf: hf, b: make([]byte, 0, 1<<16)}
	c.b = appendRecord(c.b, header)
	return c, nil
}

// row appends one record.
func (c *csvStream) row(fields ...string) {
	c.b = appendRecord(c.b, fields)
	c.hf.rows++
	if len(c.b) > 1<<15 {
		c.hf.Write(c.b)
		c.b = c.b[:0]
	}
}

// close writes what is buffered and records the file (in the truth list when isTruth).
func (c *csvStream) close(isTruth bool) error {
	c.hf.Write(c.b)
	return c.hf.close(isTruth)
}

func appendRecord(b []byte, rec []string) []byte {
	for i, f := range rec {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendField(b, f)
	}
	return append(b, '\n')
}

// appendField quotes a field only when CSV requires it (RFC 4180).
func appendField(b []byte, f string) []byte {
	need := false
	for i := 0; i < len(f); i++ {
		if c := f[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			need = true
			break
		}
	}
	if !need {
		return append(b, f...)
	}
	b = append(b, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, f[i])
	}
	return append(b, '"')
}

// writeJSON writes a truth document with stable key order (structs and sorted slices only).
func (o *outputs) writeJSON(rel string, v any) error {
	hf, err := o.create(rel, FileInfo{Format: "json", Profile: "truth"}, false)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(hf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return hf.close(true)
}

// writeManifest lists every file with its kind, import profile, rows and hash. It holds no
// timings, so it is as deterministic as the files it lists.
func (o *outputs) writeManifest(seed int64, scale string) error {
	files := append([]FileInfo(nil), o.files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	m := struct {
		Generator string     `json:"generator"`
		Seed      int64      `json:"seed"`
		Scale     string     `json:"scale"`
		Timezone  string     `json:"timezone"`
		Files     []FileInfo `json:"files"`
	}{"procura synth 1", seed, scale, "Asia/Shanghai", files}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(o.dir, "manifest.json"), append(b, '\n'), 0o644)
}
