package graph

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// accounts builds a graph of accounts named a, b, c … tied by transfers "a>b".
func accounts(t *testing.T, edges ...string) *Graph {
	t.Helper()
	b := NewBuilder()
	for _, e := range edges {
		from, to, _ := strings.Cut(e, ">")
		b.Edge(b.Node(Account, from), b.Node(Account, to), Transfer, "", 1)
	}
	return b.Build()
}

func id(t *testing.T, g *Graph, key string) int32 {
	t.Helper()
	x, ok := g.Lookup(Account, key)
	if !ok {
		t.Fatalf("no account %s", key)
	}
	return x
}

func pathText(steps []Step) string {
	var b strings.Builder
	for i, s := range steps {
		if i == 0 {
			b.WriteString(s.From.Key)
		}
		b.WriteString(s.To.Key)
	}
	return b.String()
}

func TestAllShortestPathsListsEveryPathOfTheFewestEdges(t *testing.T) {
	cases := []struct {
		name  string
		edges []string
		limit int
		want  []string
		trunc bool
	}{
		{"a diamond has two", []string{"a>b", "a>c", "b>d", "c>d"}, 0, []string{"abd", "acd"}, false},
		{"a longer way round is not listed", []string{"a>b", "b>d", "a>c", "c>e", "e>d"}, 0, []string{"abd"}, false},
		{"two diamonds in a row have four", []string{"a>b", "a>c", "b>d", "c>d", "d>e", "d>f", "e>g", "f>g"}, 0, []string{"abdeg", "abdfg", "acdeg", "acdfg"}, false},
		{"the limit truncates", []string{"a>b", "a>c", "b>d", "c>d", "d>e", "d>f", "e>g", "f>g"}, 3, []string{"abdeg", "abdfg", "acdeg"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := accounts(t, c.edges...)
			last := c.want[0][len(c.want[0])-1:]
			paths, trunc, err := g.AllShortestPaths(id(t, g, "a"), id(t, g, last), 0, c.limit, Walk{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range paths {
				got = append(got, pathText(p))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) || trunc != c.trunc {
				t.Errorf("paths %v (truncated %v), want %v (truncated %v)", got, trunc, c.want, c.trunc)
			}
		})
	}
}

func TestAllShortestPathsDoNotPassThroughHubs(t *testing.T) {
	edges := []string{"a>h", "h>z", "a>b", "b>c", "c>z"}
	for i := range 5 {
		edges = append(edges, fmt.Sprintf("h>x%d", i))
	}
	g := accounts(t, edges...)
	paths, _, err := g.AllShortestPaths(id(t, g, "a"), id(t, g, "z"), 0, 0, Walk{MaxDegree: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || pathText(paths[0]) != "abcz" {
		t.Errorf("paths %v; want only abcz, round the hub h", paths)
	}
	if _, _, err := g.AllShortestPaths(id(t, g, "a"), id(t, g, "z"), 2, 0, Walk{MaxDegree: 4}); !errors.Is(err, ErrNoPath) {
		t.Errorf("within 2 hops and not through h: error %v, want ErrNoPath", err)
	}
}

func TestTimeRespectingPathsFollowTheClock(t *testing.T) {
	g := accounts(t, "a>b", "b>c", "c>d", "b>d")
	ev := func(from, to string, unix int64) Event {
		return Event{From: id(t, g, from), To: id(t, g, to), Rel: Transfer, Unix: unix}
	}
	cases := []struct {
		name   string
		events []Event
		gap    int64
		want   string // "" = no path
	}{
		{"money moves on after it arrived", []Event{ev("a", "b", 100), ev("b", "d", 200)}, 0, "abd"},
		{"a transfer before the money arrived does not carry it", []Event{ev("a", "b", 100), ev("b", "d", 50)}, 0, ""},
		{"the gap limit cuts a late onward transfer", []Event{ev("a", "b", 100), ev("b", "d", 100+7200)}, 3600, ""},
		{"a longer path in time is taken when the short one breaks the clock",
			[]Event{ev("a", "b", 100), ev("b", "d", 50), ev("b", "c", 150), ev("c", "d", 160)}, 3600, "abcd"},
		{"of two equally short paths the earlier arrival wins",
			[]Event{ev("a", "b", 100), ev("b", "d", 900), ev("b", "d", 300)}, 0, "abd@300"},
		{"money does not flow against the transfer", []Event{ev("b", "a", 100), ev("b", "d", 200)}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tl := NewTimeline(g.Nodes(), c.events)
			steps, err := g.TimeRespectingPath(tl, []int32{id(t, g, "a")}, []int32{id(t, g, "d")}, c.gap, 0)
			got := ""
			if err == nil {
				for i, s := range steps {
					if i == 0 {
						got = s.From.Key
					}
					got += s.To.Key
				}
				if strings.Contains(c.want, "@") {
					got += fmt.Sprintf("@%d", steps[len(steps)-1].Unix)
				}
			} else if !errors.Is(err, ErrNoPath) {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("path %q, want %q", got, c.want)
			}
		})
	}
}

// BenchmarkTimeRespectingPath searches a chain of 200,000 accounts, each paying the next an
// hour after it was paid, with a random transfer out of every tenth account as noise.
func BenchmarkTimeRespectingPath(b *testing.B) {
	const n = 200_000
	bl := NewBuilder()
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = bl.Node(Account, fmt.Sprintf("%08d", i))
	}
	for i := 1; i < n; i++ {
		bl.Edge(ids[i-1], ids[i], Transfer, "", 1)
	}
	g := bl.Build()
	var ev []Event
	for i := 1; i < n; i++ {
		ev = append(ev, Event{From: int32(i - 1), To: int32(i), Rel: Transfer, Unix: int64(i) * 3600})
		if i%10 == 0 {
			ev = append(ev, Event{From: int32(i), To: int32((i * 7919) % n), Rel: Transfer, Unix: int64(i) * 3600})
		}
	}
	tl := NewTimeline(g.Nodes(), ev)
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.TimeRespectingPath(tl, []int32{0}, []int32{500}, 7200, 600); err != nil {
			b.Fatal(err)
		}
	}
}
