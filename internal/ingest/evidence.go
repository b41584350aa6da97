package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// keepOriginal copies the file as received into the workspace's evidence store, named by its
// SHA-256 (evidence/sha256/ab/abcdef…), and returns the hash and size. The copy is what a court
// can be shown: every imported row points to a line of this exact file. Storing the same content
// twice is a no-op.
func keepOriginal(path, evidenceDir string, progress func(int64)) (sha string, size int64, stored string, err error) {
	in, err := os.Open(path)
	if err != nil {
		return "", 0, "", fmt.Errorf("open %s: %w", path, err)
	}
	defer in.Close()
	dir := filepath.Join(evidenceDir, "sha256")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", 0, "", fmt.Errorf("evidence store %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".incoming-*")
	if err != nil {
		return "", 0, "", fmt.Errorf("evidence store %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h, progressWriter(progress)), in)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, "", fmt.Errorf("read %s: %w", path, err)
	}
	sha = hex.EncodeToString(h.Sum(nil))
	stored = filepath.Join(dir, sha[:2], sha)
	if _, err := os.Stat(stored); err == nil {
		return sha, size, stored, nil
	}
	if err := os.MkdirAll(filepath.Dir(stored), 0o750); err != nil {
		return "", 0, "", fmt.Errorf("evidence store: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o440); err != nil {
		return "", 0, "", fmt.Errorf("evidence store: %w", err)
	}
	if err := os.Rename(tmp.Name(), stored); err != nil {
		return "", 0, "", fmt.Errorf("evidence store: %w", err)
	}
	return sha, size, stored, nil
}

type progressWriter func(int64)

func (p progressWriter) Write(b []byte) (int, error) {
	if p != nil {
		p(int64(len(b)))
	}
	return len(b), nil
}
