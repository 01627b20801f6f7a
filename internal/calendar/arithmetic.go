package calendar

import "time"

// Supported instants: 1900-01-01 to 2200-01-01 UTC. Inputs outside are
// clamped to these bounds and results never go past the upper one.
var (
	minInstant = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)
	maxInstant = time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)
	minNS      = minInstant.UnixNano()
	maxNS      = maxInstant.UnixNano()
	maxDay     = Date{2200, time.January, 1}.dayNumber()
)

// Supports tells whether t is within the supported instants; a deadline
// computed from an instant outside them would be one from the bound.
func Supports(t time.Time) bool { return !t.Before(minInstant) && t.Before(maxInstant) }

// Shown is t in loc, for writing as RFC 3339, which states only whole
// minutes of offset: a time in a zone's local mean time (Asia/Shanghai's
// +08:05:43 before 1901) is given in UTC instead, since at the truncated
// offset it would name another instant. The zero time stays as it is.
func Shown(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	local := t.In(loc)
	if _, off := local.Zone(); off%60 != 0 {
		return t.UTC()
	}
	return local
}

func toNS(t time.Time) int64 {
	switch {
	case t.Before(minInstant):
		return minNS
	case !t.Before(maxInstant):
		return maxNS
	}
	return t.UnixNano()
}

func fromNS(u int64) time.Time { return time.Unix(0, u).UTC() }

// AddWorkingDuration returns the instant at which d of working time, counted
// from `from`, is used up. If from is outside working time, counting starts
// at the next working instant. The result is the earliest such instant: when
// the budget runs out exactly at the end of a slot, that slot's end is
// returned, not the next slot's start. A d <= 0 returns from unchanged (in UTC).
func (c *Calendar) AddWorkingDuration(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from.UTC()
	}
	if c.allTime {
		u := toNS(from)
		if u >= maxNS-int64(d) { // maxNS-u would overflow for instants before 1908
			return maxInstant
		}
		return fromNS(u + int64(d))
	}
	return fromNS(c.addNS(toNS(from), int64(d)))
}

func (c *Calendar) addNS(u, d int64) int64 {
	ix := &c.ix
	i, ok := c.dayIndex(u)
	if !ok {
		return c.addSlow(u, d)
	}
	var buf [8]span
	pos := ix.cum[i] + workedBefore(c.indexSpans(i, buf[:0]), u)
	if left := ix.cum[ix.n] - pos; d > left {
		// The budget outlasts the index: go on from its end.
		return c.addSlow(ix.dayStart[ix.n], d-left)
	}
	target := pos + d
	j := searchFrom(ix.cum, i+1, ix.n, target) - 1
	rem := target - ix.cum[j]
	spans := c.indexSpans(j, buf[:0])
	for _, s := range spans {
		l := s.end - s.start
		if rem <= l {
			return s.start + rem
		}
		rem -= l
	}
	return spans[len(spans)-1].end // unreachable: cum says the budget ends on day j
}

// addSlow walks day by day; it is used outside the indexed years.
func (c *Calendar) addSlow(u, rem int64) int64 {
	var buf [8]span
	for dn := c.dayNumberOf(u); dn < maxDay; dn++ {
		if i := dn - c.ix.first; i >= 0 && i < int64(c.ix.n) {
			return c.addNS(max(u, c.ix.dayStart[i]), rem)
		}
		for _, s := range c.computeSpans(dn, buf[:0]) {
			if u >= s.end {
				continue
			}
			from := max(u, s.start)
			l := s.end - from
			if rem <= l {
				return from + rem
			}
			rem -= l
		}
	}
	return maxNS
}

func workedBefore(spans []span, u int64) int64 {
	var w int64
	for _, s := range spans {
		if u <= s.start {
			break
		}
		w += min(u, s.end) - s.start
	}
	return w
}

// WorkingTimeBetween returns the working time in [a, b); 0 when b is not after a.
func (c *Calendar) WorkingTimeBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c.allTime {
		return time.Duration(toNS(b) - toNS(a))
	}
	return time.Duration(c.betweenNS(toNS(a), toNS(b)))
}

func (c *Calendar) betweenNS(ua, ub int64) int64 {
	if ia, ok := c.dayIndex(ua); ok {
		if ib, ok := c.dayIndex(ub); ok {
			var buf [8]span
			pa := c.ix.cum[ia] + workedBefore(c.indexSpans(ia, buf[:0]), ua)
			pb := c.ix.cum[ib] + workedBefore(c.indexSpans(ib, buf[:0]), ub)
			return pb - pa
		}
	}
	var total int64
	var buf [8]span
	for dn := c.dayNumberOf(ua); dn < maxDay && c.dayStartOf(dn) < ub; dn++ {
		for _, s := range c.spansOfDay(dn, buf[:0]) {
			if lo, hi := max(s.start, ua), min(s.end, ub); hi > lo {
				total += hi - lo
			}
		}
	}
	return total
}

// NextWorkingInstant returns t if t is working time, else the start of the
// next working slot.
func (c *Calendar) NextWorkingInstant(t time.Time) time.Time {
	if c.allTime {
		return fromNS(toNS(t))
	}
	u := toNS(t)
	dn := c.dayNumberOf(u)
	var buf [8]span
	for _, s := range c.spansOfDay(dn, buf[:0]) {
		if u < s.end {
			return fromNS(max(u, s.start))
		}
	}
	j, ok := c.nthWorkingDay(dn, 1)
	if !ok {
		return maxInstant
	}
	return fromNS(c.spansOfDay(j, buf[:0])[0].start)
}

// WorkingDaysDeadline implements "respond within n working days": the result
// is the close of business (end of the last slot) of the nth working day
// strictly after the local date on which `from` falls, whatever the time of
// day `from` is. Received on a Wednesday with n = 2, the deadline is Friday's
// close of business if Thursday and Friday are working days.
//
// n = 0 means the close of business of the receipt day if it is a working
// day, else of the next working day. A negative n counts as 0.
func (c *Calendar) WorkingDaysDeadline(from time.Time, n int) time.Time {
	n = max(n, 0)
	dn := c.dayNumberOf(toNS(from))
	j, ok := c.nthWorkingDay(dn, n)
	if !ok {
		return maxInstant
	}
	var buf [8]span
	spans := c.spansOfDay(j, buf[:0])
	return fromNS(spans[len(spans)-1].end)
}

// CloseOfBusiness returns the end of the last working slot of date d, and
// false if d is not a working day.
func (c *Calendar) CloseOfBusiness(d Date) (time.Time, bool) {
	if !d.Valid() {
		return time.Time{}, false
	}
	var buf [8]span
	spans := c.spansOfDay(d.dayNumber(), buf[:0])
	if len(spans) == 0 {
		return time.Time{}, false
	}
	return fromNS(spans[len(spans)-1].end), true
}

// nthWorkingDay returns the day number of the nth working day strictly after
// day dn, or for n = 0 the first working day on or after dn.
func (c *Calendar) nthWorkingDay(dn int64, n int) (int64, bool) {
	n = min(n, int(maxDay-dn)+1) // past 2200 the answer is "never" anyway
	ix := &c.ix
	if i := dn - ix.first; i >= 0 && i < int64(ix.n) {
		base := ix.wcum[i+1] // working days up to and including dn
		target := base + int32(n)
		if n == 0 {
			base = ix.wcum[i]
			target = base + 1
		}
		if k := searchFrom(ix.wcum, int(i)+1, ix.n, target); k <= ix.n {
			return ix.first + int64(k) - 1, true
		}
		last := ix.first + int64(ix.n) - 1
		if n == 0 {
			return c.nthWorkingDaySlow(last+1, 0)
		}
		return c.nthWorkingDaySlow(last, n-int(ix.wcum[ix.n]-base))
	}
	return c.nthWorkingDaySlow(dn, n)
}

func (c *Calendar) nthWorkingDaySlow(dn int64, n int) (int64, bool) {
	need, d := n, dn+1
	if n == 0 {
		need, d = 1, dn
	}
	var buf [8]span
	for ; d < maxDay; d++ {
		if len(c.spansOfDay(d, buf[:0])) > 0 {
			if need--; need == 0 {
				return d, true
			}
		}
	}
	return 0, false
}
