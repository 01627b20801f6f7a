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
		onCNCLine(t, db)
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

// onCNCLine puts the fixture's model FX-100 on the product line CNC, which
// the tests' rules and certifications name.
func onCNCLine(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := store.Exec(context.Background(), db, `UPDATE product_models SET product_line = 'CNC' WHERE code = 'FX-100'`); err != nil {
		t.Fatal(err)
	}
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
		onCNCLine(t, db)
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

// The candidates to take over a booked visit: a technician with another
// visit in its window is excluded naming that visit; the visit itself does
// not block its own technician; a second booking into the same window is
// refused with reason overlapping_visit; a started visit has no candidates.
func TestReassignmentRecommendations(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		busy := addTechnician(t, app, f, "busy@provider.example", "Busy")
		// Both based at a point near the site.
		admin := app.API(t, f.Tokens[policy.ProviderAdmin])
		point := id(ok(t, admin.Do("POST", "/service-points", map[string]any{"name": "苏州网点", "address": "苏州市虎丘区 2 号", "division": "320505",
			"lat": 31.3, "lng": 120.6}), "service point"))
		for _, tech := range []int64{f.Users[policy.Technician].ID, busy} {
			ok(t, admin.Do("PATCH", fmt.Sprintf("/technicians/%d", tech), map[string]any{"service_point_id": point, "efficiency_permille": 1000, "skills": []any{}},
				"If-Match", `"1"`), "profile")
		}
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		file := func() int64 {
			return id(ok(t, dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair",
				"priority": "general", "description": "异响"}), "request"))
		}
		// In two days at ten in Shanghai: inside the working day whatever the hour the test runs at.
		local := time.Now().In(time.FixedZone("CST", 8*3600))
		start := time.Date(local.Year(), local.Month(), local.Day()+2, 10, 0, 0, 0, local.Location())
		window := func(tech int64, from time.Duration) map[string]any {
			return map[string]any{"technician_id": tech, "window_start": start.Add(from).Format(time.RFC3339), "window_end": start.Add(from + 2*time.Hour).Format(time.RFC3339)}
		}
		r1, r2 := file(), file()
		wo := id(ok(t, dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/work-orders", r1), window(f.Users[policy.Technician].ID, 0)), "visit"))
		other := id(ok(t, dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/work-orders", r2), window(busy, time.Hour)), "busy's visit"))

		// Booking the fixture's technician into Busy's window is refused.
		res := dispatcher.Do("POST", fmt.Sprintf("/work-orders/%d/reassign", wo), window(busy, 30*time.Minute))
		if res.Status != 422 || res.Map(t)["reason"] != "overlapping_visit" || !mentions(res.Map(t), "body.technician_id") {
			t.Fatalf("reassigning onto an overlap: %d %s", res.Status, res.Body)
		}

		var rec struct {
			WorkOrderID         int64 `json:"work_order_id"`
			CurrentTechnicianID int64 `json:"current_technician_id"`
			Ranked              []struct {
				TechnicianID int64 `json:"technician_id"`
			}
			Excluded []struct {
				TechnicianID int64  `json:"technician_id"`
				Reason       string `json:"reason"`
				WorkOrderID  int64  `json:"work_order_id"`
			}
		}
		res = dispatcher.Do("GET", fmt.Sprintf("/work-orders/%d/recommendations", wo), nil)
		res.JSON(t, &rec)
		if res.Status != 200 || rec.WorkOrderID != wo || rec.CurrentTechnicianID != f.Users[policy.Technician].ID {
			t.Fatalf("recommendations: %d %s", res.Status, res.Body)
		}
		reasons := map[int64]string{}
		for _, e := range rec.Excluded {
			reasons[e.TechnicianID] = e.Reason
			if e.TechnicianID == busy && e.WorkOrderID != other {
				t.Fatalf("busy excluded for visit %d, want %d", e.WorkOrderID, other)
			}
		}
		if reasons[busy] != "overlapping_visit" {
			t.Fatalf("busy technician not excluded for the overlap: %s", res.Body)
		}
		if reasons[f.Users[policy.Technician].ID] == "overlapping_visit" {
			t.Fatalf("the visit blocks its own technician: %s", res.Body)
		}
		// Looking for a new slot instead of the window: Busy is free later that day.
		res = dispatcher.Do("GET", fmt.Sprintf("/work-orders/%d/recommendations?earliest=%s", wo, start.Add(4*time.Hour).Format(time.RFC3339)), nil)
		rec.Excluded, rec.Ranked = nil, nil
		res.JSON(t, &rec)
		for _, e := range rec.Excluded {
			if e.TechnicianID == busy && e.Reason == "overlapping_visit" {
				t.Fatalf("with a new earliest, busy still excluded for the old window: %s", res.Body)
			}
		}
		if res := dispatcher.Do("GET", fmt.Sprintf("/work-orders/%d/recommendations?earliest=soon", wo), nil); res.Status != 422 || !mentions(res.Map(t), "query.earliest") {
			t.Fatalf("bad earliest: %d %s", res.Status, res.Body)
		}
		if res := dispatcher.Do("GET", "/work-orders/999999/recommendations", nil); res.Status != 404 {
			t.Fatalf("no such visit: %d", res.Status)
		}
		if _, err := store.Exec(t.Context(), db, `UPDATE work_orders SET status = 'on_site' WHERE id = ?`, other); err != nil {
			t.Fatal(err)
		}
		if res := dispatcher.Do("GET", fmt.Sprintf("/work-orders/%d/recommendations", other), nil); res.Status != 409 {
			t.Fatalf("a started visit: %d %s", res.Status, res.Body)
		}
	})
}
