package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Rows inserted later commit with their transaction, in the order given,
// or roll back with it; on PostgreSQL they cost no round trip of their
// own when a claim's statement carries them.
func TestInsertLaterCommitsWithItsTransaction(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, ddl := range []string{
			`CREATE TABLE later_probe (id ` + db.Dialect().Pick("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY") + `, name TEXT NOT NULL)`,
			`CREATE TABLE later_other (name TEXT NOT NULL)`,
			`CREATE TABLE later_claim (name TEXT NOT NULL UNIQUE)`,
		} {
			if _, err := store.Exec(ctx, db, ddl); err != nil {
				t.Fatal(err)
			}
		}
		names := func(table string) []string {
			var out []string
			if err := store.Select(ctx, db, &out, `SELECT name FROM `+table+` ORDER BY name`); err != nil {
				t.Fatal(err)
			}
			return out
		}

		// Without a claim: sent before COMMIT, the rows of a table in the
		// order given (their ids rise in that order).
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			for _, n := range []string{"a", "b", "c"} {
				if err := store.InsertLater(ctx, tx, "later_probe", "name", n); err != nil {
					return err
				}
			}
			return store.InsertLater(ctx, tx, "later_other", "name", "x")
		}); err != nil {
			t.Fatal(err)
		}
		var byID []string
		if err := store.Select(ctx, db, &byID, `SELECT name FROM later_probe ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(byID, []string{"a", "b", "c"}) || !slices.Equal(names("later_other"), []string{"x"}) {
			t.Fatalf("after commit: %v %v", byID, names("later_other"))
		}

		// Rolled back: none.
		boom := errors.New("boom")
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			if err := store.InsertLater(ctx, tx, "later_probe", "name", "rolled-back"); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if slices.Contains(names("later_probe"), "rolled-back") {
			t.Fatal("a row inserted later outlived its rollback")
		}

		// With a claim: carried by the claim's statement.
		claimFor := func(name string) (context.Context, *store.Claim) {
			return store.WithClaim(ctx, func(ctx context.Context, q store.Queryer, _ store.Written) error {
				_, err := store.Exec(ctx, q, `INSERT INTO later_claim (name) VALUES (?)`, name)
				return err
			})
		}
		cctx, claim := claimFor("k1")
		trips := db.RoundTrips()
		if err := db.Tx(cctx, func(tx *sqlx.Tx) error {
			return store.InsertLater(cctx, tx, "later_probe", "name", "d")
		}); err != nil {
			t.Fatal(err)
		}
		trips = db.RoundTrips() - trips
		if !claim.Held() || !slices.Contains(names("later_probe"), "d") || !slices.Equal(names("later_claim"), []string{"k1"}) {
			t.Fatalf("with a claim: held=%v %v %v", claim.Held(), names("later_probe"), names("later_claim"))
		}
		if db.Engine == store.Postgres {
			if n := trips; n != 3 {
				t.Errorf("BEGIN, the claim with the row, COMMIT: %d statements, want 3", n)
			}
		}

		// A claim that cannot be taken takes the rows with it.
		cctx, claim = claimFor("k1")
		if err := db.Tx(cctx, func(tx *sqlx.Tx) error {
			return store.InsertLater(cctx, tx, "later_probe", "name", "e")
		}); err == nil || claim.Held() || slices.Contains(names("later_probe"), "e") {
			t.Fatalf("taken claim: err=%v held=%v %v", err, claim.Held(), names("later_probe"))
		}
	})
}

// More rows held back than the statements kept by shape hold (more than
// four tables, more than sixteen rows of one) are carried all the same.
func TestInsertLaterCarriesManyRows(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tables := []string{"many_a", "many_b", "many_c", "many_d", "many_e"}
		for _, table := range append(tables, "many_claim") {
			if _, err := store.Exec(ctx, db, `CREATE TABLE `+table+` (seq INTEGER NOT NULL, name TEXT NOT NULL)`); err != nil {
				t.Fatal(err)
			}
		}
		for _, shape := range []struct {
			name   string
			tables []string
			rows   int
		}{
			{"five tables", tables, 2},
			{"twenty rows", tables[:1], 20},
			{"kept", tables[:2], 3},
		} {
			cctx, claim := store.WithClaim(ctx, func(ctx context.Context, q store.Queryer, _ store.Written) error {
				_, err := store.Exec(ctx, q, `INSERT INTO many_claim (seq, name) VALUES (?, ?)`, 0, shape.name)
				return err
			})
			if err := db.Tx(cctx, func(tx *sqlx.Tx) error {
				for i := range shape.rows {
					for _, table := range shape.tables {
						if err := store.InsertLater(cctx, tx, table, "seq, name", i, shape.name); err != nil {
							return err
						}
					}
				}
				return nil
			}); err != nil || !claim.Held() {
				t.Fatalf("%s: err=%v held=%v", shape.name, err, claim.Held())
			}
			for _, table := range shape.tables {
				var seqs []int
				if err := store.Select(ctx, db, &seqs, `SELECT seq FROM `+table+` WHERE name = ? ORDER BY seq`, shape.name); err != nil {
					t.Fatal(err)
				}
				if len(seqs) != shape.rows || seqs[0] != 0 || seqs[len(seqs)-1] != shape.rows-1 {
					t.Errorf("%s: %s holds %v", shape.name, table, seqs)
				}
			}
		}
	})
}
