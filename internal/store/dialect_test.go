package store_test

import (
	"context"
	"testing"

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
