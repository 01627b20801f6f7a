package calendar

import "time"

// The index makes the arithmetic a matter of a few array lookups: for every
// local day of a range of years it holds the instant the day starts, the
// working time before it (a running sum) and the number of working days
// before it. Adding working time is then a search for the day on which the
// running sum reaches the target, and counting working days a search in the
// day counts; only the one or two days at the ends are looked at slot by slot.

const (
	nsPerSec  = int64(time.Second)
	nsPerMin  = int64(time.Minute)
	secPerDay = int64(24 * 60 * 60)
	nsPerDay  = secPerDay * nsPerSec
)

// span is a working interval [start, end) in unix nanoseconds.
type span struct{ start, end int64 }

type index struct {
	first    int64   // day number (days since 1970-01-01) of entry 0
	n        int     // number of days indexed
	dayStart []int64 // n+1 entries: first instant (ns) of each day
	cum      []int64 // n+1 entries: working time (ns) before each day
	wcum     []int32 // n+1 entries: working days before each day
	table    []uint16
	odd      []bool           // the UTC offset changes during this day
	oddSpans map[int32][]span // working intervals of odd days
}

func (c *Calendar) buildIndex(firstYear, lastYear int) {
	first := Date{firstYear, time.January, 1}.dayNumber()
	end := Date{lastYear + 1, time.January, 1}.dayNumber()
	n := int(end - first)
	c.zone = newZoneTable(c.loc, (first-2)*secPerDay, (end+2)*secPerDay)
	ix := index{
		first:    first,
		n:        n,
		dayStart: make([]int64, n+1),
		cum:      make([]int64, n+1),
		wcum:     make([]int32, n+1),
		table:    make([]uint16, n),
		odd:      make([]bool, n),
		oddSpans: map[int32][]span{},
	}
	for i := 0; i <= n; i++ {
		ix.dayStart[i] = c.zone.localToUTC((first+int64(i))*secPerDay) * nsPerSec
	}
	for i := 0; i < n; i++ {
		dn := first + int64(i)
		ix.table[i] = c.tableOf(dn)
		startSec, endSec := ix.dayStart[i]/nsPerSec, ix.dayStart[i+1]/nsPerSec
		periodStart, _ := c.zone.period(endSec - 1)
		uniform := endSec-startSec == secPerDay && periodStart <= startSec
		var worked int64
		if uniform {
			for _, s := range c.tables[ix.table[i]] {
				worked += int64(s.End-s.Start) * nsPerMin
			}
		} else {
			spans := c.computeSpans(dn, nil)
			ix.odd[i] = true
			ix.oddSpans[int32(i)] = spans
			for _, s := range spans {
				worked += s.end - s.start
			}
		}
		ix.cum[i+1] = ix.cum[i] + worked
		ix.wcum[i+1] = ix.wcum[i]
		if worked > 0 {
			ix.wcum[i+1]++
		}
	}
	c.ix = ix
}

// computeSpans works out the working intervals of day dn from the zone rules
// (used outside the index and for days on which the clocks change).
func (c *Calendar) computeSpans(dn int64, buf []span) []span {
	base := dn * secPerDay
	for _, s := range c.tables[c.tableOf(dn)] {
		a := c.zone.localToUTC(base+int64(s.Start)*60) * nsPerSec
		b := c.zone.localToUTC(base+int64(s.End)*60) * nsPerSec
		if b <= a {
			continue // the whole slot fell into a skipped hour
		}
		if k := len(buf); k > 0 && buf[k-1].end >= a {
			buf[k-1].end = max(buf[k-1].end, b)
			continue
		}
		buf = append(buf, span{a, b})
	}
	return buf
}

// indexSpans returns the working intervals of indexed day i. The result may
// alias index storage: callers must not modify it.
func (c *Calendar) indexSpans(i int, buf []span) []span {
	if c.ix.odd[i] {
		return c.ix.oddSpans[int32(i)]
	}
	base := c.ix.dayStart[i]
	for _, s := range c.tables[c.ix.table[i]] {
		buf = append(buf, span{base + int64(s.Start)*nsPerMin, base + int64(s.End)*nsPerMin})
	}
	return buf
}

// spansOfDay returns the working intervals of day number dn.
func (c *Calendar) spansOfDay(dn int64, buf []span) []span {
	if i := dn - c.ix.first; i >= 0 && i < int64(c.ix.n) {
		return c.indexSpans(int(i), buf)
	}
	return c.computeSpans(dn, buf)
}

// dayIndex finds the indexed day containing instant u (ns).
func (c *Calendar) dayIndex(u int64) (int, bool) {
	ix := &c.ix
	if u < ix.dayStart[0] || u >= ix.dayStart[ix.n] {
		return 0, false
	}
	i := int((u - ix.dayStart[0]) / nsPerDay)
	if i >= ix.n {
		i = ix.n - 1
	}
	for u < ix.dayStart[i] {
		i--
	}
	for u >= ix.dayStart[i+1] {
		i++
	}
	return i, true
}

// dayStartOf returns the first instant (ns) of day number dn.
func (c *Calendar) dayStartOf(dn int64) int64 {
	if i := dn - c.ix.first; i >= 0 && i <= int64(c.ix.n) {
		return c.ix.dayStart[i]
	}
	return c.zone.localToUTC(dn*secPerDay) * nsPerSec
}

// dayNumberOf returns the day number of the local day containing instant u
// (ns): the day whose first instant is at or before u and whose successor's
// first instant is after u. This is the local date except in zones whose
// clocks are set back across midnight.
func (c *Calendar) dayNumberOf(u int64) int64 {
	if i, ok := c.dayIndex(u); ok {
		return c.ix.first + int64(i)
	}
	sec := floorDiv(u, nsPerSec)
	dn := floorDiv(sec+c.zone.offsetAt(sec), secPerDay)
	for c.dayStartOf(dn) > u {
		dn--
	}
	for c.dayStartOf(dn+1) <= u {
		dn++
	}
	return dn
}

// searchFrom returns the smallest k in [lo, hi] with a[k] >= target, or
// hi+1 if none. It gallops from lo because the answer is usually close.
func searchFrom[T int64 | int32](a []T, lo, hi int, target T) int {
	if lo > hi {
		return hi + 1
	}
	step := 1
	prev := lo - 1
	k := lo
	for k <= hi && a[k] < target {
		prev = k
		k = lo + step
		step *= 2
	}
	if k > hi {
		k = hi + 1
	}
	// answer is in (prev, k]
	l, r := prev+1, k
	for l < r {
		m := l + (r-l)/2
		if m <= hi && a[m] >= target {
			r = m
		} else {
			l = m + 1
		}
	}
	return l
}
