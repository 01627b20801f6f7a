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

// On a board: a waiting request needing a part goes to the technician
// whose van holds it even when the other is nearer; a booked visit needing
// it stays with its technician, whose van is empty; a request needing a
// part only the technician off that day carries is unplaced for parts.
func TestPlanningMeetsPartsFromVans(t *testing.T) {
	t.Parallel()
	day := time.Date(2030, 1, 9, 0, 0, 0, 0, calendar.Shanghai)
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour).UTC() }
	shift := []staff.Span{{Start: at(8), End: at(18)}}
	near, far := &dispatch.LatLng{Lat: 31.30, Lng: 120.60}, &dispatch.LatLng{Lat: 31.40, Lng: 120.70}
	bearing, filter := int64(7), int64(8)
	b := dispatch.Board{ProviderID: 1, Day: "2030-01-09", Now: day.Add(-24 * time.Hour).UTC(), Lanes: []dispatch.Lane{
		{TechnicianID: 1, Name: "李工", Base: near, Shift: shift, Visits: []dispatch.BoardVisit{
			{WorkOrderID: 10, RequestID: 10, Number: "booked", Status: "assigned", Start: at(14), End: at(15), At: near, Parts: []dispatch.NeededPart{{PartID: bearing, Qty: 1}}},
		}},
		{TechnicianID: 2, Name: "赵工", Base: far, Shift: shift, Van: map[int64]int{bearing: 3}},
		{TechnicianID: 3, Name: "王工", Base: near, Van: map[int64]int{filter: 1}},
	}}
	b.Open = []dispatch.Open{
		{RequestID: 20, Number: "bearing", At: near, Parts: []dispatch.NeededPart{{PartID: bearing, Qty: 2}}},
		{RequestID: 21, Number: "filter", At: near, Parts: []dispatch.NeededPart{{PartID: filter, Qty: 1}}},
	}
	p, err := dispatch.Solve(context.Background(), b, []dispatch.Lock{{WorkOrderID: 10, Kind: dispatch.LockBoth}}, nil, route.Options{Iterations: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	on := map[string]int64{}
	for _, r := range p.Routes {
		for _, st := range r.Stops {
			on[st.Number] = r.TechnicianID
		}
	}
	if on["bearing"] != 2 || on["booked"] != 1 {
		t.Errorf("routes: %+v", p.Routes)
	}
	if len(p.Unplaced) != 1 || p.Unplaced[0].Number != "filter" || p.Unplaced[0].Reason != dispatch.PartsMissing {
		t.Errorf("unplaced: %+v", p.Unplaced)
	}
}
