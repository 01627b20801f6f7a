package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// sqliteFull is PRAGMA synchronous's value for FULL: the log is synced at
// every commit, before the commit returns.
const sqliteFull = 2

// Every SQLite connection syncs the log at each commit: the writer's, on
// which every write commits, and every other connection the pool may open
// (readers, the checkpointer, the session store).
func TestSQLiteEveryConnectionSyncsEachCommit(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	ctx := context.Background()
	var writer int
	if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &writer, `PRAGMA synchronous`)
	}); err != nil {
		t.Fatal(err)
	}
	if writer != sqliteFull {
		t.Fatalf("the writer's connection has synchronous=%d, want %d (FULL)", writer, sqliteFull)
	}
	// The writer keeps its connection; hold all the others at once, so that
	// each is a distinct connection of the pool.
	others := db.Stats().MaxOpenConnections - 1
	if others < 1 {
		t.Fatalf("pool of %d connections", db.Stats().MaxOpenConnections)
	}
	for i := range others {
		c, err := db.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var mode int
		var journal string
		if err := c.GetContext(ctx, &mode, `PRAGMA synchronous`); err != nil {
			t.Fatal(err)
		}
		if err := c.GetContext(ctx, &journal, `PRAGMA journal_mode`); err != nil {
			t.Fatal(err)
		}
		if mode != sqliteFull || journal != "wal" {
			t.Fatalf("connection %d of the pool: synchronous=%d journal_mode=%s, want %d and wal", i+1, mode, journal, sqliteFull)
		}
	}
	// Those were all of them: the pool opens no other connection.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if c, err := db.Connx(short); err == nil {
		c.Close()
		t.Fatal("the pool opened a connection beyond the ones checked")
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
}

// PostgreSQL's commits wait for the log on every connection of the pool,
// even where the server or the database says otherwise.
func TestPostgresCommitsWaitForTheLog(t *testing.T) {
	t.Parallel()
	dsn := testutil.NewDSN(t, store.Postgres)
	ctx := context.Background()
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	show := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) string {
		t.Helper()
		var mode string
		if err := q.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		return mode
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if got := show(db); got != "on" {
		t.Fatalf("synchronous_commit=%s on a server with the default, want on", got)
	}
	db.Close()

	// A database configured to acknowledge commits before they are on disk.
	var name string
	if err := raw.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %q SET synchronous_commit = off`, name)); err != nil {
		t.Fatal(err)
	}
	plain, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if got := show(plain); got != "off" {
		t.Fatalf("the database's setting did not apply to a plain connection (%s)", got)
	}

	db, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const conns = 4
	held := make([]*sqlx.Conn, 0, conns)
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range conns {
		c, err := db.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		if got := show(c); got != "on" {
			t.Fatalf("connection %d of the pool: synchronous_commit=%s, want on", i+1, got)
		}
	}
}
