package ident

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	kindIP    = "IP address"
	kindMAC   = "MAC address"
	kindEmail = "e-mail address"
)

// ParseIP parses an IPv4 or IPv6 address. IPv4 octets written with leading
// zeros (010.001.002.003, common in Chinese telecom exports) are read as
// decimal, IPv4-mapped IPv6 addresses are returned as IPv4, and surrounding
// brackets are removed.
func ParseIP(s string) (netip.Addr, error) {
	c := Clean(s)
	if c == "" {
		return netip.Addr{}, errEmpty(kindIP)
	}
	if len(c) > 2 && c[0] == '[' && c[len(c)-1] == ']' {
		// Inside brackets too, spaces are padding: "[fe80::1% ]" is not a zone named " ".
		c = strings.TrimSpace(c[1 : len(c)-1])
	}
	a, err := netip.ParseAddr(c)
	if err != nil {
		var ok bool
		if a, ok = parsePaddedIPv4(c); !ok {
			if strings.Count(c, ":") == 1 && strings.Count(c, ".") == 3 {
				return netip.Addr{}, reject(kindIP, c, "includes a port; put the port in its own column")
			}
			return netip.Addr{}, reject(kindIP, c, "is not an IPv4 or IPv6 address")
		}
	}
	return a.Unmap(), nil
}

// parsePaddedIPv4 reads dotted-decimal IPv4 whose octets may have leading
// zeros, as decimal (netip refuses them because some C libraries read them
// as octal; exports that pad to three digits always mean decimal).
func parsePaddedIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	part := 0
	for i := range 4 {
		j := strings.IndexByte(s, '.')
		if i == 3 {
			j = len(s)
		}
		if j < 1 || j > 3 || !isDigits(s[:j]) {
			return netip.Addr{}, false
		}
		part = atoi(s[:j])
		if part > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(part)
		if i < 3 {
			s = s[j+1:]
		}
	}
	return netip.AddrFrom4(b), true
}

// ParseMAC parses a MAC (EUI-48) address written as aa:bb:cc:dd:ee:ff,
// AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff, aabbccddeeff or with single-digit
// groups (a:b:c:d:e:f) and returns the canonical lower-case colon form.
// Multicast addresses (low bit of the first octet set) and the all-zero
// placeholder do not identify a device and are rejected.
func ParseMAC(s string) (string, error) {
	c := Clean(s)
	if c == "" {
		return "", errEmpty(kindMAC)
	}
	var hex [12]byte
	n := 0
	add := func(g string) bool {
		for i := 0; i < len(g); i++ {
			if n == len(hex) || !isHex(g[i]) {
				return false
			}
			hex[n] = lowerHex(g[i])
			n++
		}
		return true
	}
	sep := byte(0)
	for _, x := range []byte{':', '-', '.', ' '} {
		if strings.IndexByte(c, x) >= 0 {
			sep = x
			break
		}
	}
	switch groups := strings.Split(c, string([]byte{sep})); {
	case sep == 0:
		if len(c) != 12 {
			return "", macLengthOrFormat(c)
		}
		if !add(c) {
			return "", reject(kindMAC, c, "holds characters that are not hexadecimal digits")
		}
	case len(groups) == 3 && sep == '.':
		for _, g := range groups {
			if len(g) != 4 {
				return "", reject(kindMAC, c, "dotted MAC addresses have three groups of four hexadecimal digits")
			}
			if !add(g) {
				return "", reject(kindMAC, c, "holds characters that are not hexadecimal digits")
			}
		}
	case len(groups) == 6:
		for _, g := range groups {
			if len(g) == 1 {
				g = "0" + g
			}
			if len(g) != 2 {
				return "", reject(kindMAC, c, "has a group of %d digits; each of the six groups has two", len(g))
			}
			if !add(g) {
				return "", reject(kindMAC, c, "holds characters that are not hexadecimal digits")
			}
		}
	default:
		return "", reject(kindMAC, c, "has %d groups; a MAC address has six", len(groups))
	}
	out := string([]byte{hex[0], hex[1], ':', hex[2], hex[3], ':', hex[4], hex[5], ':',
		hex[6], hex[7], ':', hex[8], hex[9], ':', hex[10], hex[11]})
	switch {
	case out == "00:00:00:00:00:00":
		return "", reject(kindMAC, c, "is an all-zero placeholder, not a device address")
	case hexVal(hex[1])&1 == 1:
		return "", reject(kindMAC, c, "is a multicast or broadcast address, not a device address")
	}
	return out, nil
}

func macLengthOrFormat(c string) error {
	for i := 0; i < len(c); i++ {
		if !isHex(c[i]) {
			return reject(kindMAC, c, "holds characters that are not hexadecimal digits")
		}
	}
	return reject(kindMAC, c, "has %d hexadecimal digits; a MAC address has 12", len(c))
}

func isHex(c byte) bool {
	return isDigitByte(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

func hexVal(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// ParseEmail checks the shape of an e-mail address (local@domain, a domain
// of dot-separated labels with a top-level domain) and returns it in lower
// case: providers, Chinese ones included, treat addresses case-insensitively,
// and one spelling per address is what lets datasets be joined on it.
// A "mailto:" prefix and surrounding angle brackets are removed.
func ParseEmail(s string) (string, error) {
	c := Clean(s)
	if c == "" {
		return "", errEmpty(kindEmail)
	}
	if len(c) > 7 && strings.EqualFold(c[:7], "mailto:") {
		c = c[7:]
	}
	if len(c) > 2 && c[0] == '<' && c[len(c)-1] == '>' {
		c = c[1 : len(c)-1]
	}
	c = strings.ToLower(c)
	at := strings.LastIndexByte(c, '@')
	if at < 0 {
		return "", reject(kindEmail, c, "has no @")
	}
	local, domain := c[:at], c[at+1:]
	switch {
	case local == "":
		return "", reject(kindEmail, c, "has nothing before the @")
	case len(local) > 64:
		return "", reject(kindEmail, c, "the part before the @ is longer than 64 characters")
	case len(domain) > 253:
		return "", reject(kindEmail, c, "the domain is longer than 253 characters")
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return "", reject(kindEmail, c, "the part before the @ cannot start or end with a dot or hold two dots in a row")
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("()<>[]\\,;:@\"", r) || !unicode.IsPrint(r) {
			return "", reject(kindEmail, c, "character %q is not allowed before the @", r)
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", reject(kindEmail, c, "the domain %q has no top-level domain (such as .com or .cn)", domain)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", reject(kindEmail, c, "the domain %q is malformed", domain)
		}
		for _, r := range l {
			if !(r == '-' || r < utf8.RuneSelf && (isDigitByte(byte(r)) || r|0x20 >= 'a' && r|0x20 <= 'z') || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r))) {
				return "", reject(kindEmail, c, "character %q is not allowed in the domain", r)
			}
		}
	}
	if tld := labels[len(labels)-1]; isDigits(tld) {
		return "", reject(kindEmail, c, "the domain %q ends in a number, not a top-level domain", domain)
	}
	return c, nil
}
