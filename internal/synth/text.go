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

// acctSpan locates an account's record: own columns, counterparty columns, device columns and
// teller, back to back from off.
type acctSpan struct {
	off                  uint32
	own, cp, dev, teller uint8
}

// simSpan locates a SIM's record: the phone number, then the caller columns of a call row.
type simSpan struct {
	off         uint32
	phone, tail uint8
}

// newTextArena renders the records. ringBase is each ring's base division (where its cash-outs
// and call-centre cells are).
func newTextArena(w *world, ringBase []int32) *textArena {
	x := &textArena{accts: make([]acctSpan, len(w.accounts)), sims: make([]simSpan, len(w.sims))}
	var sb strings.Builder
	sb.Grow(len(w.accounts)*200 + len(w.sims)*80)
	part := func(start int) uint8 {
		n := sb.Len() - start
		if n > 255 {
			panic(fmt.Sprintf("synth: a text record part of %d bytes does not fit its span", n))
		}
		return uint8(n)
	}
	for i := range w.accounts {
		a := &w.accounts[i]
		sp := acctSpan{off: uint32(sb.Len())}
		start := sb.Len()
		// own: ",request_no,account,card_no,holder_name,holder_id_number,"
		for _, s := range [...]string{requestNos[a.bank], a.acct, a.card, w.holderName(a), w.holderID(a)} {
			sb.WriteByte(',')
			sb.WriteString(s)
		}
		sb.WriteByte(',')
		sp.own, start = part(start), sb.Len()
		// cp: "account,name,id_number,bank" as a counterparty
		sb.WriteString(a.acct)
		sb.WriteByte(',')
		sb.WriteString(w.holderName(a))
		sb.WriteByte(',')
		sb.WriteString(w.holderID(a))
		sb.WriteByte(',')
		sb.WriteString(bankName(a))
		sp.cp, start = part(start), sb.Len()
		// dev: "ip,mac,imei"
		sb.WriteString(a.ip)
		sb.WriteByte(',')
		sb.WriteString(a.mac)
		sb.WriteByte(',')
		sb.WriteString(a.im)
		sp.dev, start = part(start), sb.Len()
		sb.WriteString(a.teller)
		sp.teller = part(start)
		x.accts[i] = sp
	}
	for i := range w.sims {
		s := &w.sims[i]
		sp := simSpan{off: uint32(sb.Len())}
		start := sb.Len()
		sb.WriteString(s.phone)
		sp.phone, start = part(start), sb.Len()
		// tail: "imei,imsi,cell_id,lac,location,operator\n"
		sb.WriteString(s.imei)
		sb.WriteByte(',')
		sb.WriteString(s.imsi)
		sb.WriteByte(',')
		sb.WriteString(strconv.Itoa(int(s.cell)))
		sb.WriteByte(',')
		sb.WriteString(strconv.Itoa(int(10000 + s.cell%50000/10)))
		sb.WriteByte(',')
		if s.ring >= 0 {
			sb.WriteString(w.divs[ringBase[s.ring]].County)
		} else {
			sb.WriteString(w.divs[w.persons[s.holder].div].County)
		}
		sb.WriteByte(',')
		sb.WriteString(operators[s.operator].name)
		sb.WriteByte('\n')
		sp.tail = part(start)
		x.sims[i] = sp
	}
	if uint64(sb.Len()) > 1<<32-1 {
		panic("synth: the text arena outgrew 4 GiB")
	}
	x.s = sb.String()
	for _, e := range w.ext {
		x.exts = append(x.exts, e.account+","+e.name+",,"+e.bank)
	}
	for _, b := range w.branches {
		x.branches = append(x.branches, b.code+","+b.name+",")
	}
	return x
}

// own is ",request_no,account,card_no,holder_name,holder_id_number," of account a.
func (x *textArena) own(a int32) string {
	sp := x.accts[a]
	return x.s[sp.off : sp.off+uint32(sp.own)]
}

// cp is "account,name,id_number,bank" of account a as a counterparty.
func (x *textArena) cp(a int32) string {
	sp := x.accts[a]
	o := sp.off + uint32(sp.own)
	return x.s[o : o+uint32(sp.cp)]
}

// dev is "ip,mac,imei" of the device account a is used from.
func (x *textArena) dev(a int32) string {
	sp := x.accts[a]
	o := sp.off + uint32(sp.own) + uint32(sp.cp)
	return x.s[o : o+uint32(sp.dev)]
}

// teller is the teller who opened account a.
func (x *textArena) teller(a int32) string {
	sp := x.accts[a]
	o := sp.off + uint32(sp.own) + uint32(sp.cp) + uint32(sp.dev)
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
