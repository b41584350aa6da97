package funds

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ReportThreshold is a large-value transaction reporting threshold: banks report every
// transaction of that kind whose amount, alone or summed over the day, reaches Yuan. Money
// kept just below it on purpose is structuring (拆分交易).
type ReportThreshold struct {
	Name string `json:"name"`
	// Applies is what the threshold counts: cash (deposits and withdrawals, each direction
	// on its own), transfer_entity (transfers of an account whose holder is an organisation)
	// or transfer_person (transfers of any other account).
	Applies string `json:"applies"`
	Yuan    int64  `json:"yuan"`
	Basis   string `json:"basis"` // the rule that sets it
}

// What a threshold counts.
const (
	AppliesCash           = "cash"
	AppliesTransferEntity = "transfer_entity"
	AppliesTransferPerson = "transfer_person"
)

// PBoC2016Thresholds are the RMB large-value transaction reporting thresholds of the People's
// Bank of China's 2016 rules, Article 5 (cross-border transfers, 200,000 yuan for natural
// persons, are left out: a statement does not say which transfers cross the border).
var PBoC2016Thresholds = []ReportThreshold{
	{Name: "cash_50k", Applies: AppliesCash, Yuan: 50_000,
		Basis: "《金融机构大额交易和可疑交易报告管理办法》（中国人民银行令〔2016〕第3号）第五条第（一）项：当日单笔或者累计交易人民币5万元以上（含5万元）的现金缴存、现金支取等现金收支"},
	{Name: "entity_transfer_2m", Applies: AppliesTransferEntity, Yuan: 2_000_000,
		Basis: "同办法第五条第（二）项：非自然人客户银行账户与其他的银行账户发生当日单笔或者累计交易人民币200万元以上（含200万元）的款项划转"},
	{Name: "person_transfer_500k", Applies: AppliesTransferPerson, Yuan: 500_000,
		Basis: "同办法第五条第（三）项：自然人客户银行账户与其他的银行账户发生当日单笔或者累计交易人民币50万元以上（含50万元）的境内款项划转"},
}

// entityWords mark a holder name as an organisation's (非自然人).
var entityWords = []string{"公司", "有限", "集团", "企业", "厂", "商行", "经营部", "合作社", "中心", "银行", "事务所", "门市", "店", "Co.", "Ltd", "Inc", "LLC"}

// IsEntityName reports whether a holder name is an organisation's rather than a person's.
func IsEntityName(name string) bool {
	for _, w := range entityWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// chinaOffset is China Standard Time (UTC+8, no daylight saving), in which banks count a
// reporting day.
const chinaOffset = 8 * 3600

// structuring finds accounts that kept their daily totals just below a reporting threshold:
// on at least StructuringMin days within StructuringDays days, the day's total of one kind
// and direction (cash paid in, cash taken out, transfers made) lay within
// StructuringBandPct percent below the threshold, and no day between them reached it. A day
// at or above the threshold was reported: an account that reaches it now and then is not
// keeping under it.
func (d *detector) structuring() {
	g := d.g
	cash := make([]bool, len(g.Channels))
	for i, c := range g.Channels {
		cash[i] = slices.ContainsFunc(DefaultCashChannels, func(x string) bool { return strings.EqualFold(x, c) })
	}
	type dayKey struct {
		day  int64
		kind int // 0 cash in, 1 cash out, 2 transfer in, 3 transfer out
	}
	kinds := [4]string{"cash paid in", "cash taken out", "transfers received", "transfers made"}
	window := int64(d.p.StructuringDays) * 86400
	for a := range int32(g.NumAccounts()) {
		if !g.InData[a] {
			continue
		}
		days := map[dayKey][]int32{}
		sum := map[dayKey]int64{}
		note := func(e int32, out bool) {
			k := dayKey{day: (g.Time[e] + chinaOffset) / 86400}
			c := g.From[e] < 0 || g.To[e] < 0 || cash[g.Channel[e]]
			switch {
			case c && !out:
				k.kind = 0
			case c:
				k.kind = 1
			case !out:
				k.kind = 2
			default:
				k.kind = 3
			}
			days[k] = append(days[k], e)
			sum[k] += g.Amount[e]
		}
		for _, e := range g.In(a) {
			// Transfers received are the senders' doing: the account keeps nothing under
			// a threshold by them. Cash paid in is counted (smurfs deposit for it).
			if g.From[e] < 0 || cash[g.Channel[e]] {
				note(e, false)
			}
		}
		for _, e := range g.Out(a) {
			note(e, true)
		}
		entity := IsEntityName(g.Holder[a])
		for kind := range 4 {
			th := d.threshold(kind < 2, entity)
			if th == nil {
				continue
			}
			hi := th.Yuan * 100
			lo := hi - hi*int64(d.p.StructuringBandPct)/100
			var near, over []int64
			for k, s := range sum {
				switch {
				case k.kind != kind:
				case s >= hi:
					over = append(over, k.day)
				case s >= lo:
					near = append(near, k.day)
				}
			}
			slices.Sort(near)
			slices.Sort(over)
			// The longest run of near days within the window with no reported day among
			// them: a business whose takings cross the threshold now and then is reported
			// on those days and is not avoiding it.
			best, bi := 0, 0
			for i, j := 0, 0; j < len(near); j++ {
				o, _ := slices.BinarySearch(over, near[j])
				for near[j]*86400-near[i]*86400 >= window || (o > 0 && over[o-1] > near[i]) {
					i++
				}
				if j-i+1 > best {
					best, bi = j-i+1, i
				}
			}
			if best < d.p.StructuringMin {
				continue
			}
			var es []int32
			var totals []string
			for _, day := range near[bi : bi+best] {
				k := dayKey{day, kind}
				es = append(es, days[k]...)
				totals = append(totals, Cents(sum[k]).String())
			}
			amt, first, last := d.span(es)
			d.add(Structuring, map[int32]bool{a: true}, es, float64(best)/float64(d.p.StructuringMin),
				fmt.Sprintf("account %s: %s totalled just under the %d-yuan large-value report threshold (%s) on %d days within %d days: %s; %d transactions, %s in total, %s to %s",
					g.Names[a], kinds[kind], th.Yuan, th.Name, best, d.p.StructuringDays, strings.Join(totals, ", "), len(es), Cents(amt),
					first.Format(time.DateOnly), last.Format(time.DateOnly)))
		}
	}
}

// threshold returns the reporting threshold for cash or transfers of an account.
func (d *detector) threshold(cash, entity bool) *ReportThreshold {
	want := AppliesTransferPerson
	switch {
	case cash:
		want = AppliesCash
	case entity:
		want = AppliesTransferEntity
	}
	for i := range d.thresholds {
		if d.thresholds[i].Applies == want {
			return &d.thresholds[i]
		}
	}
	return nil
}
