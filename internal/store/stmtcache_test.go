package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The statement cache must be invisible: a statement reused many times, the
// same query run while its own rows are still open, errors that leave the
// statement usable, and more distinct texts than the cache holds.
func TestPreparedStatementsAreReusedSafely(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := store.Exec(ctx, db, `CREATE TABLE cache_probe (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 50; i++ {
			if _, err := store.Exec(ctx, db, `INSERT INTO cache_probe (id, name) VALUES (?, ?)`, i, fmt.Sprintf("n%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		// A unique violation leaves the cached statement usable.
		if _, err := store.Exec(ctx, db, `INSERT INTO cache_probe (id, name) VALUES (?, ?)`, 99, "n1"); !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate name: %v", err)
		}
		// PostgreSQL cannot run a query on a connection while another's rows
		// are open; on SQLite the cached statement must not be reused then.
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			if db.Engine != store.SQLite {
				return nil
			}
			const q = `SELECT id, name FROM cache_probe WHERE id <= ? ORDER BY id`
			outer, err := tx.QueryxContext(ctx, tx.Rebind(q), 3)
			if err != nil {
				return err
			}
			defer outer.Close()
			seen := 0
			for outer.Next() {
				var id int
				var name string
				if err := outer.Scan(&id, &name); err != nil {
					return err
				}
				// The same text again while the outer rows are open.
				var inner []struct {
					ID   int    `db:"id"`
					Name string `db:"name"`
				}
				if err := store.Select(ctx, tx, &inner, q, 50); err != nil {
					return err
				}
				if len(inner) != 50 || name != fmt.Sprintf("n%d", id) {
					return fmt.Errorf("row %d %q, inner %d rows", id, name, len(inner))
				}
				seen++
			}
			if seen != 3 {
				return fmt.Errorf("outer saw %d rows", seen)
			}
			return outer.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		// More distinct texts than one connection keeps.
		for i := range 300 {
			var n int
			if err := store.Get(ctx, db, &n, fmt.Sprintf(`SELECT COUNT(*) + %d FROM cache_probe`, i)); err != nil || n != 50+i {
				t.Fatalf("text %d: %d %v", i, n, err)
			}
		}
		var n int
		if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM cache_probe WHERE name = ?`, "n7"); err != nil || n != 1 {
			t.Fatalf("after eviction: %d %v", n, err)
		}
	})
}
