package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"procura/internal/audit"
	"procura/internal/ident"
	"procura/internal/resolve"
)

// Resolved is the latest entity resolution of a workspace dataset as the graph uses it: every
// identity number of a resolved entity mapped to the one that stands for the entity.
type Resolved struct {
	Dataset   string            `json:"dataset"`
	At        time.Time         `json:"at"`
	Entities  int               `json:"entities"` // entities with two or more distinct identity numbers
	Canonical map[string]string `json:"canonical"`
}

// ResolvedInfo says which resolution a graph used.
type ResolvedInfo struct {
	Dataset string    `json:"dataset"`
	At      time.Time `json:"at"`
	Merged  int       `json:"merged_id_numbers"` // identity numbers folded into another
}

func (a *App) resolvedPath() string { return filepath.Join(a.cfg.Workspace, "resolve", "latest.json") }

// canonicalIDs maps the identity numbers of each cluster to one of them: the most frequent
// valid resident ID (a mistyped one fails its check digit), else the most frequent number,
// ties to the smallest. Clusters whose records carry one number give no entry.
func canonicalIDs(recs []resolve.Record, res *resolve.Result) (map[string]string, int) {
	ids := make([]map[string]int, len(res.Clusters))
	for i, c := range res.ClusterOf {
		if c < 0 {
			continue
		}
		id := strings.ToUpper(strings.TrimSpace(recs[i].IDNumber))
		if id == "" {
			continue
		}
		if ids[c] == nil {
			ids[c] = map[string]int{}
		}
		ids[c][id]++
	}
	out := map[string]string{}
	entities := 0
	for _, m := range ids {
		if len(m) < 2 {
			continue
		}
		entities++
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		valid := func(s string) int {
			if _, err := ident.ParseResidentID(s); err == nil {
				return 1
			}
			return 0
		}
		slices.SortFunc(keys, func(x, y string) int {
			return cmp.Or(cmp.Compare(valid(y), valid(x)), cmp.Compare(m[y], m[x]), strings.Compare(x, y))
		})
		for _, k := range keys[1:] {
			out[k] = keys[0]
		}
	}
	return out, entities
}

// saveResolved keeps a dataset's resolution for the graph and records it in the audit log.
func (a *App) saveResolved(ctx context.Context, dataset string, recs []resolve.Record, res *resolve.Result) error {
	canon, entities := canonicalIDs(recs, res)
	r := Resolved{Dataset: dataset, At: time.Now().UTC(), Entities: entities, Canonical: canon}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	path := a.resolvedPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("keep the resolution for the graph: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("keep the resolution for the graph: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("keep the resolution for the graph: %w", err)
	}
	l, err := a.auditLog()
	if err != nil {
		return err
	}
	_, err = l.Append(ctx, audit.Event{Actor: a.actorName(ctx), Action: "resolve.saved", ObjectType: "dataset", ObjectID: dataset,
		New: map[string]any{"entities": entities, "merged_id_numbers": len(canon), "records": len(recs)}})
	return err
}

// latestResolved reads the resolution the graph uses, if any.
func (a *App) latestResolved() (*Resolved, error) {
	b, err := os.ReadFile(a.resolvedPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the latest resolution: %w", err)
	}
	var r Resolved
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("the latest resolution %s is unreadable (%v); run procura resolve --dataset again", a.resolvedPath(), err)
	}
	return &r, nil
}
