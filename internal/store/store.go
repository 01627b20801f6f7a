// Package store owns connections to the two supported engines (embedded SQLite
// and PostgreSQL), their migrations and transactions. It knows no domain rules:
// domain packages hand it values and SQL, it hands back rows.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
)

// Engine names a supported database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is a connection pool to one database, with the dialect of its engine.
// The same hand-written SQL (with ? placeholders) runs on both engines; sqlx
// rebinds the placeholders for PostgreSQL.
type DB struct {
	*sqlx.DB
	Engine Engine
	// Source is the DSN or file the pool was opened with (without secrets).
	Source string
	// writes queues SQLite's writers in Go (nil on PostgreSQL); see lockWrites.
	writes chan struct{}
	// checkpoints copies SQLite's log into the database (nil on PostgreSQL).
	checkpoints *checkpointer
}

// ErrNotFound is returned by lookups that match no row.
var ErrNotFound = errors.New("not found")

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL, or else a path to an SQLite file
// (created with its directory on first use). It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, err := sqlx.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	return &DB{DB: sqlx.NewDb(db.DB, "pgx"), Engine: Postgres, Source: redact(dsn)}, nil
}

// sqlitePragmas are the connection settings every SQLite connection gets.
// _time_format=sqlite stores times in a form SQLite's date functions read;
// _txlock=immediate takes the write lock at BEGIN so that a transaction that
// starts reading and then writes does not fail at once with SQLITE_BUSY;
// wal_autocheckpoint(0) leaves checkpoints to the checkpointer.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)&_time_format=sqlite&_txlock=immediate&_pragma=wal_autocheckpoint(0)"

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: create data directory: %w", err)
		}
	}
	connector, err := sqlite.NewConnector("file:" + path + "?" + sqlitePragmas)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(stmtCacheConnector{connector}), "sqlite")
	// One writer at a time is SQLite's rule; a few readers alongside are fine in WAL.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	out := &DB{DB: db, Engine: SQLite, Source: path, writes: make(chan struct{}, 1)}
	out.checkpoints = startCheckpointer(out)
	return out, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// Queryer is what both *sqlx.DB and *sqlx.Tx offer; storage functions take it
// so that they run inside or outside a transaction alike.
type Queryer interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// writeWait is how long a writer waits for its turn, as long as SQLite's
// busy_timeout.
const writeWait = 10 * time.Second

// lockWrites waits for this process's turn to write to SQLite and returns
// the function that ends it. SQLite lets one writer in at a time and makes
// the others poll with growing sleeps (up to 100 ms each), which is unfair
// and gave the tail latencies of concurrent creates; writers queued on a
// channel are served in order as soon as the lock is free. Every
// transaction takes the turn (on SQLite each one is IMMEDIATE, a writer from
// BEGIN), and so does a single statement run on the pool through Exec or
// InsertID. Other processes and the session store still meet SQLite's own
// busy handler. On PostgreSQL it does nothing.
func (db *DB) lockWrites(ctx context.Context) (func(), error) {
	if db.writes == nil {
		return func() {}, nil
	}
	select {
	case db.writes <- struct{}{}:
		return func() { <-db.writes }, nil
	default:
	}
	wait := time.NewTimer(writeWait)
	defer wait.Stop()
	select {
	case db.writes <- struct{}{}:
		return func() { <-db.writes }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-wait.C:
		return nil, errors.New("database is busy: no turn to write within 10s")
	}
}

// Tx runs fn in one transaction: committed if fn returns nil, rolled back otherwise.
func (db *DB) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	unlock, err := db.lockWrites(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer unlock()
	committed := false
	if claim := pendingClaim(ctx); claim != nil {
		defer func() { claim.settle(committed) }()
		fn = claim.before(ctx, fn)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// Get runs a rebound query expecting one row; no row is ErrNotFound.
func Get(ctx context.Context, q Queryer, dest any, query string, args ...any) error {
	err := q.GetContext(ctx, dest, q.Rebind(query), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Select runs a rebound query into a slice.
func Select(ctx context.Context, q Queryer, dest any, query string, args ...any) error {
	return q.SelectContext(ctx, dest, q.Rebind(query), args...)
}

// Exec runs a rebound statement.
func Exec(ctx context.Context, q Queryer, query string, args ...any) (sql.Result, error) {
	if db, ok := q.(*DB); ok {
		if hasPendingClaim(ctx) {
			var res sql.Result
			err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
				res, err = Exec(ctx, tx, query, args...)
				return err
			})
			return res, err
		}
		unlock, err := db.lockWrites(ctx)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	return q.ExecContext(ctx, q.Rebind(query), args...)
}

// InsertID runs an INSERT ... RETURNING id and returns the new id.
func InsertID(ctx context.Context, q Queryer, query string, args ...any) (int64, error) {
	if db, ok := q.(*DB); ok {
		if hasPendingClaim(ctx) {
			var id int64
			err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
				id, err = InsertID(ctx, tx, query, args...)
				return err
			})
			return id, err
		}
		unlock, err := db.lockWrites(ctx)
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	var id int64
	if err := q.QueryRowxContext(ctx, q.Rebind(query), args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}
