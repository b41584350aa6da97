package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// archive backs up files (relative path → content) and returns the archive.
func archive(t *testing.T, files map[string]string) []byte { return signedArchive(t, files, nil) }

func signedArchive(t *testing.T, files map[string]string, key ed25519.PrivateKey) []byte {
	t.Helper()
	src := t.TempDir()
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for rel, body := range files {
		p := filepath.Join(src, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(body), 0o440); err != nil {
			t.Fatal(err)
		}
		if err := w.AddFile(context.Background(), rel, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(Manifest{CreatedAt: time.Now().UTC(), CreatedBy: "tester", Backend: "duckdb"}, key); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rewrite re-packs an archive, letting edit change (or drop, returning false) each entry.
func rewrite(t *testing.T, arc []byte, edit func(h *tar.Header, body []byte) ([]byte, bool)) []byte {
	t.Helper()
	zr, _ := zstd.NewReader(bytes.NewReader(arc))
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw, _ := zstd.NewWriter(&out)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		body, keep := edit(h, body)
		if !keep {
			continue
		}
		h.Size = int64(len(body))
		tw.WriteHeader(h)
		tw.Write(body)
	}
	tw.Close()
	zw.Close()
	return out.Bytes()
}

var sample = map[string]string{"procura.duckdb": "database bytes", "evidence/sha256/ab/abcdef": "a statement",
	"keys/audit-ed25519.pem": "a key"}

func TestAnArchiveRestoresEveryFileWithItsContentAndMode(t *testing.T) {
	dir := t.TempDir()
	x, err := Extract(context.Background(), bytes.NewReader(archive(t, sample)), dir)
	if err != nil {
		t.Fatal(err)
	}
	m := x.Manifest
	if x.SignedBy != nil {
		t.Error("an unsigned archive reports a signer")
	}
	if v, err := Verify(context.Background(), bytes.NewReader(archive(t, sample))); err != nil || len(v.Manifest.Files) != len(sample) {
		t.Errorf("Verify of a sound archive = %+v, %v", v.Manifest, err)
	}
	if len(m.Files) != len(sample) || m.Format != Format || m.CreatedBy != "tester" {
		t.Errorf("manifest = %+v", m)
	}
	for rel, body := range sample {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		got, err := os.ReadFile(p)
		if err != nil || string(got) != body {
			t.Errorf("%s = %q, %v; want %q", rel, got, err, body)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o440 {
			t.Errorf("%s has mode %v, want 0440 as backed up", rel, st.Mode().Perm())
		}
	}
}

func TestADamagedArchiveIsRefusedNamingTheFileAndLeavesNothing(t *testing.T) {
	arc := archive(t, sample)
	cases := map[string]struct {
		arc  []byte
		file string
	}{
		"a changed byte": {rewrite(t, arc, func(h *tar.Header, b []byte) ([]byte, bool) {
			if h.Name == Prefix+"evidence/sha256/ab/abcdef" {
				b = bytes.Replace(b, []byte("a statement"), []byte("A statement"), 1)
			}
			return b, true
		}), "evidence/sha256/ab/abcdef"},
		"a missing file": {rewrite(t, arc, func(h *tar.Header, b []byte) ([]byte, bool) {
			return b, h.Name != Prefix+"keys/audit-ed25519.pem"
		}), "keys/audit-ed25519.pem"},
		"an added file": {rewrite(t, arc, func(h *tar.Header, b []byte) ([]byte, bool) {
			if h.Name == Prefix+"procura.duckdb" {
				h.Name = Prefix + "procura.duckdb.extra"
			}
			return b, true
		}), "procura.duckdb"},
		"an escaping path": {rewrite(t, arc, func(h *tar.Header, b []byte) ([]byte, bool) {
			if h.Name == Prefix+"procura.duckdb" {
				h.Name = Prefix + "../outside"
			}
			return b, true
		}), "../outside"},
		"no manifest":    {rewrite(t, arc, func(h *tar.Header, b []byte) ([]byte, bool) { return b, h.Name != ManifestName }), ""},
		"not an archive": {[]byte("hello"), ""},
		"cut short":      {arc[:len(arc)/2], ""},
	}
	for name, c := range cases {
		if _, err := Verify(context.Background(), bytes.NewReader(c.arc)); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s: Verify = %v, want it refused naming %q", name, err, c.file)
		}
		dir := t.TempDir()
		_, err := Extract(context.Background(), bytes.NewReader(c.arc), dir)
		var de *DamagedError
		if !errors.As(err, &de) || !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: err = %v, want a DamagedError", name, err)
			continue
		}
		if !strings.Contains(de.File, c.file) || !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s: %v does not name %q", name, err, c.file)
		}
		var left []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, _ error) error {
			if !d.IsDir() {
				left = append(left, p)
			}
			return nil
		})
		if len(left) > 0 {
			t.Errorf("%s: files were left behind: %v", name, left)
		}
	}
}

func TestAddFileRefusesPathsOutsideTheWorkspace(t *testing.T) {
	w, _ := NewWriter(io.Discard)
	for _, rel := range []string{"../x", "/etc/passwd", "a/../../b", "", `a\b`} {
		if err := w.AddFile(context.Background(), rel, "/dev/null"); err == nil {
			t.Errorf("AddFile(%q) was accepted", rel)
		}
	}
}

// A signed manifest cannot be rewritten to match a forged file: the signature names the key,
// and a manifest changed after signing is refused.
func TestASignedManifestRewrittenToMatchAForgedFileIsRefused(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	arc := signedArchive(t, sample, key)
	x, err := Extract(context.Background(), bytes.NewReader(arc), t.TempDir())
	if err != nil || !x.SignedBy.Equal(pub) {
		t.Fatalf("signed archive: signer %x, %v; want %x", x.SignedBy, err, pub)
	}
	forged := []byte("a forged statement")
	sum := sha256.Sum256(forged)
	arc = rewrite(t, arc, func(h *tar.Header, b []byte) ([]byte, bool) {
		switch h.Name {
		case Prefix + "evidence/sha256/ab/abcdef":
			return forged, true
		case ManifestName:
			var m Manifest
			json.Unmarshal(b, &m)
			for i := range m.Files {
				if m.Files[i].Path == "evidence/sha256/ab/abcdef" {
					m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(forged))
				}
			}
			b, _ = json.Marshal(m)
		}
		return b, true
	})
	_, err = Extract(context.Background(), bytes.NewReader(arc), t.TempDir())
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "signature") {
		t.Errorf("a re-signed-less forgery = %v, want the signature refused", err)
	}
}
