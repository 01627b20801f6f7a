package store_test

import (
	"fmt"
	"testing"
	"time"

	"aftersales/internal/store"
)

// Since 00053 a resolved or cancelled request has no next deadline and no
// next check; an open one keeps both, and every request whether a clock
// was breached.
func TestMigrationClearsTheDeadlinesOfClosedRequests(t *testing.T) {
	atVersion(t, 52, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
		orgID := insertID(t, db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('provider', 'P', 'p', ?, ?) RETURNING id`, now, now)
		due, check := now.Add(4*time.Hour), now.Add(3*time.Hour)
		ids := map[string]int64{}
		for i, status := range []string{"received", "on_site", "resolved", "cancelled"} {
			ids[status] = insertID(t, db, `INSERT INTO service_requests (number, vendor_id, provider_id, customer_org_id, agreement_id, unit_id, serial_number, model,
				site_division, channel, service_item, priority, status, description, received_at, updated_at, next_due_at, next_check_at, breached)
				VALUES (?, ?, ?, ?, 1, 1, 'S-1', 'M', '320505', 'dispatcher', 'repair', 'general', ?, 'noise', ?, ?, ?, ?, ?) RETURNING id`,
				fmt.Sprintf("SR-%d", i), orgID, orgID, orgID, status, now, now, due, check, i%2 == 1)
		}
		if err := db.MigrateTo(ctx, 53); err != nil {
			t.Fatal(err)
		}
		for i, status := range []string{"received", "on_site", "resolved", "cancelled"} {
			var got struct {
				Due      *time.Time `db:"next_due_at"`
				Check    *time.Time `db:"next_check_at"`
				Breached bool       `db:"breached"`
			}
			if err := store.Get(ctx, db, &got, `SELECT next_due_at, next_check_at, breached FROM service_requests WHERE id = ?`, ids[status]); err != nil {
				t.Fatal(err)
			}
			open := status == "received" || status == "on_site"
			kept := got.Due != nil && got.Due.Equal(due) && got.Check != nil && got.Check.Equal(check)
			cleared := got.Due == nil && got.Check == nil
			if open && !kept || !open && !cleared || got.Breached != (i%2 == 1) {
				t.Errorf("a %s request after 00053: %+v", status, got)
			}
		}
	})
}
