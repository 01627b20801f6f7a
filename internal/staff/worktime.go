package staff

import (
	"slices"
	"time"

	"aftersales/internal/calendar"
)

// workTime is a technician's working time as the day planner sees it
// (dispatch.ProblemOf, checked by route.Check): stretches of hours in
// order, leave cut out. Between two stretches of one local day lies a
// break (lunch, leave) in which the technician neither drives nor works on
// site, though they may wait on site through it; between two days they go
// home, and a day starts and ends at the service point.
type workTime []Span

// workTimeOf merges the hours (in any order, overlapping where a turn on
// call meets the working hours) and cuts the leave out; nil hours are the
// job's day from its earliest start.
func workTimeOf(hours, leave []Span, job Job) workTime {
	if hours == nil {
		hours = []Span{{Start: job.Earliest, End: job.DayEnd}}
	}
	in := slices.Clone(hours)
	slices.SortFunc(in, func(a, b Span) int { return a.Start.Compare(b.Start) })
	var w workTime
	for _, h := range in {
		if !h.End.After(h.Start) {
			continue
		}
		if n := len(w); n > 0 && !h.Start.After(w[n-1].End) {
			if h.End.After(w[n-1].End) {
				w[n-1].End = h.End
			}
			continue
		}
		w = append(w, h)
	}
	for _, l := range leave {
		var cut workTime
		for _, h := range w {
			if !l.Start.Before(h.End) || !l.End.After(h.Start) {
				cut = append(cut, h)
				continue
			}
			if l.Start.After(h.Start) {
				cut = append(cut, Span{Start: h.Start, End: l.Start})
			}
			if l.End.Before(h.End) {
				cut = append(cut, Span{Start: l.End, End: h.End})
			}
		}
		w = cut
	}
	return w
}

// sameDay: stretches k and k+1 are of one working day, so the gap between
// them is a break.
func (w workTime) sameDay(k int) bool {
	return calendar.DateOf(w[k].End.Add(-time.Nanosecond), calendar.Shanghai) == calendar.DateOf(w[k+1].Start, calendar.Shanghai)
}

// firstOfDay is the first stretch of stretch k's working day.
func (w workTime) firstOfDay(k int) int {
	for k > 0 && w.sameDay(k-1) {
		k--
	}
	return k
}

// lastOfDay is the last stretch of stretch k's working day.
func (w workTime) lastOfDay(k int) int {
	for k+1 < len(w) && w.sameDay(k) {
		k++
	}
	return k
}

// stretchOf is the stretch holding the instant t (its end included), or -1.
func (w workTime) stretchOf(t time.Time) int {
	for k, h := range w {
		if !t.Before(h.Start) && !t.After(h.End) {
			return k
		}
	}
	return -1
}

// Trips of a placement: from the previous stop, and from the service
// point when the visit is the first of a working day. First: no visit of
// the day comes before it.
type trips struct {
	fromPrev, fromBase     time.Duration
	kmFromPrev, kmFromBase float64
	first                  bool
}

// slot is the earliest start of onSite at a site, for a technician free
// from free, counting the trip there the way the planner does: they leave
// no earlier than the start of a stretch, drive and work inside one (or
// arrive before a break and wait on site through it), and start a new
// working day at the service point. It also answers the stretch the visit
// is in and the kilometres driven to it.
//
// The planner sends a technician to the day's first visit as late as it
// allows, unless the day's first break is due before then: waiting
// through a break for a first visit works only if the trip is shorter
// than the time from that break to the visit.
func (w workTime) slot(free time.Time, t trips, onSite time.Duration) (time.Time, int, float64, bool) {
	dayStart := -1 // the stretch the day starts in, from free
	for k, h := range w {
		if !h.End.After(free) {
			continue
		}
		if dayStart < 0 || !w.sameDay(k-1) {
			dayStart = k
		}
		depart, drive, km, first := free, t.fromPrev, t.kmFromPrev, t.first
		if free.Before(w[w.firstOfDay(k)].Start) {
			// A new working day: it starts at the service point.
			drive, km, first = t.fromBase, t.kmFromBase, true
		}
		if depart.Before(h.Start) {
			depart = h.Start
		}
		arrive := depart.Add(drive)
		if !arrive.Add(onSite).After(h.End) {
			return arrive, k, km, true
		}
		if !arrive.After(h.End) && k+1 < len(w) && w.sameDay(k) && !w[k+1].Start.Add(onSite).After(w[k+1].End) &&
			(!first || w[dayStart].End.Before(w[k+1].Start.Add(-drive))) {
			// There before the break: wait on site through it.
			return w[k+1].Start, k + 1, km, true
		}
	}
	return time.Time{}, -1, 0, false
}

// arrival is when a trip of drive leaving at or after t (the end of a
// visit in stretch k) arrives, driving in working time of the same day: at
// once, or after a break.
func (w workTime) arrival(t time.Time, k int, drive time.Duration) (time.Time, bool) {
	for ; k < len(w); k++ {
		depart := t
		if depart.Before(w[k].Start) {
			depart = w[k].Start
		}
		if arrive := depart.Add(drive); !arrive.After(w[k].End) {
			return arrive, true
		}
		if k+1 == len(w) || !w.sameDay(k) {
			break
		}
	}
	return time.Time{}, false
}

// after is the first stretch that does not end before t (len(w) when all
// do): where a trip leaving at t may run.
func (w workTime) after(t time.Time) int {
	for k, h := range w {
		if !h.End.Before(t) {
			return k
		}
	}
	return len(w)
}

// firstTrip is when the drive from the service point arrives at a visit
// starting at start, the first of the working day whose first stretch is
// k, sent off the way the planner sends them (see slot): as late as still
// arrives by start, unless the day's first break is due before then, when
// they leave at the start of the day and wait on site.
func (w workTime) firstTrip(k int, drive time.Duration, start time.Time) (time.Time, bool) {
	depart := w[k].Start
	if late := start.Add(-drive); late.After(depart) && (k+1 == len(w) || !w.sameDay(k) || !late.After(w[k].End)) {
		depart = late
	}
	return w.arrival(depart, k, drive)
}

// onward says a visit at site ending at end, in stretch k, lets the
// technician reach next (the next visit booked, nil: none) by its start
// when it is of the same working day, and otherwise get back to base by
// the end of the day's hours.
func (w workTime) onward(site *Place, end time.Time, k int, next *Stop, base *Place) bool {
	if next != nil && next.Start.Before(w[w.lastOfDay(k)].End) {
		at, ok := w.arrival(end, k, Drive(site, next.At))
		return ok && !at.After(next.Start)
	}
	_, ok := w.arrival(end, k, Drive(site, base))
	return ok
}

// Fits says a visit at site held from start to end (a window agreed with
// the customer), booked on the technician's day c (Hours, Base, and Day
// with its visits and leave), leaves a day the planner accepts
// (route.Check): inside one stretch of the hours with leave cut out and
// from free on (now); reached from the visit before it that day, or, as
// the first, from the service point leaving no earlier than the start of
// the hours; driving in working time only; on to the next visit by its
// start, or back at the service point by the end of the hours. With no
// hours nothing fits.
func Fits(c Candidate, site *Place, start, end, free time.Time) bool {
	if len(c.Hours) == 0 || !end.After(start) || start.Before(free) {
		return false
	}
	var day []Stop
	leave := []Span{{End: free}}
	for _, s := range c.Day {
		if s.Start.Before(end) && start.Before(s.End) {
			return false
		}
		if s.WorkOrderID == 0 && s.At == nil {
			leave = append(leave, Span{Start: s.Start, End: s.End})
			continue
		}
		day = append(day, s)
	}
	work := workTimeOf(c.Hours, leave, Job{})
	k := work.stretchOf(start)
	if k < 0 || end.After(work[k].End) {
		return false
	}
	var prev, next *Stop
	for i := range day {
		s := &day[i]
		if !s.End.After(start) && (prev == nil || s.End.After(prev.End)) {
			prev = s
		}
		if !s.Start.Before(end) && (next == nil || s.Start.Before(next.Start)) {
			next = s
		}
	}
	first := work.firstOfDay(k)
	var at time.Time
	var ok bool
	if prev != nil && !prev.End.Before(work[first].Start) {
		at, ok = work.arrival(prev.End, work.after(prev.End), Drive(prev.At, site))
	} else {
		at, ok = work.firstTrip(first, Drive(c.Base, site), start)
	}
	return ok && !at.After(start) && work.onward(site, end, k, next, c.Base)
}
