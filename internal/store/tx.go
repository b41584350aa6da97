package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"
)

// Tx is an explicit transaction on a dedicated connection. Bulk loads run on
// the same connection, so an import is one atomic unit: all rows, the batch
// record and the rejects appear together at Commit or not at all.
type Tx struct {
	s    *Store
	conn *sql.Conn
	done bool
	// datasetsChanged is set by a write to the dataset catalog; the Store's dataset
	// generation moves when the transaction ends, after the change is visible (a reader
	// that read the generation before it and the catalog before the commit caches the old
	// schema under the old generation, which the bump then invalidates).
	datasetsChanged bool
}

// finish bumps the generations the transaction's writes moved; it runs however the
// transaction ended (a bump too many only costs a cache refill).
func (tx *Tx) finish() {
	tx.s.changed()
	if tx.datasetsChanged {
		tx.s.datasetGen.Add(1)
	}
}

// Begin starts a transaction on a connection of its own.
func (s *Store) Begin(ctx context.Context) (*Tx, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	// BEGIN is sent as a statement, not through database/sql's BeginTx,
	// because the DuckDB appender and pgx COPY need the raw connection,
	// which *sql.Tx does not hand out.
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return &Tx{s: s, conn: conn}, nil
}

// Store is the store the transaction belongs to.
func (tx *Tx) Store() *Store { return tx.s }

// ExecContext runs a statement inside the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.done {
		return nil, errNotInTransaction
	}
	return tx.conn.ExecContext(ctx, query, args...)
}

// QueryContext runs a query inside the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx.done {
		return nil, errNotInTransaction
	}
	return tx.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row inside the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.conn.QueryRowContext(ctx, query, args...)
}

// Commit makes the transaction's changes visible and durable.
func (tx *Tx) Commit() error {
	if tx.done {
		return errNotInTransaction
	}
	tx.done = true
	defer tx.finish()
	var err error
	if tx.s.dialect.name == BackendPostgres {
		err = tx.conn.Raw(func(dc any) error {
			tag, err := dc.(*stdlib.Conn).Conn().Exec(context.Background(), "COMMIT")
			// PostgreSQL answers COMMIT of a failed transaction with a
			// rollback, not an error; nothing was saved, so say so.
			if err == nil && tag.String() == "ROLLBACK" {
				err = errors.New("the transaction had failed earlier and was rolled back; nothing was saved")
			}
			return err
		})
	} else {
		// DuckDB also answers COMMIT of an aborted transaction with success;
		// any statement in it fails, which tells the two apart.
		if _, err = tx.conn.ExecContext(context.Background(), "SELECT 1"); err != nil {
			err = fmt.Errorf("the transaction had failed earlier and was rolled back; nothing was saved: %w", err)
		} else {
			_, err = tx.conn.ExecContext(context.Background(), "COMMIT")
		}
	}
	if err != nil {
		// The transaction state of the connection is unknown now: roll back
		// what may be left and do not reuse the connection.
		tx.conn.ExecContext(context.Background(), "ROLLBACK")
		tx.discard()
		return fmt.Errorf("commit: %w", err)
	}
	return tx.conn.Close()
}

// Rollback undoes the transaction. After Commit or Rollback it does nothing,
// so `defer tx.Rollback()` is safe.
func (tx *Tx) Rollback() error {
	if tx.done {
		return nil
	}
	tx.done = true
	defer tx.finish()
	if _, err := tx.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		tx.discard()
		return fmt.Errorf("rollback: %w", err)
	}
	return tx.conn.Close()
}

// discard closes the connection instead of returning it to the pool, so a
// connection in an unknown transaction state is never handed out again.
func (tx *Tx) discard() {
	tx.conn.Raw(func(any) error { return driver.ErrBadConn })
	tx.conn.Close()
}

// raw runs f with the driver connection of the transaction.
func (tx *Tx) raw(f func(dc any) error) error {
	if tx.done {
		return errNotInTransaction
	}
	err := tx.conn.Raw(f)
	if errors.Is(err, driver.ErrBadConn) {
		tx.done = true
	}
	return err
}
