package dispatch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/dispatch"
	"aftersales/internal/route"
	"aftersales/internal/staff"
)

// Lateness is measured against each request's own deadline, in real time:
// a request with two days left, planned today, is on time; one due at
// 09:00 and done after it is late by the minutes between; a request whose
// deadline passed yesterday is still placed (late), never left out.
func TestPlannedLatenessIsAgainstTheRequestsDeadline(t *testing.T) {
	t.Parallel()
	day := time.Date(2030, 1, 9, 0, 0, 0, 0, calendar.Shanghai)
	now := day.Add(7 * time.Hour).UTC()
	at := func(d time.Duration) *time.Time { u := day.Add(d).UTC(); return &u }
	base := &dispatch.LatLng{Lat: 31.30, Lng: 120.60}
	b := dispatch.Board{ProviderID: 1, Day: "2030-01-09", Now: now, Lanes: []dispatch.Lane{{TechnicianID: 1, Name: "李工", Base: base,
		Shift: []staff.Span{{Start: day.Add(8 * time.Hour), End: day.Add(18 * time.Hour)}}}}}
	site := &dispatch.LatLng{Lat: 31.31, Lng: 120.61}
	b.Open = []dispatch.Open{
		{RequestID: 1, Number: "two-days", At: site, DueAt: func() *time.Time { u := now.Add(48 * time.Hour); return &u }()},
		{RequestID: 2, Number: "nine", At: site, DueAt: at(9 * time.Hour)},
		{RequestID: 3, Number: "yesterday", At: site, DueAt: at(-6 * time.Hour)},
	}
	p, err := dispatch.Solve(context.Background(), b, nil, nil, route.Options{Iterations: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Unplaced) != 0 || len(p.Routes) != 1 || len(p.Routes[0].Stops) != 3 {
		t.Fatalf("the plan: %+v", p)
	}
	for _, st := range p.Routes[0].Stops {
		var want int
		switch st.Number {
		case "two-days":
			want = 0
		case "nine":
			want = max(0, int(st.Start.Sub(*at(9 * time.Hour)).Minutes()))
		case "yesterday":
			want = int(st.Start.Sub(*at(-6 * time.Hour)).Minutes())
			if want < 14*60 {
				t.Fatalf("yesterday's request starts %s", st.Start)
			}
		}
		if st.LateMinutes != want {
			t.Errorf("%s starts %s: late %d min, want %d", st.Number, st.Start.In(calendar.Shanghai).Format("15:04"), st.LateMinutes, want)
		}
	}
}

// A booked visit its technician cannot reach in time from the service
// point (a site 55 km away at 09:00 on a day that starts at
// 08:00) stays as booked: the plan lists it as kept, and plans nothing for
// that technician before it ends; a booked visit within reach is kept where
// it is, holding its whole window whatever the technician's efficiency.
func TestUnreachableBookedVisitIsKeptAndItsHoursHeld(t *testing.T) {
	t.Parallel()
	day := time.Date(2030, 1, 9, 0, 0, 0, 0, calendar.Shanghai)
	at := func(h, m int) time.Time {
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).UTC()
	}
	base := &dispatch.LatLng{Lat: 31.30, Lng: 120.60}
	near, far := &dispatch.LatLng{Lat: 31.31, Lng: 120.61}, &dispatch.LatLng{Lat: 30.80, Lng: 120.60}
	b := dispatch.Board{ProviderID: 1, Day: "2030-01-09", Now: day.Add(-24 * time.Hour).UTC(), Lanes: []dispatch.Lane{{TechnicianID: 1, Name: "李工", Base: base,
		EfficiencyPermille: 1500, Shift: []staff.Span{{Start: at(8, 0), End: at(18, 0)}},
		Visits: []dispatch.BoardVisit{
			{WorkOrderID: 10, RequestID: 10, Number: "far", Status: "assigned", Start: at(9, 0), End: at(12, 0), At: far},
			{WorkOrderID: 11, RequestID: 11, Number: "near", Status: "assigned", Start: at(14, 0), End: at(15, 0), At: near},
		}}}}
	for i := range 2 {
		b.Open = append(b.Open, dispatch.Open{RequestID: int64(20 + i), Number: fmt.Sprintf("open %d", i+1), At: near})
	}
	p, err := dispatch.Solve(context.Background(), b, nil, nil, route.Options{Iterations: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Unplaced) != 1 || p.Unplaced[0].WorkOrderID != 10 || p.Unplaced[0].Reason != dispatch.KeptUnreachable {
		t.Fatalf("unplaced %+v, want the far visit kept", p.Unplaced)
	}
	var kept *dispatch.PlannedStop
	for i, st := range p.Routes[0].Stops {
		if st.Start.Before(at(12, 0)) {
			t.Errorf("%s planned at %s, while 李工 is away", st.Number, st.Start.In(calendar.Shanghai).Format("15:04"))
		}
		if st.WorkOrderID == 11 {
			kept = &p.Routes[0].Stops[i]
		}
	}
	if kept == nil || kept.Change != "keep" || !kept.Start.Equal(at(14, 0)) {
		t.Fatalf("the near visit: %+v", kept)
	}
	for _, st := range p.Routes[0].Stops {
		if st.WorkOrderID == 0 && st.End.After(at(14, 0)) && st.Start.Before(at(15, 0)) {
			t.Errorf("%s planned over the booked visit: %s–%s", st.Number, st.Start.In(calendar.Shanghai).Format("15:04"), st.End.In(calendar.Shanghai).Format("15:04"))
		}
	}
}
