package ident

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type stdnumVector struct {
	Scheme     string  `json:"scheme"`
	Value      string  `json:"value"`
	Valid      bool    `json:"valid"`
	Error      *string `json:"error"`
	Normalized *string `json:"normalized"`
	Field      string  `json:"field"`
	Expected   *string `json:"expected"`
	Line       int     `json:"line"`
}

// stdnumParsers maps each python-stdnum scheme this package implements to
// the parser that must agree with it, returning the normalised value.
var stdnumParsers = map[string]func(string) (string, error){
	"cn_ric":  func(s string) (string, error) { r, err := ParseResidentID(s); return r.Number, err },
	"cn_uscc": ParseUSCC,
	"iban":    ParseIBAN,
	"bic":     ParseBIC,
	"luhn": func(s string) (string, error) {
		if !Luhn(s) {
			return "", fmt.Errorf("luhn fails")
		}
		return s, nil
	},
	"imei":    ParseIMEI,
	"imsi":    func(s string) (string, error) { r, err := ParseIMSI(s); return r.Number, err },
	"mac":     ParseMAC,
	"bitcoin": func(s string) (string, error) { w, err := ParseBitcoin(s); return w.Address, err },
}

func TestParsersAgreeWithEveryStdnumVector(t *testing.T) {
	dir := datasetDir(t, "stdnum-vectors")
	counts := map[string]int{}
	readJSONLines(t, filepath.Join(dir, "stdnum_vectors.jsonl"), func(line int, raw []byte) {
		var v stdnumVector
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		parse, ok := stdnumParsers[v.Scheme]
		if !ok {
			return
		}
		if v.Field != "" {
			checkRICField(t, v)
			counts[v.Scheme+"."+v.Field]++
			return
		}
		got, err := parse(v.Value)
		if why, ok := stdnumSuperseded[v.Value]; ok {
			if err == nil {
				t.Errorf("%s %q: accepted, but %s", v.Scheme, v.Value, why)
			}
			counts[v.Scheme+".superseded"]++
			return
		}
		switch {
		case v.Valid && err != nil:
			t.Errorf("%s %q (doctest line %d): valid per stdnum, rejected: %v", v.Scheme, v.Value, v.Line, err)
		case !v.Valid && err == nil:
			t.Errorf("%s %q (doctest line %d): invalid per stdnum (%s), accepted as %q", v.Scheme, v.Value, v.Line, deref(v.Error), got)
		case v.Valid && v.Normalized != nil && got != *v.Normalized:
			t.Errorf("%s %q: normalised to %q, stdnum says %q", v.Scheme, v.Value, got, *v.Normalized)
		}
		counts[v.Scheme]++
	})
	total := 0
	for _, n := range counts {
		total += n
	}
	t.Logf("checked %d stdnum vectors: %v", total, counts)
	if total == 0 {
		t.Fatal("no vectors checked")
	}
}

// stdnumSuperseded lists the stdnum vectors this package deliberately
// rejects. They are BIP-173 examples of witness version 1+ addresses with
// the original bech32 checksum; BIP-350 (2021) requires bech32m for those
// versions, and Bitcoin Core's key_io_invalid.json lists such addresses
// (bc1p702x…, tb1z7gmh…) as invalid. The two references conflict; we follow
// BIP-350 and Bitcoin Core.
var stdnumSuperseded = map[string]string{
	"BC1SW50QA3JX3S": "BIP-350 requires bech32m for witness version 16",
	"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx": "BIP-350 requires bech32m for witness version 1",
	"bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj":                                       "BIP-350 requires bech32m for witness version 2",
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

var pyDate = regexp.MustCompile(`^datetime\.date\((\d+), (\d+), (\d+)\)$`)
var pyPlace = regexp.MustCompile(`^\{'province': '([^']*)', 'county': '([^']*)'\}$`)

// checkRICField checks the birth_date and birth_place vectors. stdnum
// reports the birth place as the division in force in the birth year, which
// LookupDivision(code, year) gives (and ResidentID.DivisionAtBirth reports).
func checkRICField(t *testing.T, v stdnumVector) {
	t.Helper()
	n := strings.ToUpper(v.Value)
	year := atoi(n[6:10])
	switch v.Field {
	case "birth_date":
		r, err := ParseResidentID(v.Value)
		m := pyDate.FindStringSubmatch(deref(v.Expected))
		if err != nil || m == nil {
			t.Errorf("%s birth_date: %v (expected %s)", v.Value, err, deref(v.Expected))
			return
		}
		if want := fmt.Sprintf("%04s-%02s-%02s", m[1], pad2(m[2]), pad2(m[3])); r.Birth.Format("2006-01-02") != want {
			t.Errorf("%s birth date %s, want %s", v.Value, r.Birth.Format("2006-01-02"), want)
		}
	case "birth_place":
		d, ok := LookupDivision(n[:6], year)
		if !v.Valid {
			if ok {
				t.Errorf("%s (%s): stdnum has no division in %d, got %+v", v.Value, deref(v.Expected), year, d)
			}
			if r, err := ParseResidentID(v.Value); err == nil && r.DivisionAtBirth {
				t.Errorf("%s: DivisionAtBirth is true, want false", v.Value)
			}
			return
		}
		m := pyPlace.FindStringSubmatch(deref(v.Expected))
		if !ok || m == nil || d.Province != m[1] || d.County != m[2] {
			t.Errorf("%s birth place %+v (found %v), want %s", v.Value, d, ok, deref(v.Expected))
		}
		if r, err := ParseResidentID(v.Value); err != nil || !r.DivisionAtBirth || !strings.HasPrefix(r.DivisionName, m[1]) || !strings.HasSuffix(r.DivisionName, m[2]) {
			t.Errorf("%s: ParseResidentID = %+v, %v; want DivisionAtBirth and name %s…%s", v.Value, r, err, m[1], m[2])
		}
	default:
		t.Errorf("unknown field %q", v.Field)
	}
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// TestIBANTableMatchesTheSWIFTRegistry compares data/iban.tsv, written by
// hand, with python-stdnum's iban.dat generated from IBAN registry v101.
func TestIBANTableMatchesTheSWIFTRegistry(t *testing.T) {
	dir := datasetDir(t, "stdnum-vectors")
	raw, err := os.ReadFile(filepath.Join(dir, "iban.dat"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^([A-Z]{2}) .*bban="([^"]+)"`)
	seen := 0
	for _, line := range strings.Split(string(raw), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seen++
		want := expandBBAN(m[2])
		got, ok := ibanFormats()[m[1]]
		if !ok {
			t.Errorf("%s missing from data/iban.tsv (registry: %s)", m[1], m[2])
		} else if got != want {
			t.Errorf("%s: table has %s, registry has %s (%s)", m[1], got, want, m[2])
		}
	}
	if seen != len(ibanFormats()) {
		t.Errorf("registry lists %d countries, table %d", seen, len(ibanFormats()))
	}
	t.Logf("checked %d IBAN country formats", seen)
}

func TestParseBitcoinAgreesWithBitcoinCoreKeyIOVectors(t *testing.T) {
	dir := datasetDir(t, "crypto-address-vectors")
	var valid [][]json.RawMessage
	readJSON(t, filepath.Join(dir, "key_io_valid.json"), &valid)
	checked := 0
	for _, v := range valid {
		var addr, script string
		var meta struct {
			Chain       string `json:"chain"`
			IsPrivkey   bool   `json:"isPrivkey"`
			TryCaseFlip bool   `json:"tryCaseFlip"`
		}
		json.Unmarshal(v[0], &addr)
		json.Unmarshal(v[1], &script)
		json.Unmarshal(v[2], &meta)
		w, err := ParseBitcoin(addr)
		checked++
		if meta.IsPrivkey {
			if err == nil {
				t.Errorf("private key %s accepted as an address", addr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s (%s): rejected: %v", addr, meta.Chain, err)
			continue
		}
		wantNet := map[string]string{"main": "mainnet", "testnet4": "testnet", "signet": "testnet", "regtest": "regtest"}[meta.Chain]
		if !strings.Contains(addr, "1q") && !strings.Contains(addr, "1p") && !strings.Contains(addr, "1z") &&
			!strings.Contains(addr, "1r") && !strings.Contains(addr, "1s") && meta.Chain == "regtest" {
			wantNet = "testnet" // base58 regtest addresses share the testnet version bytes
		}
		if w.Network != wantNet {
			t.Errorf("%s: network %q, want %q", addr, w.Network, wantNet)
		}
		checkScript(t, addr, script)
		if meta.TryCaseFlip {
			flipped, err := ParseBitcoin(strings.ToUpper(addr))
			checked++
			if err != nil || flipped.Address != strings.ToLower(addr) {
				t.Errorf("%s in upper case: %+v, %v", addr, flipped, err)
			}
		}
	}
	var invalid [][]string
	readJSON(t, filepath.Join(dir, "key_io_invalid.json"), &invalid)
	for _, v := range invalid {
		checked++
		if w, err := ParseBitcoin(v[0]); err == nil {
			t.Errorf("invalid %q accepted as %+v", v[0], w)
		}
		if w, err := ParseWallet(v[0]); err == nil {
			t.Errorf("invalid %q accepted by ParseWallet as %+v", v[0], w)
		}
	}
	t.Logf("checked %d Bitcoin Core key_io vectors (%d valid, %d invalid)", checked, len(valid), len(invalid))
}

// checkScript compares the decoded address with the scriptPubKey Bitcoin
// Core expects: OP_DUP OP_HASH160 <20> … for P2PKH, OP_HASH160 <20> … for
// P2SH, OP_n <len> <program> for segwit.
func checkScript(t *testing.T, addr, script string) {
	t.Helper()
	if hrp, data, _, why := bech32Decode(addr); why == "" && len(data) > 0 && (hrp == "bc" || hrp == "tb" || hrp == "bcrt") {
		prog, _ := convertBits(data[1:], 5, 8, false)
		op := byte(0)
		if data[0] > 0 {
			op = 0x50 + data[0]
		}
		if got := hex.EncodeToString(append([]byte{op, byte(len(prog))}, prog...)); got != script {
			t.Errorf("%s: script %s, want %s", addr, got, script)
		}
		return
	}
	payload := base58Hex(addr)
	hash := payload[2:]
	var want string
	switch payload[:2] {
	case "00", "6f":
		want = "76a914" + hash + "88ac"
	default:
		want = "a914" + hash + "87"
	}
	if want != script {
		t.Errorf("%s: script %s, want %s", addr, want, script)
	}
}

func TestParseEthereumAcceptsEveryEIP55Example(t *testing.T) {
	dir := datasetDir(t, "crypto-address-vectors")
	var cases []struct {
		Address string `json:"address"`
		Group   string `json:"group"`
	}
	readJSON(t, filepath.Join(dir, "eip55.json"), &cases)
	checked := 0
	for _, c := range cases {
		w, err := ParseEthereum(c.Address)
		if err != nil || w.Address != strings.ToLower(c.Address[:2])+strings.ToLower(c.Address[2:]) {
			t.Errorf("%s (%s): %+v, %v", c.Address, c.Group, w, err)
		}
		checked++
		if c.Group == "normal" {
			if got := ChecksumEthereum(w.Address); got != c.Address {
				t.Errorf("checksum of %s is %s, want %s", w.Address, got, c.Address)
			}
			// Flipping the case of one letter must break the checksum.
			b := []byte(c.Address)
			for i := 2; i < len(b); i++ {
				if b[i] >= 'a' && b[i] <= 'f' {
					b[i] -= 'a' - 'A'
					break
				}
			}
			if _, err := ParseEthereum(string(b)); err == nil {
				t.Errorf("%s with one letter's case flipped was accepted", c.Address)
			}
			checked += 2
		}
	}
	t.Logf("checked %d EIP-55 cases", checked)
}
