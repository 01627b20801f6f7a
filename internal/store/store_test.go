package store_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func TestMigrateIsIdempotentAndAuditIsAppendOnly(t *testing.T) {
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
