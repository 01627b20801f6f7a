package web_test

import (
	"context"
	"fmt"
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
		if err != nil || len(plans) != 1 || plans[0].Day != demo.DemoPlanDay(at).String() {
			t.Fatalf("the demo's plan: %+v %v", plans, err)
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
