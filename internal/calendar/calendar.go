package calendar

import (
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // calendars must work on hosts without a zoneinfo database
)

// Calendar is a compiled, immutable working calendar. It is safe for
// concurrent use. Build one with New (or Derive, or CN).
type Calendar struct {
	spec Spec
	loc  *time.Location
	zone zoneTable

	tables [][]Slot         // distinct slot lists; tables[0] is "no working time"
	week   [7]uint16        // slot list of each weekday
	exc    map[int64]uint16 // slot list of each exception day, by day number
	// allTime is set when every instant is working time (24/7 without
	// holidays), so arithmetic is plain time arithmetic.
	allTime bool

	ix index
}

// New validates spec and compiles it. The returned error is a
// *ValidationError when the spec is invalid.
func New(spec Spec) (*Calendar, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(spec.TimeZone)
	if err != nil { // unreachable after Validate, kept for safety
		return nil, fmt.Errorf("calendar %s: %w", spec.ID, err)
	}
	c := &Calendar{spec: spec.clone(), loc: loc, exc: make(map[int64]uint16, len(spec.Exceptions))}
	slices.SortFunc(c.spec.Exceptions, func(a, b Exception) int { return a.Date.Compare(b.Date) })
	slices.Sort(c.spec.CoveredYears)

	tableIDs := map[string]uint16{"": 0}
	c.tables = [][]Slot{nil}
	intern := func(slots []Slot) uint16 {
		norm := normalizedSlots(slots)
		key := fmt.Sprint(norm)
		if len(norm) == 0 {
			key = ""
		}
		if id, ok := tableIDs[key]; ok {
			return id
		}
		id := uint16(len(c.tables))
		c.tables = append(c.tables, norm)
		tableIDs[key] = id
		return id
	}
	week := c.spec.Week
	if spec.AlwaysOpen {
		for d := range week {
			week[d] = []Slot{{0, MinutesPerDay}}
		}
	}
	for d := range week {
		c.week[d] = intern(week[d])
	}
	standard := intern(week.standardDay())
	for _, e := range c.spec.Exceptions {
		id := uint16(0)
		if e.Kind == Workday {
			id = standard
			if e.Slots != nil {
				id = intern(e.Slots)
			}
		}
		c.exc[e.Date.dayNumber()] = id
	}
	c.allTime = spec.AlwaysOpen && len(spec.Exceptions) == 0

	first, last := indexYears(c.spec.CoveredYears)
	c.buildIndex(first, last)
	return c, nil
}

// MustNew is New for calendars written in code; it panics on an invalid spec.
func MustNew(spec Spec) *Calendar {
	c, err := New(spec)
	if err != nil {
		panic(err)
	}
	return c
}

// indexYears chooses the years the precomputed index covers: wide enough for
// every request the product will see, small enough to build in a few
// milliseconds. Arithmetic outside them is still exact, only slower.
func indexYears(covered []int) (first, last int) {
	first, last = 2000, 2045
	if len(covered) > 0 {
		first = min(first, covered[0]-1)
		last = max(last, covered[len(covered)-1]+10)
	}
	return first, last
}

// ID returns the calendar's identifier, e.g. "cn".
func (c *Calendar) ID() string { return c.spec.ID }

// Name returns the calendar's display name.
func (c *Calendar) Name() string { return c.spec.Name }

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// AlwaysOpen reports whether the calendar is 24/7.
func (c *Calendar) AlwaysOpen() bool { return c.spec.AlwaysOpen }

// Spec returns a copy of the calendar's description, exceptions sorted by date.
func (c *Calendar) Spec() Spec { return c.spec.clone() }

// Exceptions returns a copy of the dated exceptions, sorted by date.
func (c *Calendar) Exceptions() []Exception { return c.spec.clone().Exceptions }

// CoveredYears returns the years with official holiday data, ascending.
func (c *Calendar) CoveredYears() []int { return slices.Clone(c.spec.CoveredYears) }

// Covers reports whether official holiday data is known for year.
func (c *Calendar) Covers(year int) bool {
	_, found := slices.BinarySearch(c.spec.CoveredYears, year)
	return found
}

// Exception returns the exception on date d, if any.
func (c *Calendar) Exception(d Date) (Exception, bool) {
	i, found := slices.BinarySearchFunc(c.spec.Exceptions, d, func(e Exception, d Date) int { return e.Date.Compare(d) })
	if !found {
		return Exception{}, false
	}
	return c.spec.Exceptions[i], true
}

// IsWorkingDay reports whether date d has any working time.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if !d.Valid() {
		return false
	}
	var buf [8]span
	return len(c.spansOfDay(d.dayNumber(), buf[:0])) > 0
}

// WorkingHours returns the business hours of date d after exceptions apply
// (nil on a day off). On a day the clocks change the instants may differ from
// the wall-clock reading; the arithmetic accounts for that.
func (c *Calendar) WorkingHours(d Date) []Slot {
	if !d.Valid() {
		return nil
	}
	return slices.Clone(c.tables[c.tableOf(d.dayNumber())])
}

func (c *Calendar) tableOf(dn int64) uint16 {
	if id, ok := c.exc[dn]; ok {
		return id
	}
	return c.week[floorMod(dn+4, 7)]
}

// String returns "id (name, zone)".
func (c *Calendar) String() string {
	var b strings.Builder
	b.WriteString(c.spec.ID)
	b.WriteString(" (")
	if c.spec.Name != "" {
		b.WriteString(c.spec.Name)
		b.WriteString(", ")
	}
	b.WriteString(c.spec.TimeZone)
	b.WriteString(")")
	return b.String()
}
