package synth

import (
	"fmt"
	"slices"

	"github.com/xuri/excelize/v2"
)

// formatWriters holds the streaming output files of transactions and calls: the canonical CSVs
// and, when asked for, the realistic layouts of the inquired accounts and numbers.
type formatWriters struct {
	w        *world
	p        params
	out      *outputs
	ringBase []int32
	arena    *textArena
	tx       *hashedFile
	calls    *hashedFile
	bankCN   []*hashedFile // per bank, nil when the bank has no inquired account
	enTx     *hashedFile
	cdrCN    []*hashedFile // per operator
	enCalls  *hashedFile
}

// formatted is one day rendered in every layout.
type formatted struct {
	tx, calls, enTx, enCalls []byte
	bankCN, cdrCN            [][]byte
	bankRows, cdrRows        []int64
	enTxRows, enCallRows     int64
}

func newFormatWriters(w *world, p params, out *outputs, ringBases []int32) (*formatWriters, error) {
	fw := &formatWriters{w: w, p: p, out: out, ringBase: ringBases, arena: newTextArena(w, ringBases)}
	var err error
	if fw.tx, err = out.create("transactions.csv", FileInfo{Kind: "transactions", Profile: "canonical", Format: "canonical"}, false); err != nil {
		return nil, err
	}
	fw.tx.Write([]byte(txHeader))
	if fw.calls, err = out.create("calls.csv", FileInfo{Kind: "calls", Profile: "canonical", Format: "canonical"}, false); err != nil {
		return nil, err
	}
	fw.calls.Write([]byte(callHeader))
	if p.formats["bank-cn"] {
		fw.bankCN = make([]*hashedFile, len(banks))
		for _, a := range w.accounts {
			if !a.inquired || fw.bankCN[a.bank] != nil {
				continue
			}
			b := banks[a.bank]
			hf, err := out.create("formats/bank-cn/"+b.short+".csv", FileInfo{Kind: "transactions", Profile: "cn-bank-inquiry", Format: "bank-cn", Subset: true}, true)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(hf, "%s协助查询回执（交易明细）,协作编号：%s\n", b.name, requestNos[a.bank])
			hf.Write([]byte(bankCNHeader))
			fw.bankCN[a.bank] = hf
		}
	}
	if p.formats["en"] {
		if fw.enTx, err = out.create("formats/en/bank_statements.csv", FileInfo{Kind: "transactions", Profile: "en-bank-statement", Format: "en", Subset: true}, false); err != nil {
			return nil, err
		}
		fw.enTx.Write([]byte(enTxHeader))
		if fw.enCalls, err = out.create("formats/en/call_records.csv", FileInfo{Kind: "calls", Profile: "en-cdr", Format: "en", Subset: true}, false); err != nil {
			return nil, err
		}
		fw.enCalls.Write([]byte(enCallHeader))
	}
	if p.formats["gbk"] {
		fw.cdrCN = make([]*hashedFile, len(operators))
		names := []string{"china_mobile", "china_unicom", "china_telecom"}
		for i := range operators {
			if fw.cdrCN[i], err = out.create("formats/cdr-cn/"+names[i]+".csv", FileInfo{Kind: "calls", Profile: "cn-cdr", Format: "gbk", Subset: true}, true); err != nil {
				return nil, err
			}
			fw.cdrCN[i].Write([]byte(cdrCNHeader))
		}
	}
	return fw, nil
}

// format renders the chunk in every layout into the job's buffers, reusing them.
func (fw *formatWriters) format(j *chunk) {
	r := &j.res
	r.tx, r.calls, r.enTx, r.enCalls = r.tx[:0], r.calls[:0], r.enTx[:0], r.enCalls[:0]
	r.enTxRows, r.enCallRows = 0, 0
	if fw.bankCN != nil && r.bankCN == nil {
		r.bankCN, r.bankRows = make([][]byte, len(banks)), make([]int64, len(banks))
	}
	for i := range r.bankCN {
		r.bankCN[i], r.bankRows[i] = r.bankCN[i][:0], 0
	}
	if fw.cdrCN != nil && r.cdrCN == nil {
		r.cdrCN, r.cdrRows = make([][]byte, len(operators)), make([]int64, len(operators))
	}
	for i := range r.cdrCN {
		r.cdrCN[i], r.cdrRows[i] = r.cdrCN[i][:0], 0
	}
	for i := range j.tx {
		if i%touchAhead == 0 {
			j.touched += fw.arena.touchRows(j.tx[i:min(i+touchAhead, len(j.tx))])
		}
		row := &j.tx[i]
		r.tx = fw.appendTx(r.tx, row)
		sp := &fw.arena.accts[row.acct]
		if !sp.inquired {
			continue
		}
		if fw.bankCN != nil {
			r.bankCN[sp.bank] = fw.appendBankCN(r.bankCN[sp.bank], row)
			r.bankRows[sp.bank]++
		}
		if fw.enTx != nil {
			r.enTx = fw.appendEnTx(r.enTx, row)
			r.enTxRows++
		}
	}
	for i := range j.calls {
		if i%touchAhead == 0 {
			j.touched += fw.arena.touchCalls(j.calls[i:min(i+touchAhead, len(j.calls))])
		}
		c := &j.calls[i]
		r.calls = fw.appendCall(r.calls, c, callCanonical)
		if !fw.arena.sims[c.caller].inquired && !fw.arena.sims[c.callee].inquired {
			continue
		}
		if fw.cdrCN != nil {
			op := fw.arena.sims[c.caller].operator
			r.cdrCN[op] = fw.appendCall(r.cdrCN[op], c, callCN)
			r.cdrRows[op]++
		}
		if fw.enCalls != nil {
			r.enCalls = fw.appendCall(r.enCalls, c, callEN)
			r.enCallRows++
		}
	}
}

// writeTx appends the chunk's statement rows to their files.
func (fw *formatWriters) writeTx(j *chunk) error {
	r := &j.res
	if _, err := fw.tx.Write(r.tx); err != nil {
		return fmt.Errorf("write transactions.csv: %w", err)
	}
	fw.tx.rows += int64(len(j.tx))
	for i, hf := range fw.bankCN {
		if hf != nil && len(r.bankCN[i]) > 0 {
			if _, err := hf.Write(r.bankCN[i]); err != nil {
				return fmt.Errorf("write %s: %w", hf.info.Path, err)
			}
			hf.rows += r.bankRows[i]
		}
	}
	if fw.enTx != nil {
		if _, err := fw.enTx.Write(r.enTx); err != nil {
			return fmt.Errorf("write %s: %w", fw.enTx.info.Path, err)
		}
		fw.enTx.rows += r.enTxRows
	}
	return nil
}

// writeCalls appends the chunk's calls to their files.
func (fw *formatWriters) writeCalls(j *chunk) error {
	r := &j.res
	if _, err := fw.calls.Write(r.calls); err != nil {
		return fmt.Errorf("write calls.csv: %w", err)
	}
	fw.calls.rows += int64(len(j.calls))
	for i, hf := range fw.cdrCN {
		if _, err := hf.Write(r.cdrCN[i]); err != nil {
			return fmt.Errorf("write %s: %w", hf.info.Path, err)
		}
		hf.rows += r.cdrRows[i]
	}
	if fw.enCalls != nil {
		if _, err := fw.enCalls.Write(r.enCalls); err != nil {
			return fmt.Errorf("write %s: %w", fw.enCalls.info.Path, err)
		}
		fw.enCalls.rows += r.enCallRows
	}
	return nil
}

func (fw *formatWriters) close(captured map[int32][]txRow) error {
	files := []*hashedFile{fw.tx, fw.calls, fw.enTx, fw.enCalls}
	files = append(files, fw.bankCN...)
	files = append(files, fw.cdrCN...)
	for _, hf := range files {
		if hf != nil {
			if err := hf.close(false); err != nil {
				return err
			}
		}
	}
	if fw.p.formats["xlsx"] {
		return fw.writeXLSX(captured)
	}
	return nil
}

// writeXLSX writes one statement workbook per captured account, in the layout of a bank's
// counter printout: title rows, then split 支出 (debit) and 存入 (credit) columns.
func (fw *formatWriters) writeXLSX(captured map[int32][]txRow) error {
	accts := make([]int32, 0, len(captured))
	for a := range captured {
		accts = append(accts, a)
	}
	slices.Sort(accts)
	for _, ai := range accts {
		rows := captured[ai]
		a := &fw.w.accounts[ai]
		x := excelize.NewFile()
		// Fixed document properties: excelize would otherwise stamp the current time.
		x.SetDocProps(&excelize.DocProperties{Created: "2025-01-01T00:00:00Z", Modified: "2025-01-01T00:00:00Z", Creator: "procura synth"})
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		put := func(row int, vals ...any) error {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			return sw.SetRow(cell, vals)
		}
		put(1, banks[a.bank].name+"个人账户交易明细")
		put(2, "户名："+fw.w.holderName(a), "账号："+a.acct, "卡号："+a.card)
		put(3, "账号", "交易日期", "交易时间", "摘要", "支出", "存入", "余额", "对方户名", "对方账号", "交易渠道")
		for i := range rows {
			row := &rows[i]
			rt := fw.text(row)
			var debit, credit any = "", ""
			if row.amount < 0 {
				debit = float64(-row.amount) / 100
			} else {
				credit = float64(row.amount) / 100
			}
			d := dayPrefixes[row.t/day]
			clock := string(appendClock(nil, row.t, ':'))
			if err := put(4+i, a.acct, d[:10], clock, rt.summary, debit, credit, float64(row.bal)/100, rt.cpName, rt.cpAcct, rt.channel); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		hf, err := fw.out.create("formats/xlsx/"+a.acct+".xlsx", FileInfo{Kind: "transactions", Profile: "cn-bank-statement-xlsx", Format: "xlsx", Subset: true}, false)
		if err != nil {
			return err
		}
		if _, err := x.WriteTo(hf); err != nil {
			return fmt.Errorf("write statement of %s: %w", a.acct, err)
		}
		hf.rows = int64(len(rows))
		if err := hf.close(false); err != nil {
			return err
		}
	}
	return nil
}
