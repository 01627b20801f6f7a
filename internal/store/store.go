// Package store owns connections to the two supported engines (embedded SQLite
// and PostgreSQL), their migrations and transactions. It knows no domain rules:
// domain packages hand it values and SQL, it hands back rows.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
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
	// group commits SQLite's writes together (nil on PostgreSQL).
	group *group
	// checkpoints copies SQLite's log into the database (nil on PostgreSQL).
	checkpoints *checkpointer
	// roundTrips counts the statements sent to PostgreSQL (nil on SQLite).
	roundTrips *roundTrips
}

// RoundTrips is how many statements, BEGIN and COMMIT included, this pool
// has sent to PostgreSQL since it was opened; 0 on SQLite, which has no
// round trips. Benchmarks divide it by the operations they ran.
func (db *DB) RoundTrips() int64 {
	if db.roundTrips == nil {
		return 0
	}
	return db.roundTrips.n.Load()
}

// roundTrips is a pgx tracer counting each statement as it starts.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}

func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

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
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	trips := &roundTrips{}
	config.Tracer = trips
	db := sqlx.NewDb(stdlib.OpenDB(*config, stdlib.OptionAfterConnect(durableCommits)), "pgx")
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	return &DB{DB: db, Engine: Postgres, Source: redact(dsn), roundTrips: trips}, nil
}

// durableCommits makes a new PostgreSQL connection's commits wait for the
// log to reach the disk before they return, as a system of record must: a
// server, database or role configured with synchronous_commit=off would
// acknowledge commits that a crash of the server can lose. The settings that
// are at least as strong (on, local, remote_write, remote_apply) stay.
func durableCommits(ctx context.Context, conn *pgx.Conn) error {
	var mode string
	if err := conn.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&mode); err != nil {
		return fmt.Errorf("read synchronous_commit: %w", err)
	}
	if mode != "off" {
		return nil
	}
	if _, err := conn.Exec(ctx, `SET synchronous_commit = on`); err != nil {
		return fmt.Errorf("set synchronous_commit: %w", err)
	}
	return nil
}

// sqlitePragmas are the connection settings every SQLite connection gets.
// _time_format=sqlite stores times in a form SQLite's date functions read;
// _txlock=immediate takes the write lock at BEGIN so that a transaction that
// starts reading and then writes does not fail at once with SQLITE_BUSY;
// wal_autocheckpoint(0) leaves checkpoints to the checkpointer;
// temp_store(MEMORY) keeps savepoint journals in memory: with the default,
// a group's savepoints (see group) spilled the original of every page they
// changed to a temporary file past 64 KiB, a quarter of the writer's
// system calls.
//
// busy_timeout(30000) lets a connection that writes outside the group (the
// session store, another process) wait for the lock as long as an ordinary
// request may wait for its turn in the group (see writeWait).
//
// synchronous(FULL) syncs the log at every commit, before the commit
// returns: an answered write survives a power loss or an OS crash. NORMAL
// would sync only at checkpoints, and a crash of the machine could lose the
// last commits that were already answered. The group (see group) makes one
// sync serve every write it commits; see docs/DECISIONS.md for the cost.
// Every connection gets these settings from the DSN, the writer's and the
// checkpointer's included.
const sqlitePragmas = "_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
	"&_pragma=foreign_keys(1)&_time_format=sqlite&_txlock=immediate&_pragma=wal_autocheckpoint(0)&_pragma=temp_store(MEMORY)" +
	"&_pragma=journal_size_limit(67108864)" // WALLimit

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
	// A new database file is readable by its owner alone (SQLite gives its
	// -wal and -shm files the same mode): it holds the audit trail, the
	// sealed records and the hashes of passwords and tokens.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("open sqlite: create %s: %w", path, err)
	}
	connector, err := sqlite.NewConnector("file:" + path + "?" + sqlitePragmas)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(stmtCacheConnector{connector}), "sqlite")
	// One writer at a time is SQLite's rule (the group keeps one connection
	// for its writes); a few readers alongside are fine in WAL.
	db.SetMaxOpenConns(5)
	db.SetMaxIdleConns(5)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	out := &DB{DB: db, Engine: SQLite, Source: path}
	out.group = newGroup(out)
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

// Tx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise. On SQLite, writes queued at the same moment share one
// transaction, each in a savepoint of its own (see group); fn must therefore
// write only through tx and must not start another write of its own.
func (db *DB) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if db.group != nil {
		return db.group.run(ctx, fn, 0)
	}
	return db.tx(ctx, fn)
}

// patience is how long TxSoon waits for a group to join on SQLite.
const patience = 5 * time.Millisecond

// TxSoon is Tx for a write nobody waits for (it runs in a goroutine of its
// own): on SQLite it joins the next group that another write leads, and
// leads one itself only if none comes within a few milliseconds, so that a
// busy server commits it with others instead of alone.
func (db *DB) TxSoon(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if db.group != nil {
		return db.group.run(ctx, fn, patience)
	}
	return db.tx(ctx, fn)
}

// WriterStats reports what SQLite's writer has done; ok is false on
// PostgreSQL, which has no single writer.
func (db *DB) WriterStats() (s WriterStats, ok bool) {
	if db.group == nil {
		return WriterStats{}, false
	}
	st := &db.group.stats
	return WriterStats{Groups: st.groups.Load(), Writes: st.writes.Load(), Busy: time.Duration(st.busy.Load())}, true
}

// GroupsWrites reports whether writes queued together commit together
// (SQLite): a write nobody waits for is then best left to join the next
// group (TxSoon) in the background.
func (db *DB) GroupsWrites() bool { return db.group != nil }

// tx runs fn in a transaction of its own (PostgreSQL).
func (db *DB) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	committed := false
	if claim := pendingClaim(ctx); claim != nil {
		defer func() { claim.settle(committed) }()
		fn = claim.after(ctx, fn)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	laters.Store(tx, &later{})
	defer laters.Delete(tx)
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := flushLater(ctx, tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// viaTx reports whether a write run on the pool itself must become a
// transaction: always on SQLite (to take its turn in a group), and on
// PostgreSQL when a claim waits to join the request's first write.
func viaTx(ctx context.Context, q Queryer) (*DB, bool) {
	db, ok := q.(*DB)
	if !ok {
		return nil, false
	}
	return db, db.group != nil || hasPendingClaim(ctx)
}

// Get runs a rebound query expecting one row; no row is ErrNotFound.
func Get(ctx context.Context, q Queryer, dest any, query string, args ...any) error {
	err := q.GetContext(ctx, dest, Rebind(q, query), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// ByID reads into a T the one row query finds by id, its only parameter;
// where no row has that id it answers notFound(id), the caller's own
// "not found" problem.
func ByID[T any](ctx context.Context, q Queryer, query string, id int64, notFound func(id int64) error) (T, error) {
	var v T
	err := Get(ctx, q, &v, query, id)
	if errors.Is(err, ErrNotFound) {
		return v, notFound(id)
	}
	return v, err
}

// Select runs a rebound query into a slice.
func Select(ctx context.Context, q Queryer, dest any, query string, args ...any) error {
	return q.SelectContext(ctx, dest, Rebind(q, query), args...)
}

// SelectIn is Select for a query with an IN (?) list: each argument that
// is a slice stands for as many placeholders as it has elements (sqlx.In).
// An empty slice is an error, as there is no empty IN list in SQL.
func SelectIn(ctx context.Context, q Queryer, dest any, query string, args ...any) error {
	query, args, err := sqlx.In(query, args...)
	if err != nil {
		return err
	}
	return Select(ctx, q, dest, query, args...)
}

// Exec runs a rebound statement.
func Exec(ctx context.Context, q Queryer, query string, args ...any) (sql.Result, error) {
	if db, ok := viaTx(ctx, q); ok {
		var res sql.Result
		err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
			res, err = Exec(ctx, tx, query, args...)
			return err
		})
		return res, err
	}
	query, args = withLater(q, query, args)
	return q.ExecContext(ctx, Rebind(q, query), args...)
}

// InsertID runs an INSERT ... RETURNING id and returns the new id.
func InsertID(ctx context.Context, q Queryer, query string, args ...any) (int64, error) {
	if db, ok := viaTx(ctx, q); ok {
		var id int64
		err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
			id, err = InsertID(ctx, tx, query, args...)
			return err
		})
		return id, err
	}
	// On SQLite, RETURNING collects the statement's rows in a temporary
	// B-tree that is opened and closed on every run; a plain INSERT of one
	// row reports its id itself (every table's id is its rowid). An upsert
	// keeps RETURNING: it may return a row it did not insert, or none.
	if q.DriverName() == "sqlite" && !strings.Contains(query, "ON CONFLICT") {
		if plain, ok := strings.CutSuffix(strings.TrimSpace(query), "RETURNING id"); ok {
			res, err := q.ExecContext(ctx, plain, args...)
			if err != nil {
				return 0, err
			}
			return res.LastInsertId()
		}
	}
	var id int64
	if err := q.QueryRowxContext(ctx, Rebind(q, query), args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// sqliteBusy is SQLITE_BUSY, the low byte of each of its extended codes.
const sqliteBusy = 5

// IsBusy reports whether err means the database gave a write no time to run:
// the caller's deadline passed while it waited (for SQLite's writer, a lock,
// or PostgreSQL), SQLite's writer gave it no turn, or SQLite's lock stayed
// taken past busy_timeout. A write that failed so committed nothing, and
// may be tried again.
func IsBusy(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrWriterBusy) {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteBusy
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// NullID is id for a nullable reference column: nil for 0, which names no
// row (the operator at the command line has no user id).
func NullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// CopyFunc writes rows into columns of table with PostgreSQL's COPY, in
// the transaction it was given with.
type CopyFunc func(table string, columns []string, rows [][]any) error

// TxCopy is Tx for bulk writers. On PostgreSQL fn is also given a CopyFunc
// writing with COPY on the transaction's own connection, so that the rows
// copied commit or roll back with the rest; COPY skips the parsing and
// planning of multi-row INSERTs and their thirty thousand parameters. On
// SQLite, where an INSERT prepared once is as fast, the CopyFunc is nil.
func (db *DB) TxCopy(ctx context.Context, fn func(tx *sqlx.Tx, copy CopyFunc) error) error {
	if db.Engine != Postgres {
		return db.Tx(ctx, func(tx *sqlx.Tx) error { return fn(tx, nil) })
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	copyRows := func(table string, columns []string, rows [][]any) error {
		return conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("copy into %s: %T is not a pgx connection", table, dc)
			}
			_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
			return err
		})
	}
	if err := fn(tx, copyRows); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
