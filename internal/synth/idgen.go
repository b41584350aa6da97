package synth

import (
	"crypto/sha256"
	"math/rand/v2"
	"strconv"
)

// Identifier generators. Each produces values that pass the public check rules: GB 11643-1999
// (resident ID), ISO/IEC 7812 Luhn (bank cards, IMEI), GB 32100-2015 (USCC), base58check (TRON).

var ridWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ridCheck returns the GB 11643-1999 check character (ISO 7064 MOD 11-2) for 17 digits.
func ridCheck(d []byte) byte {
	s := 0
	for i := 0; i < 17; i++ {
		s += int(d[i]-'0') * ridWeights[i]
	}
	return "10X98765432"[s%11]
}

// residentID builds an 18-digit ID: division, birth date yyyymmdd, sequence whose parity is the
// sex (odd = male), check character.
func residentID(div string, birth int, seq int, male bool) string {
	b := make([]byte, 0, 18)
	b = append(b, div...)
	b = strconv.AppendInt(b, int64(birth), 10)
	seq %= 500
	s := seq*2 + 1
	if !male {
		s = seq * 2
	}
	b = append(b, byte('0'+s/100), byte('0'+s/10%10), byte('0'+s%10))
	return string(append(b, ridCheck(b)))
}

// luhnDigit returns the check digit that makes digits+check Luhn-valid.
func luhnDigit(digits []byte) byte {
	s := 0
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		s += d
		double = !double
	}
	return byte('0' + (10-s%10)%10)
}

// permute maps a serial number to a distinct pseudo-random value below 10^width (a bijection
// on [0, 10^width) for serials below it), so numbers look random yet never collide.
func permute(serial uint64, width int) uint64 {
	m := uint64(1)
	for i := 0; i < width; i++ {
		m *= 10
	}
	// 982451653 is prime and coprime to every power of ten, so multiplication is a bijection mod m.
	return (serial*982451653 + 12345678901) % m
}

func appendPadded(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:width]...)
}

// cardNumber builds a Luhn-valid card number of the given length from a BIN and a serial.
func cardNumber(bin string, length int, serial uint64) string {
	b := make([]byte, 0, length)
	b = append(b, bin...)
	w := length - len(bin) - 1
	b = appendPadded(b, permute(serial, w), w)
	return string(append(b, luhnDigit(b)))
}

// mobile builds an 11-digit CN mobile number from a 3-digit block and a serial.
func mobile(prefix string, serial uint64) string {
	b := make([]byte, 0, 11)
	b = append(b, prefix...)
	return string(appendPadded(b, permute(serial, 8), 8))
}

// imei builds a 15-digit Luhn-valid IMEI from a TAC and a serial.
func imei(tac string, serial uint64) string {
	b := make([]byte, 0, 15)
	b = append(b, tac...)
	b = appendPadded(b, permute(serial, 6), 6)
	return string(append(b, luhnDigit(b)))
}

// imsi builds a 15-digit IMSI from a MCC+MNC and a serial.
func imsi(mccmnc string, serial uint64) string {
	b := make([]byte, 0, 15)
	b = append(b, mccmnc...)
	return string(appendPadded(b, permute(serial, 10), 10))
}

const hexDigits = "0123456789ABCDEF"

// macAddr builds a unicast, globally administered MAC from a maker OUI and a serial.
func macAddr(oui [3]byte, serial uint64) string {
	p := permute(serial, 7) // < 2^24 after the mask below keeps the low 24 bits distinct enough
	bs := [6]byte{oui[0], oui[1], oui[2], byte(p >> 16), byte(p >> 8), byte(p)}
	b := make([]byte, 0, 17)
	for i, x := range bs {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexDigits[x>>4], hexDigits[x&15])
	}
	return string(b)
}

// ipv4 returns a public address in a block allocated to Chinese carriers.
func ipv4(r *rand.Rand) string {
	b := make([]byte, 0, 15)
	b = strconv.AppendInt(b, int64(ipFirstOctets[r.IntN(len(ipFirstOctets))]), 10)
	for i := 0; i < 3; i++ {
		b = append(b, '.')
		v := r.IntN(254) + 1
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return string(b)
}

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// uscc builds an 18-character unified social credit code (GB 32100-2015) for an enterprise
// registered by the market regulator (prefix 91) in a division; the embedded organisation code
// carries its own GB 11714-1997 check character.
func uscc(div string, serial uint64) string {
	b := make([]byte, 0, 18)
	b = append(b, '9', '1')
	b = append(b, div...)
	org := appendPadded(nil, permute(serial, 8), 8)
	s := 0
	for i, c := range org {
		s += int(c-'0') * orgWeights[i]
	}
	c := 11 - s%11
	switch c {
	case 10:
		org = append(org, 'X')
	case 11:
		org = append(org, '0')
	default:
		org = append(org, byte('0'+c))
	}
	b = append(b, org...)
	sum, w := 0, 1
	for _, ch := range b {
		v := indexByte(usccAlphabet, ch)
		sum += v * w
		w = w * 3 % 31
	}
	return string(append(b, usccAlphabet[(31-sum%31)%31]))
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return 0
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// tronAddress builds a TRON base58check address (version byte 0x41) from 20 random bytes.
func tronAddress(r *rand.Rand) string {
	payload := make([]byte, 21, 25)
	payload[0] = 0x41
	for i := 1; i < 21; i++ {
		payload[i] = byte(r.Uint32())
	}
	h1 := sha256.Sum256(payload)
	h2 := sha256.Sum256(h1[:])
	return base58(append(payload, h2[:4]...))
}

func base58(in []byte) string {
	n := make([]byte, len(in))
	copy(n, in)
	var out []byte
	for {
		zero := true
		rem := 0
		for i := range n {
			acc := rem*256 + int(n[i])
			n[i] = byte(acc / 58)
			rem = acc % 58
			if n[i] != 0 {
				zero = false
			}
		}
		out = append(out, base58Alphabet[rem])
		if zero {
			break
		}
	}
	for _, c := range in {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// txHash returns 64 hex digits for a chain transaction.
func txHash(r *rand.Rand) string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = "0123456789abcdef"[r.IntN(16)]
	}
	return string(b)
}
