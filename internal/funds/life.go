package funds

import "strings"

// Life kinds: what a memo (channel, transaction type, 摘要) says a transfer is for, when it
// names a part of ordinary economic life. Such transfers are explained by their memo and are
// never unusual; an account that makes or receives them is a living account (see passes).
const (
	LifeSalary   = "salary"
	LifePension  = "pension"
	LifeRent     = "rent"
	LifeUtility  = "utility"
	LifePurchase = "purchase"
)

// lifeWords maps memo words to life kinds. Bank exports write the purpose in the summary
// (摘要) or the transaction type; payment platforms name themselves. The lists are short on
// purpose: a word here makes a transfer invisible to the typologies, so it must not be a word
// launderers write on their own transfers (转账, 往来款, 货款, 借款 and 还款 are not here).
var lifeWords = []struct {
	kind  string
	words []string
}{
	{LifeSalary, []string{"工资", "代发", "薪", "奖金", "绩效", "payroll", "salary", "wage"}},
	{LifePension, []string{"养老金", "退休金", "社保", "公积金", "医保", "低保", "pension"}},
	{LifeRent, []string{"房租", "租金", "物业", "rent"}},
	{LifeUtility, []string{"水费", "电费", "燃气", "煤气", "话费", "宽带", "学费", "缴费", "代扣", "utility", "utilities"}},
	{LifePurchase, []string{"消费", "购物", "支付宝", "财付通", "京东支付", "微信支付", "零钱提现", "美团", "purchase", "groceries"}},
}

// LifeKind returns the life kind that a memo names, or "" when it names none.
func LifeKind(memo string) string {
	if memo == "" {
		return ""
	}
	m := strings.ToLower(memo)
	for _, l := range lifeWords {
		for _, w := range l.words {
			if strings.Contains(m, w) {
				return l.kind
			}
		}
	}
	return ""
}

// lifeOf classifies every edge of g by its channel and memo: lifeOf(g)[e] is the edge's life
// kind or "". A purchase of purchaseMax cents or more is not life: buying gold, phones or
// cards at a POS is how fraud money is cashed out, and shopping rarely costs that much.
func lifeOf(g *Graph, purchaseMax int64) []string {
	type key struct{ ch, memo uint16 }
	cache := map[key]string{}
	out := make([]string, len(g.From))
	for e := range g.From {
		k := key{g.Channel[e], 0}
		if g.Memo != nil {
			k.memo = g.Memo[e]
		}
		kind, ok := cache[k]
		if !ok {
			text := g.Channels[k.ch]
			if g.Memos != nil {
				text += " " + g.Memos[k.memo]
			}
			kind = LifeKind(text)
			cache[k] = kind
		}
		if kind == LifePurchase && g.Amount[e] >= purchaseMax {
			kind = ""
		}
		out[e] = kind
	}
	return out
}
