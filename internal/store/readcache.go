package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// The clue lists and counts that the server's pages and API read on nearly every request
// cost DuckDB a few milliseconds of CPU each, however small the answer (docs/BENCHMARKS.md,
// "HTTP load"). On DuckDB the workspace belongs to this process (procura.lock), so every
// write that could change those answers passes through this Store: the answers are kept in
// memory under the read generation, which moves after every transaction (commit or
// rollback) and after the writes outside a transaction to the tables they read (clues:
// ReviewClue; case_grants: GrantCase, RevokeCase). On PostgreSQL other processes write too,
// and nothing is kept.

// The kept answers are bounded by their number and by the rows they hold together; clue
// lists keep the page's ids, and each clue is kept once (clueRows), so a page costs a few
// hundred bytes and every clue about one kilobyte. When a bound is reached everything is
// dropped. 16,384 answers cover every page of the benchmark's clue lists for each of its
// twenty users many times over.
const (
	readCacheMaxAnswers = 16_384
	readCacheMaxRows    = 200_000
	readCacheMaxClues   = 200_000
)

// readCache holds answers and clues read at generation gen, by query and arguments.
type readCache struct {
	mu    sync.Mutex
	gen   int64
	m     map[string]any
	rows  int // rows held by the answers in m
	clues map[int64]Clue
}

// at empties the cache when gen is newer than what it holds, and reports whether what it
// holds is of generation gen (false: the caller read at an older one and must not keep it).
// The caller holds c.mu.
func (c *readCache) at(gen int64) bool {
	if gen < c.gen {
		return false
	}
	if gen > c.gen || c.m == nil {
		c.gen, c.m, c.rows, c.clues = gen, map[string]any{}, 0, map[int64]Clue{}
	}
	return true
}

// changed moves the read generation; it runs after the write it follows is visible.
func (s *Store) changed() { s.readGen.Add(1) }

// remember returns the answer kept for query and args, or loads it (with the number of rows
// it holds) and keeps it. The answer must not be changed by the caller: return copies of it.
func (s *Store) remember(query string, args []any, load func() (any, int, error)) (any, error) {
	if s.dialect.name != BackendDuckDB {
		v, _, err := load()
		return v, err
	}
	key := query + "\x00" + fmt.Sprintf("%#v", args)
	gen := s.readGen.Load()
	c := &s.reads
	c.mu.Lock()
	v, ok := c.m[key]
	ok = ok && c.gen == gen
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	// gen was read before the query: a write that ends while it runs moves the generation
	// and the answer is then kept under the old one, which no later call uses.
	v, rows, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at(gen) {
		return v, nil
	}
	if len(c.m) >= readCacheMaxAnswers || c.rows+rows > readCacheMaxRows {
		c.m, c.rows = map[string]any{}, 0
	}
	c.m[key] = v
	c.rows += rows
	return v, nil
}

// clueRows reads the clues ids, in that order, taking those kept at the current generation
// from memory (on DuckDB) and reading the others in one query. A clue that no longer exists
// is left out.
func (s *Store) clueRows(ctx context.Context, ids []int64) ([]Clue, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keep := s.dialect.name == BackendDuckDB
	gen := s.readGen.Load()
	found := make(map[int64]Clue, len(ids))
	var missing []string
	c := &s.reads
	if keep {
		c.mu.Lock()
		fresh := c.gen == gen && c.clues != nil
		for _, id := range ids {
			if cl, ok := c.clues[id]; ok && fresh {
				found[id] = cl
			} else {
				missing = append(missing, strconv.FormatInt(id, 10))
			}
		}
		c.mu.Unlock()
	} else {
		for _, id := range ids {
			missing = append(missing, strconv.FormatInt(id, 10))
		}
	}
	if len(missing) > 0 {
		// The ids are integers, written into the query as the IDs filter is.
		rows, err := s.db.QueryContext(ctx, `SELECT `+clueColumns+` FROM clues WHERE id IN (`+strings.Join(missing, ",")+`)`)
		if err != nil {
			return nil, fmt.Errorf("list clues: %w", err)
		}
		var read []Clue
		for rows.Next() {
			cl, err := scanClue(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("list clues: %w", err)
			}
			read = append(read, cl)
			found[cl.ID] = cl
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("list clues: %w", err)
		}
		if keep {
			c.mu.Lock()
			if c.at(gen) {
				if len(c.clues)+len(read) > readCacheMaxClues {
					c.clues = map[int64]Clue{}
				}
				for _, cl := range read {
					c.clues[cl.ID] = cl
				}
			}
			c.mu.Unlock()
		}
	}
	out := make([]Clue, 0, len(ids))
	for _, id := range ids {
		if cl, ok := found[id]; ok {
			out = append(out, cl)
		}
	}
	return out, nil
}
