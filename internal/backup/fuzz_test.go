package backup

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzExtract feeds Extract arbitrary archives: it must not panic, must write nothing outside
// dir, and must leave no file behind when it refuses the archive.
func FuzzExtract(f *testing.F) {
	f.Add([]byte("hello"))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd}) // zstd magic
	f.Add(fuzzSeed(f))                    // a real archive, so the fuzzer starts from the format
	parent := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		dir, err := os.MkdirTemp(parent, "x")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		_, err = Extract(context.Background(), bytes.NewReader(b), dir)
		var files []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		if err != nil && len(files) > 0 {
			t.Fatalf("a refused archive left %v", files)
		}
		entries, _ := os.ReadDir(parent)
		if len(entries) != 1 {
			t.Fatalf("Extract wrote outside its directory: %v", entries)
		}
	})
}

func fuzzSeed(f *testing.F) []byte {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf)
	p := filepath.Join(f.TempDir(), "a")
	os.WriteFile(p, []byte("evidence"), 0o440)
	w.AddFile(context.Background(), "evidence/a", p)
	w.Close(Manifest{}, nil)
	return buf.Bytes()
}
