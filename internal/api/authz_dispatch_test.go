package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// walkDispatch lists availability and the dispatch board: the provider's
// admin sets working hours and the rota, which the register's readers (staffReaders)
// read; the board and its plans are the provider's dispatchers' (and
// admin's) alone.
func walkDispatch(f *testutil.Fixture) map[string]walkCase {
	providerAdmin := []policy.Role{policy.ProviderAdmin}
	dispatchers := []policy.Role{policy.ProviderAdmin, policy.Dispatcher}
	tech := f.Users[policy.Technician].ID
	week := func(*testutil.Fixture, policy.Role) any {
		return map[string]any{"calendar_id": "cn", "week": map[string][]string{"mon": {"08:30-12:00", "13:00-17:30"}, "wed": {"08:30-12:00", "13:00-17:30"}, "sat": {"09:00-12:00"}}}
	}
	return map[string]walkCase{
		"get-technician-working-hours":    {method: "GET", path: fmt.Sprintf("/technicians/%d/working-hours", tech), allowed: staffReaders},
		"set-technician-working-hours":    {method: "PUT", path: fmt.Sprintf("/technicians/%d/working-hours", tech), body: week, allowed: providerAdmin},
		"get-service-point-working-hours": {method: "GET", path: "/service-points/%POINT%/working-hours", allowed: staffReaders},
		"set-service-point-working-hours": {method: "PUT", path: "/service-points/%POINT%/working-hours", body: week, allowed: providerAdmin},
		"list-on-call": {method: "GET", path: fmt.Sprintf("/on-call?provider_id=%d&from=2030-01-01T00:00:00Z&to=2030-02-01T00:00:00Z", f.Provider.ID),
			allowed: staffReaders},
		"create-on-call": {method: "POST", path: fmt.Sprintf("/technicians/%d/on-call", tech), body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"starts_at": "2031-03-01T00:00:00+08:00", "ends_at": "2031-03-02T00:00:00+08:00", "note": "值班"}
		}, allowed: providerAdmin},
		"get-on-call":        {method: "GET", path: "/on-call/%ONCALL%", allowed: staffReaders},
		"delete-on-call":     {method: "DELETE", path: "/on-call/%ONCALL%", allowed: providerAdmin},
		"get-dispatch-board": {method: "GET", path: "/dispatch/board?day=2030-01-09", allowed: dispatchers},
		"get-dispatch-week":  {method: "GET", path: "/dispatch/week?day=2030-01-09", allowed: dispatchers},
		"create-dispatch-plan": {method: "POST", path: "/dispatch/plans", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"day": "2030-01-09", "time_limit_seconds": 1}
		}, allowed: dispatchers},
		"get-dispatch-plan":         {method: "GET", path: "/dispatch/plans/%PLAN%", allowed: dispatchers},
		"list-dispatch-plans":       {method: "GET", path: "/dispatch/plans", allowed: dispatchers},
		"accept-dispatch-plan":      {method: "POST", path: "/dispatch/plans/%PLAN%/accept", allowed: dispatchers},
		"discard-dispatch-plan":     {method: "POST", path: "/dispatch/plans/%PLAN%/discard", allowed: dispatchers},
		"get-service-request-parts": {method: "GET", path: "/service-requests/%REQUEST%/parts", allowed: dispatchers},
		"set-service-request-parts": {method: "PUT", path: "/service-requests/%REQUEST%/parts", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"parts": []any{}}
		}, allowed: dispatchers},
	}
}

// withDispatch fills %ONCALL% with a fresh turn of the fixture's technician
// and %PLAN% with a fresh proposal of the Provider's board of 2030-01-09
// (stored as planned, with no routes, so the walk needs no solver).
func withDispatch(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	ctx := context.Background()
	a := testutil.Services(t, app.DB)
	if strings.Contains(path, "%ONCALL%") {
		start := time.Date(2032, 1, 1, 0, 0, 0, 0, calendar.Shanghai).Add(time.Duration(randomish()%100000) * time.Hour)
		o, err := a.Staff.AddOnCall(ctx, f.Users[policy.ProviderAdmin].Actor(), f.Users[policy.Technician].ID, staff.OnCall{StartsAt: start, EndsAt: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "%ONCALL%", fmt.Sprint(o.ID))
	}
	if strings.Contains(path, "%PLAN%") {
		b, err := a.Dispatch.Board(ctx, f.Users[policy.Dispatcher].Actor(), 0, "2030-01-09")
		if err != nil {
			t.Fatal(err)
		}
		id, err := store.InsertID(ctx, app.DB, `INSERT INTO dispatch_plans (provider_id, day, status, stamp, proposal, created_at) VALUES (?, ?, 'proposed', ?, ?, ?) RETURNING id`,
			f.Provider.ID, b.Day, b.Stamp, `{"routes":[],"unplaced":[]}`, time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "%PLAN%", fmt.Sprint(id))
	}
	return path
}
