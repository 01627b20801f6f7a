package store_test

import (
	"testing"
	"time"

	"aftersales/internal/store"
)

// Visits made before they had an origin come from their request, keep
// their ids and what refers to them, and a visit may now have no request
// only when a maintenance plan is its origin; since 00036 such a visit
// names its unit and agreement.
func TestMigrationGivesVisitsTheirOrigin(t *testing.T) {
	atVersion(t, 15, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Now().UTC()
		orgID := insertID(t, db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES ('provider', 'P', 'p', ?, ?) RETURNING id`, now, now)
		userID := insertID(t, db, `INSERT INTO users (org_id, email, name, role, password_hash, created_at, updated_at)
			VALUES (?, 't@p.example', 'T', 'technician', 'x', ?, ?) RETURNING id`, orgID, now, now)
		requestID := insertID(t, db, `INSERT INTO service_requests (number, vendor_id, provider_id, customer_org_id, agreement_id, unit_id, serial_number, model,
			site_division, channel, service_item, priority, status, description, received_at, updated_at)
			VALUES ('SR-1', ?, ?, ?, 1, 1, 'S-1', 'M', '320505', 'dispatcher', 'repair', 'general', 'scheduled', 'noise', ?, ?) RETURNING id`,
			orgID, orgID, orgID, now, now)
		const visitID = 41
		if _, err := store.Exec(ctx, db, `INSERT INTO work_orders (id, request_id, technician_id, window_start, window_end, status, diagnosis,
			signoff_sent_to, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 'on_site', 'bearing', 'c@example', ?, ?, 3)`,
			visitID, requestID, userID, now, now.Add(time.Hour), now, now); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(ctx, db, `INSERT INTO signoff_codes (work_order_id, salt, code_hash, sent_to, expires_at, created_at)
			VALUES (?, 's', 'h', 'c@example', ?, ?)`, visitID, now, now); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateTo(ctx, 16); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Origin    string `db:"origin"`
			RequestID int64  `db:"request_id"`
			Diagnosis string `db:"diagnosis"`
			SentTo    string `db:"signoff_sent_to"`
			Version   int64  `db:"version"`
		}
		if err := store.Get(ctx, db, &got, `SELECT origin, request_id, diagnosis, signoff_sent_to, version FROM work_orders WHERE id = ?`, visitID); err != nil {
			t.Fatal(err)
		}
		if got.Origin != "request" || got.RequestID != requestID || got.Diagnosis != "bearing" || got.SentTo != "c@example" || got.Version != 3 {
			t.Fatalf("the visit after the migration: %+v", got)
		}
		var codes int
		if err := store.Get(ctx, db, &codes, `SELECT COUNT(*) FROM signoff_codes WHERE work_order_id = ?`, visitID); err != nil || codes != 1 {
			t.Fatalf("sign-off codes of the visit: %d, %v", codes, err)
		}
		if db.Engine == store.SQLite {
			var broken []struct {
				Table string `db:"table"`
			}
			if err := store.Select(ctx, db, &broken, `SELECT "table" FROM pragma_foreign_key_check`); err != nil || len(broken) != 0 {
				t.Fatalf("foreign keys after the rebuild: %v, %v", broken, err)
			}
		}
		// What refers to a visit still must name one.
		if _, err := store.Exec(ctx, db, `INSERT INTO signoff_codes (work_order_id, salt, code_hash, sent_to, expires_at, created_at)
			VALUES (9999, 's', 'h', 'x', ?, ?)`, now, now); err == nil {
			t.Error("a sign-off code of no visit was stored")
		}
		visit := `INSERT INTO work_orders (origin, request_id, technician_id, window_start, window_end, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'assigned', ?, ?) RETURNING id`
		if _, err := store.InsertID(ctx, db, visit, "maintenance", nil, userID, now, now, now, now); err != nil {
			t.Errorf("a maintenance visit with no request: %v", err)
		}
		if _, err := store.InsertID(ctx, db, visit, "request", nil, userID, now, now, now, now); err == nil {
			t.Error("a request's visit with no request was stored")
		}
		if _, err := store.InsertID(ctx, db, visit, "maintenance", requestID, userID, now, now, now, now); err == nil {
			t.Error("a maintenance visit naming a request was stored")
		}
		if _, err := store.InsertID(ctx, db, visit, "inspection", nil, userID, now, now, now, now); err == nil {
			t.Error("a visit of an unknown origin was stored")
		}
		// Since 00036 a maintenance visit names the unit and the agreement
		// it serves, only a request's visit redoes another, and a redo
		// booked before from a callback is marked as the redo it is.
		if _, err := store.Exec(ctx, db, `DELETE FROM work_orders WHERE origin = 'maintenance'`); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateTo(ctx, 35); err != nil {
			t.Fatal(err)
		}
		redoID := insertID(t, db, `INSERT INTO work_orders (origin, request_id, technician_id, window_start, window_end, status, created_at, updated_at)
			VALUES ('request', ?, ?, ?, ?, 'assigned', ?, ?) RETURNING id`, requestID, userID, now, now, now, now)
		otherID := insertID(t, db, `INSERT INTO work_orders (origin, request_id, technician_id, window_start, window_end, status, created_at, updated_at)
			VALUES ('request', ?, ?, ?, ?, 'assigned', ?, ?) RETURNING id`, requestID, userID, now, now, now, now)
		callbackID := insertID(t, db, `INSERT INTO callbacks (reason, status, record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id,
			customer_org_id, period, created_at, redo_work_order_id) VALUES ('sample', 'redo', 1, ?, ?, 1, ?, ?, ?, '2026-11', ?, ?) RETURNING id`,
			visitID, requestID, orgID, orgID, orgID, now, redoID)
		if _, err := store.Exec(ctx, db, `INSERT INTO redo_visits (work_order_id, redo_of, request_id, callback_id, provider_id, agreement_id, period, reason, created_at)
			VALUES (?, ?, ?, ?, ?, 1, '2026-11', 'noise again', ?)`, redoID, visitID, requestID, callbackID, orgID, now); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]int64{redoID: visitID, otherID: 0, visitID: 0} {
			var redoOf *int64
			if err := store.Get(ctx, db, &redoOf, `SELECT redo_of FROM work_orders WHERE id = ?`, id); err != nil {
				t.Fatal(err)
			}
			if got := int64(0); (redoOf == nil) != (want == 0) || redoOf != nil && *redoOf != want {
				if redoOf != nil {
					got = *redoOf
				}
				t.Errorf("visit %d after 00036 redoes %d, want %d", id, got, want)
			}
		}
		if _, err := store.InsertID(ctx, db, visit, "maintenance", nil, userID, now, now, now, now); err == nil {
			t.Error("a maintenance visit naming no unit was stored")
		}
		if _, err := store.Exec(ctx, db, `UPDATE work_orders SET redo_of = ? WHERE id = ?`, visitID, visitID); err != nil {
			t.Errorf("a request's visit marked as a redo: %v", err)
		}
		if err := store.Get(ctx, db, &got, `SELECT origin, request_id, diagnosis, signoff_sent_to, version FROM work_orders WHERE id = ?`, visitID); err != nil || got.Diagnosis != "bearing" {
			t.Fatalf("the visit after 00036: %+v, %v", got, err)
		}
	})
}
