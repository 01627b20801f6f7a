package staff_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/calendar"
	"aftersales/internal/route"
	"aftersales/internal/staff"
)

// officeDay is a technician's office hours on 2026-12-08 (a Tuesday) in
// Shanghai: 08:30–12:00 and 13:00–17:30.
func officeDay() []staff.Span {
	return []staff.Span{{Start: sh(8, 30), End: sh(12, 0)}, {Start: sh(13, 0), End: sh(17, 30)}}
}

// sh is hh:mm on 2026-12-08 in Shanghai.
func sh(hh, mm int) time.Time {
	return time.Date(2026, 12, 8, hh, mm, 0, 0, calendar.Shanghai).UTC()
}

// A recommended slot counts the trip the way the day planner does: the
// technician leaves the service point no earlier than the start of their
// hours, drives in working time only (a trip never runs through lunch: they
// leave after it, or get there before it and wait on site), reaches the
// next visit of the day by its start, and after the last visit is back at
// the point by the end of their hours. The site is 17 minutes from the
// point.
func TestRecommendCountsTheTrip(t *testing.T) {
	t.Parallel()
	if d := staff.Drive(&suzhou, &site); d != 17*time.Minute {
		t.Fatalf("drive from the point to the site = %s, want 17m", d)
	}
	booked := func(hh, mm int) []staff.Stop {
		return []staff.Stop{{WorkOrderID: 9, Start: sh(hh, mm), End: sh(hh+1, mm), At: &suzhou}}
	}
	for _, c := range []struct {
		name     string
		earliest time.Time
		duration time.Duration
		day      []staff.Stop
		want     time.Time // zero: no slot
	}{
		{"the first slot of the morning, after the trip from the point", sh(8, 0), 2 * time.Hour, nil, sh(8, 47)},
		{"a trip that just fits before lunch", sh(9, 43), 2 * time.Hour, nil, sh(10, 0)},
		{"one that does not: there before lunch, waiting on site through it", sh(9, 44), 2 * time.Hour, nil, sh(13, 0)},
		{"a trip that would run into lunch leaves after it", sh(11, 50), time.Hour, nil, sh(13, 17)},
		{"the last slot of the day: back at the point at 17:30", sh(15, 56), time.Hour, nil, sh(16, 13)},
		{"a minute later the way back ends after the hours", sh(15, 57), time.Hour, nil, time.Time{}},
		{"on to the next visit just in time", sh(8, 30), time.Hour, booked(10, 4), sh(8, 47)},
		{"not in time for the next visit: after it, waiting through lunch", sh(8, 30), time.Hour, booked(10, 3), sh(13, 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			j := staff.Job{At: &site, Earliest: c.earliest, DayEnd: sh(20, 0), Duration: c.duration}
			cand := staff.Candidate{TechnicianID: 1, Name: "li", Base: &suzhou, RadiusKm: 50, Hours: officeDay(), Day: c.day}
			ranked, excluded := staff.Recommend(j, []staff.Candidate{cand}, staff.Policies["deadline_first"])
			if c.want.IsZero() {
				if len(ranked) != 0 || len(excluded) != 1 || excluded[0].Reason != staff.ExcludedNoSlot {
					t.Fatalf("ranked %+v excluded %+v, want no slot", ranked, excluded)
				}
				return
			}
			if len(ranked) != 1 || !ranked[0].Arrival.Equal(c.want) {
				t.Fatalf("ranked %+v excluded %+v, want a start at %s", ranked, excluded, c.want.In(calendar.Shanghai).Format("15:04"))
			}
		})
	}
}

// A window agreed with the customer fits a technician's day when the day
// planner accepts it booked there: the drive from the service point (left
// no earlier than the start of the hours, or now), or from the visit
// before, in working time; on to the next visit by its start; back at the
// point by the end of the hours. The site is 17 minutes from the point.
func TestFitsCountsTheTrip(t *testing.T) {
	t.Parallel()
	visit := func(hh, mm, minutes int) staff.Stop {
		return staff.Stop{WorkOrderID: 9, Start: sh(hh, mm), End: sh(hh, mm).Add(time.Duration(minutes) * time.Minute), At: &suzhou}
	}
	leave := staff.Stop{Start: sh(8, 30), End: sh(10, 0)}
	for _, c := range []struct {
		name   string
		hh, mm int // the window's start; it lasts an hour
		day    []staff.Stop
		free   time.Time
		want   bool
	}{
		{"the first window of the day, after the drive from the point", 8, 47, nil, time.Time{}, true},
		{"a minute earlier nobody gets there", 8, 46, nil, time.Time{}, false},
		{"after lunch, first of the day: there before lunch, waiting on site", 13, 0, nil, time.Time{}, true},
		{"a window across lunch", 11, 30, nil, time.Time{}, false},
		{"the last window: back at the point at 17:30", 16, 13, nil, time.Time{}, true},
		{"a minute later the way back ends after the hours", 16, 14, nil, time.Time{}, false},
		{"on to the next visit just in time", 8, 47, []staff.Stop{visit(10, 4, 60)}, time.Time{}, true},
		{"not in time for the next visit", 8, 47, []staff.Stop{visit(10, 3, 60)}, time.Time{}, false},
		{"from the visit before, just in time", 11, 0, []staff.Stop{visit(9, 43, 60)}, time.Time{}, true},
		{"from the visit before, a minute short", 11, 0, []staff.Stop{visit(9, 44, 60)}, time.Time{}, false},
		{"a visit before lunch: no drive through it", 13, 0, []staff.Stop{visit(11, 0, 60)}, time.Time{}, false},
		{"the drive after lunch", 13, 17, []staff.Stop{visit(11, 0, 60)}, time.Time{}, true},
		{"overlapping a visit", 9, 30, []staff.Stop{visit(10, 0, 60)}, time.Time{}, false},
		{"leave first: the drive after it", 10, 17, []staff.Stop{leave}, time.Time{}, true},
		{"leave first: a minute short", 10, 16, []staff.Stop{leave}, time.Time{}, false},
		{"now: the drive from now", 9, 17, nil, sh(9, 0), true},
		{"now: a minute short", 9, 16, nil, sh(9, 0), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cand := staff.Candidate{TechnicianID: 1, Base: &suzhou, Hours: officeDay(), Day: c.day}
			if got := staff.Fits(cand, &site, sh(c.hh, c.mm), sh(c.hh+1, c.mm), c.free); got != c.want {
				t.Fatalf("an hour from %02d:%02d fits = %v, want %v", c.hh, c.mm, got, c.want)
			}
		})
	}
	if staff.Fits(staff.Candidate{Base: &suzhou}, &site, sh(10, 0), sh(11, 0), time.Time{}) {
		t.Error("a window fits a day without hours")
	}
}

// Leave is a break of the day: no trip runs through it.
func TestRecommendDrivesAroundLeave(t *testing.T) {
	t.Parallel()
	j := staff.Job{At: &site, Earliest: sh(8, 30), DayEnd: sh(20, 0), Duration: time.Hour}
	cand := staff.Candidate{TechnicianID: 1, Base: &suzhou, RadiusKm: 50, Hours: officeDay(),
		Day: []staff.Stop{{Start: sh(8, 40), End: sh(10, 0)}}}
	ranked, _ := staff.Recommend(j, []staff.Candidate{cand}, staff.Policies["deadline_first"])
	if len(ranked) != 1 || !ranked[0].Arrival.Equal(sh(10, 17)) {
		t.Fatalf("after leave until 10:00, a start at 10:17: %+v", ranked)
	}
}

// The day is over for a visit when no technician working that day has
// time left for it with its trips, whatever they have booked; a day off is
// not over, and a day booked full is not either.
func TestTooLate(t *testing.T) {
	t.Parallel()
	p := staff.Policies["deadline_first"]
	office := staff.Candidate{TechnicianID: 1, Base: &suzhou, RadiusKm: 50, Hours: officeDay()}
	job := func(hh, mm int) staff.Job {
		return staff.Job{At: &site, Earliest: sh(hh, mm), DayEnd: sh(20, 0), Duration: time.Hour}
	}
	if staff.TooLate(job(15, 56), []staff.Candidate{office}, p) {
		t.Error("at 15:56 an hour's visit 17 minutes away still fits")
	}
	if !staff.TooLate(job(15, 57), []staff.Candidate{office}, p) {
		t.Error("at 15:57 the way back ends after 17:30: the day is over")
	}
	if !staff.TooLate(job(17, 45), []staff.Candidate{office}, p) {
		t.Error("after the hours: the day is over")
	}
	full := office
	full.Day = []staff.Stop{{WorkOrderID: 9, Start: sh(8, 30), End: sh(17, 30), At: &suzhou}}
	if staff.TooLate(job(9, 0), []staff.Candidate{full}, p) {
		t.Error("a day booked full is not over")
	}
	off := office
	off.Hours = []staff.Span{}
	if staff.TooLate(job(9, 0), []staff.Candidate{off}, p) {
		t.Error("a day off is not over")
	}
	refused := office
	refused.Refusal = &staff.Refusal{Reason: staff.CertificationExpired}
	if staff.TooLate(job(17, 45), []staff.Candidate{refused}, p) {
		t.Error("a technician who may not do it does not end the day")
	}
}

// Whatever the hours, the booked visits and the clock, a recommended slot
// booked on a technician's day that the day planner's checker accepts
// leaves a day it still accepts: the recommendation counts the trips as
// route.Check does. Places are the service point and the site, which the
// checker measures as the day planner has it do (staff.RoadKm).
func TestRecommendedSlotsPassTheChecker(t *testing.T) {
	t.Parallel()
	midnight := sh(0, 0)
	minutes := func(at time.Time) float64 { return at.Sub(midnight).Minutes() }
	locate := func(p *staff.Place) route.Location { return route.Location{X: p.Lng, Y: p.Lat} }
	measure := func(a, b route.Location) float64 {
		return staff.RoadKm(staff.Place{Lat: a.Y, Lng: a.X}, staff.Place{Lat: b.Y, Lng: b.X})
	}
	places := []*staff.Place{&suzhou, &site}
	rapid.Check(t, func(t *rapid.T) {
		clock := func(label string, from, to int) time.Time {
			return midnight.Add(time.Duration(rapid.IntRange(from, to).Draw(t, label)) * time.Minute)
		}
		start, lunch := clock("start", 7*60, 9*60+30), clock("lunch", 11*60+30, 12*60+30)
		back, end := lunch.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "lunch minutes"))*time.Minute), clock("end", 16*60+30, 20*60)
		hours := []staff.Span{{Start: start, End: lunch}, {Start: back, End: end}}
		eff := rapid.IntRange(500, 2000).Draw(t, "efficiency")
		earliest := clock("earliest", 6*60, 19*60)
		var day []staff.Stop
		at := start
		for i := range rapid.IntRange(0, 4).Draw(t, "visits") {
			at = at.Add(time.Duration(rapid.IntRange(0, 150).Draw(t, "gap")) * time.Minute)
			to := at.Add(time.Duration(rapid.IntRange(20, 150).Draw(t, "length")) * time.Minute)
			day = append(day, staff.Stop{WorkOrderID: int64(i + 1), Start: at, End: to, At: places[rapid.IntRange(0, 1).Draw(t, "place")]})
			at = to
		}
		tech := route.Technician{ID: 1, Start: locate(&suzhou), ShiftStart: math.Max(minutes(start), minutes(earliest)), ShiftEnd: minutes(end), Efficiency: float64(eff) / 1000}
		// As the planner makes a technician of a lane: the day from now on,
		// lunch a fixed break unless it is over.
		switch {
		case !earliest.Before(back):
		case earliest.After(lunch):
			tech.ShiftStart = minutes(back)
		case back.After(lunch):
			tech.Breaks = []route.Break{{Earliest: minutes(lunch), Latest: minutes(lunch), Duration: back.Sub(lunch).Minutes()}}
		}
		check := func(stops []staff.Stop) error {
			p := &route.Problem{Speed: staff.SpeedKmh / 60, Measure: measure, Technicians: []route.Technician{tech}}
			var ids []int64
			for _, s := range stops {
				m := minutes(s.Start)
				p.Visits = append(p.Visits, route.Visit{ID: s.WorkOrderID, Location: locate(s.At), Duration: s.End.Sub(s.Start).Minutes() * tech.Efficiency, Windows: []route.Window{{Open: m, Close: m}}})
				ids = append(ids, s.WorkOrderID)
			}
			_, err := route.Check(p, &route.SolutionFile{Vehicles: 1, Routes: [][]int64{ids}, Technicians: []int64{1}})
			return err
		}
		if len(day) > 0 && check(day) != nil {
			return // a day the planner refuses as booked says nothing
		}
		j := staff.Job{At: &site, Earliest: earliest, DayEnd: sh(20, 0), Duration: time.Duration(rapid.IntRange(15, 240).Draw(t, "duration")) * time.Minute}
		ranked, _ := staff.Recommend(j, []staff.Candidate{{TechnicianID: 1, Base: &suzhou, RadiusKm: 50, EfficiencyPermille: eff, Hours: hours, Day: day}},
			staff.Policies["deadline_first"])
		if len(ranked) == 0 {
			return
		}
		a := ranked[0].Arrival
		with := append(slices.Clone(day), staff.Stop{WorkOrderID: 99, Start: a, End: a.Add(j.Duration * 1000 / time.Duration(eff)), At: &site})
		slices.SortFunc(with, func(x, y staff.Stop) int { return x.Start.Compare(y.Start) })
		if err := check(with); err != nil {
			t.Fatalf("slot at %s refused by the checker: %v", a.In(calendar.Shanghai).Format("15:04"), err)
		}
	})
}
