package calls

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procura/internal/ingest"
	"procura/internal/store"
	"procura/internal/store/storetest"
)

// cdr is a small operator export seen from two subscribers, A (13800000001) and B
// (13800000002): A's calls with C are many and short, with D few and long and at night; B's
// record of his call with A repeats A's record of it; A and B are served by one cell within
// minutes on four days; E moved between four handsets; one handset carried six numbers.
const cdr = `caller,callee,start_time,duration_s,call_type,imei,imsi,cell_id,lac
13800000001,13800000003,2024-03-01 10:00:00,30,outgoing,860000000000017,460000000000001,100,1
13800000001,13800000003,2024-03-01 11:00:00,30,outgoing,860000000000017,460000000000001,100,1
13800000001,13800000003,2024-03-02 10:00:00,30,incoming,860000000000017,460000000000001,100,1
13800000001,13800000003,2024-03-03 10:00:00,20,sms_out,860000000000017,460000000000001,100,1
13800000001,13800000004,2024-03-01 23:30:00,1800,outgoing,860000000000017,460000000000001,200,1
13800000001,13800000004,2024-03-02 02:00:00,1200,incoming,860000000000017,460000000000001,300,1
13800000001,13800000002,2024-03-04 09:00:00,60,outgoing,860000000000017,460000000000001,100,1
13800000002,13800000001,2024-03-04 09:00:00,60,incoming,860000000000025,460000000000002,100,1
13800000002,13800000003,2024-03-01 10:05:00,10,outgoing,860000000000025,460000000000002,100,1
13800000002,13800000003,2024-03-02 10:03:00,10,outgoing,860000000000025,460000000000002,100,1
13800000002,13800000003,2024-03-03 10:02:00,10,outgoing,860000000000025,460000000000002,100,1
13800000005,13800000003,2024-03-05 10:00:00,10,outgoing,860000000000512,460000000000005,900,1
13800000005,13800000003,2024-03-05 11:00:00,10,outgoing,860000000000520,460000000000005,900,1
13800000005,13800000003,2024-03-05 12:00:00,10,outgoing,860000000000538,460000000000005,900,1
13800000005,13800000003,2024-03-05 13:00:00,10,outgoing,860000000000546,460000000000005,900,1
13900000001,13800000009,2024-03-06 10:00:00,10,outgoing,869999999999991,460000000000101,500,1
13900000002,13800000009,2024-03-06 10:01:00,10,outgoing,869999999999991,460000000000102,500,1
13900000003,13800000009,2024-03-06 10:02:00,10,outgoing,869999999999991,460000000000103,500,1
13900000004,13800000009,2024-03-06 10:03:00,10,outgoing,869999999999991,460000000000104,500,1
13900000005,13800000009,2024-03-06 10:04:00,10,outgoing,869999999999991,460000000000105,500,1
13900000006,13800000009,2024-03-06 10:05:00,10,outgoing,869999999999991,460000000000106,500,1
`

func importCDR(t *testing.T, st *store.Store) Source {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cdr.csv")
	if err := os.WriteFile(path, []byte(cdr), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Import(context.Background(), st, ingest.Options{Path: path, Dataset: "cdr", Kind: "calls"}); err != nil {
		t.Fatal(err)
	}
	return Source{Dataset: "cdr", Columns: columnsOf(t, st, "cdr")}
}

func numbers(cs []Contact) string {
	var out []string
	for _, c := range cs {
		out = append(out, strings.TrimPrefix(c.Number, "+86"))
	}
	return strings.Join(out, " ")
}

func TestAnalyzeRanksContactsFindsSIMBoxesCoLocationAndTimelines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		src := importCDR(t, st)
		a, b := "+8613800000001", "+8613800000002"
		rep, err := Analyze(context.Background(), st, src, Options{Numbers: []string{a, b}, MinDays: 3})
		if err != nil {
			t.Fatal(err)
		}
		// B's record of the call with A is A's record of it: 20 distinct calls.
		if rep.Calls != 20 {
			t.Errorf("%d calls, want 20 (the call in both parties' records counts once)", rep.Calls)
		}
		ca := rep.Contacts[0]
		if ca.Number != a || ca.Contacts != 3 || ca.Calls != 7 {
			t.Fatalf("A: %+v; want 3 contacts and 7 calls", ca)
		}
		if got := numbers(ca.ByCalls); got != "13800000003 13800000004 13800000002" {
			t.Errorf("A by calls: %s", got)
		}
		if got := numbers(ca.ByDuration); got != "13800000004 13800000003 13800000002" {
			t.Errorf("A by duration: %s", got)
		}
		if got := numbers(ca.ByNight); got != "13800000004" || ca.ByNight[0].Night != 2 {
			t.Errorf("A by night: %s %+v; want D with 2 night calls", got, ca.ByNight)
		}
		if c := ca.ByCalls[0]; c.Outgoing != 3 || c.SMS != 1 {
			t.Errorf("A with C: %+v; want 3 made by A (two calls and a message; one call received)", c)
		}
		if len(rep.Common) != 1 || strings.TrimPrefix(rep.Common[0].Number, "+86") != "13800000003" || len(rep.Common[0].Of) != 2 {
			t.Errorf("common contacts %+v; want C, of both", rep.Common)
		}
		if len(rep.SIMBoxes) != 1 || rep.SIMBoxes[0].IMEI != "869999999999991" || len(rep.SIMBoxes[0].Numbers) != 6 || rep.SIMBoxes[0].SIMs != 6 {
			t.Errorf("SIM boxes %+v; want the one handset with six numbers", rep.SIMBoxes)
		}
		if len(rep.Moving) != 1 || strings.TrimPrefix(rep.Moving[0].Number, "+86") != "13800000005" || len(rep.Moving[0].IMEIs) != 4 {
			t.Errorf("numbers on many devices %+v; want E on four", rep.Moving)
		}
		if len(rep.CoLocated) != 1 || rep.CoLocated[0].A != a || rep.CoLocated[0].B != b || rep.CoLocated[0].Days != 4 {
			t.Errorf("co-located %+v; want A and B on 4 days (3 near C's calls, 1 calling each other)", rep.CoLocated)
		}
		if len(rep.Timelines) != 2 || len(rep.Timelines[0].Days) != 4 || rep.Timelines[0].Days[0].Day != "2024-03-01" || rep.Timelines[0].Days[0].Calls != 3 {
			t.Errorf("A's timeline %+v; want 4 days, 3 calls on 2024-03-01", rep.Timelines)
		}
		if len(rep.Skipped) == 0 || !strings.Contains(strings.Join(rep.Skipped, ";"), "call_payment_links") {
			t.Errorf("skipped %v; want call_payment_links named (no transactions given)", rep.Skipped)
		}
	})
}

func TestAnalyzeSaysWhatAMinimalCDRLacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		path := filepath.Join(t.TempDir(), "min.csv")
		os.WriteFile(path, []byte("caller,callee,start_time\n13800000001,13800000002,2024-03-01 10:00:00\n"), 0o644)
		if _, err := ingest.Import(context.Background(), st, ingest.Options{Path: path, Dataset: "min", Kind: "calls"}); err != nil {
			t.Fatal(err)
		}
		rep, err := Analyze(context.Background(), st, Source{Dataset: "min", Columns: columnsOf(t, st, "min")}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		skipped := strings.Join(rep.Skipped, "; ")
		for _, want := range []string{"no imei column", "no cell_id column", "name two or more numbers"} {
			if !strings.Contains(skipped, want) {
				t.Errorf("skipped %q; want it to say %q", skipped, want)
			}
		}
		if rep.Calls != 1 || len(rep.Contacts) != 2 {
			t.Errorf("%d calls, contacts %+v; want 1 call and both numbers described", rep.Calls, rep.Contacts)
		}
		if _, err := Analyze(context.Background(), st, Source{Dataset: "min", Columns: []string{"caller"}}, Options{}); err == nil || !strings.Contains(err.Error(), "--kind calls") {
			t.Errorf("a dataset without callee: error %v; want one that says to import with --kind calls", err)
		}
	})
}
