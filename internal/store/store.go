// Package store is procura's workspace storage: an embedded DuckDB database
// or a PostgreSQL database behind one type, the catalog of datasets and
// import batches, bulk loading and the migrations that shape the schema.
// All SQL of procura outside the supervision-model compiler lives here.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Asia/Shanghai must resolve on machines without a zone database

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Sentinel errors; the returned errors wrap them with details for the user.
var (
	ErrNoWorkspace      = errors.New("no workspace")
	ErrWorkspaceExists  = errors.New("workspace already exists")
	ErrWorkspaceHeld    = errors.New("workspace in use")
	ErrNewerSchema      = errors.New("workspace schema is newer than this procura")
	errUnknownTimeZone  = errors.New("unknown time zone")
	errNotInTransaction = errors.New("transaction already finished")
)

// userErr is an error whose message is written for the user alone while
// errors.Is still matches its sentinel.
type userErr struct {
	sentinel error
	msg      string
}

func (e *userErr) Error() string { return e.msg }
func (e *userErr) Unwrap() error { return e.sentinel }

func userError(sentinel error, format string, args ...any) error {
	return &userErr{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

// DefaultTimeZone is the session time zone when Options.TimeZone is empty.
const DefaultTimeZone = "Asia/Shanghai"

const (
	duckdbFileName  = "procura.duckdb"
	evidenceDirName = "evidence"
)

// Options says which workspace to open and how.
type Options struct {
	// Workspace is a directory; the DuckDB file is <Workspace>/procura.duckdb,
	// evidence files live under <Workspace>/evidence/.
	Workspace string
	// URL "postgres://..." selects PostgreSQL; the workspace directory still
	// holds evidence/. "" selects DuckDB.
	URL string
	// Holder says who opens the workspace; it is written into the lock file
	// and shown to anyone else who tries to open it.
	Holder string
	// TimeZone is the session time zone of every connection ("" = Asia/Shanghai).
	TimeZone string
	// Version is the procura version recorded at Init ("" = the binary's
	// module version).
	Version string
}

// Store is an open workspace.
type Store struct {
	db       *sql.DB
	dialect  Dialect
	dir      string
	lock     *workspaceLock
	loc      *time.Location
	bulk     *bulkRegistry // DuckDB bulk sources by handle
	closed   atomic.Bool
	closeErr error
	// Generations count the writes this process made to the dataset catalog and to users
	// and credentials, so that internal/app can cache what it derives from them and check
	// a cheap integer on every request (see Generations).
	datasetGen atomic.Int64
	authGen    atomic.Int64
	// readGen and reads keep the answers of repeated clue reads on DuckDB (readcache.go).
	readGen atomic.Int64
	reads   readCache
}

// Generations are counters bumped after every write this Store makes to the dataset
// catalog (schemas) or to users and credentials (roles, disabling, passwords, revocations).
// A cache filled after reading a generation is current while the generation has not moved.
// They see this process's writes only: on PostgreSQL other processes may write too, and a
// cache there must check the database or expire (internal/app says which it does).
type Generations struct {
	Datasets int64
	Auth     int64
}

// Generations returns the current write generations.
func (s *Store) Generations() Generations {
	return Generations{Datasets: s.datasetGen.Load(), Auth: s.authGen.Load()}
}

// SharedDatabase reports whether other processes may write the database at the same time
// (PostgreSQL); a DuckDB workspace is held by one process (procura.lock).
func (s *Store) SharedDatabase() bool { return s.dialect.name == BackendPostgres }

// Init creates the workspace directory, evidence/, the database and its schema.
func Init(ctx context.Context, o Options) (*Store, error) {
	if o.Workspace == "" {
		return nil, errors.New("init: no workspace directory given: pass --workspace DIR")
	}
	if err := os.MkdirAll(filepath.Join(o.Workspace, evidenceDirName), 0o700); err != nil {
		return nil, fmt.Errorf("init workspace %s: %w", o.Workspace, err)
	}
	s, err := open(ctx, o)
	if err != nil {
		return nil, err
	}
	// Checked under the lock, so two inits of one directory cannot both win.
	// A database left empty by an interrupted init counts as not initialised.
	if v, err := s.appliedVersion(ctx); err == nil && v > 0 {
		s.Close()
		return nil, userError(ErrWorkspaceExists, "%s already holds a procura workspace: open it instead, or choose another directory", s.describe(o))
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.writeWorkspaceInfo(ctx, o); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Open opens an existing workspace and applies pending migrations.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Workspace == "" {
		return nil, userError(ErrNoWorkspace, "no workspace directory given: pass --workspace DIR")
	}
	hint := fmt.Sprintf("run procura init --workspace %s", o.Workspace)
	if st, err := os.Stat(o.Workspace); err != nil || !st.IsDir() {
		return nil, userError(ErrNoWorkspace, "%s does not exist: %s", o.Workspace, hint)
	}
	if o.URL == "" {
		if _, err := os.Stat(filepath.Join(o.Workspace, duckdbFileName)); err != nil {
			return nil, userError(ErrNoWorkspace, "%s holds no procura database: %s", o.Workspace, hint)
		}
	}
	s, err := open(ctx, o)
	if err != nil {
		return nil, err
	}
	if v, err := s.appliedVersion(ctx); err != nil || v == 0 {
		s.Close()
		return nil, userError(ErrNoWorkspace, "%s holds no procura schema: %s", s.describe(o), hint)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) describe(o Options) string {
	if o.URL != "" {
		return "the database at " + redactURL(o.URL)
	}
	return o.Workspace
}

// open takes the lock (DuckDB) and connects, without touching the schema.
func open(ctx context.Context, o Options) (*Store, error) {
	tzName := o.TimeZone
	if tzName == "" {
		tzName = DefaultTimeZone
	}
	loc, err := time.LoadLocation(tzName)
	if err != nil || strings.ContainsAny(tzName, `'"\`) {
		return nil, fmt.Errorf("%w %q: use an IANA name such as Asia/Shanghai", errUnknownTimeZone, tzName)
	}
	s := &Store{dir: o.Workspace, loc: loc}
	if o.URL == "" {
		s.dialect = duckdbDialect
		if s.lock, err = acquireLock(o.Workspace, o.Holder, loc); err != nil {
			return nil, err
		}
		if err := s.openDuckDB(tzName); err != nil {
			s.lock.release()
			return nil, err
		}
	} else {
		s.dialect = postgresDialect
		if err := s.openPostgres(o.URL, tzName); err != nil {
			return nil, err
		}
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to %s: %w", s.describe(o), err)
	}
	if s.bulk != nil {
		// Before any transaction starts: a transaction sees only the
		// functions that existed when it began.
		if err := s.registerBulkFunction(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// duckdbIdleConns is how many idle connections to the DuckDB database are kept for reuse.
const duckdbIdleConns = 16

// defaultDuckDBMemory caps DuckDB's buffer pool; PROCURA_DUCKDB_MEMORY overrides it ("4GB").
const defaultDuckDBMemory = "1GB"

func (s *Store) openDuckDB(tz string) error {
	path := filepath.Join(s.dir, duckdbFileName)
	// preserve_insertion_order off lets DuckDB insert a bulk load on all
	// cores and write it straight to the file (measured 2-3x faster, and the
	// commit no longer rewrites the rows); procura's SQL says ORDER BY
	// wherever order matters, as SQL requires anyway.
	//
	// DuckDB's buffer pool is capped and spills to the workspace's tmp/ (never the system
	// temporary directory: the data is case data), so memory stays flat however large the
	// imported file is.
	limit := os.Getenv("PROCURA_DUCKDB_MEMORY")
	if limit == "" {
		limit = defaultDuckDBMemory
	}
	spill := filepath.Join(s.dir, "tmp", "duckdb")
	if err := os.MkdirAll(spill, 0o700); err != nil {
		return fmt.Errorf("workspace spill directory %s: %w", spill, err)
	}
	setup := "SET TimeZone = '" + tz + "'; SET preserve_insertion_order = false; SET memory_limit = '" +
		strings.ReplaceAll(limit, "'", "") + "'; SET temp_directory = '" + strings.ReplaceAll(spill, "'", "''") + "'"
	c, err := duckdb.NewConnector(path, func(ex driver.ExecerContext) error {
		_, err := ex.ExecContext(context.Background(), setup, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("open DuckDB database %s: %w", path, err)
	}
	s.bulk = newBulkRegistry()
	s.db = sql.OpenDB(c)
	// database/sql keeps two idle connections by default; a server answering more requests
	// at once closed the others after each query and opened new ones, each running the
	// setup above (6% of the CPU of the HTTP load benchmark). Idle DuckDB connections of
	// one database cost little.
	s.db.SetMaxIdleConns(duckdbIdleConns)
	return nil
}

func (s *Store) openPostgres(url, tz string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("PostgreSQL URL %s: %w", redactURL(url), err)
	}
	// Every connection gets the session time zone; other runtime parameters
	// in the URL (search_path=...) are passed through by pgx.
	cfg.RuntimeParams["timezone"] = tz
	s.db = stdlib.OpenDB(*cfg)
	return nil
}

// redactURL hides a password in a connection URL shown to the user.
func redactURL(u string) string {
	cfg, err := pgx.ParseConfig(u)
	if err != nil || cfg.Password == "" {
		return u
	}
	return strings.Replace(u, ":"+cfg.Password+"@", ":***@", 1)
}

func (s *Store) writeWorkspaceInfo(ctx context.Context, o Options) error {
	version := o.Version
	if version == "" {
		version = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			version = bi.Main.Version
		}
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, kv := range [][2]string{
		{"created_at", time.Now().In(s.loc).Format(time.RFC3339)},
		{"created_by_version", version},
	} {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO workspace_info (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
			kv[0], kv[1]); err != nil {
			return fmt.Errorf("record workspace info: %w", err)
		}
	}
	return tx.Commit()
}

// WorkspaceInfo returns the key/value facts recorded about the workspace
// (created_at, created_by_version).
func (s *Store) WorkspaceInfo(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM workspace_info`)
	if err != nil {
		return nil, fmt.Errorf("read workspace info: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("read workspace info: %w", err)
		}
		m[k] = v
	}
	return m, rows.Err()
}

// Close closes the database and releases the workspace lock.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return s.closeErr
	}
	var errs []error
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	errs = append(errs, s.lock.release())
	s.closeErr = errors.Join(errs...)
	return s.closeErr
}

// DB is the connection pool, for read queries outside a transaction.
func (s *Store) DB() *sql.DB { return s.db }

// Backend is "duckdb" or "postgres".
func (s *Store) Backend() string { return s.dialect.name }

// Dialect holds the backend's type names and SQL differences.
func (s *Store) Dialect() Dialect { return s.dialect }

// EvidenceDir is the directory that holds evidence files.
func (s *Store) EvidenceDir() string { return filepath.Join(s.dir, evidenceDirName) }

// Location is the session time zone.
func (s *Store) Location() *time.Location { return s.loc }
