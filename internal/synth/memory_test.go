package synth

import (
	"context"
	"runtime"
	"testing"
	"unsafe"
)

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

func TestRowTablesStayCompact(t *testing.T) {
	if n := unsafe.Sizeof(account{}); n > 80 {
		t.Errorf("an account takes %d bytes, more than 80: the account table is the largest of the world", n)
	}
	if n := unsafe.Sizeof(acctSpan{}); n > 16 {
		t.Errorf("an arena span takes %d bytes, more than 16", n)
	}
}

// The world, the text arena and the drawing columns are the O(persons) part of a run; this
// holds them to 1.2 kB a person (1,070 bytes measured at 1M transactions).
func TestWorldBytesPerPersonStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1M-transaction world")
	}
	p, err := newParams(1_000_000, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := liveHeap()
	w := buildWorld(1, p)
	f := buildFraud(w, p)
	j := buildJustice(w, f, p)
	w.idSeen = nil
	x := newTextArena(w, make([]int32, len(f.rings)))
	g := newDayGen(w, f, p)
	used := liveHeap() - before
	perPerson := float64(used) / float64(len(w.persons))
	t.Logf("%d persons, %d accounts: %.1f MB, %.0f bytes a person", len(w.persons), len(w.accounts), float64(used)/(1<<20), perPerson)
	if perPerson > 1200 {
		t.Errorf("the world takes %.0f bytes a person, more than 1200", perPerson)
	}
	runtime.KeepAlive(j)
	runtime.KeepAlive(x)
	runtime.KeepAlive(g)
}

// The stream holds a few days and chunks whatever the scale: two runs over the same world
// (3,000 persons is the floor of the population) with 1.8 times the transactions allocate
// almost the same.
func TestStreamAllocationDoesNotGrowWithTransactions(t *testing.T) {
	alloc := func(n int64) (uint64, int64) {
		p, err := newParams(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := buildWorld(1, p)
		f := buildFraud(w, p)
		buildJustice(w, f, p)
		out := &outputs{dir: t.TempDir()}
		before := totalAlloc()
		st, err := streamActivity(context.Background(), w, f, p, out, nil)
		if err != nil {
			t.Fatal(err)
		}
		return totalAlloc() - before, st.txRows
	}
	a1, n1 := alloc(100_000)
	a2, n2 := alloc(180_000)
	perTx := (float64(a2) - float64(a1)) / float64(n2-n1)
	t.Logf("stream allocated %.1f MB for %d rows, %.1f MB for %d rows: %.1f bytes a further row", float64(a1)/(1<<20), n1, float64(a2)/(1<<20), n2, perTx)
	if perTx > 16 {
		t.Errorf("the stream allocates %.1f bytes a further statement row: something is kept per row", perTx)
	}
}
