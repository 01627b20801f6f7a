package appointment_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/appointment"
	"aftersales/internal/calendar"
	"aftersales/internal/dispatch"
	"aftersales/internal/route"
	"aftersales/internal/staff"
)

// offerTech is a technician of a drawn day: their lane and their day as
// the offer sees it.
type offerTech struct {
	lane dispatch.Lane
	cand staff.Candidate
}

// Whatever the technicians' service points, hours, lunch, leave and
// booked visits, the customer's site, the window's length and the clock,
// every window offered, booked on its technician's day that the day
// planner accepts, leaves a day it still accepts: the planner's own
// technician of the day (dispatch.ProblemOf: from now or the start of the
// hours, lunch and leave as fixed breaks) drives the day through
// route.Check, which measures the drives as the offer does (the planner's
// measure, staff.RoadKm). Places lie within 30 km of Suzhou.
func TestOfferedWindowsPassTheChecker(t *testing.T) {
	t.Parallel()
	midnight := time.Date(2026, 12, 8, 0, 0, 0, 0, calendar.Shanghai).UTC()
	center := staff.Place{Lat: 31.2983, Lng: 120.5432}
	locate := func(p *staff.Place) route.Location { return dispatch.LocationOf(dispatch.LatLng(*p)) }
	rapid.Check(t, func(t *rapid.T) {
		clock := func(label string, from, to int) time.Time {
			return midnight.Add(time.Duration(rapid.IntRange(from, to).Draw(t, label)) * time.Minute)
		}
		placeOf := func(label string) *staff.Place {
			return &staff.Place{Lat: center.Lat + float64(rapid.IntRange(-250, 250).Draw(t, label+" lat"))/1000,
				Lng: center.Lng + float64(rapid.IntRange(-250, 250).Draw(t, label+" lng"))/1000}
		}
		now := clock("now", -10*60, 15*60)
		site := placeOf("site")
		length := time.Duration(rapid.IntRange(1, 16).Draw(t, "length quarters")) * 15 * time.Minute
		var techs []offerTech
		for i := range rapid.IntRange(1, 3).Draw(t, "technicians") {
			id := int64(i + 1)
			start, lunch := clock("start", 7*60, 9*60+30), clock("lunch", 11*60+30, 12*60+30)
			back, end := lunch.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "lunch minutes"))*time.Minute), clock("end", 16*60+30, 20*60)
			base := placeOf("base")
			tc := offerTech{
				lane: dispatch.Lane{TechnicianID: id, Base: &dispatch.LatLng{Lat: base.Lat, Lng: base.Lng}, EfficiencyPermille: rapid.IntRange(500, 2000).Draw(t, "efficiency"),
					Shift: []staff.Span{{Start: start, End: lunch}, {Start: back, End: end}}},
				cand: staff.Candidate{TechnicianID: id, Base: base, Hours: []staff.Span{{Start: start, End: lunch}, {Start: back, End: end}}},
			}
			if rapid.Bool().Draw(t, "leave") {
				from := clock("leave from", 7*60, 18*60)
				leave := staff.Span{Start: from, End: from.Add(time.Duration(rapid.IntRange(30, 180).Draw(t, "leave minutes")) * time.Minute)}
				tc.lane.Leave = []staff.Span{leave}
				tc.cand.Day = append(tc.cand.Day, staff.Stop{Start: leave.Start, End: leave.End})
			}
			at := start
			for j := range rapid.IntRange(0, 3).Draw(t, "visits") {
				at = at.Add(time.Duration(rapid.IntRange(0, 180).Draw(t, "gap")) * time.Minute)
				to := at.Add(time.Duration(rapid.IntRange(20, 150).Draw(t, "visit minutes")) * time.Minute)
				tc.cand.Day = append(tc.cand.Day, staff.Stop{WorkOrderID: id*10 + int64(j), Start: at, End: to, At: placeOf("visit")})
				at = to
			}
			techs = append(techs, tc)
		}
		// check drives every technician's visits (days: technician id to
		// extra visits) through the checker, on the planner's technicians.
		check := func(extra map[int64]staff.Stop) error {
			b := dispatch.Board{Day: "2026-12-08", Now: now}
			for _, tc := range techs {
				b.Lanes = append(b.Lanes, tc.lane)
			}
			pb, err := dispatch.ProblemOf(b, nil, nil)
			if err != nil {
				return err
			}
			p := &pb.Route
			sol := &route.SolutionFile{}
			planned := map[int64]bool{}
			for i := range p.Technicians {
				tt := &p.Technicians[i]
				planned[tt.ID] = true
				tc := techs[tt.ID-1]
				tt.Start = locate(tc.cand.Base)
				var stops []staff.Stop
				for _, s := range tc.cand.Day {
					if s.WorkOrderID != 0 {
						stops = append(stops, s)
					}
				}
				if s, ok := extra[tt.ID]; ok {
					stops = append(stops, s)
				}
				slices.SortFunc(stops, func(x, y staff.Stop) int { return x.Start.Compare(y.Start) })
				var ids []int64
				for _, s := range stops {
					m := s.Start.Sub(midnight).Minutes()
					p.Visits = append(p.Visits, route.Visit{ID: s.WorkOrderID, Location: locate(s.At), Duration: s.End.Sub(s.Start).Minutes() * tt.Efficiency,
						Windows: []route.Window{{Open: m, Close: m}}})
					ids = append(ids, s.WorkOrderID)
				}
				sol.Routes, sol.Technicians = append(sol.Routes, ids), append(sol.Technicians, tt.ID)
			}
			sol.Vehicles = len(sol.Routes)
			for id := range extra {
				if !planned[id] {
					return errors.New("the technician has no working time left in the plan")
				}
			}
			_, err = route.Check(p, sol)
			return err
		}
		if check(nil) != nil {
			return // a day the planner refuses as booked says nothing
		}
		var cands []staff.Candidate
		for _, tc := range techs {
			cands = append(cands, tc.cand)
		}
		for _, w := range appointment.DayWindows(cands, site, length, now) {
			if w.End.Sub(w.Start) != length || w.Start.Before(now.Add(appointment.LeadTime)) {
				t.Fatalf("window %s–%s: want %s long, two hours after now", w.Start.In(calendar.Shanghai).Format("15:04"), w.End.In(calendar.Shanghai).Format("15:04"), length)
			}
			booked := staff.Stop{WorkOrderID: 999, Start: w.Start, End: w.End, At: site}
			if err := check(map[int64]staff.Stop{w.TechnicianID: booked}); err != nil {
				t.Fatalf("window %s–%s of technician %d refused by the checker: %v", w.Start.In(calendar.Shanghai).Format("15:04"),
					w.End.In(calendar.Shanghai).Format("15:04"), w.TechnicianID, err)
			}
		}
	})
}
