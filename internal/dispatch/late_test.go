package dispatch_test

import (
	"context"
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
