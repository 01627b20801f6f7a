package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The board opens on the first day with working time left: today in the
// morning, the next working day at 21:00, Monday on a Friday evening (the
// technician keeps office hours, Monday to Friday, on the cn calendar). A
// day in the address wins.
func TestDispatchBoardOpensOnTheNextWorkingDay(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		office := []string{"08:30-12:00", "13:00-17:30"}
		if _, err := app.Server.Staff.SetTechnicianHours(context.Background(), f.Users[policy.ProviderAdmin].Actor(), f.Users[policy.Technician].ID,
			staff.HoursInput{CalendarID: "cn", Week: map[string][]string{"mon": office, "tue": office, "wed": office, "thu": office, "fri": office}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name     string
			now      time.Time
			path     string
			wantDay  string
			wantPrev string
		}{
			{"a Wednesday morning", shanghai(2026, 12, 9, 9, 0), "/dispatch", "2026-12-09", "2026-12-08"},
			{"a Wednesday at 21:00", shanghai(2026, 12, 9, 21, 0), "/dispatch", "2026-12-10", "2026-12-09"},
			{"a Friday evening", shanghai(2026, 12, 11, 21, 0), "/dispatch", "2026-12-14", "2026-12-13"},
			{"a day asked for", shanghai(2026, 12, 11, 21, 0), "/dispatch?day=2026-12-11", "2026-12-11", "2026-12-10"},
			{"the week of a Friday evening", shanghai(2026, 12, 11, 21, 0), "/dispatch?view=week", "", ""},
		} {
			app.Clock.Set(c.now)
			c2 := signIn(t, app, f.Users[policy.Dispatcher].Email)
			res := get(t, c2, app.URL+c.path)
			html := body(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d", c.name, res.StatusCode)
			}
			if c.wantDay == "" {
				// The week holding Monday the 14th runs to Sunday the 20th.
				if !strings.Contains(html, `href="/dispatch?day=2026-12-20"`) {
					t.Errorf("%s: not the week of Monday 2026-12-14", c.name)
				}
				continue
			}
			if !strings.Contains(html, fmt.Sprintf(`name="day" value="%s"`, c.wantDay)) || !strings.Contains(html, fmt.Sprintf(`href="/dispatch?day=%s" rel="prev"`, c.wantPrev)) {
				t.Errorf("%s: the board is not of %s", c.name, c.wantDay)
			}
		}
	})
}

// At 21:00 the demo's board opens on the day of the demo's plan, and shows
// the plan, waiting for the dispatcher's decision.
func TestDemoBoardShowsThePlanAtNight(t *testing.T) {
	t.Parallel()
	at := shanghai(2026, 12, 11, 21, 0) // a Friday
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := app.New(db, app.Config{Secrets: testutil.SecretBox(t)}, func() time.Time { return at })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(ctx, a); err != nil {
			t.Fatal(err)
		}
		dispatcher, err := account.GetUserByEmail(ctx, db, "dispatch@hengxin.example")
		if err != nil {
			t.Fatal(err)
		}
		plans, err := a.Dispatch.ListPlans(ctx, dispatcher.Actor(), dispatcher.OrgID)
		planDay, dayErr := demo.DemoPlanDay(ctx, a, dispatcher.OrgID)
		if err != nil || dayErr != nil || len(plans) != 1 || plans[0].Day != planDay.String() {
			t.Fatalf("the demo's plan: %+v %v %v", plans, err, dayErr)
		}
		srv := testutil.NewApp(t, db)
		srv.Clock.Set(at)
		html := body(t, get(t, signInDemo(t, srv, "dispatch@hengxin.example"), srv.URL+"/dispatch"))
		if !strings.Contains(html, fmt.Sprintf(`name="day" value="%s"`, plans[0].Day)) {
			t.Fatalf("the board at 21:00 is not of the plan's day %s", plans[0].Day)
		}
		if !strings.Contains(html, fmt.Sprintf(`id="plan" data-plan="%d"`, plans[0].ID)) {
			t.Fatalf("the board at 21:00 does not show plan %d", plans[0].ID)
		}
	})
}

func shanghai(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Shanghai)
}

// The board's week: a row per technician, Monday to Sunday, the visits of
// each day linking to the visit, each day to its board; in both
// languages; not for technicians.
func TestDispatchWeekView(t *testing.T) {
	t.Parallel()
	app, f, sf := servingSQLite(t)
	tech := f.Users[policy.Technician]
	// A Thursday well ahead: its week runs from Monday 2030-01-07.
	thursday := calendar.MustParseDate("2030-01-10")
	at := func(d calendar.Date, h int) time.Time {
		return d.At(h, 0, calendar.Shanghai)
	}
	var numbers []string
	var visits []int64
	for i, d := range []calendar.Date{thursday, thursday, thursday.AddDays(4)} {
		r := fileRepair(t, app, f, sf, fmt.Sprintf("主轴异响 %d", i))
		wo := bookVisit(t, app, f, r.ID, at(d, 9+3*i), at(d, 11+3*i))
		numbers, visits = append(numbers, r.Number), append(visits, wo.ID)
	}

	c := signIn(t, app, f.Users[policy.Dispatcher].Email)
	for lang, words := range map[string][]string{
		"zh-CN": {"派工看板：本周", "周一", "2 次上门", "上一周"},
		"en":    {"Dispatch board: the week", "Mon", "Visits: 2", "Previous week"},
	} {
		get(t, c, app.URL+"/lang/"+lang+"?next=/dispatch").Body.Close()
		res := get(t, c, app.URL+"/dispatch?view=week&day="+thursday.String())
		html := body(t, res)
		if res.StatusCode != 200 {
			t.Fatalf("%s week: %d", lang, res.StatusCode)
		}
		row := html[strings.Index(html, fmt.Sprintf(`data-technician="%d"`, tech.ID)):]
		for _, want := range append(words,
			`href="/dispatch?day=2030-01-07"`, `href="/dispatch?day=2030-01-13"`, // Monday to Sunday, each to its day
			`data-day="2030-01-10"`, "09:00 "+numbers[0], "12:00 "+numbers[1], // Thursday: two visits in order
			fmt.Sprintf(`href="/work-orders/%d"`, visits[0]),
		) {
			if !strings.Contains(row, want) && !strings.Contains(html, want) {
				t.Errorf("%s: the week misses %q", lang, want)
			}
		}
		// The third visit, on Monday the 14th, belongs to the next week.
		if strings.Contains(html, numbers[2]) {
			t.Errorf("%s: the next week's visit shows", lang)
		}
		if strings.Contains(html, ">dispatch.") {
			t.Errorf("%s: an untranslated message", lang)
		}
	}
	// The next week holds the Monday visit.
	next := body(t, get(t, c, app.URL+"/dispatch?view=week&day=2030-01-14"))
	if !strings.Contains(next, "15:00 "+numbers[2]) || strings.Contains(next, numbers[0]) {
		t.Error("the next week does not hold its Monday visit alone")
	}
	// The day board links to its week.
	if day := body(t, get(t, c, app.URL+"/dispatch?day="+thursday.String())); !strings.Contains(day, `href="/dispatch?view=week&amp;day=2030-01-10"`) {
		t.Error("the day board has no link to its week")
	}
	// A bad day names the field; a technician has no board.
	if res := get(t, c, app.URL+"/dispatch?view=week&day=10.1.2030"); res.StatusCode != 422 && res.StatusCode != 400 {
		t.Errorf("a bad day: %d", res.StatusCode)
	}
	tc := signIn(t, app, tech.Email)
	if res := get(t, tc, app.URL+"/dispatch?view=week&day="+thursday.String()); res.StatusCode != 403 && res.StatusCode != 404 {
		t.Errorf("a technician reads the week: %d", res.StatusCode)
	}
}

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
// board, which offers the visit's start to its end: the plan starts it
// inside the range; a range with a malformed time is refused naming the
// field, and no plan is made.
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
	late := bookVisit(t, app, f, fileRepair(t, app, f, sf, "夜间停机").ID, time.Date(2030, 1, 9, 23, 0, 0, 0, calendar.Shanghai), time.Date(2030, 1, 10, 1, 0, 0, 0, calendar.Shanghai))
	c := signIn(t, app, f.Users[policy.Dispatcher].Email)
	id := itoa(wo.ID)
	// The range a visit's form offers runs from its start to its end, not
	// from its start to its start; one ending after midnight, to 23:59.
	html := body(t, get(t, c, app.URL+"/dispatch?day=2030-01-09"))
	for _, want := range []string{`name="lock_from_` + id + `" form="plan-form" value="14:00"`, `name="lock_to_` + id + `" form="plan-form" value="16:00"`,
		`name="lock_from_` + itoa(late.ID) + `" form="plan-form" value="23:00"`, `name="lock_to_` + itoa(late.ID) + `" form="plan-form" value="23:59"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the board lacks %s", want)
		}
	}
	plans := func() int { return countRows(t, app.DB, "dispatch_plans") }
	form := url.Values{"day": {"2030-01-09"}, "time_limit": {"1"}, "lock_" + id: {"range"}, "lock_from_" + id: {"9h"}, "lock_to_" + id: {"10:00"}}
	postStatus(t, http.StatusSeeOther, "a malformed range", c, app.URL+"/dispatch/plans", form)
	if html := body(t, get(t, c, app.URL+"/dispatch?day=2030-01-09")); !strings.Contains(html, "Earliest start of the lock: must be a time HH:MM") || plans() != 0 {
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
