package supervise

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing/fstest"
	"time"
)

// A model package is a zip file another office can import and verify on its own machine:
//
//	model.yaml            the model definition
//	fixture/<input>.csv   one small synthetic input per kind or dataset the model reads
//	fixture/expected.json the clues the model must find in them
//
// Import runs the fixture in a scratch workspace and accepts the model only when it finds
// exactly the expected clues.

// Package limits: a package is a few small text files, so anything larger is refused before
// it is unpacked (a zip bomb would otherwise fill the disk or memory).
const (
	maxPackageFiles = 64
	maxPackageBytes = 16 << 20
)

// WritePackage writes model m and its fixture as a zip package to w.
func WritePackage(w io.Writer, m *Model, fixture fs.FS) error {
	files, err := FixtureFiles(m, fixture)
	if err != nil {
		return err
	}
	files = append(files, "expected.json")
	zw := zip.NewWriter(w)
	add := func(name string, body []byte) error {
		// A fixed time keeps the package of one model version byte-identical.
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		_, err = f.Write(body)
		return err
	}
	if len(m.Source()) == 0 {
		return fmt.Errorf("model %s has no YAML source to export", m.ID)
	}
	if err := add("model.yaml", m.Source()); err != nil {
		return err
	}
	for _, name := range files {
		b, err := fs.ReadFile(fixture, name)
		if err != nil {
			return fmt.Errorf("export model %s: fixture %s: %w", m.ID, name, err)
		}
		if err := add("fixture/"+name, b); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Package is a model package as read from a file.
type Package struct {
	Model   *Model
	Fixture fstest.MapFS // fixture files by name
}

// ReadPackage reads a model package. It refuses packages that are too large, hold files
// outside model.yaml and fixture/, or lack the model or its fixture.
func ReadPackage(r io.ReaderAt, size int64) (*Package, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("model package: %w: export one with procura model export ID", err)
	}
	if len(zr.File) > maxPackageFiles {
		return nil, fmt.Errorf("model package holds %d files; a package has model.yaml and at most %d fixture files", len(zr.File), maxPackageFiles-1)
	}
	p := &Package{Fixture: fstest.MapFS{}}
	var total int64
	var src []byte
	for _, f := range zr.File {
		name := f.Name
		if f.FileInfo().IsDir() {
			continue
		}
		rest, inFixture := strings.CutPrefix(name, "fixture/")
		switch {
		case name == "model.yaml":
		case inFixture && rest != "" && !strings.Contains(rest, "/") && path.Clean(rest) == rest:
		default:
			return nil, fmt.Errorf("model package holds %q; only model.yaml and fixture/<file> belong in it", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("model package %s: %w", name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxPackageBytes-total+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("model package %s: %w", name, err)
		}
		if total += int64(len(b)); total > maxPackageBytes {
			return nil, fmt.Errorf("model package unpacks to more than %d MB; fixtures are small synthetic files", maxPackageBytes>>20)
		}
		if name == "model.yaml" {
			src = b
		} else {
			p.Fixture[rest] = &fstest.MapFile{Data: b, Mode: 0o600}
		}
	}
	if src == nil {
		return nil, errors.New("model package has no model.yaml")
	}
	m, err := Parse(src)
	if err != nil {
		return nil, fmt.Errorf("model package: model.yaml: %w", err)
	}
	p.Model = m
	if _, err := FixtureFiles(m, p.Fixture); err != nil {
		return nil, fmt.Errorf("model package: %w; a package carries its fixture so it can be verified", err)
	}
	return p, nil
}

// EncodeFixture packs fixture files as a JSON object (file name → text) for storage.
func EncodeFixture(fixture fs.FS) (string, error) {
	out := map[string]string{}
	err := fs.WalkDir(fixture, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fixture, p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// DecodeFixture unpacks what EncodeFixture stored.
func DecodeFixture(s string) (fs.FS, error) {
	var files map[string]string
	if err := json.Unmarshal([]byte(s), &files); err != nil {
		return nil, fmt.Errorf("stored fixture is unreadable: %w", err)
	}
	out := fstest.MapFS{}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out[n] = &fstest.MapFile{Data: []byte(files[n]), Mode: 0o600}
	}
	return out, nil
}

// PackageBytes is WritePackage into memory.
func PackageBytes(m *Model, fixture fs.FS) ([]byte, error) {
	var buf bytes.Buffer
	if err := WritePackage(&buf, m, fixture); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
