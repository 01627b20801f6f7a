package dispatch_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/dispatch"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/testutil"
)

func TestOnSiteMinutesScalesByEfficiency(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name         string
		average, eff int
		want         int
	}{
		{"average technician", 90, 1000, 90},
		{"half again as fast", 90, 1500, 60},
		{"slower", 90, 800, 113},
		{"no efficiency recorded", 90, 0, 90},
		{"no duration in the terms", 0, 1000, agreement.DefaultVisitMinutes},
		{"very fast still takes a minute", 15, 4000, 4},
		{"rounded to the minute", 100, 3000, 33},
	} {
		if got := dispatch.OnSiteMinutes(c.average, c.eff); got != c.want {
			t.Errorf("%s: OnSiteMinutes(%d, %d) = %d, want %d", c.name, c.average, c.eff, got, c.want)
		}
	}
}

// A visit lasts what the agreement plans for its service item, scaled by
// the technician's efficiency: on the board, when booked from it, and in
// the plan of the day.
func TestVisitDurationFromTheAgreementAndTheTechnician(t *testing.T) {
	seeded(t, func(t *testing.T, ctx context.Context, f *testutil.Fixture, sf testutil.ServiceFixture, a *app.App) {
		vendor, admin, dispatcher := f.Users[policy.VendorAdmin].Actor(), f.Users[policy.ProviderAdmin].Actor(), f.Users[policy.Dispatcher].Actor()
		tech := f.Users[policy.Technician].ID

		// The agreement plans 90 minutes for a repair and says nothing of consultations.
		now := time.Now()
		v, err := agreement.TermsAt(ctx, a.DB, sf.AgreementID, now)
		if err != nil {
			t.Fatal(err)
		}
		terms := v.Terms.Clone()
		terms.VisitMinutes.Repair = 90
		if _, err := a.Agreements.AddVersion(ctx, vendor, sf.AgreementID, agreement.NewVersion{Terms: terms, EffectiveFrom: calendar.LocalDate(now), Note: "repairs take 90 minutes"}, 0); err != nil {
			t.Fatal(err)
		}
		point, err := a.Staff.CreatePoint(ctx, admin, f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320505", Lat: 31.30, Lng: 120.60})
		if err != nil {
			t.Fatal(err)
		}
		// 1500: half again as fast as the average.
		if _, err := a.Staff.UpdateTechnician(ctx, admin, tech, staff.TechnicianInput{ServicePointID: &point.ID, EfficiencyPermille: 1500}, 1); err != nil {
			t.Fatal(err)
		}
		repair, consultation := fileRequest(t, a, f, sf, "repair"), fileRequest(t, a, f, sf, "consultation")

		b, err := a.Dispatch.Board(ctx, dispatcher, 0, day)
		if err != nil {
			t.Fatal(err)
		}
		minutes := map[int64]int{}
		for _, o := range b.Open {
			minutes[o.RequestID] = o.Minutes
		}
		if minutes[repair] != 90 || minutes[consultation] != 120 {
			t.Fatalf("planned minutes on the board: repair %d, consultation %d", minutes[repair], minutes[consultation])
		}

		for _, c := range []struct {
			request int64
			want    time.Duration
		}{{repair, 60 * time.Minute}, {consultation, 80 * time.Minute}} {
			got, err := a.Dispatch.PlannedVisit(ctx, dispatcher, c.request, tech, localAt(9, 0))
			if err != nil || got != c.want {
				t.Errorf("request %d by the fast technician: %s, %v; want %s", c.request, got, err, c.want)
			}
		}
		if _, err := a.Dispatch.PlannedVisit(ctx, f.Users[policy.Technician].Actor(), repair, tech, localAt(9, 0)); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a technician asks for a planned duration: %v", err)
		}
		if _, err := a.Dispatch.PlannedVisit(ctx, f.OtherAdmin.Actor(), repair, tech, localAt(9, 0)); !problem.Is(err, problem.NotFound) {
			t.Errorf("another vendor asks for a planned duration: %v", err)
		}
		if _, err := a.Dispatch.PlannedVisit(ctx, dispatcher, 999999, tech, localAt(9, 0)); !problem.Is(err, problem.NotFound) {
			t.Errorf("no such request: %v", err)
		}

		// The plan of the day gives the fast technician 60 and 80 minutes on site.
		plan, err := a.Dispatch.MakePlan(ctx, dispatcher, dispatch.PlanInput{Day: day, TimeLimit: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]time.Duration{repair: 60 * time.Minute, consultation: 80 * time.Minute}
		seen := 0
		for _, r := range plan.Proposal.Routes {
			for _, st := range r.Stops {
				if w, ok := want[st.RequestID]; ok && r.TechnicianID == tech {
					seen++
					if got := st.End.Sub(st.Start); got != w {
						t.Errorf("request %d planned for %s, want %s", st.RequestID, got, w)
					}
				}
			}
		}
		if seen != 2 {
			t.Fatalf("the plan placed %d of the two requests with the technician: %+v", seen, plan.Proposal)
		}
	})
}

// The board of a day reads the agreement's terms in force on that day: a
// version from the board's day on plans its visits, today's board keeps
// the terms in force now; a visit booked on that day takes its minutes.
func TestBoardReadsTheTermsInForceOnItsDay(t *testing.T) {
	seeded(t, func(t *testing.T, ctx context.Context, f *testutil.Fixture, sf testutil.ServiceFixture, a *app.App) {
		vendor, dispatcher := f.Users[policy.VendorAdmin].Actor(), f.Users[policy.Dispatcher].Actor()
		tech := f.Users[policy.Technician].ID
		v, err := agreement.TermsAt(ctx, a.DB, sf.AgreementID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		terms := v.Terms.Clone()
		terms.VisitMinutes.Repair = 45
		if _, err := a.Agreements.AddVersion(ctx, vendor, sf.AgreementID, agreement.NewVersion{Terms: terms, EffectiveFrom: day,
			Note: "repairs take 45 minutes from the board's day"}, 0); err != nil {
			t.Fatal(err)
		}
		requestID := fileRequest(t, a, f, sf, "repair")
		minutesOn := func(d string) int {
			t.Helper()
			b, err := a.Dispatch.Board(ctx, dispatcher, 0, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range b.Open {
				if o.RequestID == requestID {
					return o.Minutes
				}
			}
			t.Fatalf("request %d not waiting on %s", requestID, d)
			return 0
		}
		before := v.Terms.PlannedVisit(agreement.ServiceItem("repair"))
		if got := minutesOn(""); got != int(before.Minutes()) {
			t.Errorf("today's board plans %d minutes, want the terms in force now: %s", got, before)
		}
		if got := minutesOn(day); got != 45 {
			t.Errorf("the board of %s plans %d minutes, want 45 from the version in force that day", day, got)
		}
		got, err := a.Dispatch.PlannedVisit(ctx, dispatcher, requestID, tech, localAt(9, 0))
		if err != nil || got != 45*time.Minute {
			t.Errorf("a visit booked on %s: %s %v, want 45m", day, got, err)
		}
		if got, err := a.Dispatch.PlannedVisit(ctx, dispatcher, requestID, tech, time.Now().Add(time.Hour)); err != nil || got != before {
			t.Errorf("a visit booked today: %s %v, want %s", got, err, before)
		}
	})
}
