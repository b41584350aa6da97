package app

import (
	"sync"
	"time"

	"procura/internal/funds"
)

// graphCacheIdle is how long the last graph loaded stays in memory without being used.
const graphCacheIdle = 10 * time.Minute

// graphCache keeps the last transactions graph loaded for a while: on the fund-flow page an
// analyst expands one account after another, and loading a medium dataset takes seconds
// each time. One graph at most, dropped after graphCacheIdle without use (a medium graph
// holds hundreds of megabytes); a dataset imported into since is loaded again (from its
// snapshot, graph_cache.go). The zero value is an empty cache.
type graphCache struct {
	mu      sync.Mutex
	dataset string
	version string
	g       *funds.Graph
	timer   *time.Timer
}

func (c *graphCache) get(dataset, version string) *funds.Graph {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.g == nil || c.dataset != dataset || c.version != version {
		return nil
	}
	c.timer.Reset(graphCacheIdle)
	return c.g
}

func (c *graphCache) put(dataset, version string, g *funds.Graph) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dataset, c.version, c.g = dataset, version, g
	if c.timer == nil {
		c.timer = time.AfterFunc(graphCacheIdle, c.drop)
		return
	}
	c.timer.Reset(graphCacheIdle)
}

func (c *graphCache) drop() {
	c.mu.Lock()
	c.dataset, c.version, c.g = "", "", nil
	c.mu.Unlock()
}
