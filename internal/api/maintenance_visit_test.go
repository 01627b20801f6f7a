package api_test

import (
	"fmt"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A dispatcher books a maintenance visit to a unit through the API; the
// visit names the unit, has no request, and its technician reads it. A
// window that ends before it starts, another provider's dispatcher and a
// unit nobody maintains are refused, and none of them writes a visit.
func TestMaintenanceVisitThroughTheAPI(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		unitID := scalar[int64](t, db, `SELECT id FROM units WHERE serial_number = 'FX100-0001'`)
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		tech := f.Users[policy.Technician].ID
		path := fmt.Sprintf("/units/%d/work-orders", unitID)
		visits := func() int { return countRows(t, db, "work_orders") }

		start := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
		bad := dispatcher.Do("POST", path, map[string]any{"technician_id": tech,
			"window_start": start.Format(time.RFC3339), "window_end": start.Add(-time.Hour).Format(time.RFC3339)})
		if bad.Status != 422 {
			t.Fatalf("a window ending before it starts: %d %s", bad.Status, bad.Body)
		}
		other := app.API(t, f.OtherToken).Do("POST", path, freshVisit(tech))
		if other.Status != 404 {
			t.Fatalf("another vendor's admin booking: %d %s", other.Status, other.Body)
		}
		nobody := dispatcher.Do("POST", "/units/999999/work-orders", freshVisit(tech))
		if nobody.Status != 404 {
			t.Fatalf("a unit that does not exist: %d %s", nobody.Status, nobody.Body)
		}
		if n := visits(); n != 0 {
			t.Fatalf("%d visits after refused bookings", n)
		}

		visit := freshVisit(tech)
		wo := ok(t, dispatcher.Do("POST", path, visit, "Idempotency-Key", "maint-1"), "book the maintenance visit")
		if wo["origin"] != "maintenance" || int64(wo["unit_id"].(float64)) != unitID || wo["request_id"] != nil {
			t.Fatalf("the maintenance visit: %v", wo)
		}
		again := dispatcher.Do("POST", path, visit, "Idempotency-Key", "maint-1")
		if again.Status != 201 || id(again.Map(t)) != id(wo) || visits() != 1 {
			t.Fatalf("the booking repeated under its key: %d %s, %d visits", again.Status, again.Body, visits())
		}
		read := ok(t, app.API(t, f.Tokens[policy.Technician]).Do("GET", fmt.Sprintf("/work-orders/%d", id(wo)), nil), "the technician reads it")
		if read["origin"] != "maintenance" {
			t.Fatalf("the technician's read: %v", read)
		}
	})
}
