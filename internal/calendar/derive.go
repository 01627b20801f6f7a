package calendar

import (
	"slices"
	"time"
)

// Derivation describes a calendar made from another one, e.g. a regional
// calendar that adds a local holiday to "cn", or the same holidays with
// other business hours.
type Derivation struct {
	ID   string
	Name string
	// Week replaces the base's business hours when not nil. Make-up workdays
	// without their own hours follow the new Monday–Friday hours.
	Week *Week
	// TimeZone replaces the base's zone when not empty.
	TimeZone string
	// Exceptions are added to the base's; one on a date the base already
	// lists replaces the base's entry for that date.
	Exceptions []Exception
}

// Derive builds a new calendar from base and d. The base is not changed.
func Derive(base *Calendar, d Derivation) (*Calendar, error) {
	spec := base.Spec()
	spec.ID, spec.Name = d.ID, d.Name
	if d.Week != nil {
		spec.Week = d.Week.clone()
	}
	if d.TimeZone != "" {
		spec.TimeZone = d.TimeZone
	}
	replaced := map[Date]bool{}
	for _, e := range d.Exceptions {
		replaced[e.Date] = true
	}
	spec.Exceptions = slices.DeleteFunc(spec.Exceptions, func(e Exception) bool { return replaced[e.Date] })
	spec.Exceptions = append(spec.Exceptions, Spec{Exceptions: d.Exceptions}.clone().Exceptions...)
	return New(spec)
}

// MissingYears returns the years among the one containing now and the next
// that have no official holiday data, for a warning in the product: the
// current year when it is not covered, and the next year when it is not
// covered and begins within `within` of now (e.g. 90 days). Years are read
// in the calendar's zone. A calendar without any CoveredYears (a custom
// schedule that tracks no official notices) never reports missing years.
func (c *Calendar) MissingYears(now time.Time, within time.Duration) []int {
	if len(c.spec.CoveredYears) == 0 {
		return nil
	}
	local := now.In(c.loc)
	var missing []int
	if y := local.Year(); !c.Covers(y) {
		missing = append(missing, y)
	}
	next := local.Year() + 1
	start := time.Date(next, time.January, 1, 0, 0, 0, 0, c.loc)
	if !c.Covers(next) && start.Sub(now) <= within {
		missing = append(missing, next)
	}
	return missing
}
