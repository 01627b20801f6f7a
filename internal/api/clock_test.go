package api_test

import (
	"fmt"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The product reads the time from one clock, which a test can set: a
// request filed at the set time is received then, its clocks fall due from
// then, and moving the clock on makes them overdue.
func TestRequestClocksRunOnTheSetClock(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := testutil.Seed(t, db)
		sf := testutil.SeedService(t, db, f)
		app := testutil.NewApp(t, db)
		at := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) // a Tuesday, 10:00 in Shanghai
		app.Clock.Set(at)
		api := app.API(t, f.Tokens[policy.Dispatcher])
		res := api.Do("POST", "/service-requests", map[string]any{"serial_number": sf.Serial, "service_item": "repair",
			"priority": "emergency", "description": "Spindle stopped"})
		if res.Status != 201 {
			t.Fatalf("file a request: %d %s", res.Status, res.Body)
		}
		var req struct {
			ID         int64     `json:"id"`
			ReceivedAt time.Time `json:"received_at"`
			Clocks     []struct {
				Kind             string    `json:"kind"`
				DueAt            time.Time `json:"due_at"`
				State            string    `json:"state"`
				RemainingSeconds int64     `json:"remaining_seconds"`
			} `json:"clocks"`
		}
		res.JSON(t, &req)
		if !req.ReceivedAt.Equal(at) {
			t.Fatalf("received at %s, want the set time %s", req.ReceivedAt, at)
		}
		// The emergency terms: response within 2 hours, on site within 8, round the clock.
		due := map[string]time.Time{}
		for _, c := range req.Clocks {
			due[c.Kind] = c.DueAt
		}
		if !due["response"].Equal(at.Add(2*time.Hour)) || !due["onsite"].Equal(at.Add(8*time.Hour)) {
			t.Fatalf("clocks %+v, want response due %s and on site %s", req.Clocks, at.Add(2*time.Hour), at.Add(8*time.Hour))
		}

		app.Clock.Advance(3 * time.Hour)
		res = api.Do("GET", fmt.Sprintf("/service-requests/%d", req.ID), nil)
		res.JSON(t, &req)
		for _, c := range req.Clocks {
			if c.Kind == "response" && (c.State != "breached" || c.RemainingSeconds != -3600) {
				t.Fatalf("an hour past its due time the response clock is %s with %ds left", c.State, c.RemainingSeconds)
			}
		}
	})
}
