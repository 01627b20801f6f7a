package staff_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
)

func localAt(d string, hh, mm int) time.Time {
	x := calendar.MustParseDate(d)
	return time.Date(x.Year, x.Month, x.Day, hh, mm, 0, 0, calendar.Shanghai).UTC()
}

func TestWorkingHoursFollowTheCalendar(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w world) {
		s, admin := w.a.Staff, w.actor(policy.ProviderAdmin)
		office := map[string][]string{"mon": {"08:30-12:00", "13:00-17:30"}, "tue": {"08:30-12:00", "13:00-17:30"}, "wed": {"08:30-12:00", "13:00-17:30"},
			"thu": {"08:30-12:00", "13:00-17:30"}, "fri": {"08:30-12:00", "13:00-17:30"}}

		// Bad templates name the slot; nothing is saved.
		_, err := s.SetTechnicianHours(ctx, admin, w.tech, staff.HoursInput{Week: map[string][]string{"mon": {"9-12"}, "xyz": {"08:00-09:00"}}})
		wantFields(t, err, "week.mon[0]", "week.xyz")
		_, err = s.SetTechnicianHours(ctx, admin, w.tech, staff.HoursInput{Week: map[string][]string{"mon": {"08:00-12:00", "11:00-13:00"}}})
		wantFields(t, err, "week.mon[1]")
		_, err = s.SetTechnicianHours(ctx, admin, w.tech, staff.HoursInput{CalendarID: "mars", Week: office})
		wantFields(t, err, "calendar_id")
		_, err = s.SetTechnicianHours(ctx, admin, w.tech, staff.HoursInput{Week: map[string][]string{}})
		wantFields(t, err, "week")
		_, err = s.SetTechnicianHours(ctx, w.actor(policy.Dispatcher), w.tech, staff.HoursInput{Week: office})
		wantKind(t, err, problem.Forbidden)
		if h, err := s.HoursOf(ctx, admin, w.tech); err != nil || h.Source != "default" {
			t.Fatalf("without a template: %+v %v", h, err)
		}

		// A point's template applies to its technicians, their own wins.
		p, err := s.CreatePoint(ctx, admin, w.f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320505", Lat: 31.3, Lng: 120.6})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateTechnician(ctx, admin, w.tech, staff.TechnicianInput{ServicePointID: &p.ID}, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPointHours(ctx, admin, p.ID, staff.HoursInput{Week: map[string][]string{"sat": {"09:00-15:00"}}}); err != nil {
			t.Fatal(err)
		}
		if h, err := s.HoursOf(ctx, w.actor(policy.Technician), w.tech); err != nil || h.Source != "service_point" || h.Week["sat"][0] != "09:00-15:00" {
			t.Fatalf("the point's hours: %+v %v", h, err)
		}
		h, err := s.SetTechnicianHours(ctx, admin, w.tech, staff.HoursInput{Week: office})
		if err != nil || h.Source != "technician" || h.CalendarID != "cn" {
			t.Fatalf("own hours: %+v %v", h, err)
		}
		days := func(d string) *staff.Availability {
			t.Helper()
			m, err := s.Days(ctx, w.db, w.f.Provider.ID, calendar.MustParseDate(d))
			if err != nil {
				t.Fatal(err)
			}
			return m[w.tech]
		}
		if got := days("2026-12-09").Shift; len(got) != 2 || !got[0].Start.Equal(localAt("2026-12-09", 8, 30)) || !got[1].End.Equal(localAt("2026-12-09", 17, 30)) {
			t.Fatalf("a Wednesday: %v", got)
		}
		if got := days("2026-10-01").Shift; len(got) != 0 {
			t.Fatalf("National Day is a holiday: %v", got)
		}
		if got := days("2026-12-12").Shift; len(got) != 0 {
			t.Fatalf("a Saturday: %v", got)
		}
		// A make-up workday (a Saturday) takes a weekday's hours.
		if got := days("2026-10-10").Shift; len(got) != 2 || !got[0].Start.Equal(localAt("2026-10-10", 8, 30)) {
			t.Fatalf("the make-up workday: %v", got)
		}

		// The on-call rota.
		turn, err := s.AddOnCall(ctx, admin, w.tech, staff.OnCall{StartsAt: localAt("2026-12-12", 0, 0), EndsAt: localAt("2026-12-14", 0, 0), Note: "周末值班"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.AddOnCall(ctx, admin, w.tech, staff.OnCall{StartsAt: localAt("2026-12-13", 8, 0), EndsAt: localAt("2026-12-13", 20, 0)})
		wantFields(t, err, "starts_at")
		_, err = s.AddOnCall(ctx, admin, w.tech, staff.OnCall{StartsAt: localAt("2026-12-20", 8, 0), EndsAt: localAt("2026-12-20", 8, 0)})
		wantFields(t, err, "ends_at")
		_, err = s.AddOnCall(ctx, w.actor(policy.VendorAdmin), w.tech, staff.OnCall{StartsAt: localAt("2026-12-20", 8, 0), EndsAt: localAt("2026-12-21", 8, 0)})
		wantKind(t, err, problem.Forbidden)
		if got := days("2026-12-12").OnCall; len(got) != 1 {
			t.Fatalf("on call on Saturday: %v", got)
		}
		list, err := s.OnCallOf(ctx, w.actor(policy.Dispatcher), w.f.Provider.ID, localAt("2026-12-01", 0, 0), localAt("2027-01-01", 0, 0))
		if err != nil || len(list) != 1 || list[0].Note != "周末值班" {
			t.Fatalf("the rota: %+v %v", list, err)
		}
		if err := s.DeleteOnCall(ctx, w.f.OtherAdmin.Actor(), turn.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("another provider deletes a turn: %v", err)
		}

		// Recommendations: off duty on a Saturday, except an emergency
		// while on call.
		r, err := w.a.Requests.Create(ctx, w.actor(policy.Dispatcher), servicerequest.NewRequest{SerialNumber: w.sf.Serial, ServiceItem: "repair", Priority: "general",
			Description: "主轴异响", Channel: servicerequest.Dispatcher})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := s.Recommend(ctx, w.actor(policy.Dispatcher), r.ID, staff.RecommendQuery{Earliest: localAt("2026-12-12", 9, 0)})
		if err != nil || len(rec.Ranked) != 0 || len(rec.Excluded) != 1 || rec.Excluded[0].Reason != staff.ExcludedOffDuty {
			t.Fatalf("a Saturday off: %+v %v", rec, err)
		}
		rec, err = s.Recommend(ctx, w.actor(policy.Dispatcher), r.ID, staff.RecommendQuery{Policy: "emergency", Earliest: localAt("2026-12-12", 22, 0)})
		if err != nil || len(rec.Ranked) != 1 {
			t.Fatalf("on call for an emergency: %+v %v", rec, err)
		}
		rec, err = s.Recommend(ctx, w.actor(policy.Dispatcher), r.ID, staff.RecommendQuery{Earliest: localAt("2026-12-09", 11, 0)})
		if err != nil || len(rec.Ranked) != 1 || !rec.Ranked[0].Arrival.Equal(localAt("2026-12-09", 13, 0)) {
			t.Fatalf("a two-hour visit waits for the afternoon: %+v %v", rec, err)
		}
	})
}

func TestInHoursPlacesAVisitInOneStretch(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	j := staff.Job{Earliest: at(7), DayEnd: at(20), Duration: 2 * time.Hour}
	c := staff.Candidate{TechnicianID: 1, EfficiencyPermille: 1000, Hours: []staff.Span{{Start: at(8), End: at(12)}, {Start: at(13), End: at(17)}},
		Day: []staff.Stop{{WorkOrderID: 9, Start: at(8), End: at(11)}}}
	ranked, _ := staff.Recommend(j, []staff.Candidate{c}, staff.Policies["deadline_first"])
	if len(ranked) != 1 || !ranked[0].Arrival.Equal(at(13)) {
		t.Fatalf("after the morning's visit, the afternoon: %+v", ranked)
	}
	c.Hours = []staff.Span{}
	_, excluded := staff.Recommend(j, []staff.Candidate{c}, staff.Policies["deadline_first"])
	if len(excluded) != 1 || excluded[0].Reason != staff.ExcludedOffDuty {
		t.Fatalf("no hours: %+v", excluded)
	}
}
