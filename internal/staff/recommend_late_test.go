package staff_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
)

// Near the end of the working day the recommendations count the trip: a
// technician of a service point that keeps office hours on the cn calendar
// (08:30–12:00, 13:00–17:30, Monday to Friday), 27 km by road from the
// site, is recommended today only while the trip there, an hour on site and
// the trip back fit in today's hours; after that, the next working day,
// once the trip from the point is driven. The clock is the product's.
func TestRecommendationsAtTheEndOfTheDay(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w world) {
		s, admin := w.a.Staff, w.actor(policy.ProviderAdmin)
		p, err := s.CreatePoint(ctx, admin, w.f.Provider.ID, staff.PointInput{Name: "吴江网点", Address: "苏州市吴江区 8 号", Division: "320509", Lat: 31.16, Lng: 120.64})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateTechnician(ctx, admin, w.tech, staff.TechnicianInput{ServicePointID: &p.ID}, 1); err != nil {
			t.Fatal(err)
		}
		office := []string{"08:30-12:00", "13:00-17:30"}
		if _, err := s.SetPointHours(ctx, admin, p.ID, staff.HoursInput{CalendarID: "cn", Week: map[string][]string{
			"mon": office, "tue": office, "wed": office, "thu": office, "fri": office}}); err != nil {
			t.Fatal(err)
		}
		r, err := w.a.Requests.Create(ctx, w.actor(policy.Dispatcher), servicerequest.NewRequest{SerialNumber: w.sf.Serial, ServiceItem: "repair", Priority: "general",
			Description: "主轴异响", Channel: servicerequest.Dispatcher})
		if err != nil {
			t.Fatal(err)
		}
		if r.SiteLat == nil || r.SiteLng == nil {
			t.Fatalf("the request has no site coordinates: %+v", r)
		}
		drive := staff.Drive(&staff.Place{Lat: p.Lat, Lng: p.Lng}, &staff.Place{Lat: *r.SiteLat, Lng: *r.SiteLng})
		if drive < 30*time.Minute || drive > 50*time.Minute {
			t.Fatalf("the trip is %s, want a trip of about 40 minutes", drive)
		}
		local := func(d string, hh, mm int) time.Time { return localAt(d, hh, mm) }
		// The latest departure today: the trip, an hour, the trip back by 17:30.
		lastCall := local("2026-12-09", 17, 30).Add(-2*drive - time.Hour)
		for _, c := range []struct {
			name string
			now  time.Time
			want time.Time
		}{
			{"a Wednesday morning", local("2026-12-09", 9, 0), local("2026-12-09", 9, 0).Add(drive)},
			{"the last slot of the day", lastCall, lastCall.Add(drive)},
			{"a minute later: Thursday morning", lastCall.Add(time.Minute), local("2026-12-10", 8, 30).Add(drive)},
			{"17:30, the hours over", local("2026-12-09", 17, 30), local("2026-12-10", 8, 30).Add(drive)},
			{"17:50 on a Friday: Monday", local("2026-12-11", 17, 50), local("2026-12-14", 8, 30).Add(drive)},
			{"the evening before National Day: after the holiday", local("2026-09-30", 18, 0), local("2026-10-08", 8, 30).Add(drive)},
		} {
			s.Now = func() time.Time { return c.now }
			rec, err := s.Recommend(ctx, w.actor(policy.Dispatcher), r.ID, staff.RecommendQuery{Duration: time.Hour})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if len(rec.Ranked) != 1 || !rec.Ranked[0].Arrival.Equal(c.want) {
				t.Errorf("%s (%s): ranked %+v excluded %+v, want a start at %s", c.name, c.now.In(calendar.Shanghai).Format("Mon 15:04"),
					rec.Ranked, rec.Excluded, c.want.In(calendar.Shanghai).Format("Mon 01-02 15:04"))
			}
		}
	})
}
