package synth

import (
	"context"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuSeconds is the user and system CPU time the process has used so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkGenerate writes one world per iteration and reports transactions per second of
// wall time, CPU-seconds (user + system, from getrusage, so a run disturbed by other jobs can
// still be judged), transactions per CPU-second and the peak heap. SYNTH_BENCH_SCALE sets the
// scale (default small), SYNTH_BENCH_DIR the folder written to (default a temporary folder;
// /dev/shm keeps the disk out of the measurement), SYNTH_BENCH_FORMATS the extra layouts
// (default none, canonical files only).
func BenchmarkGenerate(b *testing.B) {
	scale := os.Getenv("SYNTH_BENCH_SCALE")
	if scale == "" {
		scale = "small"
	}
	var formats []string
	if f := os.Getenv("SYNTH_BENCH_FORMATS"); f != "" {
		formats = strings.Split(f, ",")
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		if d := os.Getenv("SYNTH_BENCH_DIR"); d != "" {
			var err error
			if dir, err = os.MkdirTemp(d, "bench-"); err != nil {
				b.Fatal(err)
			}
			defer os.RemoveAll(dir)
		}
		var peak uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
		cpu0, start := cpuSeconds(), time.Now()
		s, err := Generate(context.Background(), Options{Out: dir, Seed: 1, Scale: scale, Formats: formats})
		wall, cpu := time.Since(start).Seconds(), cpuSeconds()-cpu0
		close(stop)
		<-done
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(s.Transactions)/wall, "tx/s")
		b.ReportMetric(cpu, "cpu-s")
		b.ReportMetric(float64(s.Transactions)/cpu, "tx/cpu-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	}
}
