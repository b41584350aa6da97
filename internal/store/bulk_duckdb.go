package store

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// bulkFunction is the table function through which DuckDB pulls the rows of
// a bulk load: INSERT INTO t SELECT * FROM procura_bulk(<handle>). DuckDB
// runs it on its own worker threads, so converting rows into vectors overlaps
// with inserting the previous chunk, which the appender cannot do.
const bulkFunction = "procura_bulk"

// bulkRegistry hands the bind callback of bulkFunction the load a handle names.
type bulkRegistry struct {
	mu    sync.Mutex
	next  int64
	loads map[int64]*duckLoad
}

func newBulkRegistry() *bulkRegistry { return &bulkRegistry{loads: map[int64]*duckLoad{}} }

func (r *bulkRegistry) add(l *duckLoad) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	r.loads[r.next] = l
	return r.next
}

func (r *bulkRegistry) remove(h int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.loads, h)
}

func (r *bulkRegistry) get(h int64) (*duckLoad, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.loads[h]
	return l, ok
}

// registerBulkFunction adds bulkFunction to the database when it opens;
// every connection sees it.
func (s *Store) registerBulkFunction(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("register %s: %w", bulkFunction, err)
	}
	defer conn.Close()
	handleType, err := duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	if err != nil {
		return fmt.Errorf("register %s: %w", bulkFunction, err)
	}
	err = duckdb.RegisterTableUDF(conn, bulkFunction, duckdb.ParallelChunkTableFunction{
		Config: duckdb.TableFunctionConfig{Arguments: []duckdb.TypeInfo{handleType}},
		BindArguments: func(_ map[string]any, args ...any) (duckdb.ParallelChunkTableSource, error) {
			h, _ := args[0].(int64)
			l, ok := s.bulk.get(h)
			if !ok {
				return nil, fmt.Errorf("%s: no bulk load with handle %d", bulkFunction, h)
			}
			return l, nil
		},
	})
	if err != nil {
		return fmt.Errorf("register %s: %w", bulkFunction, err)
	}
	return nil
}

// loadDuckDB streams src into table through bulkFunction.
func (tx *Tx) loadDuckDB(ctx context.Context, table string, columns []string, targets []target, src RowSource) (int64, error) {
	l, err := newDuckLoad(ctx, targets, src)
	if err != nil {
		return 0, err
	}
	h := tx.s.bulk.add(l)
	defer tx.s.bulk.remove(h)

	q := tx.s.dialect
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = q.Quote(c)
	}
	// The handle is our own integer: table function arguments must be
	// constants at bind time, so it cannot be a parameter.
	stmt := "INSERT INTO " + q.Quote(table) + " (" + strings.Join(quoted, ", ") + ") SELECT * FROM " +
		bulkFunction + "(" + strconv.FormatInt(h, 10) + ")"
	res, execErr := tx.ExecContext(ctx, stmt)
	if err := l.failure(); err != nil {
		// The Go error is more precise than DuckDB's copy of its text.
		return 0, err
	}
	if execErr != nil {
		return 0, execErr
	}
	return res.RowsAffected()
}

// duckLoad is one bulk load as a parallel chunk table source. Rows are pulled
// from the source under a lock, copied, and written into vectors outside it.
type duckLoad struct {
	ctx     context.Context
	targets []target
	infos   []duckdb.ColumnInfo
	threads int

	mu   sync.Mutex
	src  RowSource
	row  int64 // rows pulled so far
	done bool
	err  error
}

func newDuckLoad(ctx context.Context, targets []target, src RowSource) (*duckLoad, error) {
	infos := make([]duckdb.ColumnInfo, len(targets))
	for i, t := range targets {
		ti, err := duckTypeInfo(t.kind)
		if err != nil {
			return nil, err
		}
		infos[i] = duckdb.ColumnInfo{Name: "c" + strconv.Itoa(i), T: ti}
	}
	return &duckLoad{ctx: ctx, targets: targets, infos: infos, threads: runtime.GOMAXPROCS(0), src: src}, nil
}

func duckTypeInfo(k colKind) (duckdb.TypeInfo, error) {
	switch k {
	case kindText:
		return duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	case kindInteger:
		return duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	case kindDouble:
		return duckdb.NewTypeInfo(duckdb.TYPE_DOUBLE)
	case kindMoney:
		return duckdb.NewDecimalInfo(18, 2)
	case kindBoolean:
		return duckdb.NewTypeInfo(duckdb.TYPE_BOOLEAN)
	case kindDate:
		return duckdb.NewTypeInfo(duckdb.TYPE_DATE)
	default:
		return duckdb.NewTypeInfo(duckdb.TYPE_TIMESTAMP_TZ)
	}
}

func (l *duckLoad) ColumnInfos() []duckdb.ColumnInfo     { return l.infos }
func (l *duckLoad) Cardinality() *duckdb.CardinalityInfo { return nil }
func (l *duckLoad) Init() duckdb.ParallelTableSourceInfo {
	return duckdb.ParallelTableSourceInfo{MaxThreads: l.threads}
}
func (l *duckLoad) NewLocalState() any   { return &duckLocal{} }
func (l *duckLoad) failure() error       { l.mu.Lock(); defer l.mu.Unlock(); return l.err }
func (l *duckLoad) fail(err error) error { l.mu.Lock(); defer l.mu.Unlock(); return l.setErr(err) }
func (l *duckLoad) setErr(err error) error {
	l.done = true
	if l.err == nil {
		l.err = err
	}
	return l.err
}

// duckLocal is the per-thread buffer of pulled rows.
type duckLocal struct {
	vals  []any
	first int64 // source row number of the first buffered row
}

// pull copies up to max rows from the source into local and returns how many.
func (l *duckLoad) pull(local *duckLocal, max int) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return 0, l.err
	}
	if err := l.ctx.Err(); err != nil {
		return 0, l.setErr(err)
	}
	nc := len(l.targets)
	local.vals = local.vals[:0]
	local.first = l.row + 1
	n := 0
	for n < max {
		if !l.src.Next() {
			l.done = true
			if err := l.src.Err(); err != nil {
				return 0, l.setErr(err)
			}
			break
		}
		l.row++
		vals, err := l.src.Values()
		if err != nil {
			return 0, l.setErr(fmt.Errorf("row %d: %w", l.row, err))
		}
		if len(vals) != nc {
			return 0, l.setErr(fmt.Errorf("row %d has %d values for %d columns", l.row, len(vals), nc))
		}
		local.vals = append(local.vals, vals...)
		n++
	}
	return n, nil
}

// FillChunk is called by DuckDB worker threads; a chunk of size 0 ends the
// thread's share of the scan.
func (l *duckLoad) FillChunk(state any, chunk duckdb.DataChunk) (err error) {
	defer func() {
		// A panic must not cross the cgo boundary: it would kill the process.
		if r := recover(); r != nil {
			err = l.fail(fmt.Errorf("row source panicked: %v", r))
		}
	}()
	local := state.(*duckLocal)
	n, err := l.pull(local, duckdb.GetDataChunkCapacity())
	if err != nil {
		return err
	}
	nc := len(l.targets)
	for r := 0; r < n; r++ {
		row := local.vals[r*nc : (r+1)*nc]
		for c, v := range row {
			if err := setDuckValue(chunk, c, r, l.targets[c], v); err != nil {
				return l.fail(fmt.Errorf("row %d column %q: %w", local.first+int64(r), l.targets[c].name, err))
			}
		}
	}
	clear(local.vals) // let strings of the rows be collected
	return chunk.SetSize(n)
}

// setDuckValue writes v into the vector of column c, row r. Typed calls of
// SetChunkValue avoid boxing each value again.
func setDuckValue(chunk duckdb.DataChunk, c, r int, t target, v any) error {
	if v == nil {
		return duckdb.SetChunkValue[any](chunk, c, r, nil)
	}
	switch t.kind {
	case kindText:
		if s, ok := v.(string); ok {
			return duckdb.SetChunkValue(chunk, c, r, s)
		}
	case kindInteger:
		if i, ok := v.(int64); ok {
			return duckdb.SetChunkValue(chunk, c, r, i)
		}
	case kindDouble:
		switch x := v.(type) {
		case float64:
			return duckdb.SetChunkValue(chunk, c, r, x)
		case int64:
			return duckdb.SetChunkValue(chunk, c, r, float64(x))
		}
	case kindMoney:
		// A DECIMAL(18,2) vector stores the unscaled int64, which is
		// exactly Money's minor units.
		if m, ok := v.(Money); ok {
			return duckdb.SetChunkValue(chunk, c, r, int64(m))
		}
	case kindBoolean:
		if b, ok := v.(bool); ok {
			return duckdb.SetChunkValue(chunk, c, r, b)
		}
	case kindDate:
		if d, ok := v.(time.Time); ok {
			return duckdb.SetChunkValue(chunk, c, r, dateOf(d))
		}
	case kindTimestamp:
		if ts, ok := v.(time.Time); ok {
			return duckdb.SetChunkValue(chunk, c, r, ts)
		}
	}
	return fmt.Errorf("a %T value cannot be stored in a %s column", v, t.kind)
}
