// Command importbench measures `procura import` of a bank-statement CSV into the embedded
// DuckDB against DuckDB's own read_csv of the same file into a table, in the same run, and
// checks that procura's peak memory stays flat in file size.
//
//	go run ./bench/importbench --rows 5000000
//
// The statement is the synthetic world's canonical transactions.csv (26 columns: IDs, cards,
// accounts, phones' owners, IPs, MACs, IMEIs, timestamps, amounts), so every normaliser runs.
// Each contender runs in its own process, so its peak RSS is its own.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"procura/internal/synth"
)

type run struct {
	Name      string  `json:"name"`
	Rows      int64   `json:"rows"`
	Seconds   float64 `json:"seconds"`
	RowsPerS  float64 `json:"rows_per_s"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
}

func main() {
	rows := flag.Int64("rows", 5_000_000, "transactions in the statement")
	dir := flag.String("dir", "bench/out", "working directory (generated files are reused)")
	peer := flag.String("peer", "", "internal: run DuckDB's read_csv of --file into --db and print the row count")
	file := flag.String("file", "", "internal")
	db := flag.String("db", "", "internal")
	flag.Parse()
	if *peer != "" {
		if err := duckRead(*file, *db); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := bench(*rows, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "importbench:", err)
		os.Exit(1)
	}
}

func bench(rows int64, dir string) error {
	ctx := context.Background()
	world := filepath.Join(dir, fmt.Sprintf("world-%d", rows))
	csv := filepath.Join(world, "transactions.csv")
	if _, err := os.Stat(csv); err != nil {
		fmt.Fprintf(os.Stderr, "generating %d transactions into %s\n", rows, world)
		if _, err := synth.Generate(ctx, synth.Options{Out: world, Seed: 7, Scale: strconv.FormatInt(rows, 10) + "tx", Formats: []string{"canonical"}}); err != nil {
			return err
		}
	}
	fi, err := os.Stat(csv)
	if err != nil {
		return err
	}
	bin := filepath.Join(dir, "procura")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/procura").CombinedOutput(); err != nil {
		return fmt.Errorf("build procura: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}

	duckDB := filepath.Join(dir, "peer.duckdb")
	os.Remove(duckDB)
	peer, out, err := measure("duckdb read_csv", self, "--peer", "duckdb", "--file", csv, "--db", duckDB)
	if err != nil {
		return err
	}
	os.Remove(duckDB)
	if peer.Rows, err = strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err != nil {
		return fmt.Errorf("peer output %q: %v", out, err)
	}
	peer.RowsPerS = float64(peer.Rows) / peer.Seconds

	mine, err := procuraImport(bin, csv, filepath.Join(dir, "ws"), "procura import")
	if err != nil {
		return err
	}
	// Memory must not grow with the file: import the first fifth of the same file too.
	fifth := filepath.Join(dir, "fifth.csv")
	if err := headLines(csv, fifth, mine.Rows/5); err != nil {
		return err
	}
	small, err := procuraImport(bin, fifth, filepath.Join(dir, "ws-fifth"), "procura import 1/5")
	os.Remove(fifth)
	if err != nil {
		return err
	}

	report := map[string]any{
		"file": csv, "file_mb": float64(fi.Size()) / 1e6, "cores": runtime.NumCPU(),
		"runs":                         []run{peer, mine, small},
		"ratio_procura_to_duckdb":      mine.RowsPerS / peer.RowsPerS,
		"peak_rss_ratio_full_to_fifth": mine.PeakRSSMB / small.PeakRSSMB,
	}
	b, _ := json.MarshalIndent(report, "", "  ")
	fmt.Println(string(b))
	fmt.Fprintf(os.Stderr, "%-20s %10s %10s %12s %10s\n", "contender", "rows", "seconds", "rows/s", "peak MB")
	for _, r := range []run{peer, mine, small} {
		fmt.Fprintf(os.Stderr, "%-20s %10d %10.2f %12.0f %10.0f\n", r.Name, r.Rows, r.Seconds, r.RowsPerS, r.PeakRSSMB)
	}
	fmt.Fprintf(os.Stderr, "procura / duckdb rows/s: %.2f×; procura peak memory, whole file / first fifth: %.2f×\n",
		mine.RowsPerS/peer.RowsPerS, mine.PeakRSSMB/small.PeakRSSMB)
	return nil
}

// procuraImport runs `procura import --json` of csv into a new workspace and checks that every
// row was imported (the synthetic statement has no bad rows).
func procuraImport(bin, csv, ws, name string) (run, error) {
	os.RemoveAll(ws)
	defer os.RemoveAll(ws)
	if out, err := exec.Command(bin, "init", "--workspace", ws).CombinedOutput(); err != nil {
		return run{}, fmt.Errorf("procura init: %v\n%s", err, out)
	}
	r, out, err := measure(name, bin, "import", csv, "--dataset", "tx", "--kind", "transactions", "--workspace", ws, "--json")
	if err != nil {
		return run{}, err
	}
	var res struct {
		RowsRead     int64 `json:"rows_read"`
		RowsImported int64 `json:"rows_imported"`
		RowsRejected int64 `json:"rows_rejected"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return run{}, fmt.Errorf("procura import output: %v\n%s", err, out)
	}
	if res.RowsRejected != 0 {
		return run{}, fmt.Errorf("%s rejected %d of %d rows; the benchmark needs a clean file", name, res.RowsRejected, res.RowsRead)
	}
	r.Rows = res.RowsImported
	r.RowsPerS = float64(res.RowsRead) / r.Seconds
	return r, nil
}

// headLines copies the header and the first n data lines of src to dst.
func headLines(src, dst string, n int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for i := int64(0); i <= n && sc.Scan(); i++ {
		w.Write(sc.Bytes())
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return out.Close()
}

// measure runs a command and returns its wall time, peak RSS and stdout.
func measure(name, bin string, args ...string) (run, []byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	secs := time.Since(start).Seconds()
	if err != nil {
		return run{}, out, fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	r := run{Name: name, Seconds: secs}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSSMB = float64(ru.Maxrss) / 1024 // Linux reports KiB
	}
	return r, out, nil
}

// duckRead is the peer: DuckDB reads the CSV itself (types sniffed, parallel) into a table.
func duckRead(file, path string) error {
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t AS SELECT * FROM read_csv($1)", file); err != nil {
		return err
	}
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
		return err
	}
	fmt.Println(n)
	return nil
}
