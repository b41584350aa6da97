package tabular

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCSV builds a bank-statement-like CSV: 25 columns, realistic widths.
func benchCSV(rows int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	cols := []string{"交易卡号", "交易账号", "交易方户名", "交易方证件号码", "交易时间", "交易金额", "交易余额", "收付标志",
		"交易对手账卡号", "对手户名", "对手身份证号", "对手开户银行", "摘要说明", "交易币种", "交易网点名称", "交易网点代码",
		"日志号", "传票号", "凭证种类", "凭证号", "现金标志", "终端号", "交易是否成功", "交易发生地", "IP地址"}
	b.WriteString(strings.Join(cols, ","))
	b.WriteString("\r\n")
	names := []string{"张三", "李四", "王五", "赵六", "陈小明", "刘建国"}
	memo := []string{"转账", "网银转账", "ATM取款", "支付宝提现", "财付通快捷支付", "跨行汇款"}
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "62220210%011d,%019d,%s,11010519%08d%04d,2024-%02d-%02d %02d:%02d:%02d,%d.%02d,%d.%02d,%s,",
			rng.IntN(1e11), rng.Int64N(1e18), names[rng.IntN(len(names))], rng.IntN(1e8), rng.IntN(1e4),
			1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(100000), rng.IntN(100), rng.IntN(1000000), rng.IntN(100), []string{"进", "出"}[rng.IntN(2)])
		fmt.Fprintf(&b, "62170000%011d,%s,44030119%08d%04d,中国建设银行深圳分行,%s,CNY,某某支行营业部,%06d,%012d,%08d,%d,%010d,%d,T%07d,是,广东省深圳市,10.%d.%d.%d\r\n",
			rng.IntN(1e11), names[rng.IntN(len(names))], rng.IntN(1e8), rng.IntN(1e4), memo[rng.IntN(len(memo))],
			rng.IntN(1e6), rng.Int64N(1e12), rng.IntN(1e8), rng.IntN(10), rng.IntN(1e10), rng.IntN(2), rng.IntN(1e7), rng.IntN(256), rng.IntN(256), rng.IntN(256))
	}
	return b.Bytes()
}

func BenchmarkCSV(b *testing.B) {
	const rows = 200_000
	utf := benchCSV(rows)
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(utf)
	if err != nil {
		b.Fatal(err)
	}
	// Some exporters quote every field: those records go through
	// encoding/csv and pay for a separate Raw string.
	quoted := bytes.ReplaceAll(utf, []byte(",转账,"), []byte(",\"转账,\"\"备注\"\"\","))
	quoted = bytes.ReplaceAll(quoted, []byte(",李四,"), []byte(",\"李四\","))
	for _, c := range []struct {
		name string
		data []byte
	}{{"utf-8", utf}, {"gbk", gbk}, {"utf-8-quoted", quoted}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				r, err := OpenReader("bank.csv", bytes.NewReader(c.data), Options{})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != rows {
					b.Fatalf("read %d rows, want %d", n, rows)
				}
				r.Close()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			// The machine is shared: rows per CPU second of this process is
			// the figure that does not depend on other load.
			b.ReportMetric(float64(rows)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
		})
	}
}
