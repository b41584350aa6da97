package ident

import "strings"

// Bech32 as specified in BIP-173, with the bech32m constant of BIP-350.

const (
	bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	bech32Const   = 1
	bech32mConst  = 0x2bc830a3
)

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		b := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := range 5 {
			if (b>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

// bech32Decode splits a bech32/bech32m string into its human-readable part
// and 5-bit data (checksum removed) and reports which constant matched.
func bech32Decode(s string) (hrp string, data []byte, variant uint32, why string) {
	if len(s) > 90 {
		return "", nil, 0, "is longer than 90 characters"
	}
	if strings.ToLower(s) != s && strings.ToUpper(s) != s {
		return "", nil, 0, "mixes upper and lower case"
	}
	s = strings.ToLower(s)
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 || pos+7 > len(s) {
		return "", nil, 0, "is too short or lacks the 1 separator"
	}
	hrp = s[:pos]
	for i := 0; i < len(hrp); i++ {
		if hrp[i] < 33 || hrp[i] > 126 {
			return "", nil, 0, "has an invalid prefix"
		}
	}
	values := make([]byte, 0, len(hrp)*2+1+len(s)-pos-1)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]>>5)
	}
	values = append(values, 0)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]&31)
	}
	n := len(values)
	for i := pos + 1; i < len(s); i++ {
		d := strings.IndexByte(bech32Charset, s[i])
		if d < 0 {
			return "", nil, 0, "holds a character bech32 never uses (1, b, i or o after the separator)"
		}
		values = append(values, byte(d))
	}
	switch bech32Polymod(values) {
	case bech32Const:
		variant = bech32Const
	case bech32mConst:
		variant = bech32mConst
	default:
		return "", nil, 0, "checksum does not match; a character was probably mistyped"
	}
	return hrp, values[n : len(values)-6], variant, ""
}

// convertBits regroups a sequence of from-bit values into to-bit values.
func convertBits(data []byte, from, to uint, pad bool) ([]byte, bool) {
	acc, bits := uint32(0), uint(0)
	maxv := uint32(1)<<to - 1
	out := make([]byte, 0, len(data)*int(from)/int(to)+1)
	for _, v := range data {
		if uint32(v)>>from != 0 {
			return nil, false
		}
		acc = acc<<from | uint32(v)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
	} else if bits >= from || acc<<(to-bits)&maxv != 0 {
		return nil, false
	}
	return out, true
}
