package synth

import (
	"fmt"
	"strconv"
	"strings"
)

// textArena holds the fixed text of every account and SIM, rendered once after the world is
// complete, one record after another in a single string. Formatting a statement row then copies
// three runs of bytes that sit together (the account's own columns, the counterparty's, the
// device's) instead of a dozen short strings scattered over the heap, each a likely cache miss
// at the hundreds of thousands of accounts of a medium world.
type textArena struct {
	s        string
	accts    []acctSpan // per account
	sims     []simSpan  // per SIM
	exts     []string   // per external counterparty: "account,name,,bank"
	branches []string   // per branch: "code,name,"
}

// acctSpan locates an account's record (own columns from off; counterparty columns from
// off+cpAt, which may overlap own; then device columns and teller) and carries the few fields
// formatting needs, so that a row does not touch the account table at all. 16 bytes.
type acctSpan struct {
	off                        uint32
	branch                     int32
	ring                       int8 // at most 60 rings
	own, cpAt, cp, dev, teller uint8
	bank                       uint8
	inquired                   bool
}

// simSpan locates a SIM's record (the phone number, then the caller columns of a call row)
// and carries the fields formatting needs.
type simSpan struct {
	off         uint32
	phone, tail uint8
	operator    uint8
	inquired    bool
}

// newTextArena renders the records. ringBase is each ring's base division (where its cash-outs
// and call-centre cells are). A first pass measures the records so that the arena is allocated
// once at its exact size.
func newTextArena(w *world, ringBase []int32) *textArena {
	x := &textArena{accts: make([]acctSpan, len(w.accounts)), sims: make([]simSpan, len(w.sims))}
	var rec []byte
	size := 0
	for i := range w.accounts {
		rec, _ = appendAcctRecord(rec[:0], w, &w.accounts[i])
		size += len(rec)
	}
	for i := range w.sims {
		rec, _ = appendSimRecord(rec[:0], w, &w.sims[i], ringBase)
		size += len(rec)
	}
	if uint64(size) > 1<<32-1 {
		panic("synth: the text arena outgrew 4 GiB")
	}
	var sb strings.Builder
	sb.Grow(size)
	for i := range w.accounts {
		a := &w.accounts[i]
		var parts [5]uint8
		rec, parts = appendAcctRecord(rec[:0], w, a)
		x.accts[i] = acctSpan{off: uint32(sb.Len()), branch: a.branch, ring: int8(a.ring), bank: a.bank, inquired: a.inquired,
			own: parts[0], cpAt: parts[1], cp: parts[2], dev: parts[3], teller: parts[4]}
		sb.Write(rec)
	}
	for i := range w.sims {
		s := &w.sims[i]
		var parts [2]uint8
		rec, parts = appendSimRecord(rec[:0], w, s, ringBase)
		x.sims[i] = simSpan{off: uint32(sb.Len()), operator: s.operator, inquired: s.inquired, phone: parts[0], tail: parts[1]}
		sb.Write(rec)
	}
	x.s = sb.String()
	x.intern(w)
	for _, e := range w.ext {
		x.exts = append(x.exts, e.account+","+e.name+",,"+e.bank)
	}
	for _, b := range w.branches {
		x.branches = append(x.branches, b.code+","+b.name+",")
	}
	return x
}

// intern points the world's strings at their copies in the arena (account and card numbers,
// holders' names and ID numbers, handsets' IP and MAC, SIMs' phone, IMSI and IMEI), so that
// the text is held once: the strings they were made as become garbage unless something else
// (a case file, say) still holds them. A string is re-pointed only when the bytes are equal.
func (x *textArena) intern(w *world) {
	for i := range w.accounts {
		a := &w.accounts[i]
		cp := x.cp(int32(i))
		acct, rest, _ := strings.Cut(cp, ",")
		name, rest, _ := strings.Cut(rest, ",")
		id, _, _ := strings.Cut(rest, ",")
		if acct == a.acct {
			if a.card == a.acct {
				a.card = acct
			}
			a.acct = acct
		}
		if a.holder < 0 {
			continue
		}
		p := &w.persons[a.holder]
		if p.name == name {
			p.name = name
		}
		if p.idNumber == id {
			p.idNumber = id
		}
		if a.dev < 0 {
			ip, rest, _ := strings.Cut(x.dev(int32(i)), ",")
			mac, _, _ := strings.Cut(rest, ",")
			if p.ip == ip {
				p.ip = ip
			}
			if p.mac == mac {
				p.mac = mac
			}
		}
	}
	for i := range w.sims {
		s := &w.sims[i]
		imei, rest, _ := strings.Cut(x.simTail(int32(i)), ",")
		imsi, _, _ := strings.Cut(rest, ",")
		if phone := x.phone(int32(i)); s.phone == phone {
			s.phone = phone
		}
		if s.imei == imei {
			s.imei = imei
		}
		if s.imsi == imsi {
			s.imsi = imsi
		}
		if h := &w.persons[s.holder]; h.sim == int32(i) && h.phone == s.phone {
			h.phone = s.phone
		}
	}
}

// partLen is the length of a record part, which must fit its uint8 in the span.
func partLen(b []byte, start int) uint8 {
	n := len(b) - start
	if n > 255 {
		panic(fmt.Sprintf("synth: a text record part of %d bytes does not fit its span: %q", n, b[start:]))
	}
	return uint8(n)
}

// appendAcctRecord appends account a's record and returns its part lengths: own, the start of
// cp, cp, dev and teller. When the card number is the account number (every personal account)
// own and cp overlap: ",req,acct," then "acct,name,id" then ",bank" holds own
// (",req,acct,acct,name,id,") and cp ("acct,name,id,bank") in 40 bytes fewer.
func appendAcctRecord(b []byte, w *world, a *account) ([]byte, [5]uint8) {
	var parts [5]uint8
	name, id := w.holderName(a), w.holderID(a)
	b = append(b, ',')
	b = append(b, requestNos[a.bank]...)
	b = append(b, ',')
	b = append(b, a.acct...)
	b = append(b, ',')
	if a.card == a.acct {
		cpAt := len(b)
		b = append(b, a.acct...)
		b = append(b, ',')
		b = append(b, name...)
		b = append(b, ',')
		b = append(b, id...)
		b = append(b, ',')
		parts[0] = partLen(b, 0) // own ends with the comma that starts ",bank"
		b = append(b, bankName(a)...)
		parts[1], parts[2] = partLen(b[:cpAt], 0), partLen(b, cpAt)
	} else {
		for _, s := range [...]string{a.card, name, id} {
			b = append(b, s...)
			b = append(b, ',')
		}
		parts[0] = partLen(b, 0)
		parts[1] = parts[0]
		for _, s := range [...]string{a.acct, ",", name, ",", id, ",", bankName(a)} {
			b = append(b, s...)
		}
		parts[2] = partLen(b, int(parts[1]))
	}
	start := len(b)
	// dev: "ip,mac,imei"
	dv := w.device(a)
	b = append(b, dv.ip...)
	b = append(b, ',')
	b = append(b, dv.mac...)
	b = append(b, ',')
	b = append(b, dv.imei...)
	parts[3], start = partLen(b, start), len(b)
	b = append(b, w.branches[a.branch].code[3:7]...)
	b = appendPadded(b, uint64(a.tellerNo), 3)
	parts[4] = partLen(b, start)
	return b, parts
}

// appendSimRecord appends SIM s's record and returns the lengths of its two parts.
func appendSimRecord(b []byte, w *world, s *sim, ringBase []int32) ([]byte, [2]uint8) {
	var parts [2]uint8
	b = append(b, s.phone...)
	parts[0] = partLen(b, 0)
	start := len(b)
	// tail: "imei,imsi,cell_id,lac,location,operator\n"
	b = append(b, s.imei...)
	b = append(b, ',')
	b = append(b, s.imsi...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.cell), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(10000+s.cell%50000/10), 10)
	b = append(b, ',')
	if s.ring >= 0 {
		b = append(b, w.divs[ringBase[s.ring]].County...)
	} else {
		b = append(b, w.divs[w.persons[s.holder].div].County...)
	}
	b = append(b, ',')
	b = append(b, operators[s.operator].name...)
	b = append(b, '\n')
	parts[1] = partLen(b, start)
	return b, parts
}

// own is ",request_no,account,card_no,holder_name,holder_id_number," of account a.
func (x *textArena) own(a int32) string {
	sp := x.accts[a]
	return x.s[sp.off : sp.off+uint32(sp.own)]
}

// cp is "account,name,id_number,bank" of account a as a counterparty.
func (x *textArena) cp(a int32) string {
	sp := x.accts[a]
	o := sp.off + uint32(sp.cpAt)
	return x.s[o : o+uint32(sp.cp)]
}

// dev is "ip,mac,imei" of the device account a is used from.
func (x *textArena) dev(a int32) string {
	sp := x.accts[a]
	o := sp.off + uint32(sp.cpAt) + uint32(sp.cp)
	return x.s[o : o+uint32(sp.dev)]
}

// teller is the teller who opened account a.
func (x *textArena) teller(a int32) string {
	sp := x.accts[a]
	o := sp.off + uint32(sp.cpAt) + uint32(sp.cp) + uint32(sp.dev)
	return x.s[o : o+uint32(sp.teller)]
}

// phone is SIM s's number.
func (x *textArena) phone(s int32) string {
	sp := x.sims[s]
	return x.s[sp.off : sp.off+uint32(sp.phone)]
}

// simTail is "imei,imsi,cell_id,lac,location,operator\n" of SIM s as a caller.
func (x *textArena) simTail(s int32) string {
	sp := x.sims[s]
	o := sp.off + uint32(sp.phone)
	return x.s[o : o+uint32(sp.tail)]
}

// touchAhead is the number of rows whose text touchRows and touchCalls read ahead.
const touchAhead = 16

// touchRows reads one byte of each arena record the rows will copy. The rows' accounts are
// scattered over the arena, so every record is a cache miss; read here, one after another and
// independent of each other, the misses overlap, while formatting would take them one at a time.
// It returns the sum of the bytes, which the caller keeps so that the reads are not dropped.
func (x *textArena) touchRows(rows []txRow) byte {
	var sum byte
	for i := range rows {
		sp := &x.accts[rows[i].acct]
		sum += x.s[sp.off] + x.s[sp.off+uint32(sp.cpAt)+uint32(sp.cp)]
		if c := rows[i].cp; c >= 0 {
			sq := &x.accts[c]
			sum += x.s[sq.off+uint32(sq.cpAt)]
		}
	}
	return sum
}

// touchCalls is touchRows for calls: the caller's and the callee's SIM records.
func (x *textArena) touchCalls(calls []callRow) byte {
	var sum byte
	for i := range calls {
		sum += x.s[x.sims[calls[i].caller].off] + x.s[x.sims[calls[i].callee].off]
	}
	return sum
}
