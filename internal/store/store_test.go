package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func TestMigrateIsIdempotentAndAuditIsAppendOnly(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		applied, pending, err := db.MigrationStatus(ctx)
		if err != nil || pending != 0 || applied == 0 {
			t.Fatalf("status: applied=%d pending=%d err=%v", applied, pending, err)
		}
		now := time.Now().UTC()
		id, err := store.InsertID(ctx, db, `INSERT INTO audit_events (actor, action, entity, entity_id, at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			"cli", "test", "thing", "1", now)
		if err != nil {
			t.Fatalf("insert audit: %v", err)
		}
		if _, err := store.Exec(ctx, db, `UPDATE audit_events SET action = 'x' WHERE id = ?`, id); err == nil {
			t.Fatal("update of an audit event succeeded")
		}
		if _, err := store.Exec(ctx, db, `DELETE FROM audit_events WHERE id = ?`, id); err == nil {
			t.Fatal("delete of an audit event succeeded")
		}
		var at time.Time
		if err := store.Get(ctx, db, &at, `SELECT at FROM audit_events WHERE id = ?`, id); err != nil {
			t.Fatalf("read back: %v", err)
		}
		if d := at.Sub(now); d < -time.Microsecond || d > time.Microsecond {
			t.Fatalf("time round trip: wrote %v read %v", now, at)
		}
	})
}

func TestConcurrentMigrateOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := testutil.NewDSN(t, store.Postgres)
	ctx := context.Background()
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			db, err := store.Open(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			errs <- db.Migrate(ctx)
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
}

// InsertID returns the id of the row it inserted, inside a transaction and
// on its own, on both engines (SQLite takes it from the insert itself), and
// an upsert that inserts nothing says so rather than naming another row.
func TestInsertID(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func(q store.Queryer, name string) int64 {
			t.Helper()
			id, err := store.InsertID(ctx, q, `INSERT INTO organizations (kind, name, code, active, version, created_at, updated_at)
				VALUES ('customer', ?, ?, ?, 1, ?, ?) RETURNING id`, name, name, true, time.Now().UTC(), time.Now().UTC())
			if err != nil {
				t.Fatalf("insert %s: %v", name, err)
			}
			var got string
			if err := store.Get(ctx, q, &got, `SELECT name FROM organizations WHERE id = ?`, id); err != nil || got != name {
				t.Fatalf("id %d of %s names %q (%v)", id, name, got, err)
			}
			return id
		}
		first := insert(db, "insert-id-a")
		var inTx [2]int64
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			inTx[0], inTx[1] = insert(tx, "insert-id-b"), insert(tx, "insert-id-c")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !(first < inTx[0] && inTx[0] < inTx[1]) {
			t.Fatalf("ids %d, %d, %d", first, inTx[0], inTx[1])
		}
		_, err := store.InsertID(ctx, db, `INSERT INTO organizations (kind, name, code, active, version, created_at, updated_at)
			VALUES ('customer', 'again', 'insert-id-a', ?, 1, ?, ?) ON CONFLICT (code) DO NOTHING RETURNING id`, true, time.Now().UTC(), time.Now().UTC())
		if !errors.Is(err, sql.ErrNoRows) {
			t.Fatalf("upsert that inserted nothing: %v", err)
		}
	})
}

// ByID reads the row with the id asked for, and answers the caller's own
// error, made from that id, where no row has it.
func TestByIDAnswersTheCallersNotFound(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		id, err := store.InsertID(ctx, db, `INSERT INTO organizations (kind, name, code, active, version, created_at, updated_at)
			VALUES ('customer', 'by-id', 'by-id', ?, 1, ?, ?) RETURNING id`, true, now, now)
		if err != nil {
			t.Fatal(err)
		}
		type org struct {
			Name string `db:"name"`
			Code string `db:"code"`
		}
		errMissing := errors.New("missing")
		var asked int64
		missing := func(id int64) error { asked = id; return errMissing }
		const query = `SELECT name, code FROM organizations WHERE id = ?`
		got, err := store.ByID[org](ctx, db, query, id, missing)
		if err != nil || got != (org{Name: "by-id", Code: "by-id"}) || asked != 0 {
			t.Fatalf("row %d: %+v %v (not found asked for %d)", id, got, err, asked)
		}
		if _, err := store.ByID[org](ctx, db, query, id+1000, missing); err != errMissing || asked != id+1000 {
			t.Fatalf("no row %d: %v, not found asked for %d", id+1000, err, asked)
		}
	})
}

// SelectIn spreads a slice over its IN (?) list, the arguments on either
// side of it kept in their places, on both engines; an empty list is an
// error, never a query that matches nothing or everything.
func TestSelectInSpreadsTheList(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		for _, code := range []string{"in-a", "in-b", "in-c"} {
			if _, err := store.InsertID(ctx, db, `INSERT INTO organizations (kind, name, code, active, version, created_at, updated_at)
				VALUES ('customer', ?, ?, ?, 1, ?, ?) RETURNING id`, code, code, code != "in-b", now, now); err != nil {
				t.Fatal(err)
			}
		}
		var codes []string
		if err := store.SelectIn(ctx, db, &codes, `SELECT code FROM organizations WHERE kind = ? AND code IN (?) AND active = ? ORDER BY code`,
			"customer", []string{"in-c", "in-b", "in-a", "in-x"}, true); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(codes, []string{"in-a", "in-c"}) {
			t.Fatalf("codes %v, want in-a and in-c", codes)
		}
		if err := store.SelectIn(ctx, db, &codes, `SELECT code FROM organizations WHERE code IN (?)`, []string{}); err == nil {
			t.Fatal("an empty IN list was run")
		}
	})
}
