package dispatch_test

import (
	"testing"

	"aftersales/internal/dispatch"
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
