package backup

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
)

// SignatureName is the archive entry that signs the manifest; it follows the manifest.
const SignatureName = "manifest.sig"

// signaturePrefix separates manifest signatures from every other use of the key (the audit
// checkpoints sign "procura-audit-checkpoint/1\n…").
const signaturePrefix = "procura-backup-manifest/1\n"

// Signature is the content of manifest.sig.
type Signature struct {
	KeyID     string `json:"key_id"`
	PublicKey []byte `json:"public_key"` // Ed25519, raw 32 bytes (base64 in JSON)
	Signature []byte `json:"signature"`  // over signaturePrefix + the manifest's bytes
}

// KeyID names a public key as the audit log does: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

func sign(key ed25519.PrivateKey, manifest []byte) ([]byte, error) {
	pub := key.Public().(ed25519.PublicKey)
	return json.MarshalIndent(Signature{KeyID: KeyID(pub), PublicKey: pub,
		Signature: ed25519.Sign(key, append([]byte(signaturePrefix), manifest...))}, "", "  ")
}

// verify checks a manifest signature and returns the key that made it.
func verify(sig, manifest []byte) (ed25519.PublicKey, error) {
	var s Signature
	if err := json.Unmarshal(sig, &s); err != nil {
		return nil, fmt.Errorf("is not valid JSON: %v", err)
	}
	if len(s.PublicKey) != ed25519.PublicKeySize || !ed25519.Verify(s.PublicKey, append([]byte(signaturePrefix), manifest...), s.Signature) {
		return nil, fmt.Errorf("does not verify: the manifest was changed after it was signed")
	}
	return ed25519.PublicKey(s.PublicKey), nil
}

// ReadPublicKey reads an Ed25519 public key in PEM (the audit key's .pub file).
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("trusted key %s is not a PEM public key (give the audit key's .pub file)", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("trusted key %s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("trusted key %s is not an Ed25519 key", path)
	}
	return pub, nil
}
