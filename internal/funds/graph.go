// Package funds traces money through accounts and finds laundering patterns. It holds a
// transactions dataset as a compact temporal multigraph (integer account ids, columnar edge
// arrays sorted by time), follows seed transactions forward or backward under an attribution
// policy that conserves amounts, detects typologies, and matches transfers across bank exports.
package funds

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Cents is an amount of money in hundredths of the currency unit. JSON writes it as a decimal
// number of yuan (1234.5 for 123450 cents), which is what people and charts expect.
type Cents int64

// MarshalJSON writes the amount as a number with at most two decimals.
func (c Cents) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

// String formats the amount as yuan with two decimals ("-12.30").
func (c Cents) String() string {
	v := int64(c)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Yuan is the amount as a float, for ratios and reports.
func (c Cents) Yuan() float64 { return float64(c) / 100 }

// NoBalance marks a balance that the data does not give.
const NoBalance = math.MinInt64

// Row is one statement row of a transactions dataset, as the store reads it.
type Row struct {
	TxID             string
	Account          string // the statement's account
	Card             string // card number when it differs from Account ("" otherwise)
	Counterparty     string // "" for cash and other rows without a counterparty
	Cents            int64  // signed: negative is money out of Account
	Unix             int64  // seconds since 1970
	Channel          string
	Memo             string // transaction type and summary (摘要) as the statement gives them
	Holder           string // holder of Account
	CounterpartyName string
	Balance          int64 // balance of Account after the row, or NoBalance
}

// Graph is a temporal multigraph of money movements. Edge i moves Amount[i] cents from From[i]
// to To[i] at Time[i]; edges are sorted by time and then by their order in the dataset, so an
// edge index is also a position in time. From or To is -1 for cash (no account on that side).
type Graph struct {
	Names  []string // account id → account number
	Holder []string // account id → holder name where known
	InData []bool   // the account has statement rows of its own
	// Balanced[a]: the statement of account a gives balances (Build reconstructs the rest).
	Balanced []bool
	index    map[string]int32
	From     []int32
	To       []int32
	Amount   []int64 // cents, > 0
	Time     []int64 // unix seconds
	Channel  []uint16
	TxID     []string
	// BalFrom and BalTo are the balances of the source and the target after the edge: from
	// the statement when it gives them, otherwise reconstructed from the rows (see Build).
	BalFrom, BalTo []int64
	Channels       []string // channel id → name
	// Memo[i] is the memo id of edge i (transaction type and summary, 摘要); Memos maps ids
	// to text. Typologies read it for the signs of ordinary economic life (life.go).
	Memo  []uint16
	Memos []string

	cardOf map[int32]int32 // card number id → the account whose statement names it

	outStart, inStart []int32 // CSR offsets per account
	outEdge, inEdge   []int32 // edge indices, ascending (= time order)

	// Rows, ZeroRows and MergedRows count what Build did with the input.
	Rows, ZeroRows, MergedRows int64
}

// Account returns the id of an account number (or card number) and whether it is known.
func (g *Graph) Account(name string) (int32, bool) {
	id, ok := g.index[name]
	return id, ok
}

// resolveCard returns the account whose statement names card id a as its card, or a when
// a has a statement of its own or is no such card.
func (g *Graph) resolveCard(a int32) int32 {
	if acct, ok := g.cardOf[a]; ok && !g.InData[a] {
		return acct
	}
	return a
}

// NumAccounts is the number of accounts, in data or only seen as counterparties.
func (g *Graph) NumAccounts() int { return len(g.Names) }

// NumEdges is the number of money movements.
func (g *Graph) NumEdges() int { return len(g.From) }

// Out returns the outgoing edges of account a in time order.
func (g *Graph) Out(a int32) []int32 { return g.outEdge[g.outStart[a]:g.outStart[a+1]] }

// In returns the incoming edges of account a in time order.
func (g *Graph) In(a int32) []int32 { return g.inEdge[g.inStart[a]:g.inStart[a+1]] }

// Name is the account number of id a, or "" for -1 (cash).
func (g *Graph) Name(a int32) string {
	if a < 0 {
		return ""
	}
	return g.Names[a]
}

// ChannelOf is the channel of edge e.
func (g *Graph) ChannelOf(e int32) string { return g.Channels[g.Channel[e]] }

// BuilderVersion changes whenever Build (or the store's reading of the rows) gives a different
// graph for the same rows, so that graph snapshots written before are not used again.
const BuilderVersion = 1

// Builder collects rows and builds a Graph. The zero value is not usable: call NewBuilder.
type Builder struct {
	ids      *internTable
	names    []string
	holder   []string
	inData   []bool
	cardOf   map[int32]int32 // card string id → account id
	chanIDs  map[string]uint16
	channels []string
	memoIDs  map[string]uint16
	memos    []string
	raw      []rawRow
	txids    []string
	// order is each raw row's place in the dataset's order; rows added out of it are sorted
	// by it before Build merges them, so the graph never depends on the order of reading.
	order     []int64
	unordered bool
	// holderKey[a] is the place (2 × order, +1 for a counterparty's name) of the row that
	// named account a's holder: the first in the dataset's order names it.
	holderKey []int64
	cardKey   map[int32]int64 // card id → order of the row that named its account
}

// Columns is a batch of statement rows column by column, as a columnar store reader gives
// them: every slice has N entries, amounts are signed cents, Balance is NoBalance where the
// row has none, and Order is each row's place in the dataset's order (rows may come in any
// order). The strings may point into memory the reader reuses: AddColumns copies what it keeps.
type Columns struct {
	N                                                int
	TxID, Account, Card, Counterparty, Channel, Memo []string
	Holder, CounterpartyName                         []string
	Cents, Unix, Balance, Order                      []int64
}

type rawRow struct {
	acct, cp int32 // cp = -1 when empty
	card     int32 // the statement's card number when it differs from the account, else -1
	cents    int64
	unix     int64
	bal      int64
	channel  uint16
	memo     uint16
}

// NewBuilder returns an empty builder; sizeHint is the expected number of rows.
func NewBuilder(sizeHint int) *Builder {
	return &Builder{ids: newInternTable(), cardOf: map[int32]int32{}, cardKey: map[int32]int64{},
		chanIDs: map[string]uint16{}, memoIDs: map[string]uint16{}, raw: make([]rawRow, 0, sizeHint), txids: make([]string, 0, sizeHint), order: make([]int64, 0, sizeHint)}
}

func (b *Builder) intern(s string) int32 {
	id, slot, h, ok := b.ids.get(s)
	if ok {
		return id
	}
	s = strings.Clone(s) // s may point into a reader's reused memory
	id = int32(len(b.names))
	b.ids.put(s, slot, h, id)
	b.names = append(b.names, s)
	b.holder = append(b.holder, "")
	b.holderKey = append(b.holderKey, math.MaxInt64)
	b.inData = append(b.inData, false)
	return id
}

// Add adds one statement row. Rows must come in the dataset's order (the order of equal
// times); their amounts must be signed.
func (b *Builder) Add(r Row) error {
	return b.add(&r, int64(len(b.raw)), r.TxID)
}

// AddColumns adds a batch of statement rows (see Columns).
func (b *Builder) AddColumns(c *Columns) error {
	// One allocation holds the batch's transaction ids.
	var n int
	for _, id := range c.TxID[:c.N] {
		n += len(id)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, id := range c.TxID[:c.N] {
		sb.WriteString(id)
	}
	all, off := sb.String(), 0
	var r Row
	for i := range c.N {
		r = Row{TxID: c.TxID[i], Account: c.Account[i], Card: c.Card[i], Counterparty: c.Counterparty[i],
			Cents: c.Cents[i], Unix: c.Unix[i], Channel: c.Channel[i], Memo: c.Memo[i], Holder: c.Holder[i],
			CounterpartyName: c.CounterpartyName[i], Balance: c.Balance[i]}
		if r.Card == r.Account {
			r.Card = ""
		}
		id := all[off : off+len(r.TxID)]
		off += len(r.TxID)
		if err := b.add(&r, c.Order[i], id); err != nil {
			return err
		}
	}
	return nil
}

func (b *Builder) add(r *Row, order int64, txid string) error {
	if r.Account == "" {
		return fmt.Errorf("transaction %s has no account: every row needs the statement's account", r.TxID)
	}
	a := b.intern(r.Account)
	b.inData[a] = true
	b.setHolder(a, r.Holder, order*2)
	card := int32(-1)
	if r.Card != "" && r.Card != r.Account {
		// The last row in the dataset's order names the card's account.
		card = b.intern(r.Card)
		if k, ok := b.cardKey[card]; !ok || order >= k {
			b.cardOf[card], b.cardKey[card] = a, order
		}
	}
	cp := int32(-1)
	if r.Counterparty != "" {
		cp = b.intern(r.Counterparty)
		b.setHolder(cp, r.CounterpartyName, order*2+1)
	}
	ch, ok := b.chanIDs[r.Channel]
	if !ok {
		if len(b.channels) == math.MaxUint16 {
			return fmt.Errorf("transaction %s: more than %d distinct channels; map the channel column to a short list", r.TxID, math.MaxUint16)
		}
		ch = uint16(len(b.channels))
		c := strings.Clone(r.Channel)
		b.chanIDs[c] = ch
		b.channels = append(b.channels, c)
	}
	memo := b.internMemo(r.Memo)
	b.raw = append(b.raw, rawRow{acct: a, cp: cp, card: card, cents: r.Cents, unix: r.Unix, bal: r.Balance, channel: ch, memo: memo})
	b.txids = append(b.txids, txid)
	if n := len(b.order); n > 0 && order < b.order[n-1] {
		b.unordered = true
	}
	b.order = append(b.order, order)
	return nil
}

// internMemo returns the id of a memo. Free-text memos can be unique per row; beyond
// math.MaxUint16 distinct ones the rest count as empty (id 0), which only means the
// typologies see no sign of ordinary life in them.
func (b *Builder) internMemo(m string) uint16 {
	if id, ok := b.memoIDs[m]; ok {
		return id
	}
	if len(b.memos) == 0 && m != "" {
		b.internMemo("")
	}
	if len(b.memos) == math.MaxUint16 {
		return 0
	}
	id := uint16(len(b.memos))
	m = strings.Clone(m)
	b.memoIDs[m] = id
	b.memos = append(b.memos, m)
	return id
}

type mergeKey struct {
	from, to    int32
	cents, unix int64
}

// Build turns the rows into a graph. A transfer between two accounts that both have
// statements appears twice (out of one, into the other); the incoming row is merged into the
// outgoing one when account, counterparty, amount and time agree, and its balance becomes the
// target's balance. Counterparty numbers that are another account's card number resolve to
// that account. Balances the data does not give are reconstructed by summing each account's
// rows, never below zero (an outflow larger than what the data shows arrived is taken to be
// covered by money the data does not show).
func (b *Builder) Build() *Graph {
	b.sortRows()
	resolve := func(id int32) int32 {
		if id < 0 {
			return id
		}
		if a, ok := b.cardOf[id]; ok && !b.inData[id] {
			return a
		}
		return id
	}
	index := make(map[string]int32, len(b.names))
	for i, n := range b.names {
		index[n] = int32(i)
	}
	g := &Graph{Names: b.names, Holder: b.holder, InData: b.inData, index: index, Channels: b.channels, Rows: int64(len(b.raw)), cardOf: b.cardOf}
	b.internMemo("")
	// Outgoing rows first, so that incoming rows find their partner whatever the order: an
	// incoming row takes the oldest outgoing row of the same transfer not yet taken
	// (pairTransfers). Only rows whose other side has a statement can pair.
	var outs, ins []keyed
	type edge struct {
		from, to   int32
		amt, unix  int64
		balF, balT int64
		seq        int32
		ch, memo   uint16
	}
	edges := make([]edge, 0, len(b.raw))
	for i, r := range b.raw {
		if r.cents >= 0 {
			continue
		}
		to := resolve(r.cp)
		if to >= 0 && b.inData[to] {
			outs = append(outs, keyed{mergeKey{r.acct, to, -r.cents, r.unix}, int32(len(edges))})
		}
		edges = append(edges, edge{from: r.acct, to: to, amt: -r.cents, unix: r.unix, balF: r.bal, balT: NoBalance, seq: int32(i), ch: r.channel, memo: r.memo})
	}
	nOut := len(edges)
	for i, r := range b.raw {
		if r.cents > 0 {
			if from := resolve(r.cp); from >= 0 && b.inData[from] {
				ins = append(ins, keyed{mergeKey{from, r.acct, r.cents, r.unix}, int32(i)})
			}
		}
	}
	match := pairTransfers(outs, ins, len(b.raw))
	outs, ins = nil, nil
	for i, r := range b.raw {
		switch {
		case r.cents == 0:
			g.ZeroRows++
			continue
		case r.cents < 0:
			continue
		}
		from := resolve(r.cp)
		if o := match[i]; o >= 0 {
			e := &edges[o]
			e.balT = r.bal
			if b.memos[e.memo] == "" {
				e.memo = r.memo
			} else if b.memos[r.memo] != "" && r.memo != e.memo {
				// Both sides wrote a memo (代发工资 out, 工资 in): keep both words.
				e.memo = b.internMemo(b.memos[e.memo] + " " + b.memos[r.memo])
			}
			g.MergedRows++
			continue
		}
		edges = append(edges, edge{from: from, to: r.acct, amt: r.cents, unix: r.unix, balF: NoBalance, balT: r.bal, seq: int32(i), ch: r.channel, memo: r.memo})
	}
	less := func(x, y edge) int {
		if c := cmp.Compare(x.unix, y.unix); c != 0 {
			return c
		}
		return cmp.Compare(x.seq, y.seq)
	}
	// The outgoing rows come first, then the incoming ones; rows in time order (the common
	// case) make two sorted runs, merged in one pass.
	// Only the order is built (4 bytes an edge); the edges are read through it.
	g.Balanced = make([]bool, len(b.names))
	for _, r := range b.raw {
		if r.bal != NoBalance {
			g.Balanced[r.acct] = true
		}
	}
	b.raw, match = nil, nil // no longer needed: free them before the graph grows
	order := make([]int32, 0, len(edges))
	if slices.IsSortedFunc(edges[:nOut], less) && slices.IsSortedFunc(edges[nOut:], less) {
		i, j := 0, nOut
		for i < nOut && j < len(edges) {
			if less(edges[j], edges[i]) < 0 {
				order = append(order, int32(j))
				j++
			} else {
				order = append(order, int32(i))
				i++
			}
		}
		for ; i < nOut; i++ {
			order = append(order, int32(i))
		}
		for ; j < len(edges); j++ {
			order = append(order, int32(j))
		}
	} else {
		slices.SortFunc(edges, less)
		for i := range edges {
			order = append(order, int32(i))
		}
	}
	n := len(edges)
	g.From, g.To = make([]int32, n), make([]int32, n)
	g.Amount, g.Time = make([]int64, n), make([]int64, n)
	g.BalFrom, g.BalTo = make([]int64, n), make([]int64, n)
	g.Channel, g.TxID = make([]uint16, n), make([]string, n)
	g.Memo = make([]uint16, n)
	running := make([]int64, len(b.names))
	for i, k := range order {
		e := &edges[k]
		g.From[i], g.To[i], g.Amount[i], g.Time[i], g.Channel[i], g.TxID[i] = e.from, e.to, e.amt, e.unix, e.ch, b.txids[e.seq]
		g.Memo[i] = e.memo
		if e.from >= 0 {
			running[e.from] = max(0, running[e.from]-e.amt)
			if e.balF != NoBalance {
				running[e.from] = e.balF
			}
			g.BalFrom[i] = running[e.from]
		} else {
			g.BalFrom[i] = NoBalance
		}
		if e.to >= 0 {
			running[e.to] += e.amt
			if e.balT != NoBalance {
				running[e.to] = e.balT
			}
			g.BalTo[i] = running[e.to]
		} else {
			g.BalTo[i] = NoBalance
		}
	}
	g.outStart, g.outEdge = csr(len(b.names), g.From)
	g.inStart, g.inEdge = csr(len(b.names), g.To)
	g.Memos = b.memos
	b.raw, b.txids, b.order = nil, nil, nil
	return g
}

// csr groups edge indices by account (ends[i] of edge i, -1 skipped), keeping index order.
func csr(accounts int, ends []int32) (start, list []int32) {
	start = make([]int32, accounts+1)
	for _, a := range ends {
		if a >= 0 {
			start[a+1]++
		}
	}
	for i := 1; i <= accounts; i++ {
		start[i] += start[i-1]
	}
	list = make([]int32, start[accounts])
	next := slices.Clone(start[:accounts])
	for i, a := range ends {
		if a >= 0 {
			list[next[a]] = int32(i)
			next[a]++
		}
	}
	return start, list
}

// ParseCents reads "123.45", "-7", "0.5" as cents; it is for tests and seed files.
func ParseCents(s string) (int64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 9e15 {
		return 0, fmt.Errorf("%q is not an amount: write it like 1234.56", s)
	}
	return int64(math.Round(f * 100)), nil
}
