package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/jackc/pgx/v5/stdlib"
)

// scanCopy reads the query's result through PostgreSQL's COPY … TO STDOUT in binary format
// and hands it on in batches of TxColumns.
func (s *Store) scanCopy(ctx context.Context, q string, fn func(*TxColumns) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errNoColumnar
		}
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			// PostgreSQL sends a message per row; hand them to the parser a megabyte at a
			// time, not one by one.
			bw := bufio.NewWriterSize(pw, 1<<20)
			_, err := pc.Conn().PgConn().CopyTo(ctx, bw, "COPY ("+q+") TO STDOUT (FORMAT binary)")
			if err == nil {
				err = bw.Flush()
			}
			pw.CloseWithError(err)
			done <- err
		}()
		err := readCopyBinary(pr, 1<<15, fn)
		if err != nil {
			pr.CloseWithError(err)
		}
		if cerr := <-done; err == nil && cerr != nil {
			err = cerr
		}
		return err
	})
}

// copySignature starts every binary COPY stream.
var copySignature = []byte("PGCOPY\n\xff\r\n\x00")

// readCopyBinary parses a binary COPY stream of txColumnsSQL's twelve columns (eight text,
// four int8) into batches of up to batch rows. The strings of a batch share one allocation.
func readCopyBinary(r io.Reader, batch int, fn func(*TxColumns) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	head := make([]byte, len(copySignature)+8)
	if _, err := io.ReadFull(br, head); err != nil {
		return fmt.Errorf("binary COPY header: %w", err)
	}
	if !bytes.Equal(head[:len(copySignature)], copySignature) {
		return errors.New("binary COPY stream has no PGCOPY signature")
	}
	if ext := binary.BigEndian.Uint32(head[len(copySignature)+4:]); ext > 0 {
		if _, err := br.Discard(int(ext)); err != nil {
			return fmt.Errorf("binary COPY header extension: %w", err)
		}
	}
	var c TxColumns
	c.reset(batch)
	var text []byte
	var ends [][8]int32 // per row, the end of each text field in text
	var b4 [4]byte
	var b8 [8]byte
	flush := func() error {
		all := string(text)
		strs := []*[]string{&c.TxID, &c.Account, &c.Card, &c.Counterparty, &c.Channel, &c.Holder, &c.CounterpartyName, &c.Memo}
		start := int32(0)
		for _, e := range ends {
			for j, dst := range strs {
				*dst = append(*dst, all[start:e[j]])
				start = e[j]
			}
		}
		c.N = len(ends)
		err := fn(&c)
		c.reset(batch)
		text, ends = text[:0], ends[:0]
		return err
	}
	for {
		if _, err := io.ReadFull(br, b4[:2]); err != nil {
			return fmt.Errorf("binary COPY row: %w", err)
		}
		n := int16(binary.BigEndian.Uint16(b4[:2]))
		if n == -1 {
			break
		}
		if n != 12 {
			return fmt.Errorf("binary COPY row has %d fields, want 12", n)
		}
		var e [8]int32
		for j := range 12 {
			if _, err := io.ReadFull(br, b4[:]); err != nil {
				return fmt.Errorf("binary COPY field: %w", err)
			}
			size := int32(binary.BigEndian.Uint32(b4[:]))
			switch {
			case j < 8 && size >= 0:
				if len(text)+int(size) > math.MaxInt32 {
					return errors.New("binary COPY batch text over 2 GiB")
				}
				start := len(text)
				text = slices.Grow(text, int(size))[:start+int(size)]
				if _, err := io.ReadFull(br, text[start:]); err != nil {
					return fmt.Errorf("binary COPY field: %w", err)
				}
				e[j] = int32(len(text))
			case j < 8:
				e[j] = int32(len(text)) // NULL text is ""
			case size == -1:
				c.appendInt(j, math.MinInt64)
			case size == 8:
				if _, err := io.ReadFull(br, b8[:]); err != nil {
					return fmt.Errorf("binary COPY field: %w", err)
				}
				c.appendInt(j, int64(binary.BigEndian.Uint64(b8[:])))
			default:
				return fmt.Errorf("binary COPY field %d has %d bytes, want an 8-byte integer", j+1, size)
			}
		}
		ends = append(ends, e)
		if len(ends) == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(ends) > 0 {
		return flush()
	}
	return nil
}

func (c *TxColumns) appendInt(j int, v int64) {
	switch j {
	case 8:
		c.Cents = append(c.Cents, v)
	case 9:
		c.Unix = append(c.Unix, v)
	case 10:
		c.Balance = append(c.Balance, v)
	default:
		c.Order = append(c.Order, v)
	}
}
