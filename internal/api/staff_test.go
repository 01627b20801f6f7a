package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// TestBookingRefusedByTheVendorsRules books through the API: the vendor's
// rule for the product line refuses a technician whose certificate has
// expired (422, reason certification_expired, nothing booked); the vendor's
// exception lets one visit through and the request lists it.
func TestBookingRefusedByTheVendorsRules(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app := testutil.NewApp(t, db)
		f := testutil.Seed(t, db)
		sf := testutil.SeedService(t, db, f)
		if _, err := store.Exec(context.Background(), db, `UPDATE product_models SET product_line = 'CNC' WHERE code = 'FX-100'`); err != nil {
			t.Fatal(err)
		}
		vendor, provider, dispatcher := app.API(t, f.Tokens[policy.VendorAdmin]), app.API(t, f.Tokens[policy.ProviderAdmin]), app.API(t, f.Tokens[policy.Dispatcher])
		tech := f.Users[policy.Technician].ID

		// Bad input names its field, and nothing is saved.
		res := provider.Do("POST", fmt.Sprintf("/technicians/%d/certifications", tech), map[string]any{"kind": "vendor", "vendor_id": f.Vendor.ID,
			"product_line": "CNC", "level": 7, "number": "HC-1", "issued_on": "2026-05-01", "expires_on": "2026-04-01"})
		body := res.Map(t)
		if res.Status != 422 || !mentions(body, "body.level") || !mentions(body, "body.expires_on") {
			t.Fatalf("bad certification: %d %s", res.Status, res.Body)
		}
		res = provider.Do("POST", fmt.Sprintf("/technicians/%d/certifications", f.Users[policy.Dispatcher].ID), map[string]any{"kind": "grade", "level": 2,
			"number": "G-1", "issued_on": "2026-01-01", "expires_on": "2027-01-01"})
		if res.Status != 404 {
			t.Fatalf("a dispatcher is no technician: %d %s", res.Status, res.Body)
		}
		res = app.API(t, f.OtherToken).Do("GET", fmt.Sprintf("/technicians/%d", tech), nil)
		if res.Status != 404 {
			t.Fatalf("another vendor sees the technician: %d", res.Status)
		}
		ok(t, vendor.Do("POST", "/qualification-rules", map[string]any{"kind": "certificate", "product_line": "CNC", "min_level": 2}), "rule")
		yesterday := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1).Format(time.DateOnly)
		ok(t, provider.Do("POST", fmt.Sprintf("/technicians/%d/certifications", tech), map[string]any{"kind": "vendor", "vendor_id": f.Vendor.ID,
			"product_line": "CNC", "level": 3, "number": "HC-CNC-0007", "issued_on": "2023-01-01", "expires_on": yesterday}), "certificate")
		// The vendor reads the matrix but cannot edit the provider's staff.
		if res := vendor.Do("GET", fmt.Sprintf("/technicians/%d/certifications", tech), nil); res.Status != 200 {
			t.Fatalf("vendor reads certifications: %d", res.Status)
		}
		if res := vendor.Do("POST", fmt.Sprintf("/technicians/%d/certifications", tech), map[string]any{"kind": "grade", "level": 2, "number": "G",
			"issued_on": "2026-01-01", "expires_on": "2027-01-01"}); res.Status != 403 {
			t.Fatalf("vendor edits the provider's staff: %d", res.Status)
		}

		r := ok(t, dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": sf.Serial, "service_item": "repair", "priority": "general",
			"description": "主轴异响"}), "request")
		start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Hour)
		visit := map[string]any{"technician_id": tech, "window_start": start.Format(time.RFC3339), "window_end": start.Add(2 * time.Hour).Format(time.RFC3339)}
		path := fmt.Sprintf("/service-requests/%d/work-orders", id(r))
		res = dispatcher.Do("POST", path, visit)
		if res.Status != 422 || res.Map(t)["reason"] != "certification_expired" {
			t.Fatalf("booking an expired technician: %d %s", res.Status, res.Body)
		}
		var n int
		if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM work_orders WHERE request_id = ?`, id(r)); err != nil || n != 0 {
			t.Fatalf("%d visits after a refusal (%v)", n, err)
		}
		ok(t, vendor.Do("POST", fmt.Sprintf("/service-requests/%d/qualification-exceptions", id(r)), map[string]any{"technician_id": tech,
			"reason": "the only engineer near the site"}), "exception")
		wo := ok(t, dispatcher.Do("POST", path, visit), "booking with the exception")
		res = dispatcher.Do("GET", fmt.Sprintf("/service-requests/%d/qualification-exceptions", id(r)), nil)
		list := res.Map(t)["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["work_order_id"] != float64(id(wo)) || list[0].(map[string]any)["refused"] != "certification_expired" {
			t.Fatalf("exceptions: %s", res.Body)
		}
	})
}

func mentions(problem map[string]any, location string) bool {
	errs, _ := problem["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["location"] == location {
			return true
		}
	}
	return false
}
