package testutil

import (
	"fmt"
	"slices"
	"time"

	"aftersales/internal/calendar"
)

// Year is a year the built-in national calendar holds no official schedule
// for (the first after its data), with the days tests import into it, as
// YYYY-MM-DD. Tests that need "a year not yet announced" use it rather than
// a fixed year, which would stop being one when the data grows.
type Year struct {
	Year int
	// Eve is 31 December of the year before, the last day with official data.
	Eve string
	// FirstWeekday is the first Monday to Friday of the year (1 January when
	// it is one), SecondWeekday the one after it: without official data a
	// working day counted from Eve ends on FirstWeekday; once FirstWeekday is
	// imported as a holiday, on SecondWeekday.
	FirstWeekday, SecondWeekday string
	// Saturday is the first Saturday of February (a make-up workday to import).
	Saturday string
}

// UncoveredYear returns the first year after the built-in "cn" data.
func UncoveredYear() Year {
	cn, ok := calendar.Builtin(calendar.CNID)
	if !ok {
		panic("no built-in cn calendar")
	}
	y := slices.Max(cn.CoveredYears()) + 1
	day := func(d time.Time) string { return d.Format(time.DateOnly) }
	weekday := func(d time.Time) time.Time {
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			d = d.AddDate(0, 0, 1)
		}
		return d
	}
	first := weekday(time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC))
	second := weekday(first.AddDate(0, 0, 1))
	sat := time.Date(y, time.February, 1, 0, 0, 0, 0, time.UTC)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDate(0, 0, 1)
	}
	return Year{Year: y, Eve: fmt.Sprintf("%d-12-31", y-1), FirstWeekday: day(first), SecondWeekday: day(second), Saturday: day(sat)}
}
