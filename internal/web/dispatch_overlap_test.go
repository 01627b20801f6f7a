package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/store"
)

// The board refuses to book or move a visit onto a technician's other
// visit, by a drop (the script's post) and by the keyboard's form, with
// the reason said and nothing booked; a visit touching the other's end is
// booked.
func TestBoardRefusesOverlappingVisits(t *testing.T) {
	t.Parallel()
	app, f, sf := servingSQLite(t)
	ctx := context.Background()
	tech := f.Users[policy.Technician]
	day := calendar.MustParseDate("2030-01-09")
	file := func() int64 { return fileRepair(t, app, f, sf, "主轴异响").ID }
	booked, waiting, other := file(), file(), file()
	bookVisit(t, app, f, booked, time.Date(2030, 1, 9, 9, 0, 0, 0, calendar.Shanghai), time.Date(2030, 1, 9, 11, 0, 0, 0, calendar.Shanghai))
	moved := bookVisit(t, app, f, other, time.Date(2030, 1, 9, 14, 0, 0, 0, calendar.Shanghai), time.Date(2030, 1, 9, 16, 0, 0, 0, calendar.Shanghai))
	visits := func() int { return count(t, app.DB, `SELECT COUNT(*) FROM work_orders WHERE status = 'assigned'`) }
	c := signIn(t, app, f.Users[policy.Dispatcher].Email)
	move := func(form url.Values, script bool) (int, string) {
		form.Set("day", day.String())
		form.Set("technician_id", itoa(tech.ID))
		req, _ := http.NewRequest("POST", app.URL+"/dispatch/move", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if script {
			req.Header.Set("X-Board", "1")
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, body(t, res)
	}
	// A drop of the waiting request at 10:00, and the moved visit by its form to 10:30.
	if status, text := move(url.Values{"request_id": {itoa(waiting)}, "time": {"10:00"}}, true); status != 422 || !strings.Contains(text, "already has visit") {
		t.Fatalf("a drop onto another visit: %d %q", status, text)
	}
	if status, _ := move(url.Values{"request_id": {itoa(other)}, "work_order_id": {itoa(moved.ID)}, "minutes": {"120"}, "time": {"10:30"}}, false); status != http.StatusSeeOther {
		t.Fatalf("the keyboard's move: %d, want back to the board", status)
	}
	if html := body(t, get(t, c, app.URL+"/dispatch?day="+day.String())); !strings.Contains(html, "already has visit") {
		t.Fatalf("the keyboard's move onto another visit is not refused with its reason: %s", errorsIn(html))
	}
	if n := visits(); n != 2 {
		t.Fatalf("%d visits booked after two refusals, want 2", n)
	}
	var start time.Time
	if err := store.Get(ctx, app.DB, &start, `SELECT window_start FROM work_orders WHERE id = ?`, moved.ID); err != nil || !start.Equal(time.Date(2030, 1, 9, 14, 0, 0, 0, calendar.Shanghai)) {
		t.Fatalf("the refused move changed the visit: %s %v", start, err)
	}
	// Touching the booked visit's end is no overlap.
	if status, text := move(url.Values{"request_id": {itoa(waiting)}, "time": {"11:00"}}, true); status != http.StatusNoContent {
		t.Fatalf("a drop at the other visit's end: %d %q", status, text)
	}
}

// "Plan the day" takes a booked visit's start range from its form on the
// board: the plan starts it inside the range; a range with a malformed
// time is refused naming the field, and no plan is made.
func TestBoardPlanTakesAStartRange(t *testing.T) {
	t.Parallel()
	app, f, sf := servingSQLite(t)
	ctx := context.Background()
	admin := f.Users[policy.ProviderAdmin].Actor()
	tech := f.Users[policy.Technician]
	point, err := app.Server.Staff.CreatePoint(ctx, admin, f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320505", Lat: 31.30, Lng: 120.60})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Server.Staff.UpdateTechnician(ctx, admin, tech.ID, staff.TechnicianInput{ServicePointID: &point.ID}, 1); err != nil {
		t.Fatal(err)
	}
	r := fileRepair(t, app, f, sf, "主轴异响")
	wo := bookVisit(t, app, f, r.ID, time.Date(2030, 1, 9, 14, 0, 0, 0, calendar.Shanghai), time.Date(2030, 1, 9, 16, 0, 0, 0, calendar.Shanghai))
	c := signIn(t, app, f.Users[policy.Dispatcher].Email)
	id := itoa(wo.ID)
	plans := func() int { return countRows(t, app.DB, "dispatch_plans") }
	form := url.Values{"day": {"2030-01-09"}, "time_limit": {"1"}, "lock_" + id: {"range"}, "lock_from_" + id: {"9h"}, "lock_to_" + id: {"10:00"}}
	if res, _ := post(t, c, app.URL+"/dispatch/plans", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a malformed range: %d", res.StatusCode)
	}
	if html := body(t, get(t, c, app.URL+"/dispatch?day=2030-01-09")); !strings.Contains(html, "Earliest start (for “start between”): must be a time HH:MM") || plans() != 0 {
		t.Fatalf("a malformed range is not refused naming its field (plans: %d)", plans())
	}
	form.Set("lock_from_"+id, "09:00")
	res, _ := post(t, c, app.URL+"/dispatch/plans", form)
	loc, _ := res.Location()
	if res.StatusCode != http.StatusSeeOther || loc == nil || loc.Query().Get("plan") == "" {
		t.Fatalf("plan: %d %v", res.StatusCode, loc)
	}
	planID, _ := strconv.ParseInt(loc.Query().Get("plan"), 10, 64)
	p, err := app.Server.Dispatch.GetPlan(ctx, f.Users[policy.Dispatcher].Actor(), planID)
	if err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2030, 1, 9, 9, 0, 0, 0, calendar.Shanghai), time.Date(2030, 1, 9, 10, 0, 0, 0, calendar.Shanghai)
	found := false
	for _, rt := range p.Proposal.Routes {
		for _, st := range rt.Stops {
			if st.WorkOrderID == wo.ID {
				found = true
				if st.Start.Before(from) || st.Start.After(to) {
					t.Errorf("the plan starts the visit at %s, outside the range 09:00–10:00", st.Start.In(calendar.Shanghai))
				}
			}
		}
	}
	if !found {
		t.Fatalf("the visit is not in the plan: %+v", p.Proposal)
	}
}
