package dispatch_test

import (
	"context"
	"math"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/dispatch"
	"aftersales/internal/route"
	"aftersales/internal/staff"
)

// Each visit on a lane carries the drive from the stop before it: the
// service point for the first, the previous site after; a site without
// coordinates leaves the drives to and from it unknown.
func TestLaneVisitsCarryTheirTravel(t *testing.T) {
	base := &dispatch.LatLng{Lat: 31.30, Lng: 120.60}
	a := &dispatch.LatLng{Lat: 31.39, Lng: 120.60} // about 10 km north
	b := &dispatch.LatLng{Lat: 31.39, Lng: 120.60}
	l := dispatch.Lane{Base: base, Visits: []dispatch.BoardVisit{{At: a}, {At: b}, {At: nil}, {At: a}}}
	dispatch.SetTravel(&l)
	first := l.Visits[0].Travel
	if first == nil || first.Km < 12.5 || first.Km > 13.5 || first.Minutes < 18 || first.Minutes > 21 {
		t.Fatalf("first drive = %+v, want about 13 km and 19 min (10 km × 1.3 at 40 km/h)", first)
	}
	if s := l.Visits[1].Travel; s == nil || s.Km != 0 || s.Minutes != 0 {
		t.Fatalf("same place drive = %+v, want 0", s)
	}
	if l.Visits[2].Travel != nil || l.Visits[3].Travel != nil {
		t.Fatalf("drives to and from a site without coordinates = %+v, %+v, want unknown", l.Visits[2].Travel, l.Visits[3].Travel)
	}
	noBase := dispatch.Lane{Visits: []dispatch.BoardVisit{{At: a}}}
	dispatch.SetTravel(&noBase)
	if noBase.Visits[0].Travel != nil {
		t.Fatalf("drive from no service point = %+v, want unknown", noBase.Visits[0].Travel)
	}
}

// The plan counts a drive as the board and the recommendations do
// (staff.RoadKm): a technician's route from the service point to one site
// and back is that drive twice, in its kilometres as on its map, whichever
// way the site lies.
func TestThePlanMeasuresDrivesAsTheBoardDoes(t *testing.T) {
	t.Parallel()
	day := time.Date(2030, 1, 9, 0, 0, 0, 0, calendar.Shanghai)
	base := dispatch.LatLng{Lat: 31.30, Lng: 120.60}
	for _, site := range []dispatch.LatLng{
		{Lat: 31.60, Lng: 120.60}, // 33 km north
		{Lat: 31.30, Lng: 121.00}, // 38 km east
		{Lat: 30.90, Lng: 120.10}, // 65 km south-west
	} {
		b := dispatch.Board{ProviderID: 1, Day: "2030-01-09", Now: day.Add(-24 * time.Hour).UTC(), Lanes: []dispatch.Lane{{TechnicianID: 1, Name: "李工", Base: &base,
			Shift: []staff.Span{{Start: day.Add(7 * time.Hour), End: day.Add(21 * time.Hour)}}}},
			Open: []dispatch.Open{{RequestID: 1, Number: "far", At: &site, Minutes: 60}}}
		p, err := dispatch.Solve(context.Background(), b, nil, nil, route.Options{Iterations: 50, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Routes) != 1 || len(p.Routes[0].Stops) != 1 {
			t.Fatalf("the plan: %+v", p)
		}
		drive := staff.RoadKm(staff.Place(base), staff.Place(site))
		if r := p.Routes[0]; math.Abs(r.Km-2*drive) > 0.05+1e-9 {
			t.Errorf("to %v and back: the plan drives %.1f km, the board %.2f km", site, r.Km, 2*drive)
		}
		if board := dispatch.TravelBetween(base, site); math.Abs(board.Km-drive) > 0.05+1e-9 {
			t.Errorf("to %v: the board says %.1f km, staff.RoadKm %.2f km", site, board.Km, drive)
		}
		r := p.Routes[0]
		if w := r.Stops[0].Where; site.Lat == base.Lat || site.Lng == base.Lng {
			// Due north or east, the map draws the drive at its length.
			if got := math.Hypot(w.X-r.Base.X, w.Y-r.Base.Y); math.Abs(got-drive) > 0.01 {
				t.Errorf("to %v: the map draws %.3f km, the drive is %.3f km", site, got, drive)
			}
		}
	}
}
