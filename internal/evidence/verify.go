package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Problem kinds found by Verify.
const (
	ProblemMissing      = "missing"      // the item's file is gone
	ProblemChanged      = "changed"      // the file's content no longer has the item's SHA-256
	ProblemWritable     = "writable"     // the file may be written to; it should be read-only
	ProblemUnregistered = "unregistered" // a stored file that no item records
)

// Problem is one finding of Verify.
type Problem struct {
	Kind     string `json:"kind"`
	ItemID   int64  `json:"item_id,omitempty"`
	FileName string `json:"file_name,omitempty"`
	SHA256   string `json:"sha256"`
	Detail   string `json:"detail"`
}

// VerifyReport is the outcome of Verify. OK is false when any item's file is missing or
// changed; writable and unregistered files are warnings.
type VerifyReport struct {
	OK       bool      `json:"ok"`
	Items    int       `json:"items"`
	Bytes    int64     `json:"bytes"`
	Problems []Problem `json:"problems"`
	Warnings []Problem `json:"warnings"`
	Seconds  float64   `json:"seconds"`
}

// Verify re-hashes the file of every item, in parallel, and reports files that are missing or
// changed; it also names stored files that are writable or that no item records (files kept by
// imports before evidence items existed).
func (s *Store) Verify(ctx context.Context) (VerifyReport, error) {
	start := time.Now()
	items, err := s.Items(ctx)
	if err != nil {
		return VerifyReport{}, err
	}
	rep := VerifyReport{Items: len(items), Problems: []Problem{}, Warnings: []Problem{}}
	type result struct {
		problem, warning *Problem
		bytes            int64
	}
	results := make([]result, len(items))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				it := items[i]
				p := Problem{ItemID: it.ID, FileName: it.FileName, SHA256: it.SHA256}
				path := s.Path(it.SHA256)
				sum, n, mode, err := hashFile(ctx, path)
				switch {
				case errors.Is(err, fs.ErrNotExist):
					p.Kind, p.Detail = ProblemMissing, "the file "+path+" is gone: restore it from a backup"
					results[i].problem = &p
				case err != nil:
					p.Kind, p.Detail = ProblemMissing, "the file cannot be read: "+err.Error()
					results[i].problem = &p
				case sum != it.SHA256 || n != it.Size:
					p.Kind, p.Detail = ProblemChanged, fmt.Sprintf("the file now has sha256 %s and %d bytes, recorded %d bytes: it was modified; restore it from a backup", sum, n, it.Size)
					results[i].problem = &p
				case mode&0o222 != 0 && runtime.GOOS != "windows":
					p.Kind, p.Detail = ProblemWritable, fmt.Sprintf("the file has mode %v: make it read-only with chmod 440 %s", mode, path)
					results[i].warning = &p
				}
				results[i].bytes = n
			}
		}()
	}
	for i := range items {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return VerifyReport{}, err
	}
	known := make(map[string]bool, len(items))
	for i, r := range results {
		known[items[i].SHA256] = true
		rep.Bytes += r.bytes
		if r.problem != nil {
			rep.Problems = append(rep.Problems, *r.problem)
		}
		if r.warning != nil {
			rep.Warnings = append(rep.Warnings, *r.warning)
		}
	}
	unreg, err := s.unregistered(known)
	if err != nil {
		return VerifyReport{}, err
	}
	rep.Warnings = append(rep.Warnings, unreg...)
	rep.OK = len(rep.Problems) == 0
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

func hashFile(ctx context.Context, path string) (string, int64, fs.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", 0, 0, err
	}
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, f})
	if err != nil {
		return "", n, 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, st.Mode().Perm(), nil
}

// ctxReader stops a long hash when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// unregistered lists content files that no item records.
func (s *Store) unregistered(known map[string]bool) ([]Problem, error) {
	root := filepath.Join(s.dir, "sha256")
	var out []Problem
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || strings.HasPrefix(name, ".incoming-") {
			return nil
		}
		if !validSHA(name) {
			out = append(out, Problem{Kind: ProblemUnregistered, Detail: "a file that procura did not store: " + path})
			return nil
		}
		if !known[name] {
			out = append(out, Problem{Kind: ProblemUnregistered, SHA256: name,
				Detail: "stored content that no evidence item records (kept by an import before evidence items existed?): register it with procura evidence add " + path})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the evidence store %s: %w", root, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Detail < out[j].Detail })
	return out, nil
}
