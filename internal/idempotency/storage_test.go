package idempotency_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"aftersales/internal/idempotency"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Prune drops the keys past their TTL and keeps the others, whatever they hold.
func TestPruneDropsExpiredKeys(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		orgID, err := store.InsertID(ctx, db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('vendor', 'V', 'v', ?, ?) RETURNING id`, now, now)
		if err != nil {
			t.Fatal(err)
		}
		userID, err := store.InsertID(ctx, db, `INSERT INTO users (org_id, email, name, role, password_hash, created_at, updated_at)
			VALUES (?, 'a@v.example', 'A', 'vendor_admin', 'x', ?, ?) RETURNING id`, orgID, now, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []struct {
			key    string
			age    time.Duration
			status int
			entity string
		}{
			{"expired-answer", idempotency.TTL + time.Second, 201, ""},
			{"expired-reservation", 3 * idempotency.TTL, 0, "organization"},
			{"last-second", idempotency.TTL - time.Second, 201, ""},
			{"fresh-reservation", time.Minute, 0, "organization"},
		} {
			if _, err := store.Exec(ctx, db, `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status, content_type, body, entity, entity_id, created_at)
				VALUES (?, ?, 'POST', '/api/v1/organizations', 'h', ?, 'application/json', ?, ?, '7', ?)`,
				userID, k.key, k.status, []byte(`{}`), k.entity, now.Add(-k.age)); err != nil {
				t.Fatal(err)
			}
		}
		if err := idempotency.Prune(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		var left []string
		if err := store.Select(ctx, db, &left, `SELECT key FROM idempotency_keys ORDER BY key`); err != nil {
			t.Fatal(err)
		}
		if want := []string{"fresh-reservation", "last-second"}; !slices.Equal(left, want) {
			t.Fatalf("keys left %v, want %v", left, want)
		}
	})
}
