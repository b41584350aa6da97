package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"procura/internal/store"
)

// LoadOrCreateKey reads the Ed25519 checkpoint key at path (PKCS #8 PEM), or creates it with
// mode 0600 when the file does not exist, and writes the public key beside it (<path>.pub) so
// it can be copied somewhere safe. A key file readable by others is refused: whoever reads it
// can sign forged checkpoints.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read the audit key %s: %w", path, err)
	}
	if runtime.GOOS != "windows" {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("the audit key %s can be read by other users (mode %v): restrict it with chmod 600 %s", path, st.Mode().Perm(), path)
		}
	}
	return parseKey(path, b)
}

func parseKey(path string, b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("the audit key %s is not a PEM private key: restore it from a backup, or move it away to start a new key (old checkpoints then need the old public key to verify)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the audit key %s: %w", path, err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the audit key %s is not an Ed25519 key", path)
	}
	return ek, nil
}

func createKey(path string) (ed25519.PrivateKey, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the audit key directory: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate the audit key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	// The key is written whole to a temporary file and then linked to its name, which fails
	// when the name exists: a reader never sees a half-written key, and when two processes
	// create the key at once, one wins and the other reads the winner's.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".audit-key-*")
	if err != nil {
		return nil, fmt.Errorf("create the audit key %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	werr := tmp.Chmod(0o600)
	if werr == nil {
		werr = pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("write the audit key %s: %w", path, werr)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil, fmt.Errorf("read the audit key %s: %w", path, rerr)
		}
		return parseKey(path, b)
	} else if err != nil {
		return nil, fmt.Errorf("create the audit key %s: %w", path, err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return nil, fmt.Errorf("write the audit public key %s.pub: %w", path, err)
	}
	return priv, nil
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// checkpointMessage is what a checkpoint signs.
func checkpointMessage(seq int64, hash string, at time.Time) []byte {
	return []byte("procura-audit-checkpoint/1\n" + strconv.FormatInt(seq, 10) + "\n" + hash + "\n" + at.UTC().Format(timeLayout))
}

func (l *Log) sign(seq int64, hash string, at time.Time) store.AuditCheckpoint {
	pub := l.PublicKey()
	return store.AuditCheckpoint{
		Seq: seq, Hash: hash, At: at, KeyID: KeyID(pub),
		PublicKey: base64.StdEncoding.EncodeToString(pub),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(l.key, checkpointMessage(seq, hash, at))),
	}
}

// checkSignature reports what is wrong with checkpoint c's signature given the trusted keys
// by id, or "" when it holds.
func checkSignature(c store.AuditCheckpoint, trusted map[string]ed25519.PublicKey) string {
	pubRaw, err := base64.StdEncoding.DecodeString(c.PublicKey)
	if err != nil || len(pubRaw) != ed25519.PublicKeySize {
		return "its public key is unreadable"
	}
	pub := ed25519.PublicKey(pubRaw)
	id := KeyID(pub)
	if id != c.KeyID {
		return fmt.Sprintf("its key id %s does not belong to its public key (%s)", c.KeyID, id)
	}
	if _, ok := trusted[id]; !ok {
		return fmt.Sprintf("it is signed by key %s, which is not this workspace's key nor a trusted one", id)
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, checkpointMessage(c.Seq, c.Hash, c.At), sig) {
		return fmt.Sprintf("its signature does not verify with key %s", id)
	}
	return ""
}
