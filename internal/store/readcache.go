package store

import (
	"fmt"
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

// The kept answers are bounded by their number and by the rows they hold together (a page
// of 50 clues is about 30 kB); when either is reached they are all dropped. 4,096 answers
// cover every page of the benchmark's clue lists for each of its twenty users.
const (
	readCacheMaxAnswers = 4096
	readCacheMaxRows    = 100_000
)

// readCache holds answers read at generation gen, by query and arguments.
type readCache struct {
	mu   sync.Mutex
	gen  int64
	m    map[string]any
	rows int // rows held by the answers in m
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
	if gen < c.gen {
		return v, nil
	}
	if gen > c.gen || c.m == nil || len(c.m) >= readCacheMaxAnswers || c.rows+rows > readCacheMaxRows {
		c.gen, c.m, c.rows = gen, map[string]any{}, 0
	}
	c.m[key] = v
	c.rows += rows
	return v, nil
}
