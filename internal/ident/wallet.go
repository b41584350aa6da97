package ident

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/sha3"
)

const kindWallet = "wallet address"

// Wallet is a validated crypto-currency address.
type Wallet struct {
	Address string // normalised: bech32 and Ethereum in lower case, base58 as written
	Chain   string // "bitcoin", "ethereum" or "tron"
	Network string // "mainnet", "testnet" (also signet and regtest base58) or "regtest"
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var base58Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = int8(i)
	}
	return t
}()

// base58CheckDecode decodes a base58check string and verifies its 4-byte
// double-SHA-256 checksum, returning the payload (version byte included).
func base58CheckDecode(s string) ([]byte, string) {
	if len(s) > 120 {
		return nil, "is too long for a base58 address"
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// Big-endian base-256 accumulator; log(58)/log(256) < 0.733.
	buf := make([]byte, len(s)*733/1000+1)
	for i := zeros; i < len(s); i++ {
		carry := int(base58Index[s[i]])
		if carry < 0 {
			return nil, "holds characters that base58 addresses never use (0, O, I, l or punctuation)"
		}
		for j := len(buf) - 1; j >= 0; j-- {
			carry += 58 * int(buf[j])
			buf[j] = byte(carry)
			carry >>= 8
		}
	}
	k := 0
	for k < len(buf) && buf[k] == 0 {
		k++
	}
	out := append(make([]byte, zeros, zeros+len(buf)-k), buf[k:]...)
	if len(out) < 5 {
		return nil, "is too short for a base58check address"
	}
	payload, sum := out[:len(out)-4], out[len(out)-4:]
	h := sha256.Sum256(payload)
	h = sha256.Sum256(h[:])
	if !bytes.Equal(h[:4], sum) {
		return nil, "checksum does not match; a character was probably mistyped"
	}
	return payload, ""
}

// ParseBitcoin validates a Bitcoin address: base58check P2PKH or P2SH
// (mainnet 1…/3…, test networks m…/n…/2…) or a segwit address in bech32
// (witness version 0) or bech32m (versions 1 to 16) per BIP-173 and BIP-350,
// for mainnet (bc1), test networks (tb1) and regtest (bcrt1).
func ParseBitcoin(s string) (Wallet, error) {
	c := Clean(s)
	if c == "" {
		return Wallet{}, errEmpty(kindWallet)
	}
	lc := strings.ToLower(c)
	for _, hrp := range [...]string{"bc1", "tb1", "bcrt1"} {
		if strings.HasPrefix(lc, hrp) {
			return parseSegwit(c)
		}
	}
	payload, why := base58CheckDecode(c)
	if why != "" {
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: %s", why)
	}
	if len(payload) != 21 {
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: the decoded length is %d bytes, not 21", len(payload))
	}
	w := Wallet{Address: c, Chain: "bitcoin"}
	switch payload[0] {
	case 0x00, 0x05:
		w.Network = "mainnet"
	case 0x6f, 0xc4:
		w.Network = "testnet"
	default:
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: version byte 0x%02x is neither P2PKH nor P2SH", payload[0])
	}
	return w, nil
}

func parseSegwit(c string) (Wallet, error) {
	hrp, data, variant, why := bech32Decode(c)
	if why != "" {
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: %s", why)
	}
	w := Wallet{Address: strings.ToLower(c), Chain: "bitcoin"}
	switch hrp {
	case "bc":
		w.Network = "mainnet"
	case "tb":
		w.Network = "testnet"
	case "bcrt":
		w.Network = "regtest"
	default:
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: prefix %q is not bc, tb or bcrt", hrp)
	}
	if len(data) == 0 {
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: no witness version")
	}
	version := data[0]
	prog, ok := convertBits(data[1:], 5, 8, false)
	switch {
	case version > 16:
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: witness version %d does not exist", version)
	case !ok:
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: invalid padding in the witness program")
	case len(prog) < 2 || len(prog) > 40:
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: the witness program has %d bytes (2 to 40 allowed)", len(prog))
	case version == 0 && len(prog) != 20 && len(prog) != 32:
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: a version 0 witness program has 20 or 32 bytes, not %d", len(prog))
	case version == 0 && variant != bech32Const:
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: version 0 must use bech32, not bech32m (BIP-350)")
	case version != 0 && variant != bech32mConst:
		return Wallet{}, reject(kindWallet, c, "not a Bitcoin address: version %d must use bech32m, not bech32 (BIP-350)", version)
	}
	return w, nil
}

// ParseEthereum validates an Ethereum address, 0x and 40 hexadecimal digits.
// A mixed-case address must carry a correct EIP-55 checksum; all-lower and
// all-upper addresses carry none. The result is in lower case.
func ParseEthereum(s string) (Wallet, error) {
	c := Clean(s)
	if c == "" {
		return Wallet{}, errEmpty(kindWallet)
	}
	if len(c) < 2 || c[0] != '0' || (c[1] != 'x' && c[1] != 'X') {
		return Wallet{}, reject(kindWallet, c, "not an Ethereum address: it must start with 0x")
	}
	h := c[2:]
	if len(h) != 40 {
		return Wallet{}, reject(kindWallet, c, "not an Ethereum address: it has %d hexadecimal digits after 0x, not 40", len(h))
	}
	lower, upper := false, false
	for i := 0; i < len(h); i++ {
		switch ch := h[i]; {
		case ch >= 'a' && ch <= 'f':
			lower = true
		case ch >= 'A' && ch <= 'F':
			upper = true
		case !isDigitByte(ch):
			return Wallet{}, reject(kindWallet, c, "not an Ethereum address: %q is not a hexadecimal digit", rune(ch))
		}
	}
	addr := "0x" + strings.ToLower(h)
	if lower && upper && eip55(addr[2:]) != h {
		return Wallet{}, reject(kindWallet, c, "the EIP-55 checksum (letter case) does not match; a character was probably mistyped")
	}
	return Wallet{Address: addr, Chain: "ethereum", Network: "mainnet"}, nil
}

// eip55 returns the checksummed spelling of 40 lower-case hex digits: a letter
// is upper-cased when the matching nibble of Keccak-256(address) is ≥ 8.
func eip55(lowerHex string) string {
	k := sha3.NewLegacyKeccak256()
	k.Write([]byte(lowerHex))
	sum := k.Sum(nil)
	out := []byte(lowerHex)
	for i, ch := range out {
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		if ch >= 'a' && nibble >= 8 {
			out[i] = ch - 'a' + 'A'
		}
	}
	return string(out)
}

// ChecksumEthereum returns the EIP-55 mixed-case form of a valid address.
func ChecksumEthereum(addr string) string {
	return "0x" + eip55(strings.ToLower(strings.TrimPrefix(addr, "0x")))
}

// ParseTron validates a TRON address: base58check of 21 bytes beginning
// with 0x41, which spells 34 characters starting with T.
func ParseTron(s string) (Wallet, error) {
	c := Clean(s)
	if c == "" {
		return Wallet{}, errEmpty(kindWallet)
	}
	if len(c) != 34 || c[0] != 'T' {
		return Wallet{}, reject(kindWallet, c, "not a TRON address: it has 34 characters starting with T")
	}
	payload, why := base58CheckDecode(c)
	if why != "" {
		return Wallet{}, reject(kindWallet, c, "not a TRON address: %s", why)
	}
	if len(payload) != 21 || payload[0] != 0x41 {
		return Wallet{}, reject(kindWallet, c, "not a TRON address: it does not decode to a 0x41-prefixed address")
	}
	return Wallet{Address: c, Chain: "tron", Network: "mainnet"}, nil
}

// ParseWallet recognises a Bitcoin, Ethereum or TRON address.
func ParseWallet(s string) (Wallet, error) {
	c := Clean(s)
	switch {
	case c == "":
		return Wallet{}, errEmpty(kindWallet)
	case len(c) > 1 && c[0] == '0' && (c[1] == 'x' || c[1] == 'X'):
		return ParseEthereum(c)
	case len(c) == 34 && c[0] == 'T':
		return ParseTron(c)
	}
	w, err := ParseBitcoin(c)
	if err != nil {
		return Wallet{}, reject(kindWallet, c, "is not a Bitcoin, Ethereum or TRON address (%s)", err.(*Error).Reason)
	}
	return w, nil
}

// base58Hex returns the hex of a base58check payload, or "" when the
// checksum fails; the tests compare it with reference script data.
func base58Hex(s string) string {
	p, _ := base58CheckDecode(s)
	return hex.EncodeToString(p)
}
