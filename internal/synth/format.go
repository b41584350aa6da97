package synth

import (
	"strconv"
	"strings"
	"time"
)

// Canonical headers: the field names of the kinds (internal/ingest/schema/kinds).
var (
	txHeader   = "tx_id,request_no,account,card_no,holder_name,holder_id_number,time,direction,amount,balance,currency,counterparty_account,counterparty_name,counterparty_id_number,counterparty_bank,channel,branch_code,branch_name,teller,summary,ip,mac,imei,is_reversal,status,location\n"
	callHeader = "caller,callee,start_time,end_time,duration_s,call_type,imei,imsi,cell_id,lac,location,operator\n"
	// Chinese bank inquiry-response layout (profile cn-bank-inquiry).
	bankCNHeader = "协作编号,交易流水号,户名,账号,卡号,证件号码,交易时间,借贷标志,交易金额,余额,对方账号,对方户名,对方证件号码,对方机构名,交易渠道,交易网点代码,交易网点名称,柜员号,IP地址,MAC地址,冲正标志,摘要,币种,交易是否成功\n"
	cdrCNHeader  = "主叫号码,被叫号码,通话开始时间,通话时长(秒),呼叫类型,IMEI,IMSI,小区号,位置区号,通话地点,运营商\n"
	enTxHeader   = "Reference,Account Number,Card Number,Account Name,ID Number,Date,Debit,Credit,Balance,Currency,Counterparty Account,Counterparty,Counterparty Bank,Channel,Description\n"
	enCallHeader = "Calling Number,Called Number,Start Time,End Time,Duration (s),Type,IMEI,IMSI,Cell ID,LAC,Location,Operator\n"
)

func worldDate(t int64) time.Time { return time.Unix(worldBase+t, 0).In(shanghai) }

// dateText formats world seconds as "2006-01-02" (any time, not the hot path).
func dateText(t int64) string { return worldDate(t).Format("2006-01-02") }

func timeText(t int64) string { return worldDate(t).Format("2006-01-02 15:04:05") }

// dayPrefixes holds "2024-01-01 " for every day of the year, so the hot path appends times
// without calling the time package.
var dayPrefixes = func() []string {
	out := make([]string, numDays)
	for d := range out {
		out[d] = worldDate(int64(d)*day).Format("2006-01-02") + " "
	}
	return out
}()

func appendClock(b []byte, t int64, sep byte) []byte {
	s := t % day
	h, m, sec := s/3600, s/60%60, s%60
	b = append(b, byte('0'+h/10), byte('0'+h%10), sep, byte('0'+m/10), byte('0'+m%10), sep, byte('0'+sec/10), byte('0'+sec%10))
	return b
}

func appendTime(b []byte, t int64) []byte {
	b = append(b, dayPrefixes[t/day]...)
	return appendClock(b, t, ':')
}

// appendCents writes cents as a decimal with two places.
func appendCents(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	c := v % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

type kindText struct{ channel, summary, summaryIn string }

var kindTexts = [...]kindText{
	kTransfer:       {"手机银行", "转账", "转账"},
	kSalary:         {"网上银行", "代发工资", "工资"},
	kRent:           {"手机银行", "房租", "房租"},
	kATM:            {"ATM", "ATM取款", "ATM取款"},
	kDeposit:        {"柜面", "现金存入", "现金存入"},
	kInterest:       {"系统", "结息", "结息"},
	kRevenue:        {"网上银行", "货款", "货款"},
	kWithdrawToCard: {"快捷支付", "微信零钱提现", "微信零钱提现"},
	kVictim:         {"手机银行", "转账", "转账"},
	kMule:           {"网上银行", "往来款", "往来款"},
	kCashATM:        {"ATM", "ATM取款", "ATM取款"},
	kCashGold:       {"POS", "POS消费", "POS消费"},
	kCashOTC:        {"手机银行", "转账", "转账"},
}

var muleSummaries = []string{"往来款", "转账", "货款", "还款", "借款"}

// rowText resolves the text fields of a row: channel, summary and counterparty.
type rowText struct {
	channel, summary             string
	cpAcct, cpName, cpID, cpBank string
	online, counter, cash        bool
}

func (fw *formatWriters) text(row *txRow) rowText {
	w := fw.w
	var rt rowText
	if row.kind == kShop || row.kind == kUtility || row.kind == kWithdrawToCard {
		e := w.ext[row.ext]
		rt.channel, rt.summary = e.channel, e.summary
		if row.kind == kWithdrawToCard {
			rt.summary = "微信零钱提现"
		}
		rt.cpAcct, rt.cpName, rt.cpBank = e.account, e.name, e.bank
	} else {
		kt := kindTexts[row.kind]
		rt.channel, rt.summary = kt.channel, kt.summary
		if row.amount > 0 {
			rt.summary = kt.summaryIn
		}
		if row.kind == kMule {
			rt.summary = muleSummaries[row.id%int64(len(muleSummaries))]
		}
		if row.kind == kCashGold {
			e := w.ext[row.ext]
			rt.cpAcct, rt.cpName, rt.cpBank = e.account, e.name, e.bank
		}
		if row.cp >= 0 {
			c := &w.accounts[row.cp]
			rt.cpAcct, rt.cpName, rt.cpID, rt.cpBank = c.acct, fw.w.holderName(c), fw.w.holderID(c), bankName(c)
		}
	}
	rt.online, rt.counter, rt.cash = channelClass(rt.channel)
	return rt
}

// location of a cash withdrawal or purchase: mule cards are emptied near the ring's base.
func (fw *formatWriters) location(a *account) string {
	if a.ring >= 0 {
		return fw.w.divs[fw.ringBase[a.ring]].County
	}
	return fw.w.location(a)
}

// spanLocation is location for the account an arena span describes.
func (fw *formatWriters) spanLocation(sp *acctSpan) string {
	if sp.ring >= 0 {
		return fw.w.divs[fw.ringBase[sp.ring]].County
	}
	return fw.w.divs[fw.w.branches[sp.branch].div].County
}

// channelClass says which optional columns a channel fills: the device (online), the branch
// and teller (counter) or the branch alone (cash).
func channelClass(channel string) (online, counter, cash bool) {
	switch channel {
	case "手机银行", "网上银行", "快捷支付":
		online = true
	case "柜面":
		counter = true
	case "ATM", "POS":
		cash = true
	}
	return
}

// appendTx writes a canonical statement row. It resolves the same text as text() but copies
// the account's, the counterparty's and the device's columns as pre-rendered runs of the text
// arena (see textArena).
func (fw *formatWriters) appendTx(b []byte, row *txRow) []byte {
	w, x := fw.w, fw.arena
	sp := &x.accts[row.acct]
	var channel, summary, cp string
	switch row.kind {
	case kShop, kUtility, kWithdrawToCard:
		e := &w.ext[row.ext]
		channel, summary = e.channel, e.summary
		if row.kind == kWithdrawToCard {
			summary = "微信零钱提现"
		}
		cp = x.exts[row.ext]
	default:
		kt := &kindTexts[row.kind]
		channel, summary = kt.channel, kt.summary
		if row.amount > 0 {
			summary = kt.summaryIn
		}
		if row.kind == kMule {
			summary = muleSummaries[row.id%int64(len(muleSummaries))]
		}
		switch {
		case row.cp >= 0:
			cp = x.cp(row.cp)
		case row.kind == kCashGold:
			cp = x.exts[row.ext]
		default:
			cp = ",,,"
		}
	}
	online, counter, cash := channelClass(channel)
	b = append(b, 'T')
	b = appendPadded(b, uint64(row.id), 12)
	b = append(b, x.own(row.acct)...)
	b = appendTime(b, row.t)
	if row.amount < 0 {
		b = append(b, ",out,"...)
	} else {
		b = append(b, ",in,"...)
	}
	b = appendCents(b, row.amount)
	b = append(b, ',')
	b = appendCents(b, row.bal)
	b = append(b, ",CNY,"...)
	b = append(b, cp...)
	b = append(b, ',')
	b = append(b, channel...)
	b = append(b, ',')
	if counter || cash {
		b = append(b, x.branches[sp.branch]...)
		if counter {
			b = append(b, x.teller(row.acct)...)
		}
	} else {
		b = append(b, ",,"...)
	}
	b = append(b, ',')
	b = append(b, summary...)
	b = append(b, ',')
	if online {
		b = append(b, x.dev(row.acct)...)
	} else {
		b = append(b, ",,"...)
	}
	b = append(b, ",false,成功,"...)
	if cash || counter {
		b = append(b, fw.spanLocation(sp)...)
	}
	return append(b, '\n')
}

// appendBankCN writes the row in the Chinese bank inquiry layout: unsigned amount with 借/贷,
// times as "2024/01/02 15:04:05".
func (fw *formatWriters) appendBankCN(b []byte, row *txRow) []byte {
	a := &fw.w.accounts[row.acct]
	rt := fw.text(row)
	b = append(b, requestNos[a.bank]...)
	b = append(b, ',')
	b = append(b, 'T')
	b = appendPadded(b, uint64(row.id), 12)
	for _, s := range []string{fw.w.holderName(a), a.acct, a.card, fw.w.holderID(a)} {
		b = append(b, ',')
		b = append(b, s...)
	}
	b = append(b, ',')
	b = append(b, strings.ReplaceAll(dayPrefixes[row.t/day], "-", "/")...)
	b = appendClock(b, row.t, ':')
	if row.amount < 0 {
		b = append(b, ",借,"...)
		b = appendCents(b, -row.amount)
	} else {
		b = append(b, ",贷,"...)
		b = appendCents(b, row.amount)
	}
	b = append(b, ',')
	b = appendCents(b, row.bal)
	branchCode, branchName, teller, ip, mac := "", "", "", "", ""
	if rt.counter || rt.cash {
		branchCode, branchName = fw.w.branchCode(a), fw.w.branchName(a)
	}
	if rt.counter {
		teller = fw.arena.teller(row.acct)
	}
	if rt.online {
		dv := fw.w.device(a)
		ip, mac = dv.ip, dv.mac
	}
	for _, s := range []string{rt.cpAcct, rt.cpName, rt.cpID, rt.cpBank, rt.channel, branchCode, branchName, teller, ip, mac} {
		b = append(b, ',')
		b = append(b, s...)
	}
	b = append(b, ",否,"...)
	b = append(b, rt.summary...)
	return append(b, ",人民币,成功\n"...)
}

// appendEnTx writes the English statement layout with split debit and credit columns.
func (fw *formatWriters) appendEnTx(b []byte, row *txRow) []byte {
	a := &fw.w.accounts[row.acct]
	rt := fw.text(row)
	b = append(b, 'T')
	b = appendPadded(b, uint64(row.id), 12)
	for _, s := range []string{a.acct, a.card, fw.w.holderName(a), fw.w.holderID(a)} {
		b = append(b, ',')
		b = append(b, s...)
	}
	b = append(b, ',')
	b = appendISO(b, row.t)
	b = append(b, ',')
	if row.amount < 0 {
		b = appendCents(b, -row.amount)
		b = append(b, ',', ',')
	} else {
		b = append(b, ',')
		b = appendCents(b, row.amount)
		b = append(b, ',')
	}
	b = appendCents(b, row.bal)
	b = append(b, ",CNY"...)
	for _, s := range []string{rt.cpAcct, rt.cpName, rt.cpBank, rt.channel, rt.summary} {
		b = append(b, ',')
		b = append(b, s...)
	}
	return append(b, '\n')
}

// Call layouts: the canonical CSV, the Chinese operator export and the English export.
const (
	callCanonical = iota
	callCN
	callEN
)

func (fw *formatWriters) appendCall(b []byte, c *callRow, layout int) []byte {
	x := fw.arena
	b = append(b, x.phone(c.caller)...)
	b = append(b, ',')
	b = append(b, x.phone(c.callee)...)
	b = append(b, ',')
	switch layout {
	case callCN:
		p := dayPrefixes[c.t/day]
		b = append(b, p[:4]...)
		b = append(b, p[5:7]...)
		b = append(b, p[8:10]...)
		b = appendClockCompact(b, c.t)
	case callEN:
		b = appendISO(b, c.t)
		b = append(b, ',')
		b = appendISO(b, c.t+int64(c.duration))
	default:
		b = appendTime(b, c.t)
		b = append(b, ',')
		b = appendEndTime(b, c.t+int64(c.duration))
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(c.duration), 10)
	cn := layout == callCN
	switch {
	case c.sms && cn:
		b = append(b, ",短信主叫,"...)
	case cn:
		b = append(b, ",主叫,"...)
	case c.sms:
		b = append(b, ",sms_out,"...)
	default:
		b = append(b, ",outgoing,"...)
	}
	return append(b, x.simTail(c.caller)...)
}

// appendClockCompact writes "150405" (CDR exports join date and time: 20240102150405).
func appendClockCompact(b []byte, t int64) []byte {
	s := t % day
	h, m, sec := s/3600, s/60%60, s%60
	return append(b, byte('0'+h/10), byte('0'+h%10), byte('0'+m/10), byte('0'+m%10), byte('0'+sec/10), byte('0'+sec%10))
}

// appendISO formats world seconds as RFC 3339 with the +08:00 offset.
func appendISO(b []byte, t int64) []byte {
	if t/day >= numDays {
		return append(b, worldDate(t).Format("2006-01-02T15:04:05-07:00")...)
	}
	b = append(b, dayPrefixes[t/day][:10]...)
	b = append(b, 'T')
	b = appendClock(b, t, ':')
	return append(b, "+08:00"...)
}

// appendEndTime formats a call's end, which may fall after the last day of the year.
func appendEndTime(b []byte, t int64) []byte {
	if t/day < numDays {
		return appendTime(b, t)
	}
	return append(b, timeText(t)...)
}
