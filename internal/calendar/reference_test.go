package calendar

import (
	"slices"
	"time"
)

// reference is a deliberately naive implementation of the calendar rules,
// written independently of the index and zone table: it walks day by day,
// asks time.Date for wall-clock instants and scans minute by minute around
// clock changes. Property tests compare the real implementation against it.
type reference struct {
	loc        *time.Location
	alwaysOpen bool
	week       Week
	exc        map[Date]Exception
}

func newReference(s Spec) reference {
	r := reference{loc: mustLoad(s.TimeZone), alwaysOpen: s.AlwaysOpen, week: s.Week, exc: map[Date]Exception{}}
	for _, e := range s.Exceptions {
		r.exc[e.Date] = e
	}
	return r
}

func (r reference) slots(d Date) []Slot {
	if e, ok := r.exc[d]; ok {
		if e.Kind == Holiday {
			return nil
		}
		if e.Slots != nil {
			return e.Slots
		}
		for wd := time.Monday; wd <= time.Friday; wd++ {
			if len(r.week[wd]) > 0 {
				return r.week[wd]
			}
		}
		return nil
	}
	if r.alwaysOpen {
		return []Slot{{0, 1440}}
	}
	wd := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
	return r.week[wd]
}

// wallKey orders wall-clock readings: minutes since 1970-01-01 00:00 local.
func wallKey(y int, m time.Month, d, minute int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/60 + int64(minute)
}

// instant: first instant at which the local clock reads (d, minute) or later.
func (r reference) instant(d Date, minute int) time.Time {
	want := wallKey(d.Year, d.Month, d.Day, minute)
	t := time.Date(d.Year, d.Month, d.Day, 0, minute, 0, 0, r.loc)
	_, off1 := t.Add(-3 * time.Hour).Zone()
	_, off2 := t.Add(3 * time.Hour).Zone()
	if off1 == off2 {
		return t
	}
	for c := t.Add(-4 * time.Hour); ; c = c.Add(time.Minute) {
		l := c.In(r.loc)
		if wallKey(l.Year(), l.Month(), l.Day(), l.Hour()*60+l.Minute()) >= want {
			return c
		}
	}
}

type refSpan struct{ start, end time.Time }

func (r reference) spans(d Date) []refSpan {
	slots := slices.Clone(r.slots(d))
	slices.SortFunc(slots, func(a, b Slot) int { return a.Start - b.Start })
	var out []refSpan
	for _, s := range slots {
		a, b := r.instant(d, s.Start), r.instant(d, s.End)
		if !b.After(a) {
			continue
		}
		if n := len(out); n > 0 && !out[n-1].end.Before(a) {
			if b.After(out[n-1].end) {
				out[n-1].end = b
			}
			continue
		}
		out = append(out, refSpan{a, b})
	}
	return out
}

func (r reference) dateOf(t time.Time) Date { return DateOf(t, r.loc) }

func (r reference) add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	rem := d
	for day := r.dateOf(from); ; day = day.AddDays(1) {
		for _, s := range r.spans(day) {
			if !from.Before(s.end) {
				continue
			}
			st := s.start
			if from.After(st) {
				st = from
			}
			if l := s.end.Sub(st); rem <= l {
				return st.Add(rem)
			}
			rem -= s.end.Sub(st)
		}
	}
}

func (r reference) between(a, b time.Time) time.Duration {
	var total time.Duration
	for day := r.dateOf(a); !day.After(r.dateOf(b)); day = day.AddDays(1) {
		for _, s := range r.spans(day) {
			lo, hi := s.start, s.end
			if a.After(lo) {
				lo = a
			}
			if b.Before(hi) {
				hi = b
			}
			if hi.After(lo) {
				total += hi.Sub(lo)
			}
		}
	}
	return total
}

func (r reference) deadline(from time.Time, n int) time.Time {
	day := r.dateOf(from)
	if n == 0 {
		for ; ; day = day.AddDays(1) {
			if s := r.spans(day); len(s) > 0 {
				return s[len(s)-1].end
			}
		}
	}
	for {
		day = day.AddDays(1)
		if s := r.spans(day); len(s) > 0 {
			if n--; n == 0 {
				return s[len(s)-1].end
			}
		}
	}
}

func (r reference) next(t time.Time) time.Time {
	for day := r.dateOf(t); ; day = day.AddDays(1) {
		for _, s := range r.spans(day) {
			if t.Before(s.end) {
				if t.After(s.start) {
					return t
				}
				return s.start
			}
		}
	}
}

// inWorkingTimeOrAtEnd reports whether t lies in (start, end] of a span.
func (r reference) inWorkingTimeOrAtEnd(t time.Time) bool {
	for _, day := range []Date{r.dateOf(t).AddDays(-1), r.dateOf(t)} {
		for _, s := range r.spans(day) {
			if t.After(s.start) && !t.After(s.end) {
				return true
			}
		}
	}
	return false
}
