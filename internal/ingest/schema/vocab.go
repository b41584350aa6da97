package schema

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Direction values stored in transactions.direction.
const (
	DirectionIn  = "in"
	DirectionOut = "out"
)

// directions is the vocabulary of direction flags in bank and police exports, keyed by the
// normalised value. 借 (debit) is money out of the account holder's account and 贷 (credit)
// money in, as printed on customer statements of PRC banks. 0/1 are not here: banks disagree
// on them, so a profile maps them (values: {direction: {"0": out, "1": in}}).
var directions = map[string]int{
	"借": -1, "借方": -1, "借记": -1, "出": -1, "支": -1, "支出": -1, "付": -1, "付出": -1,
	"付款": -1, "转出": -1, "出账": -1, "往账": -1, "取": -1, "取款": -1, "取出": -1, "支取": -1,
	"减": -1, "D": -1, "DR": -1, "DEBIT": -1, "-": -1, "OUT": -1, "OUTFLOW": -1,
	"贷": 1, "贷方": 1, "贷记": 1, "进": 1, "入": 1, "收": 1, "收入": 1, "收款": 1, "存": 1,
	"存入": 1, "转入": 1, "入账": 1, "来账": 1, "加": 1, "C": 1, "CR": 1, "CREDIT": 1, "+": 1,
	"IN": 1, "INFLOW": 1,
}

// ParseDirection reads a direction flag: +1 for money into the account, -1 for money out.
// Full-width forms, case and surrounding spaces do not matter; see docs/kinds.md for the words.
func ParseDirection(flag string) (sign int, ok bool) {
	var buf [64]byte
	sign, ok = directions[string(normValueInto(buf[:0], flag))]
	return sign, ok
}

var bools = map[string]bool{
	"是": true, "Y": true, "YES": true, "TRUE": true, "T": true, "1": true, "有": true,
	"真": true, "成功": true, "冲正": true, "已冲正": true, "撤销": true, "已撤销": true,
	"反交易": true, "抹账": true, "冲账": true, "√": true,
	"否": false, "N": false, "NO": false, "FALSE": false, "F": false, "0": false, "无": false,
	"假": false, "失败": false, "正常": false, "未冲正": false, "未撤销": false, "非冲正": false,
	"×": false,
}

// ParseBool reads a yes/no value: 是/否, Y/N, true/false, 1/0, 成功/失败; for reversal flags
// 冲正, 撤销, 反交易 are true and 正常 is false.
func ParseBool(s string) (v, ok bool) {
	var buf [64]byte
	v, ok = bools[string(normValueInto(buf[:0], s))]
	return v, ok
}

// normValue normalises a cell for vocabulary lookup: trimmed, full-width folded, upper-case.
func normValue(s string) string {
	var buf [64]byte
	return string(normValueInto(buf[:0], s))
}

// normValueInto appends the normalised form of s to dst; with a stack buffer it does not
// allocate, which matters because it runs once per row.
func normValueInto(dst []byte, s string) []byte {
	s = strings.TrimSpace(s)
	for _, r := range s {
		r = foldRune(r)
		if r == ' ' {
			// Trailing full-width spaces fold to ' ' after TrimSpace ran; drop them and any
			// inner spaces ("借 方").
			continue
		}
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			dst = append(dst, byte(r))
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToUpper(r))
	}
	return dst
}

// ParseDurationSeconds reads a call duration as whole seconds: "323", "323秒", "00:05:23",
// "5:23", "1小时2分3秒", "5分23秒", "1h2m3s".
func ParseDurationSeconds(s string) (int64, bool) {
	s = strings.ToLower(foldString(s))
	if s == "" {
		return 0, false
	}
	if strings.Contains(s, ":") {
		return parseClockDuration(s)
	}
	var total int64
	digits := false
	for _, part := range splitDurationUnits(s) {
		n, err := strconv.ParseInt(part.num, 10, 64)
		if err != nil || n < 0 {
			return 0, false
		}
		mult, known := durationUnits[part.unit]
		if !known || n > maxDurationSeconds/mult || total+n*mult > maxDurationSeconds {
			return 0, false
		}
		total += n * mult
		digits = true
	}
	return total, digits
}

// maxDurationSeconds bounds what reads as a duration: a hundred years, far beyond any call
// or session, so that no sum of parts can overflow and a garbled cell is rejected, not wrapped.
const maxDurationSeconds = 100 * 366 * 24 * 3600

var durationUnits = map[string]int64{
	"": 1, "秒": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "″": 1,
	"分": 60, "分钟": 60, "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "′": 60,
	"时": 3600, "小时": 3600, "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
}

type durationPart struct{ num, unit string }

// splitDurationUnits cuts "1小时2分3秒" into (1,小时) (2,分) (3,秒); a bare "323" is (323,"").
func splitDurationUnits(s string) []durationPart {
	var parts []durationPart
	s = strings.ReplaceAll(s, " ", "")
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return []durationPart{{num: "x"}}
		}
		j := i
		for j < len(s) && (s[j] < '0' || s[j] > '9') {
			j++
		}
		parts = append(parts, durationPart{s[:i], s[i:j]})
		s = s[j:]
	}
	return parts
}

func parseClockDuration(s string) (int64, bool) {
	fields := strings.Split(s, ":")
	if len(fields) > 3 {
		return 0, false
	}
	var total int64
	for i, f := range fields {
		n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || n < 0 || (i > 0 && n >= 60) || total > (maxDurationSeconds-n)/60 {
			return 0, false
		}
		total = total*60 + n
	}
	return total, true
}
