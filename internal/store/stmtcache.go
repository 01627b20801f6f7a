package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
)

// maxCachedStatements bounds the prepared statements one SQLite connection
// keeps. The application's SQL is a fixed set of hand-written texts, far
// fewer than this; texts built at run time (multi-row inserts) may pass it,
// and then the idle statements are dropped and the cache starts again.
const maxCachedStatements = 256

// stmtCacheConnector gives every SQLite connection a cache of prepared
// statements keyed by their SQL text. modernc's driver compiles each query
// anew (sqlite3_prepare_v2) on every call, which was a fifth of the CPU of
// filing a service request; a prepared statement is only reset between
// uses. PostgreSQL needs none of this: pgx caches statements per connection
// itself.
//
// database/sql hands a connection to one goroutine at a time, so the cache
// needs no lock. A statement is marked busy while its rows are open; a
// second use of the same text meanwhile (a query run while iterating the
// rows of the same query) gets a statement of its own, prepared and closed
// around that use.
type stmtCacheConnector struct{ driver.Connector }

// sqliteConn is what modernc's connections implement and the wrapper forwards.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite connection %T lacks the context methods", conn)
	}
	return &cachingConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

type cachedStmt struct {
	driver.Stmt
	busy bool
}

type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
	// inTx is set between BEGIN and COMMIT or ROLLBACK. Statements inside a
	// transaction are not interrupted when their caller's context ends:
	// SQLite rolls back the whole transaction of an interrupted write, and a
	// group's transaction holds other callers' writes too. The caller's
	// next statement fails with its context's error instead, which rolls
	// back only its own savepoint.
	inTx bool
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.sqliteConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return endingTx{Tx: tx, conn: c}, nil
}

// endingTx marks its connection as out of the transaction when it ends.
type endingTx struct {
	driver.Tx
	conn *cachingConn
}

func (t endingTx) Commit() error {
	t.conn.inTx = false
	return t.Tx.Commit()
}

func (t endingTx) Rollback() error {
	t.conn.inTx = false
	return t.Tx.Rollback()
}

// statementContext is ctx, or ctx without its cancellation inside a transaction.
func (c *cachingConn) statementContext(ctx context.Context) context.Context {
	if c.inTx {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Unwrap returns modernc's connection, as its documentation asks of wrappers.
func (c *cachingConn) Unwrap() driver.Conn { return c.sqliteConn }

// statement returns a prepared statement for query and the function that
// gives it back after use.
func (c *cachingConn) statement(ctx context.Context, query string) (driver.Stmt, func(), error) {
	if s, ok := c.stmts[query]; ok {
		if !s.busy {
			s.busy = true
			return s.Stmt, func() { s.busy = false }, nil
		}
		one, err := c.PrepareContext(ctx, query)
		if err != nil {
			return nil, nil, err
		}
		return one, func() { one.Close() }, nil
	}
	prepared, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	if len(c.stmts) >= maxCachedStatements {
		c.dropIdle()
	}
	s := &cachedStmt{Stmt: prepared, busy: true}
	c.stmts[query] = s
	return prepared, func() { s.busy = false }, nil
}

func (c *cachingConn) dropIdle() {
	for q, s := range c.stmts {
		if !s.busy {
			s.Stmt.Close()
			delete(c.stmts, q)
		}
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, release, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.(driver.StmtExecContext).ExecContext(c.statementContext(ctx), args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, release, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.(driver.StmtQueryContext).QueryContext(c.statementContext(ctx), args)
	if err != nil {
		release()
		return nil, err
	}
	return &releasingRows{Rows: rows, release: release}, nil
}

func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.Stmt.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// releasingRows gives its statement back to the cache when closed.
type releasingRows struct {
	driver.Rows
	release func()
}

func (r *releasingRows) Close() error {
	err := r.Rows.Close()
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}

func (r *releasingRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *releasingRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
