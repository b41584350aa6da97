package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"procura/internal/mask"
	"procura/internal/store"
)

// Two things every request needs change rarely: the datasets' schemas (masking a clue's
// fields needs to know which columns hold identifiers) and the session or token behind the
// request. Reading them from the database on every request cost about half of the CPU time
// of a clue list (docs/BENCHMARKS.md, "HTTP load"), so the App keeps them in memory, checked
// against the store's write generations (store.Generations), which move after every write
// this process makes to datasets, users or credentials.

// schemaSnapshot is what the App derives from the datasets' schemas.
type schemaSnapshot struct {
	sum   [sha256.Size]byte // digest of the schemas it was built from
	names []string          // dataset names, sorted
	plan  maskPlan          // basePlan extended by the columns' semantic types; read-only
}

// schemaCache holds the last schemaSnapshot and the dataset generation it was read at.
type schemaCache struct {
	mu   sync.Mutex
	gen  int64
	snap *schemaSnapshot
}

// datasetSchemas returns the snapshot of the datasets' schemas. On DuckDB the workspace is
// held by this process alone, so the snapshot is current while the store's dataset
// generation has not moved and no query is made. On PostgreSQL other processes may import
// at any time, so the schemas are read (one small query, without the row counts and
// batches of Datasets) and only the parsing and the mask plan are reused while they are
// unchanged: never stale, whoever wrote.
func (a *App) datasetSchemas(ctx context.Context) (*schemaSnapshot, error) {
	gen := a.st.Generations().Datasets
	a.schemas.mu.Lock()
	cur, fresh := a.schemas.snap, a.schemas.gen == gen
	a.schemas.mu.Unlock()
	if cur != nil && fresh && !a.st.SharedDatabase() {
		return cur, nil
	}
	infos, err := a.st.DatasetSchemas(ctx)
	if err != nil {
		return nil, err
	}
	sum := schemasDigest(infos)
	snap := cur
	if cur == nil || cur.sum != sum {
		snap = buildSchemaSnapshot(infos, sum)
	}
	a.schemas.mu.Lock()
	// gen was read before the schemas: if a write moved it since, the snapshot is kept
	// under the older generation and the next call reads again.
	if a.schemas.snap == nil || gen >= a.schemas.gen {
		a.schemas.gen, a.schemas.snap = gen, snap
	}
	a.schemas.mu.Unlock()
	return snap, nil
}

func schemasDigest(infos []store.DatasetInfo) [sha256.Size]byte {
	h := sha256.New()
	for _, d := range infos {
		h.Write([]byte(d.Name))
		h.Write([]byte{0})
		h.Write([]byte(d.Kind))
		h.Write([]byte{0})
		h.Write([]byte(d.ColumnsJSON))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// buildSchemaSnapshot maps the column names of the datasets to their semantic types (a name
// used with two semantic types keeps the one that masks) and makes the mask plan.
func buildSchemaSnapshot(infos []store.DatasetInfo, sum [sha256.Size]byte) *schemaSnapshot {
	semantic := map[string]string{}
	names := make([]string, 0, len(infos))
	for _, d := range infos {
		names = append(names, d.Name)
		var sch struct {
			Columns []DatasetColumn `json:"columns"`
		}
		if d.ColumnsJSON == "" || json.Unmarshal([]byte(d.ColumnsJSON), &sch) != nil {
			continue
		}
		for _, c := range sch.Columns {
			if _, masks := mask.KindOf(semantic[c.Name]); !masks {
				semantic[c.Name] = c.Semantic
			}
		}
	}
	return &schemaSnapshot{sum: sum, names: names, plan: basePlan.withColumns(semantic)}
}

// authCacheTTL is how long an authenticated session or token is trusted without reading it
// again. Revocations, disabling, role changes and password resets made through this
// process take effect at once (they move the store's auth generation); made by another
// process on the same PostgreSQL database, they take effect within authCacheTTL.
const authCacheTTL = 3 * time.Second

// authCacheMax bounds the cache; when full it is emptied (only valid credentials enter it,
// so its size is the number of sessions active in the last few seconds).
const authCacheMax = 10_000

// authEntry is a credential that authenticated, with what Authenticate needs of its user.
type authEntry struct {
	cred   store.Credential
	name   string
	role   string
	gen    int64     // the store's auth generation read before the credential was
	readAt time.Time // when it was read (App clock)
}

// authCache maps the SHA-256 of a secret to the credential it proved.
type authCache struct {
	mu sync.Mutex
	m  map[string]authEntry
}

// get returns the entry for hash if it was read at generation gen less than
// authCacheTTL before now.
func (c *authCache) get(hash string, gen int64, now time.Time) (authEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || e.gen != gen {
		return authEntry{}, false
	}
	if age := now.Sub(e.readAt); age < 0 || age >= authCacheTTL {
		delete(c.m, hash)
		return authEntry{}, false
	}
	return e, true
}

func (c *authCache) put(hash string, e authEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= authCacheMax {
		c.m = map[string]authEntry{}
	}
	c.m[hash] = e
}

// touched records in the cached entry that the credential's use was written at t, so the
// next requests do not write it again within the minute.
func (c *authCache) touched(hash string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[hash]; ok {
		e.cred.LastUsedAt = t
		c.m[hash] = e
	}
}
