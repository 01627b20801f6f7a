package calendar

import (
	"math"
	"time"
)

// zoneTable answers "which UTC offset is in effect at this instant" without
// going through time.Location on every call: the offset changes are found
// once, for the years the calendar's index covers, by sampling the zone every
// 12 hours and bisecting where the offset differs. Outside those years it
// asks the Location.
//
// It does not use time.Time.ZoneBounds: for instants after the last
// transition listed in the zone database (computed from the zone's rule
// string) Go 1.26 reports wrong bounds around the end of leap years (for
// Europe/Berlin in 2040 the period from 28 October "ends" on 31 December
// 00:00 UTC while instants after that still report it).
type zoneTable struct {
	loc      *time.Location
	from, to int64 // unix seconds covered by periods
	periods  []zonePeriod
}

type zonePeriod struct {
	start  int64 // unix seconds; math.MinInt64 for the first period
	offset int64 // seconds east of UTC
}

const zoneSampleStep = 12 * 3600

func newZoneTable(loc *time.Location, from, to int64) zoneTable {
	z := zoneTable{loc: loc, from: from, to: to}
	off := z.locOffset(from)
	z.periods = append(z.periods, zonePeriod{start: math.MinInt64, offset: off})
	for t := from; t < to; {
		next := min(t+zoneSampleStep, to)
		if z.locOffset(next) == off {
			t = next
			continue
		}
		lo, hi := t+1, next // first instant in (t, next] with another offset
		for lo < hi {
			mid := lo + (hi-lo)/2
			if z.locOffset(mid) != off {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		off = z.locOffset(lo)
		z.periods = append(z.periods, zonePeriod{start: lo, offset: off})
		t = lo
	}
	return z
}

func (z *zoneTable) locOffset(u int64) int64 {
	_, off := time.Unix(u, 0).In(z.loc).Zone()
	return int64(off)
}

// period returns the start of the offset period in effect at instant u
// (unix seconds) and its offset. The start is only known inside the table;
// outside it is math.MinInt64.
func (z *zoneTable) period(u int64) (start, offset int64) {
	if u >= z.from && u < z.to {
		p := z.periods
		lo, hi := 0, len(p)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if p[mid].start <= u {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return p[lo].start, p[lo].offset
	}
	return math.MinInt64, z.locOffset(u)
}

func (z *zoneTable) offsetAt(u int64) int64 {
	if u >= z.from && u < z.to {
		_, o := z.period(u)
		return o
	}
	return z.locOffset(u)
}

// localToUTC maps a wall-clock reading w (seconds since 1970-01-01 00:00 on
// the local clock) to the first instant at which the local clock reads w or
// later. A reading that occurs twice (clocks set back) maps to its first
// occurrence; a reading skipped by clocks set forward maps to the instant of
// the jump. The mapping never decreases as w grows, which keeps the working
// intervals of consecutive days in order.
func (z *zoneTable) localToUTC(w int64) int64 {
	const window = 36 * 3600
	before := z.offsetAt(w - window)
	after := z.offsetAt(w + window)
	if before == after {
		if t := w - before; z.offsetAt(t) == before {
			return t
		}
	}
	best, found := int64(math.MaxInt64), false
	for _, o := range [3]int64{before, z.offsetAt(w), after} {
		if t := w - o; z.offsetAt(t) == o && t < best {
			best, found = t, true
		}
	}
	if found {
		return best
	}
	// w was skipped by clocks set forward: bisect for the jump between the
	// instants w would map to under the offsets before and after it.
	lo, hi := w-max(before, after), w-min(before, after)
	for lo < hi {
		mid := lo + (hi-lo)/2
		if mid+z.offsetAt(mid) >= w {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
