package api_test

import (
	"context"
	"fmt"
	"net/url"
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
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
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

// The recommendations for a request's visit: a technician whose certificate
// expired is excluded with the reason, the qualified one is ranked with
// the parts of the score.
func TestRecommendationsForAVisit(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		if _, err := store.Exec(context.Background(), db, `UPDATE product_models SET product_line = 'CNC' WHERE code = 'FX-100'`); err != nil {
			t.Fatal(err)
		}
		vendor, provider, dispatcher := app.API(t, f.Tokens[policy.VendorAdmin]), app.API(t, f.Tokens[policy.ProviderAdmin]), app.API(t, f.Tokens[policy.Dispatcher])
		tech := f.Users[policy.Technician].ID
		point := ok(t, provider.Do("POST", "/service-points", map[string]any{"name": "苏州网点", "address": "苏州市虎丘区 2 号", "division": "320505",
			"lat": 31.30, "lng": 120.55, "radius_km": 40}), "point")
		ok(t, provider.Do("PATCH", fmt.Sprintf("/technicians/%d", tech), map[string]any{"service_point_id": id(point), "skills": []any{}}, "If-Match", `"1"`), "profile")
		r := ok(t, dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": sf.Serial, "service_item": "repair", "priority": "general",
			"description": "主轴异响"}), "request")
		// Tomorrow at ten in Shanghai: a free slot whatever the time the test runs at.
		local := time.Now().In(time.FixedZone("CST", 8*3600))
		tomorrow := time.Date(local.Year(), local.Month(), local.Day()+1, 10, 0, 0, 0, local.Location())
		path := fmt.Sprintf("/service-requests/%d/recommendations?earliest=%s", id(r), url.QueryEscape(tomorrow.Format(time.RFC3339)))
		res := dispatcher.Do("GET", path, nil)
		body := res.Map(t)
		ranked := body["ranked"].([]any)
		if res.Status != 200 || len(ranked) != 1 || ranked[0].(map[string]any)["technician_id"] != float64(tech) {
			t.Fatalf("recommendations without rules: %d %s", res.Status, res.Body)
		}
		parts := ranked[0].(map[string]any)["parts"].(map[string]any)
		if parts["travel"].(float64) < 80 || ranked[0].(map[string]any)["travel_km"].(float64) < 1 {
			t.Fatalf("score parts: %s", res.Body)
		}
		ok(t, vendor.Do("POST", "/qualification-rules", map[string]any{"kind": "certificate", "product_line": "CNC", "min_level": 2}), "rule")
		yesterday := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1).Format(time.DateOnly)
		ok(t, provider.Do("POST", fmt.Sprintf("/technicians/%d/certifications", tech), map[string]any{"kind": "vendor", "vendor_id": f.Vendor.ID,
			"product_line": "CNC", "level": 3, "number": "HC-CNC-0007", "issued_on": "2023-01-01", "expires_on": yesterday}), "certificate")
		res = dispatcher.Do("GET", path+"&policy=emergency", nil)
		body = res.Map(t)
		excluded := body["excluded"].([]any)
		if res.Status != 200 || len(body["ranked"].([]any)) != 0 || len(excluded) != 1 {
			t.Fatalf("recommendations with an expired certificate: %d %s", res.Status, res.Body)
		}
		ex := excluded[0].(map[string]any)
		if ex["reason"] != "not_qualified" || ex["refusal"].(map[string]any)["reason"] != "certification_expired" {
			t.Fatalf("exclusion: %s", res.Body)
		}
		if res := dispatcher.Do("GET", path+"&policy=fastest", nil); res.Status != 422 {
			t.Fatalf("unknown policy: %d", res.Status)
		}
	})
}
