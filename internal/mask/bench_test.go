package mask

import (
	"reflect"
	"strings"
	"testing"
)

func BenchmarkValueCard(b *testing.B) {
	for b.Loop() {
		Value(BankCard, "6222021234567890123")
	}
}

func BenchmarkValueResidentID(b *testing.B) {
	for b.Loop() {
		Value(ResidentID, "11010519491231002X")
	}
}

// A rejected row as read: the free-text path every reject and explanation takes.
func BenchmarkTextRejectLine(b *testing.B) {
	line := "T001,6222021234567890,11010519491231002X,张三,2025-03-01 10:00:00,-1000.00,13812345678,网银转账,20250301123000"
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		Text(line)
	}
}

// Text on a line without identifiers, the common case of explanations.
func BenchmarkTextNoIdentifiers(b *testing.B) {
	line := strings.Repeat("账户于2025年3月1日收到被害人转账，建议并案侦查。", 4)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		Text(line)
	}
}

// Walking a trace-sized result: 10,000 flows of four strings each.
func BenchmarkWalkFlows(b *testing.B) {
	type flow struct {
		TxID    string `json:"tx_id"`
		From    string `json:"from"`
		To      string `json:"to"`
		Channel string `json:"channel"`
		Cents   int64  `json:"amount"`
	}
	src := make([]flow, 10000)
	for i := range src {
		src[i] = flow{"T1", "6222021234567890", "6222029876543210", "网银", 100}
	}
	fn := func(name, s string) string {
		switch name {
		case "from", "to":
			return Value(Account, s)
		case "tx_id":
			return s
		}
		return Text(s)
	}
	for b.Loop() {
		v := append([]flow(nil), src...)
		Walk(&v, fn, func(reflect.Value) bool { return false })
	}
}
