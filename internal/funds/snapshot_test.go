package funds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// richGraph is randomGraph with what it leaves out: card numbers, holders, memos, zero rows
// and both sides of transfers between accounts in the data (which Build merges).
func richGraph(rng *rand.Rand, n, m int) *Graph {
	b := NewBuilder(m)
	memos := []string{"", "工资", "代发工资", "转账", "消费"}
	for i := range m {
		acct := rng.IntN(n)
		r := Row{TxID: fmt.Sprintf("t%d", i), Account: fmt.Sprintf("a%d", acct), Unix: t0 + int64(rng.IntN(5000)),
			Cents: int64(1 + rng.IntN(200000)), Balance: NoBalance, Channel: []string{"网银", "ATM", "POS"}[rng.IntN(3)],
			Memo: memos[rng.IntN(len(memos))], Holder: fmt.Sprintf("持有人%d", acct)}
		switch rng.IntN(7) {
		case 0: // cash
		case 1:
			r.Counterparty = fmt.Sprintf("x%d", rng.IntN(3)) // outside the data
		case 2:
			r.Counterparty = fmt.Sprintf("c%d", rng.IntN(n)) // another account's card
		default:
			r.Counterparty = fmt.Sprintf("a%d", rng.IntN(n))
			r.CounterpartyName = fmt.Sprintf("对方%d", rng.IntN(4))
		}
		if rng.IntN(4) == 0 {
			r.Card = fmt.Sprintf("c%d", acct)
		}
		switch rng.IntN(8) {
		case 0:
			r.Cents = 0
		case 1, 2, 3:
			r.Cents = -r.Cents
		}
		if rng.IntN(5) == 0 {
			r.Balance = int64(rng.IntN(500000))
		}
		b.Add(r)
		// The other side of a transfer to an account in the data, sometimes.
		if r.Cents < 0 && strings.HasPrefix(r.Counterparty, "a") && rng.IntN(2) == 0 {
			b.Add(Row{TxID: r.TxID + "in", Account: r.Counterparty, Counterparty: r.Account, Cents: -r.Cents, Unix: r.Unix,
				Channel: r.Channel, Memo: memos[rng.IntN(len(memos))], Balance: NoBalance})
		}
	}
	return b.Build()
}

func roundTrip(t testing.TB, g *Graph) *Graph {
	t.Helper()
	var buf bytes.Buffer
	if err := g.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	h, err := ReadSnapshot(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSnapshotRoundTripGivesTheSameGraphAndTraces(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var cards, merged, zero int64
	defer func() {
		if cards == 0 || merged == 0 || zero == 0 {
			t.Errorf("the random graphs should have cards, merged and zero rows: %d, %d, %d", cards, merged, zero)
		}
	}()
	for iter := range 200 {
		g := richGraph(rng, 2+rng.IntN(30), 1+rng.IntN(300))
		cards, merged, zero = cards+int64(len(g.cardOf)), merged+g.MergedRows, zero+g.ZeroRows
		h := roundTrip(t, g)
		if !reflect.DeepEqual(g, h) {
			t.Fatalf("iteration %d: the graph read back differs from the one written (%d edges, %d accounts; read %d, %d)",
				iter, g.NumEdges(), g.NumAccounts(), h.NumEdges(), h.NumAccounts())
		}
		var seeds []int32
		for range 1 + rng.IntN(5) {
			if g.NumEdges() > 0 {
				seeds = append(seeds, int32(rng.IntN(g.NumEdges())))
			}
		}
		if len(seeds) == 0 {
			continue
		}
		o := TraceOptions{Seeds: seeds, Policy: []Policy{FIFO, LIBR, Proportional}[iter%3],
			Direction: []string{Forward, Backward}[iter%2], MaxHops: 1 + rng.IntN(6), HopWindow: time.Hour}
		want, err := Trace(context.Background(), g, o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Trace(context.Background(), h, o)
		if err != nil {
			t.Fatal(err)
		}
		want.Seconds, got.Seconds = 0, 0
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("iteration %d: the trace over the snapshot differs", iter)
		}
	}
}

func TestSnapshotOfTheSmallWorldRoundTrips(t *testing.T) {
	g := loadCanonical(t, filepath.Join(smallWorld(t), "transactions.csv"))
	if g.MergedRows == 0 || g.NumEdges() < 10000 {
		t.Fatalf("the small world should have merged rows: %d edges, %d merged", g.NumEdges(), g.MergedRows)
	}
	if h := roundTrip(t, g); !reflect.DeepEqual(g, h) {
		t.Fatal("the small world's graph read back differs from the one written")
	}
}

// snapshotBytes is a snapshot of a small rich graph.
func snapshotBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := richGraph(rand.New(rand.NewPCG(5, 6)), 12, 80).WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// onlyReader hides a reader's size, so ReadSnapshot takes its path for streams.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestDamagedSnapshotsAreRefusedWithAClearError(t *testing.T) {
	good := snapshotBytes(t)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		return b
	}
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":          {nil, "shorter than a snapshot's header"},
		"foreign":        {[]byte(strings.Repeat("PK\x03\x04 a zip file, say ", 20)), "does not start with"},
		"truncated":      {good[:len(good)-100], "truncated"},
		"header damaged": {flip(40), "header is damaged"},
		"payload bit":    {flip(snapHeaderSize + 17), "content is damaged"},
		"last string":    {flip(len(good) - 6), "content is damaged"},
		"other version":  {append(append(bytes.Clone(good[:8]), 99, 0, 0, 0), good[12:]...), "format version 99"},
	}
	for name, c := range cases {
		for _, stream := range []bool{false, true} {
			var r io.Reader = bytes.NewReader(c.data)
			if stream {
				r = onlyReader{r}
			}
			_, err := ReadSnapshot(r)
			if !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s (stream %v): err = %v, want ErrSnapshot saying %q", name, stream, err, c.want)
			}
		}
	}
	if _, err := ReadSnapshot(onlyReader{bytes.NewReader(good)}); err != nil {
		t.Errorf("a good snapshot read as a stream: %v", err)
	}
}

func FuzzReadSnapshot(f *testing.F) {
	good := snapshotBytes(f)
	f.Add(good)
	f.Add(good[:snapHeaderSize])
	f.Add([]byte("PROCURAG"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range []io.Reader{bytes.NewReader(data), onlyReader{bytes.NewReader(data)}} {
			g, err := ReadSnapshot(r)
			if err != nil {
				if !errors.Is(err, ErrSnapshot) {
					t.Fatalf("an error not marked ErrSnapshot: %v", err)
				}
				continue
			}
			// A snapshot that reads must be a graph the package can use.
			for a := range int32(g.NumAccounts()) {
				for _, e := range g.Out(a) {
					_ = g.TxID[e] + g.ChannelOf(e) + g.Memos[g.Memo[e]]
				}
				g.In(a)
			}
			if g.NumEdges() > 0 {
				if _, err := Trace(context.Background(), g, TraceOptions{Seeds: []int32{0}}); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
