package funds

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"math"
	"slices"
	"sync"
	"unsafe"
)

// SnapshotVersion is the version of the snapshot format WriteSnapshot writes. ReadSnapshot
// reads only this version: a snapshot is derived data, rebuilt from the store when stale.
const SnapshotVersion = 1

// A snapshot is the graph's arrays written raw, so that reading it back is a few large reads
// instead of rebuilding the graph from the store's rows (docs/funds.md, "Graph snapshots"):
//
//	header   snapHeader, little-endian, ending with a CRC-32C of the bytes before it
//	payload  From, To (int32 × edges), Amount, Time (int64), Channel, Memo (uint16),
//	         BalFrom, BalTo (int64), outStart (int32 × accounts+1), outEdge, inStart, inEdge,
//	         InData, Balanced (one byte each), cardOf (int32 pairs, by card),
//	         then the string tables Names, Holder, TxID, Channels, Memos: each n+1 offsets
//	         (uint32, or uint64 when its bit in Wide is set) and the bytes of the strings
//	trailer  CRC-32C (Castagnoli) of the payload, uint32
//
// Every multi-byte value is little-endian.
var snapshotMagic = [8]byte{'P', 'R', 'O', 'C', 'U', 'R', 'A', 'G'}

type snapHeader struct {
	Magic                                   [8]byte
	Version                                 uint32
	Wide                                    uint32 // bit i: string table i has uint64 offsets
	Accounts, Edges, Channels, Memos, Cards uint64
	OutEdges, InEdges                       uint64
	Rows, ZeroRows, MergedRows              int64
	Blob                                    [numTables]uint64 // bytes of each string table
	CRC                                     uint32            // of the header's bytes before it
	_                                       uint32
}

const (
	tabNames = iota
	tabHolder
	tabTxID
	tabChannels
	tabMemos
	numTables
)

var (
	castagnoli   = crc32.MakeTable(crc32.Castagnoli)
	littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
	// ErrSnapshot marks every error of ReadSnapshot about the file's content (not its reading).
	ErrSnapshot = errors.New("not a usable graph snapshot")
)

// snapErr says what is wrong with a snapshot; it wraps ErrSnapshot.
func snapErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSnapshot}, args...)...)
}

// WriteSnapshot writes the graph in the snapshot format (see SnapshotVersion).
func (g *Graph) WriteSnapshot(w io.Writer) error {
	tables := g.stringTables()
	h := snapHeader{Magic: snapshotMagic, Version: SnapshotVersion,
		Accounts: uint64(len(g.Names)), Edges: uint64(len(g.From)), Channels: uint64(len(g.Channels)),
		Memos: uint64(len(g.Memos)), Cards: uint64(len(g.cardOf)), OutEdges: uint64(len(g.outEdge)),
		InEdges: uint64(len(g.inEdge)), Rows: g.Rows, ZeroRows: g.ZeroRows, MergedRows: g.MergedRows}
	for i, t := range tables {
		for _, s := range t {
			h.Blob[i] += uint64(len(s))
		}
		if h.Blob[i] > math.MaxUint32 {
			h.Wide |= 1 << i
		}
	}
	var hb bytes.Buffer
	binary.Write(&hb, binary.LittleEndian, &h) // a bytes.Buffer does not fail
	h.CRC = crc32.Checksum(hb.Bytes()[:snapHeaderSize-8], castagnoli)
	hb.Reset()
	binary.Write(&hb, binary.LittleEndian, &h)
	if _, err := w.Write(hb.Bytes()); err != nil {
		return err
	}
	sw := &snapWriter{w: w, crc: crc32.New(castagnoli)}
	writeRaw(sw, g.From)
	writeRaw(sw, g.To)
	writeRaw(sw, g.Amount)
	writeRaw(sw, g.Time)
	writeRaw(sw, g.Channel)
	writeRaw(sw, g.Memo)
	writeRaw(sw, g.BalFrom)
	writeRaw(sw, g.BalTo)
	writeRaw(sw, g.outStart)
	writeRaw(sw, g.outEdge)
	writeRaw(sw, g.inStart)
	writeRaw(sw, g.inEdge)
	writeRaw(sw, g.InData)
	writeRaw(sw, g.Balanced)
	// By card id, so that the same graph always gives the same bytes.
	cards := make([]int32, 0, 2*len(g.cardOf))
	for _, c := range slices.Sorted(maps.Keys(g.cardOf)) {
		cards = append(cards, c, g.cardOf[c])
	}
	writeRaw(sw, cards)
	for i, t := range tables {
		writeStrings(sw, t, h.Wide&(1<<i) != 0)
	}
	if sw.err != nil {
		return sw.err
	}
	return binary.Write(w, binary.LittleEndian, sw.crc.Sum32())
}

func (g *Graph) stringTables() [numTables][]string {
	return [numTables][]string{tabNames: g.Names, tabHolder: g.Holder, tabTxID: g.TxID, tabChannels: g.Channels, tabMemos: g.Memos}
}

var snapHeaderSize = binary.Size(snapHeader{})

// snapWriter writes the payload and its checksum, keeping the first error.
type snapWriter struct {
	w   io.Writer
	crc hash.Hash32
	err error
}

func (sw *snapWriter) write(p []byte) {
	if sw.err != nil || len(p) == 0 {
		return
	}
	sw.crc.Write(p)
	_, sw.err = sw.w.Write(p)
}

type rawValue interface {
	~bool | ~uint8 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64
}

// bytesOf is the memory of s as bytes (native order).
func bytesOf[T rawValue](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

func writeRaw[T rawValue](sw *snapWriter, s []T) {
	b := bytesOf(s)
	if !littleEndian {
		b = slices.Clone(b)
		swapBytes(b, sizeOf[T]())
	}
	sw.write(b)
}

func sizeOf[T rawValue]() int {
	var zero T
	return int(unsafe.Sizeof(zero))
}

// swapBytes turns values of the given size between little- and big-endian, in place.
func swapBytes(b []byte, size int) {
	for i := 0; i+size <= len(b); i += size {
		slices.Reverse(b[i : i+size])
	}
}

func writeStrings(sw *snapWriter, t []string, wide bool) {
	var off uint64
	if wide {
		offs := make([]uint64, 0, len(t)+1)
		offs = append(offs, 0)
		for _, s := range t {
			off += uint64(len(s))
			offs = append(offs, off)
		}
		writeRaw(sw, offs)
	} else {
		offs := make([]uint32, 0, len(t)+1)
		offs = append(offs, 0)
		for _, s := range t {
			off += uint64(len(s))
			offs = append(offs, uint32(off))
		}
		writeRaw(sw, offs)
	}
	bw := bufio.NewWriterSize(writerFunc(func(p []byte) (int, error) { sw.write(p); return len(p), sw.err }), 1<<20)
	for _, s := range t {
		bw.WriteString(s)
	}
	if err := bw.Flush(); err != nil && sw.err == nil {
		sw.err = err
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// snapReader reads the payload, checksumming it. left is the number of bytes the source still
// holds when it can say (a file, a bytes.Reader), or -1.
type snapReader struct {
	r    io.Reader
	crc  uint32
	left int64
}

// maxChunk bounds each allocation when the source cannot say its size, so that a header
// claiming huge counts fails as truncated instead of allocating them.
const maxChunk = 1 << 24

func (sr *snapReader) fill(b []byte) error {
	if _, err := io.ReadFull(sr.r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return snapErr("the file is truncated")
		}
		return err
	}
	sr.crc = crc32.Update(sr.crc, castagnoli, b)
	return nil
}

func readRaw[T rawValue](sr *snapReader, n uint64) ([]T, error) {
	size := uint64(sizeOf[T]())
	if sr.left >= 0 {
		s := make([]T, n)
		if err := sr.fill(bytesOf(s)); err != nil {
			return nil, err
		}
		return fixOrder(s), nil
	}
	s := make([]T, 0, min(n, maxChunk/size))
	for uint64(len(s)) < n {
		k := min(n-uint64(len(s)), maxChunk/size)
		s = slices.Grow(s, int(k))
		part := s[len(s) : len(s)+int(k)]
		if err := sr.fill(bytesOf(part)); err != nil {
			return nil, err
		}
		s = s[:len(s)+int(k)]
	}
	return fixOrder(s), nil
}

func fixOrder[T rawValue](s []T) []T {
	if !littleEndian {
		swapBytes(bytesOf(s), sizeOf[T]())
	}
	return s
}

// readStrings reads a string table of n strings and blob bytes. The strings share one
// allocation (the table's bytes), which stays alive while any of them does.
func readStrings(sr *snapReader, n, blob uint64, wide bool) ([]string, error) {
	var offs []uint64
	if wide {
		o, err := readRaw[uint64](sr, n+1)
		if err != nil {
			return nil, err
		}
		offs = o
	} else {
		o, err := readRaw[uint32](sr, n+1)
		if err != nil {
			return nil, err
		}
		offs = make([]uint64, len(o))
		for i, v := range o {
			offs[i] = uint64(v)
		}
	}
	b, err := readRaw[byte](sr, blob)
	if err != nil {
		return nil, err
	}
	if offs[0] != 0 || offs[n] != blob {
		return nil, snapErr("a string table's offsets do not span its bytes")
	}
	all := unsafe.String(unsafe.SliceData(b), len(b))
	out := make([]string, n)
	for i := range out {
		lo, hi := offs[i], offs[i+1]
		if lo > hi || hi > blob {
			return nil, snapErr("a string table's offsets are out of order")
		}
		out[i] = all[lo:hi]
	}
	return out, nil
}

// maxCount bounds the header's counts: ids are int32, and sums of sizes must not overflow.
const maxCount = math.MaxInt32

func (h *snapHeader) check() error {
	if h.Magic != snapshotMagic {
		return snapErr("it does not start with %q", snapshotMagic[:])
	}
	if h.Version != SnapshotVersion {
		return snapErr("format version %d, this procura reads version %d", h.Version, SnapshotVersion)
	}
	for _, c := range []uint64{h.Accounts, h.Edges, h.Channels, h.Memos, h.Cards, h.OutEdges, h.InEdges} {
		if c >= maxCount {
			return snapErr("a count (%d) is out of range", c)
		}
	}
	for _, b := range h.Blob {
		if b > 1<<40 {
			return snapErr("a string table's size (%d bytes) is out of range", b)
		}
	}
	if h.OutEdges > h.Edges || h.InEdges > h.Edges || h.Cards > h.Accounts || h.Wide >= 1<<numTables {
		return snapErr("its counts are inconsistent")
	}
	return nil
}

// payloadSize is the size of the payload the header describes.
func (h *snapHeader) payloadSize() uint64 {
	e, a := h.Edges, h.Accounts
	n := e*(4+4+8+8+2+2+8+8) + 2*4*(a+1) + 4*(h.OutEdges+h.InEdges) + 2*a + 8*h.Cards
	counts := [numTables]uint64{a, a, e, h.Channels, h.Memos}
	for i, c := range counts {
		w := uint64(4)
		if h.Wide&(1<<i) != 0 {
			w = 8
		}
		n += w*(c+1) + h.Blob[i]
	}
	return n
}

// sourceSize is the number of bytes r holds from where it is, or -1 when it cannot say.
func sourceSize(r io.Reader) int64 {
	switch s := r.(type) {
	case interface{ Len() int }:
		return int64(s.Len())
	case interface {
		Stat() (fs.FileInfo, error)
		io.Seeker
	}:
		info, err := s.Stat()
		if err != nil || !info.Mode().IsRegular() {
			return -1
		}
		pos, err := s.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return info.Size() - pos
	}
	return -1
}

// ReadSnapshot reads a graph WriteSnapshot wrote. A file that is not a snapshot, of another
// format version, truncated or damaged gives an error wrapping ErrSnapshot; the graph is
// checked (ids in range, edges in time order, adjacency matching the edges) before use.
func ReadSnapshot(r io.Reader) (*Graph, error) {
	size := sourceSize(r)
	head := make([]byte, snapHeaderSize)
	if _, err := io.ReadFull(r, head); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, snapErr("the file is shorter than a snapshot's header")
		}
		return nil, err
	}
	var h snapHeader
	binary.Read(bytes.NewReader(head), binary.LittleEndian, &h) // the size is right
	if err := h.check(); err != nil {
		return nil, err
	}
	if crc32.Checksum(head[:snapHeaderSize-8], castagnoli) != h.CRC {
		return nil, snapErr("its header is damaged (checksum mismatch)")
	}
	sr := &snapReader{r: r, left: -1}
	if size >= 0 {
		want := uint64(snapHeaderSize) + h.payloadSize() + 4
		if uint64(size) != want {
			return nil, snapErr("the file holds %d bytes but its header describes %d: it is truncated or damaged", size, want)
		}
		sr.left = int64(want)
	}
	g, err := readPayload(sr, &h)
	if err != nil {
		return nil, err
	}
	var sum [4]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil {
		return nil, snapErr("the file is truncated")
	}
	if binary.LittleEndian.Uint32(sum[:]) != sr.crc {
		return nil, snapErr("its content is damaged (checksum mismatch)")
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return g, nil
}

func readPayload(sr *snapReader, h *snapHeader) (*Graph, error) {
	g := &Graph{Rows: h.Rows, ZeroRows: h.ZeroRows, MergedRows: h.MergedRows}
	e, a := h.Edges, h.Accounts
	var err error
	steps := []func() error{
		func() (err error) { g.From, err = readRaw[int32](sr, e); return },
		func() (err error) { g.To, err = readRaw[int32](sr, e); return },
		func() (err error) { g.Amount, err = readRaw[int64](sr, e); return },
		func() (err error) { g.Time, err = readRaw[int64](sr, e); return },
		func() (err error) { g.Channel, err = readRaw[uint16](sr, e); return },
		func() (err error) { g.Memo, err = readRaw[uint16](sr, e); return },
		func() (err error) { g.BalFrom, err = readRaw[int64](sr, e); return },
		func() (err error) { g.BalTo, err = readRaw[int64](sr, e); return },
		func() (err error) { g.outStart, err = readRaw[int32](sr, a+1); return },
		func() (err error) { g.outEdge, err = readRaw[int32](sr, h.OutEdges); return },
		func() (err error) { g.inStart, err = readRaw[int32](sr, a+1); return },
		func() (err error) { g.inEdge, err = readRaw[int32](sr, h.InEdges); return },
		// Bools are read as bytes and checked: a byte other than 0 or 1 is no bool.
		func() error { return readBools(sr, a, &g.InData) },
		func() error { return readBools(sr, a, &g.Balanced) },
		func() error {
			pairs, err := readRaw[int32](sr, 2*h.Cards)
			if err != nil {
				return err
			}
			g.cardOf = make(map[int32]int32, h.Cards)
			for i := 0; i < len(pairs); i += 2 {
				if !inRange(pairs[i], a) || !inRange(pairs[i+1], a) {
					return snapErr("a card names account %d or %d of %d", pairs[i], pairs[i+1], a)
				}
				g.cardOf[pairs[i]] = pairs[i+1]
			}
			if uint64(len(g.cardOf)) != h.Cards {
				return snapErr("a card is listed twice")
			}
			return nil
		},
	}
	for _, step := range steps {
		if err = step(); err != nil {
			return nil, err
		}
	}
	counts := [numTables]uint64{a, a, e, h.Channels, h.Memos}
	dst := [numTables]*[]string{&g.Names, &g.Holder, &g.TxID, &g.Channels, &g.Memos}
	for i := range numTables {
		if *dst[i], err = readStrings(sr, counts[i], h.Blob[i], h.Wide&(1<<i) != 0); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func readBools(sr *snapReader, n uint64, dst *[]bool) error {
	b, err := readRaw[byte](sr, n)
	if err != nil {
		return err
	}
	for _, v := range b {
		if v > 1 {
			return snapErr("a flag byte is %d, not 0 or 1", v)
		}
	}
	*dst = unsafe.Slice((*bool)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
	if *dst == nil {
		*dst = []bool{}
	}
	return nil
}

func inRange(id int32, n uint64) bool { return id >= 0 && uint64(id) < n }

// check verifies what the rest of the package relies on, so that a snapshot that passed its
// checksums but was not written by WriteSnapshot cannot make a trace index out of range; it
// also builds the account index. The three parts run at once: they read different arrays.
func (g *Graph) check() error {
	var errs [3]error
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = g.checkEdges() })
	wg.Go(func() {
		if err := checkCSR(g.outStart, g.outEdge, g.From); err != nil {
			errs[1] = snapErr("outgoing adjacency: %v", err)
		}
	})
	wg.Go(func() {
		if err := checkCSR(g.inStart, g.inEdge, g.To); err != nil {
			errs[2] = snapErr("incoming adjacency: %v", err)
		}
	})
	wg.Wait()
	return errors.Join(errs[:]...)
}

func (g *Graph) checkEdges() error {
	a := uint64(len(g.Names))
	for i := range g.From {
		f, t := g.From[i], g.To[i]
		if (f != -1 && !inRange(f, a)) || (t != -1 && !inRange(t, a)) {
			return snapErr("edge %d names account %d or %d of %d", i, f, t, a)
		}
		if g.Amount[i] <= 0 || (i > 0 && g.Time[i] < g.Time[i-1]) {
			return snapErr("edge %d has a non-positive amount or is out of time order", i)
		}
		if int(g.Channel[i]) >= len(g.Channels) || int(g.Memo[i]) >= len(g.Memos) {
			return snapErr("edge %d names channel %d or memo %d, beyond the tables", i, g.Channel[i], g.Memo[i])
		}
	}
	g.index = make(map[string]int32, len(g.Names))
	for i, n := range g.Names {
		g.index[n] = int32(i)
	}
	if len(g.index) != len(g.Names) {
		return snapErr("an account number is listed twice")
	}
	return nil
}

// checkCSR verifies that list holds, account by account, exactly the edges whose end is that
// account, in ascending order.
func checkCSR(start, list, ends []int32) error {
	if start[0] != 0 || int(start[len(start)-1]) != len(list) {
		return errors.New("offsets do not span the edge list")
	}
	var linked int
	for _, a := range ends {
		if a >= 0 {
			linked++
		}
	}
	if linked != len(list) {
		return fmt.Errorf("%d edges listed for %d with an account", len(list), linked)
	}
	for a := range len(start) - 1 {
		lo, hi := start[a], start[a+1]
		if lo > hi || int(hi) > len(list) {
			return errors.New("offsets out of order")
		}
		prev := int32(-1)
		for _, e := range list[lo:hi] {
			if e <= prev || int(e) >= len(ends) || ends[e] != int32(a) {
				return fmt.Errorf("account %d lists edge %d, which is not its own or out of order", a, e)
			}
			prev = e
		}
	}
	return nil
}
