package funds

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exportSpec: the victim pays A; A splits to B (cash-out at an ATM) and C (keeps 150, pays
// 250 to X outside the data).
const exportSpec = `
V A 1000 0 id=seed
A B 600 5
A C 400 6
B - 600 10 ATM
C X 250 12`

func sinkTotals(s *Sankey) map[string]Cents {
	m := map[string]Cents{}
	kind := map[string]string{}
	for _, n := range s.Nodes {
		kind[n.Name] = n.Exit
	}
	for _, l := range s.Links {
		if k := kind[l.Target]; k != "" {
			m[k] += l.Value
		}
		if k := kind[l.Source]; k != "" { // backward traces: exits are where money came from
			m[k] += l.Value
		}
	}
	return m
}

func TestSankeyOfAHandMadeTraceAddsUpToItsTotals(t *testing.T) {
	g := transfers(t, exportSpec)
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed"), MinCents: 100})
	s := SankeyOf(r)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	links := map[string]Cents{}
	for _, l := range s.Links {
		links[l.Source+">"+l.Target] = l.Value
	}
	want := map[string]Cents{
		"V>A": 100000, "A>B": 60000, "A>C": 40000, "B>exit: cash_out (ATM)": 60000,
		"C>X": 25000, "C>exit: on_balance": 15000,
	}
	for k, v := range want {
		if links[k] != v {
			t.Errorf("link %s = %s, want %s (links %v)", k, links[k], v, links)
		}
	}
	if len(links) != len(want) {
		t.Errorf("links = %v, want exactly %v", links, want)
	}
	sinks := sinkTotals(s)
	if sinks[ExitCashOut] != r.Totals[ExitCashOut] || sinks[ExitOnBalance] != r.Totals[ExitOnBalance] {
		t.Errorf("sinks %v, trace totals %v", sinks, r.Totals)
	}
	roles := map[string]string{}
	for _, n := range s.Nodes {
		roles[n.Name] = n.Role
	}
	if roles["V"] != RoleSeed || roles["A"] != RoleAccount || roles["X"] != RoleAccount {
		t.Errorf("roles = %v", roles)
	}
}

func TestSankeyJSONIsWhatEChartsReads(t *testing.T) {
	g := transfers(t, exportSpec)
	s := SankeyOf(mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed")}))
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Nodes []map[string]any `json:"nodes"`
		Links []map[string]any `json:"links"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, n := range doc.Nodes {
		if _, ok := n["name"].(string); !ok {
			t.Errorf("node without a string name: %v", n)
		}
	}
	for _, l := range doc.Links {
		_, src := l["source"].(string)
		_, dst := l["target"].(string)
		_, val := l["value"].(float64)
		if !src || !dst || !val {
			t.Errorf("link needs string source and target and a number value: %v", l)
		}
	}
}

func TestSankeyTurnsLayeredWhenMoneyComesBack(t *testing.T) {
	g := transfers(t, `
V A 1000 0 id=seed
A B 1000 5
B A 1000 6
A - 1000 9 ATM`)
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed")})
	s := SankeyOf(r)
	if !s.Layered {
		t.Fatal("A → B → A is a cycle, yet the Sankey is not layered")
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if got := sinkTotals(s)[ExitCashOut]; got != 100000 {
		t.Errorf("cash-out sink = %s, want 1000.00", got)
	}
}

func TestSankeyAddsUpOnRandomTraces(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := range 300 {
		g := randomGraph(rng, 2+rng.IntN(20), 1+rng.IntN(300))
		var seeds []int32
		for range 1 + rng.IntN(6) {
			seeds = append(seeds, int32(rng.IntN(g.NumEdges())))
		}
		o := TraceOptions{Seeds: seeds, Policy: []Policy{FIFO, LIBR, Proportional}[iter%3],
			Direction: []string{Forward, Backward}[iter%2], MaxHops: 1 + rng.IntN(6),
			MinCents: int64(rng.IntN(3)) * 1000, HopWindow: time.Duration(rng.IntN(3)) * 30 * time.Minute}
		r, err := Trace(context.Background(), g, o)
		if err != nil {
			t.Fatal(err)
		}
		s := SankeyOf(r)
		if err := s.Check(); err != nil {
			t.Fatalf("iteration %d (%s %s): %v", iter, o.Policy, o.Direction, err)
		}
		sinks := sinkTotals(s)
		for _, k := range exitColumns {
			if k == ExitOutside {
				continue // drawn as the outside account's node when it has one
			}
			if sinks[k] != r.Totals[k] {
				t.Fatalf("iteration %d (%s): exit %s sink %s, trace %s", iter, o.Direction, k, sinks[k], r.Totals[k])
			}
		}
	}
}

func readSchedule(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Errorf("%s does not start with a byte order mark", path)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func sumColumn(t *testing.T, recs [][]string, col string) Cents {
	t.Helper()
	i := -1
	for j, h := range recs[0] {
		if h == col {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("no column %s in %v", col, recs[0])
	}
	var sum Cents
	for _, r := range recs[1:] {
		c, err := ParseCents(r[i])
		if err != nil {
			t.Fatal(err)
		}
		sum += Cents(c)
	}
	return sum
}

func TestSchedulesAddUpToTheTrace(t *testing.T) {
	g := transfers(t, exportSpec)
	r := mustTrace(t, g, TraceOptions{Seeds: seedsOf(t, g, "seed"), MinCents: 100})
	dir := filepath.Join(t.TempDir(), "case")
	paths, err := WriteSchedules(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("wrote %v, want four schedules", paths)
	}
	seeds := readSchedule(t, filepath.Join(dir, ScheduleSeeds))
	if got := sumColumn(t, seeds, "amount"); got != r.Totals["seeded"] {
		t.Errorf("seeds schedule amounts %s, trace seeded %s", got, r.Totals["seeded"])
	}
	exits := readSchedule(t, filepath.Join(dir, ScheduleExits))
	if got := sumColumn(t, exits, "amount"); got != r.Totals["seeded"] {
		t.Errorf("exits schedule adds up to %s, want the seeded %s", got, r.Totals["seeded"])
	}
	accts := readSchedule(t, filepath.Join(dir, ScheduleAccounts))
	var in, out Cents
	for _, a := range r.Accounts {
		in, out = in+a.In, out+a.Out
	}
	if got := sumColumn(t, accts, "attributed_in"); got != in {
		t.Errorf("accounts schedule in = %s, want %s", got, in)
	}
	if got := sumColumn(t, accts, "attributed_out"); got != out {
		t.Errorf("accounts schedule out = %s, want %s", got, out)
	}
	if got := sumColumn(t, accts, "cash_out"); got != r.Totals[ExitCashOut] {
		t.Errorf("accounts schedule cash-out = %s, want %s", got, r.Totals[ExitCashOut])
	}
	if accts[1][0] != "1" || accts[1][1] != "A" {
		t.Errorf("first account row = %v, want level 1 account A", accts[1])
	}
	flows := readSchedule(t, filepath.Join(dir, ScheduleFlows))
	if len(flows)-1 != len(r.Flows) || !strings.Contains(strings.Join(flows[0], ","), "seed_tx") {
		t.Errorf("flows schedule has %d rows (header %v), trace %d flows", len(flows)-1, flows[0], len(r.Flows))
	}
}
