// Package backup writes and reads procura backup archives: a tar stream compressed with
// zstd, holding the files of a workspace under workspace/ and, as its last entry,
// manifest.json with the size and SHA-256 of every file. Reading an archive checks every
// file against the manifest and refuses the archive, naming the file, when one differs, is
// missing or was added.
package backup

import (
	"archive/tar"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
)

// Format names the archive layout; a reader refuses other formats.
const Format = "procura-backup/1"

// ManifestName is the archive entry of the manifest; workspace files are under Prefix.
const (
	ManifestName = "manifest.json"
	Prefix       = "workspace/"
)

// File is one file of the archive, with its path relative to the workspace.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest describes an archive: what it holds and where it came from.
type Manifest struct {
	Format    string         `json:"format"`
	CreatedAt time.Time      `json:"created_at"`
	CreatedBy string         `json:"created_by"`
	Version   string         `json:"procura_version"`
	Backend   string         `json:"backend"`
	Workspace string         `json:"workspace"`
	Database  string         `json:"database"` // what the database part is, in words
	Facts     map[string]any `json:"facts,omitempty"`
	Files     []File         `json:"files"`
}

// Writer writes an archive. Add files, then Close with the manifest.
type Writer struct {
	zw    *zstd.Encoder
	tw    *tar.Writer
	files []File
}

// NewWriter starts an archive on w.
func NewWriter(w io.Writer) (*Writer, error) {
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		return nil, err
	}
	return &Writer{zw: zw, tw: tar.NewWriter(zw)}, nil
}

// AddFile copies the file at src into the archive as rel (a slash-separated path relative to
// the workspace), hashing it on the way.
func (w *Writer) AddFile(ctx context.Context, rel, src string) error {
	if err := checkRel(rel); err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("backup %s: %w", rel, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup %s: %w", rel, err)
	}
	hdr := &tar.Header{Name: Prefix + rel, Mode: int64(st.Mode().Perm()), Size: st.Size(), ModTime: st.ModTime().UTC(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("backup %s: %w", rel, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w.tw, h), ctxReader{ctx, f})
	if err != nil {
		return fmt.Errorf("backup %s: %w", rel, err)
	}
	if n != st.Size() {
		return fmt.Errorf("backup %s: the file changed size while it was copied (%d, then %d bytes)", rel, st.Size(), n)
	}
	w.files = append(w.files, File{Path: rel, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// Files lists the files added so far.
func (w *Writer) Files() []File { return w.files }

// Close writes the manifest (its Files and Format are filled in), signed with key when key is
// not nil, and ends the archive.
func (w *Writer) Close(m Manifest, key ed25519.PrivateKey) error {
	m.Format, m.Files = Format, w.files
	if m.Files == nil {
		m.Files = []File{}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := w.tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(b)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := w.tw.Write(b); err != nil {
		return err
	}
	if key != nil {
		sig, err := sign(key, b)
		if err != nil {
			return err
		}
		if err := w.tw.WriteHeader(&tar.Header{Name: SignatureName, Mode: 0o600, Size: int64(len(sig)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := w.tw.Write(sig); err != nil {
			return err
		}
	}
	if err := w.tw.Close(); err != nil {
		return err
	}
	return w.zw.Close()
}

// ErrDamaged marks an archive that does not match its manifest or is not a procura backup.
var ErrDamaged = errors.New("the backup archive is damaged or was altered")

// DamagedError names the file of an archive that does not match the manifest.
type DamagedError struct {
	File   string // path relative to the workspace ("" for the archive as a whole)
	Reason string
}

func (e *DamagedError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("%v: %s; nothing was restored", ErrDamaged, e.Reason)
	}
	return fmt.Sprintf("%v: %s %s; nothing was restored", ErrDamaged, e.File, e.Reason)
}
func (e *DamagedError) Unwrap() error { return ErrDamaged }

// Extracted is what Extract found: the manifest and, when the archive is signed, the key that
// signed it (the signature is verified).
type Extracted struct {
	Manifest Manifest
	SignedBy ed25519.PublicKey
}

// Extract reads an archive into dir (which must exist and should be empty), checking every
// file against the manifest and the manifest's signature when it has one. On any error the
// files it wrote are removed again, so dir is left as it was.
func Extract(ctx context.Context, r io.Reader, dir string) (x Extracted, err error) {
	var written []string
	defer func() {
		if err != nil {
			for i := len(written) - 1; i >= 0; i-- {
				os.Remove(written[i])
			}
		}
	}()
	return read(ctx, r, func(rel string, r io.Reader, mode os.FileMode) (File, error) {
		return extractFile(ctx, r, filepath.Join(dir, filepath.FromSlash(rel)), mode, &written)
	})
}

// Verify reads an archive as Extract does, checking every file and the signature, and writes
// nothing: a backup can be checked where it is kept, without restoring it.
func Verify(ctx context.Context, r io.Reader) (Extracted, error) {
	return read(ctx, r, func(_ string, r io.Reader, _ os.FileMode) (File, error) {
		h := sha256.New()
		n, err := io.Copy(h, ctxReader{ctx, r})
		return File{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, err
	})
}

// read walks an archive, handing each workspace file to sink, and checks the files sink
// reports against the manifest and its signature.
func read(ctx context.Context, r io.Reader, sink func(rel string, r io.Reader, mode os.FileMode) (File, error)) (x Extracted, err error) {
	m := &x.Manifest
	zr, err := zstd.NewReader(r)
	if err != nil {
		return x, &DamagedError{Reason: "it is not zstd-compressed: " + err.Error()}
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	got := map[string]File{}
	var manifest, signature []byte
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return x, &DamagedError{Reason: "it cannot be read: " + err.Error()}
		}
		if manifest != nil && (hdr.Name != SignatureName || signature != nil) {
			return x, &DamagedError{File: hdr.Name, Reason: "follows the manifest, where the archive should end"}
		}
		switch {
		case hdr.Name == SignatureName:
			if signature, err = io.ReadAll(io.LimitReader(tr, 1<<20)); err != nil {
				return x, &DamagedError{File: SignatureName, Reason: "cannot be read: " + err.Error()}
			}
			continue
		case hdr.Name == ManifestName:
			if manifest, err = io.ReadAll(io.LimitReader(tr, 64<<20)); err != nil {
				return x, &DamagedError{File: ManifestName, Reason: "cannot be read: " + err.Error()}
			}
			continue
		case hdr.Typeflag == tar.TypeDir:
			continue
		case hdr.Typeflag != tar.TypeReg:
			return x, &DamagedError{File: hdr.Name, Reason: "is not a regular file (links and devices are never in a backup)"}
		case !strings.HasPrefix(hdr.Name, Prefix):
			return x, &DamagedError{File: hdr.Name, Reason: "is outside " + Prefix}
		}
		rel := strings.TrimPrefix(hdr.Name, Prefix)
		if err := checkRel(rel); err != nil {
			return x, &DamagedError{File: rel, Reason: err.Error()}
		}
		if _, dup := got[rel]; dup {
			return x, &DamagedError{File: rel, Reason: "appears twice"}
		}
		f, err := sink(rel, &readErr{r: tr}, os.FileMode(hdr.Mode)&0o770)
		var re *readFailure
		if errors.As(err, &re) && ctx.Err() == nil {
			return x, &DamagedError{File: rel, Reason: "cannot be read in full (" + re.err.Error() + "): the archive is cut short or corrupt"}
		}
		if err != nil {
			return x, err
		}
		f.Path = rel
		got[rel] = f
	}
	if manifest == nil {
		return x, &DamagedError{Reason: "it has no manifest (is it a procura backup, and complete?)"}
	}
	if signature != nil {
		if x.SignedBy, err = verify(signature, manifest); err != nil {
			return x, &DamagedError{File: ManifestName, Reason: "has a signature that " + err.Error()}
		}
	}
	if err := json.Unmarshal(manifest, m); err != nil {
		return x, &DamagedError{File: ManifestName, Reason: "is not valid JSON: " + err.Error()}
	}
	if m.Format != Format {
		return x, &DamagedError{File: ManifestName, Reason: fmt.Sprintf("names the format %q; this procura reads %q", m.Format, Format)}
	}
	return x, Check(*m, got)
}

// Check compares the files read from an archive with its manifest.
func Check(m Manifest, got map[string]File) error {
	listed := map[string]bool{}
	for _, want := range m.Files {
		listed[want.Path] = true
		f, ok := got[want.Path]
		switch {
		case !ok:
			return &DamagedError{File: want.Path, Reason: "is listed in the manifest but missing from the archive"}
		case f.SHA256 != want.SHA256:
			return &DamagedError{File: want.Path, Reason: fmt.Sprintf("has sha256 %s, but the manifest says %s", f.SHA256, want.SHA256)}
		case f.Size != want.Size:
			return &DamagedError{File: want.Path, Reason: fmt.Sprintf("has %d bytes, but the manifest says %d", f.Size, want.Size)}
		}
	}
	for p := range got {
		if !listed[p] {
			return &DamagedError{File: p, Reason: "is in the archive but not in its manifest"}
		}
	}
	return nil
}

// extractFile writes one file with its recorded mode (never readable by others: evidence is
// 0440, the audit key 0600).
func extractFile(ctx context.Context, r io.Reader, dst string, mode os.FileMode, written *[]string) (File, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return File{}, err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return File{}, fmt.Errorf("restore %s: %w", dst, err)
	}
	*written = append(*written, dst)
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), ctxReader{ctx, r})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && mode != 0 {
		err = os.Chmod(dst, mode)
	}
	if err != nil {
		return File{}, fmt.Errorf("restore %s: %w", dst, err)
	}
	return File{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// checkRel refuses paths that could escape the workspace when restored.
func checkRel(rel string) error {
	if rel == "" || strings.Contains(rel, "\\") || path.IsAbs(rel) || path.Clean(rel) != rel || rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Errorf("path %q is not a plain relative path inside the workspace", rel)
	}
	return nil
}

// readErr marks the errors of reading the archive, to tell them from errors of writing.
type readErr struct{ r io.Reader }

type readFailure struct{ err error }

func (e *readFailure) Error() string { return e.err.Error() }
func (e *readFailure) Unwrap() error { return e.err }

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readFailure{err}
	}
	return n, err
}

// ctxReader stops a copy when the context ends.
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
