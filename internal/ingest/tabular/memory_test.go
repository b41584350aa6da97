package tabular

import (
	"errors"
	"io"
	"runtime"
	"strconv"
	"testing"
)

// lineSource generates a CSV of n data lines without holding it.
type lineSource struct {
	n, i int
	buf  []byte
}

func (s *lineSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.i > s.n {
			return 0, io.EOF
		}
		switch {
		case s.i == 0:
			s.buf = []byte("卡号,户名,金额,摘要\n")
		case s.i == 2:
			// A stray opening quote that never closes: the worst case for
			// memory, since encoding/csv would read on to the end.
			s.buf = []byte("6222,\"张三,1.00,转账\n")
		default:
			s.buf = strconv.AppendInt([]byte("6222021001"), int64(s.i), 10)
			s.buf = append(s.buf, ",李四,100.00,网银转账\n"...)
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func TestMemoryStaysFlatInTheFileSize(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 60 MB")
	}
	const lines = 1_500_000 // about 60 MB
	r, err := OpenReader("big.csv", &lineSource{n: lines}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var peak uint64
	var ms runtime.MemStats
	recs, errs := 0, 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			errs++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		recs++
		if recs%250_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if recs+errs != lines || errs != 1 {
		t.Errorf("%d records and %d errors for %d lines", recs, errs, lines)
	}
	if peak > 48<<20 {
		t.Errorf("heap in use reached %d MiB while reading a 60 MB file", peak>>20)
	}
	t.Logf("peak heap in use %d MiB", peak>>20)
}
