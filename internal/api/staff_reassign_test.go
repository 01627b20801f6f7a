package api_test

import (
	"fmt"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The candidates to take over a booked visit: a technician with another
// visit in its window is excluded naming that visit; the visit itself does
// not block its own technician; a second booking into the same window is
// refused with reason overlapping_visit; a started visit has no candidates.
func TestReassignmentRecommendations(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		res := app.API(t, f.Tokens[policy.ProviderAdmin]).Do("POST", "/users", map[string]any{"org_id": f.Provider.ID, "email": "busy@provider.example",
			"name": "Busy", "role": "technician", "password": "long-enough-1"})
		var busy struct{ ID int64 }
		res.JSON(t, &busy)
		if res.Status != 201 {
			t.Fatalf("second technician: %d %s", res.Status, res.Body)
		}
		// Both based at a point near the site.
		admin := app.API(t, f.Tokens[policy.ProviderAdmin])
		point := id(ok(t, admin.Do("POST", "/service-points", map[string]any{"name": "苏州网点", "address": "苏州市虎丘区 2 号", "division": "320505",
			"lat": 31.3, "lng": 120.6}), "service point"))
		for _, tech := range []int64{f.Users[policy.Technician].ID, busy.ID} {
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
		other := id(ok(t, dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/work-orders", r2), window(busy.ID, time.Hour)), "busy's visit"))

		// Booking the fixture's technician into Busy's window is refused.
		res = dispatcher.Do("POST", fmt.Sprintf("/work-orders/%d/reassign", wo), window(busy.ID, 30*time.Minute))
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
			if e.TechnicianID == busy.ID && e.WorkOrderID != other {
				t.Fatalf("busy excluded for visit %d, want %d", e.WorkOrderID, other)
			}
		}
		if reasons[busy.ID] != "overlapping_visit" {
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
			if e.TechnicianID == busy.ID && e.Reason == "overlapping_visit" {
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
