package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A connection and its transactions have the dialect of the pool's engine;
// each engine runs the statement picked for it, and a table lock is taken
// (or is already held, on SQLite) inside a write.
func TestDialectFollowsTheEngine(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if d := store.DialectOf(db); d != db.Dialect() || d.Engine() != db.Engine || d.Postgres() != (db.Engine == store.Postgres) {
			t.Fatalf("dialect %+v of a %s pool", d, db.Engine)
		}
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			d := store.DialectOf(tx)
			if d.Engine() != db.Engine {
				t.Errorf("a transaction's dialect: %s", d.Engine())
			}
			var got string
			if err := store.Get(ctx, tx, &got, d.Pick(`SELECT sqlite_version() <> ''`, `SELECT version() <> ''`)); err != nil {
				return err
			}
			if err := d.LockTable(ctx, tx, "organizations"); err != nil {
				return err
			}
			if d.LockTable(ctx, tx, "organizations; DROP TABLE users") == nil {
				t.Error("a statement was taken for a table name")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// Rows written with ids of their own leave PostgreSQL's sequence behind;
// after SyncIDs the next insert takes an id past them on both engines.
func TestSyncIDsMovesTheNextIDPastTheRows(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		for _, id := range []int64{7001, 7002} {
			if _, err := store.Exec(ctx, db, `INSERT INTO organizations (id, kind, name, code, created_at, updated_at) VALUES (?, 'vendor', ?, ?, ?, ?)`,
				id, "Sync", fmt.Sprint("sync-", id), now, now); err != nil {
				t.Fatal(err)
			}
		}
		d := db.Dialect()
		if err := d.SyncIDs(ctx, db, "organizations"); err != nil {
			t.Fatal(err)
		}
		if d.SyncIDs(ctx, db, "organizations; DROP TABLE users") == nil {
			t.Error("a statement was taken for a table name")
		}
		id, err := store.InsertID(ctx, db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('vendor', 'Next', 'sync-next', ?, ?) RETURNING id`, now, now)
		if err != nil {
			t.Fatal(err)
		}
		if id <= 7002 {
			t.Fatalf("the next id is %d, not past the rows written", id)
		}
	})
}

// Two workers claiming from one queue: on PostgreSQL the second passes over
// the row the first holds and takes the next; on SQLite the clause is empty
// (the writer's lock keeps the second out) and the statement runs as written.
func TestSkipLockedPassesOverHeldRows(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		for _, code := range []string{"skip-a", "skip-b"} {
			if _, err := store.Exec(ctx, db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('vendor', 'Skip', ?, ?, ?)`,
				code, now, now); err != nil {
				t.Fatal(err)
			}
		}
		d := db.Dialect()
		first := `SELECT code FROM organizations WHERE code LIKE 'skip-%' ORDER BY code LIMIT 1` + d.SkipLocked()
		if !d.Postgres() {
			var code string
			if d.SkipLocked() != "" {
				t.Errorf("SQLite's clause: %q", d.SkipLocked())
			}
			err := db.Tx(ctx, func(tx *sqlx.Tx) error { return store.Get(ctx, tx, &code, first) })
			if err != nil || code != "skip-a" {
				t.Fatalf("took %q, %v", code, err)
			}
			return
		}
		var took []string
		for range 2 {
			tx, err := db.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var code string
			if err := store.Get(ctx, tx, &code, first); err != nil {
				t.Fatal(err)
			}
			took = append(took, code)
		}
		if took[0] != "skip-a" || took[1] != "skip-b" {
			t.Fatalf("the workers took %v", took)
		}
	})
}

// The id NextID takes is free for the row written with it, and the one it
// takes after that row is past it, on both engines.
func TestNextIDIsTheIDOfTheNextRow(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			d := store.DialectOf(tx)
			if _, err := d.NextID(ctx, tx, "organizations; DROP TABLE users"); err == nil {
				t.Error("a statement was taken for a table name")
			}
			id, err := d.NextID(ctx, tx, "organizations")
			if err != nil {
				return err
			}
			if _, err := store.Exec(ctx, tx, `INSERT INTO organizations (id, kind, name, code, created_at, updated_at) VALUES (?, 'vendor', 'Next', 'next-id', ?, ?)`,
				id, now, now); err != nil {
				return fmt.Errorf("insert with id %d: %w", id, err)
			}
			next, err := d.NextID(ctx, tx, "organizations")
			if err != nil {
				return err
			}
			if next <= id {
				t.Errorf("after the row %d the next id is %d", id, next)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
