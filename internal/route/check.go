package route

import (
	"fmt"
	"math"
	"strings"
)

// CheckResult is what a valid solution amounts to.
type CheckResult struct {
	Vehicles int
	Distance float64
}

// ViolationError lists every rule a solution breaks.
type ViolationError struct{ Violations []string }

func (e *ViolationError) Error() string {
	return fmt.Sprintf("%d violations: %s", len(e.Violations), strings.Join(e.Violations, "; "))
}

// Check verifies a solution against its problem without the solver's
// data structures: every visit on exactly one route (or declared unplaced),
// qualified technicians, pins, capacity, windows and hard deadlines, shift
// end, breaks and maximum shift length, driving each route with the rules
// the solver documents. It returns the vehicles used and the distance.
func Check(p *Problem, f *SolutionFile) (*CheckResult, error) {
	if err := validate(p); err != nil {
		return nil, err
	}
	var bad []string
	fail := func(format string, args ...any) {
		if len(bad) < 50 {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	visits := map[int64]*Visit{}
	for i := range p.Visits {
		visits[p.Visits[i].ID] = &p.Visits[i]
	}
	techs := map[int64]*Technician{}
	for i := range p.Technicians {
		techs[p.Technicians[i].ID] = &p.Technicians[i]
	}
	seen := map[int64]string{}
	mark := func(id int64, where string) {
		if prev, dup := seen[id]; dup {
			fail("visit %d is on %s and on %s", id, prev, where)
		}
		seen[id] = where
	}
	for _, id := range f.Unplaced {
		if visits[id] == nil {
			fail("unplaced visit %d does not exist", id)
		}
		mark(id, "the unplaced list")
	}
	res := &CheckResult{}
	used := map[int64]bool{}
	for ri, ids := range f.Routes {
		var t *Technician
		if f.Technicians != nil {
			t = techs[f.Technicians[ri]]
		} else if ri < len(p.Technicians) {
			t = &p.Technicians[ri]
		}
		name := fmt.Sprintf("route %d", ri+1)
		if t == nil {
			fail("%s has no technician", name)
			continue
		}
		if used[t.ID] {
			fail("technician %d has two routes", t.ID)
		}
		used[t.ID] = true
		if len(ids) == 0 {
			continue
		}
		res.Vehicles++
		for _, id := range ids {
			if visits[id] == nil {
				fail("%s: visit %d does not exist", name, id)
				continue
			}
			mark(id, name)
		}
		res.Distance += checkRoute(p, t, ids, visits, func(format string, args ...any) { fail(name+": "+format, args...) })
	}
	for _, t := range p.Technicians {
		if t.UnderWay != nil && !used[t.ID] {
			fail("technician %d has visit %d under way but no route", t.ID, t.UnderWay.Visit)
		}
	}
	for _, v := range p.Visits {
		if _, ok := seen[v.ID]; !ok {
			fail("visit %d is on no route", v.ID)
		}
	}
	if len(bad) > 0 {
		return res, &ViolationError{bad}
	}
	return res, nil
}

// checkRoute drives one route and returns its distance.
func checkRoute(p *Problem, t *Technician, ids []int64, visits map[int64]*Visit, fail func(string, ...any)) float64 {
	speed := p.Speed
	if speed == 0 {
		speed = 1
	}
	factor := 1.0
	if t.Efficiency > 0 {
		factor = 1 / t.Efficiency
	}
	end := t.Start
	if t.End != nil {
		end = *t.End
	}
	here, now, capacity, load, total, shiftEnd := t.Start, t.ShiftStart, t.Capacity, 0.0, 0.0, t.ShiftEnd
	if t.UnderWay != nil {
		if ids[0] != t.UnderWay.Visit {
			fail("visit %d is under way and must come first", t.UnderWay.Visit)
			return 0
		}
		v := visits[ids[0]]
		here, load = v.Location, v.Demand
		now = math.Max(now, t.UnderWay.StartedAt+v.Duration*factor)
		shiftEnd = math.Max(shiftEnd, now+p.Distance(here, end)/speed)
		ids = ids[1:]
	}
	var stops []*Visit
	for _, id := range ids {
		if v := visits[id]; v != nil {
			stops = append(stops, v)
		}
	}
	breaks := sortedBreaks(t.Breaks)
	if len(stops) > 0 {
		base := now
		tt := p.Distance(here, stops[0].Location) / speed
		if s := firstStart(effectiveWindows(stops[0]), now+tt); !math.IsInf(s, 1) && s-tt > now {
			now = s - tt
		}
		if len(breaks) > 0 && breaks[0].Latest < now {
			now = base // a break is due before the first visit: leave at once
		}
	}
	departure := now
	for _, v := range stops {
		if v.Pin != nil && v.Pin.Technician != 0 && v.Pin.Technician != t.ID {
			fail("visit %d is pinned to technician %d", v.ID, v.Pin.Technician)
		}
		if !qualifies(t.Skills, v.Skills) {
			fail("technician %d lacks a skill visit %d needs", t.ID, v.ID)
		}
		win := effectiveWindows(v)
		svc := v.Duration * factor
		d := p.Distance(here, v.Location)
		arrive := now + d/speed
		start := firstStart(win, arrive)
		for len(breaks) > 0 {
			b := breaks[0]
			if bs := math.Max(arrive, b.Earliest); bs <= b.Latest+eps && bs+b.Duration <= start+eps {
				breaks = breaks[1:]
				continue
			}
			if start+svc <= b.Latest+eps {
				break
			}
			bs := math.Max(now, b.Earliest)
			if bs > b.Latest+eps {
				fail("the break due by %g cannot be taken before visit %d", b.Latest, v.ID)
			}
			breaks = breaks[1:]
			now = bs + b.Duration
			arrive = now + d/speed
			start = firstStart(win, arrive)
		}
		if math.IsInf(start, 1) {
			fail("visit %d: arrival at %.2f is after its last window closes", v.ID, arrive)
			start = arrive
		}
		total += d
		load += v.Demand
		now, here = start+svc, v.Location
	}
	d := p.Distance(here, end)
	arrive := now + d/speed
	for len(breaks) > 0 && len(stops) > 0 && arrive >= breaks[0].Earliest {
		b := breaks[0]
		bs := math.Max(now, b.Earliest)
		if bs > b.Latest+eps {
			fail("the break due by %g is not taken", b.Latest)
		}
		breaks = breaks[1:]
		now = bs + b.Duration
		arrive = now + d/speed
	}
	total += d
	if capacity > 0 && load > capacity+eps {
		fail("load %.2f exceeds the capacity %.2f", load, capacity)
	}
	if arrive > shiftEnd+eps {
		fail("returns at %.2f, after the shift ends at %.2f", arrive, shiftEnd)
	}
	if t.MaxShift > 0 && len(stops) > 0 && arrive-departure > t.MaxShift+eps {
		fail("the day lasts %.2f, longer than %.2f", arrive-departure, t.MaxShift)
	}
	return total
}

func firstStart(win []Window, arrive float64) float64 {
	for _, w := range win {
		if arrive <= w.Close+eps {
			return math.Max(arrive, w.Open)
		}
	}
	return math.Inf(1)
}

func sortedBreaks(in []Break) []Break {
	out := append([]Break(nil), in...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Earliest < out[j-1].Earliest; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
