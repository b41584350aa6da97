package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"procura/internal/funds"
)

// graphCacheIdle is how long the last graph loaded stays in memory without being used.
const graphCacheIdle = 10 * time.Minute

// graphCache keeps the last transactions graph loaded for a while: on the fund-flow page an
// analyst expands one account after another, and loading a medium dataset takes seconds
// each time. One graph at most, dropped after graphCacheIdle without use (a medium graph
// holds hundreds of megabytes); a dataset that changed since (rows or last update) is loaded
// again. The zero value is an empty cache.
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

// datasetVersion says which state of a dataset a graph was loaded from: its rows and last
// update ("" when the dataset is unknown: never cached).
func (a *App) datasetVersion(ctx context.Context, dataset string) string {
	infos, err := a.st.Datasets(ctx)
	if err != nil {
		return ""
	}
	for _, d := range infos {
		if d.Name == dataset {
			return fmt.Sprintf("%d@%s", d.Rows, d.UpdatedAt.Format(time.RFC3339Nano))
		}
	}
	return ""
}

// cachedGraph is LoadGraph through the cache. The permission is checked on every call.
func (a *App) cachedGraph(ctx context.Context, dataset string) (*funds.Graph, error) {
	if _, err := a.authorize(ctx, ActTraceRun); err != nil {
		return nil, err
	}
	version := a.datasetVersion(ctx, dataset)
	if g := a.graphs.get(dataset, version); g != nil && version != "" {
		return g, nil
	}
	g, err := loadGraph(ctx, a.st, dataset, nil)
	if err != nil {
		return nil, err
	}
	if version != "" {
		a.graphs.put(dataset, version, g)
	}
	return g, nil
}
