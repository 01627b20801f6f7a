package dispatch_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/dispatch"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/testutil"
)

// The board opens, without a day asked for, on the first day from today on
// which a technician has working time left: today while today's hours
// last, else the next working day on the calendar, past weekends,
// holidays and days every technician is on leave. A day asked for wins;
// "plan the day" without one plans the same day. The crew keeps office
// hours (08:30–12:00, 13:00–17:30, Monday to Friday) on the cn calendar.
func TestTheBoardOpensOnTheNextDayWithWorkingTimeLeft(t *testing.T) {
	seeded(t, func(t *testing.T, ctx context.Context, f *testutil.Fixture, _ testutil.ServiceFixture, a *app.App) {
		admin, dispatcher := f.Users[policy.ProviderAdmin].Actor(), f.Users[policy.Dispatcher].Actor()
		point, techs := suzhouCrew(t, a, f)
		office := []string{"08:30-12:00", "13:00-17:30"}
		if _, err := a.Staff.SetPointHours(ctx, admin, point.ID, staff.HoursInput{CalendarID: "cn", Week: map[string][]string{
			"mon": office, "tue": office, "wed": office, "thu": office, "fri": office}}); err != nil {
			t.Fatal(err)
		}
		at := func(d string, hh, mm int) time.Time {
			x := calendar.MustParseDate(d)
			return time.Date(x.Year, x.Month, x.Day, hh, mm, 0, 0, calendar.Shanghai)
		}
		board := func(now time.Time, day string) string {
			t.Helper()
			a.Dispatch.Now = func() time.Time { return now }
			b, err := a.Dispatch.Board(ctx, dispatcher, 0, day)
			if err != nil {
				t.Fatal(err)
			}
			return b.Day
		}
		for _, c := range []struct {
			name string
			now  time.Time
			want string
		}{
			{"a Wednesday morning", at("2026-12-09", 9, 0), "2026-12-09"},
			{"half an hour of work left", at("2026-12-09", 17, 0), "2026-12-09"},
			{"the hours over at 17:30", at("2026-12-09", 17, 30), "2026-12-10"},
			{"21:00", at("2026-12-09", 21, 0), "2026-12-10"},
			{"a Friday evening: Monday", at("2026-12-11", 21, 0), "2026-12-14"},
			{"a Saturday: Monday", at("2026-12-12", 10, 0), "2026-12-14"},
			{"the evening before National Day: after the holiday", at("2026-09-30", 21, 0), "2026-10-08"},
			{"the evening before Labour Day (a Friday): after the holiday", at("2026-04-30", 21, 0), "2026-05-06"},
			{"a Saturday that is a make-up workday", at("2026-10-09", 21, 0), "2026-10-10"},
		} {
			if got := board(c.now, ""); got != c.want {
				t.Errorf("%s (%s): the board opens on %s, want %s", c.name, c.now.Format("Mon 2006-01-02 15:04"), got, c.want)
			}
		}
		if got := board(at("2026-12-09", 21, 0), "2026-12-09"); got != "2026-12-09" {
			t.Errorf("the day asked for: %s", got)
		}

		// Thursday the whole crew is on leave: Friday.
		for _, id := range techs {
			if _, err := a.Staff.AddLeave(ctx, admin, id, staff.Leave{StartsAt: at("2026-12-10", 0, 0), EndsAt: at("2026-12-11", 0, 0), Reason: "培训"}); err != nil {
				t.Fatal(err)
			}
		}
		if got := board(at("2026-12-09", 21, 0), ""); got != "2026-12-11" {
			t.Errorf("the crew on leave on Thursday: the board opens on %s, want 2026-12-11", got)
		}

		// "Plan the day" plans the board's day.
		p, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{TimeLimit: time.Second})
		if err != nil || p.Day != "2026-12-11" {
			t.Fatalf("plan the day at 21:00 before a day of leave: %s %v", p.Day, err)
		}
		a.Dispatch.Now = func() time.Time { return at("2026-12-09", 21, 0) }
		w, err := a.Dispatch.WeekOf(ctx, dispatcher, 0, "")
		if err != nil || w.Days[0] != "2026-12-07" {
			t.Fatalf("the week holding the board's day: %+v %v", w.Days, err)
		}
	})
}
