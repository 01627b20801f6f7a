package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

// walkAppointments lists the appointment links: the provider's dispatchers
// (and admin) send them and read their answers; nobody else.
func walkAppointments(*testutil.Fixture) map[string]walkCase {
	dispatchers := []policy.Role{policy.ProviderAdmin, policy.Dispatcher}
	return map[string]walkCase{
		"send-appointment-link": {method: "POST", path: "/work-orders/%AHEADWO%/appointment-links", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"locale": "en"}
		}, allowed: dispatchers},
		"list-appointment-links": {method: "GET", path: "/work-orders/%AHEADWO%/appointment-links", allowed: dispatchers},
	}
}

// withAppointments fills %AHEADWO% with a fresh visit of the fixture's
// technician days ahead, whose window a customer can still agree.
func withAppointments(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	if !strings.Contains(path, "%AHEADWO%") {
		return path
	}
	dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
	reqID := fileRepair(t, dispatcher, "general", "walk")
	start := time.Date(2033, 1, 3, 9, 0, 0, 0, calendar.Shanghai).Add(time.Duration(randomish()) * 3 * time.Hour)
	res := dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/work-orders", reqID), map[string]any{"technician_id": f.Users[policy.Technician].ID,
		"window_start": start.Format(time.RFC3339), "window_end": start.Add(2 * time.Hour).Format(time.RFC3339)})
	var wo struct{ ID int64 }
	res.JSON(t, &wo)
	if wo.ID == 0 {
		t.Fatalf("booking a visit ahead: %d %s", res.Status, res.Body)
	}
	return strings.ReplaceAll(path, "%AHEADWO%", fmt.Sprint(wo.ID))
}
