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
