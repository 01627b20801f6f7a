package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A claim commits with the first write of its context, or not at all.
func TestClaimJoinsTheFirstWrite(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := store.Exec(ctx, db, `CREATE TABLE claim_probe (name TEXT NOT NULL UNIQUE)`); err != nil {
			t.Fatal(err)
		}
		names := func() map[string]bool {
			var out []string
			if err := store.Select(ctx, db, &out, `SELECT name FROM claim_probe`); err != nil {
				t.Fatal(err)
			}
			m := map[string]bool{}
			for _, n := range out {
				m[n] = true
			}
			return m
		}
		claimFor := func(name string) (context.Context, *store.Claim) {
			return store.WithClaim(ctx, func(ctx context.Context, q store.Queryer, _ store.Written) error {
				_, err := store.Exec(ctx, q, `INSERT INTO claim_probe (name) VALUES (?)`, name)
				return err
			})
		}

		// A transaction that rolls back gives the claim back; the next write takes it.
		cctx, claim := claimFor("claim-1")
		boom := errors.New("boom")
		if err := db.Tx(cctx, func(tx *sqlx.Tx) error {
			if _, err := store.Exec(cctx, tx, `INSERT INTO claim_probe (name) VALUES ('rolled-back')`); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("tx: %v", err)
		}
		if claim.Held() || names()["claim-1"] || names()["rolled-back"] {
			t.Fatalf("rolled back, yet held=%v names=%v", claim.Held(), names())
		}
		if err := db.Tx(cctx, func(tx *sqlx.Tx) error {
			_, err := store.Exec(cctx, tx, `INSERT INTO claim_probe (name) VALUES ('work-1')`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got := names(); !claim.Held() || !got["claim-1"] || !got["work-1"] {
			t.Fatalf("committed, yet held=%v names=%v", claim.Held(), got)
		}
		// Held: later writes do not run it again.
		if _, err := store.Exec(cctx, db, `INSERT INTO claim_probe (name) VALUES ('work-2')`); err != nil {
			t.Fatalf("write after the claim was held: %v", err)
		}

		// A claim that cannot be taken stops the write it would have joined.
		cctx, claim = claimFor("claim-1")
		if err := db.Tx(cctx, func(tx *sqlx.Tx) error {
			_, err := store.Exec(cctx, tx, `INSERT INTO claim_probe (name) VALUES ('work-3')`)
			return err
		}); err == nil || !store.IsUniqueViolation(claim.Err()) {
			t.Fatalf("taken claim: %v, claim error %v", err, claim.Err())
		}
		if names()["work-3"] || claim.Held() {
			t.Fatal("the write went ahead without its claim")
		}

		// A single statement on the pool commits together with the claim.
		cctx, claim = claimFor("claim-4")
		if _, err := store.Exec(cctx, db, `INSERT INTO claim_probe (name) VALUES ('work-1')`); !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate statement: %v", err)
		}
		if names()["claim-4"] || claim.Held() {
			t.Fatal("claim committed without its statement")
		}
		if _, err := store.InsertID(cctx, db, `INSERT INTO claim_probe (name) VALUES ('work-4') RETURNING 1`); err != nil {
			t.Fatal(err)
		}
		if got := names(); !got["claim-4"] || !got["work-4"] || !claim.Held() {
			t.Fatalf("statement with claim: held=%v names=%v", claim.Held(), got)
		}
	})
}

// A claim runs at the end of the transaction it joins and learns what that
// transaction wrote, as noted by the audit trail; a rolled-back attempt's
// note is forgotten.
func TestClaimKnowsWhatItsTransactionWrote(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := store.Exec(ctx, db, `CREATE TABLE claim_written (entity TEXT NOT NULL, entity_id TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		cctx, claim := store.WithClaim(ctx, func(ctx context.Context, q store.Queryer, w store.Written) error {
			_, err := store.Exec(ctx, q, `INSERT INTO claim_written (entity, entity_id) VALUES (?, ?)`, w.Entity, w.ID)
			return err
		})
		store.NoteWritten(cctx, "ignored", "0") // outside any write: not the claim's
		boom := errors.New("boom")
		if err := db.Tx(cctx, func(tx *sqlx.Tx) error {
			store.NoteWritten(cctx, "rolled_back", "1")
			return boom
		}); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if err := db.Tx(cctx, func(tx *sqlx.Tx) error {
			store.NoteWritten(cctx, "service_request", "42")
			store.NoteWritten(cctx, "second", "43")
			return nil
		}); err != nil || !claim.Held() {
			t.Fatalf("tx: %v, held %v", err, claim.Held())
		}
		var got []struct {
			Entity string `db:"entity"`
			ID     string `db:"entity_id"`
		}
		if err := store.Select(ctx, db, &got, `SELECT entity, entity_id FROM claim_written`); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Entity != "service_request" || got[0].ID != "42" {
			t.Fatalf("the claim recorded %+v, want the first entity its transaction wrote", got)
		}
	})
}
