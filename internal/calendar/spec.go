package calendar

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"aftersales/internal/problem"
)

// ExceptionKind says what a dated exception does to the weekly schedule.
type ExceptionKind string

const (
	// Holiday is a day off (法定节假日), including the weekend days that are
	// part of a holiday block.
	Holiday ExceptionKind = "holiday"
	// Workday is a make-up workday (调休上班日): worked although it falls on a
	// weekend, with the hours of a normal weekday unless it lists its own.
	Workday ExceptionKind = "workday"
)

// Exception overrides the weekly schedule on one date.
type Exception struct {
	Date Date          `json:"date"`
	Kind ExceptionKind `json:"kind"`
	Name string        `json:"name,omitempty"`
	// Slots are the hours of a make-up workday. Nil means the hours of a normal
	// weekday: Monday's, or else the first of Tuesday..Friday that has any.
	// A holiday has no slots.
	Slots []Slot `json:"slots,omitempty"`
}

// Spec is the plain description of a working calendar, as stored and edited.
// New compiles it into a Calendar.
type Spec struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"` // IANA name, e.g. Asia/Shanghai
	// AlwaysOpen makes every instant working time (24/7). Week must then be
	// empty; holidays may still close whole days.
	AlwaysOpen bool        `json:"always_open"`
	Week       Week        `json:"week"`
	Exceptions []Exception `json:"exceptions"`
	// CoveredYears are the years for which official holiday data is known.
	// In any other year only the weekly schedule applies; see MissingYears.
	CoveredYears []int `json:"covered_years"`
}

// FieldError says what is wrong with one field. Field uses the JSON names
// with indexes, e.g. "week.mon[1]" or "exceptions[3].date".
type FieldError struct {
	Field  string
	Reason string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Reason }

// ValidationError lists every problem found in a value (a calendar Spec,
// and also the SLA terms built on calendars), so an API can report all
// fields at once.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Error()
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// AsProblem turns a *ValidationError into the validation problem naming the
// same fields, so that a form or the API shows each beside its input; any
// other error, nil included, passes through.
func AsProblem(err error) error {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var fs problem.Fields
	for _, fe := range ve.Errors {
		fs.Add(fe.Field, "%s", fe.Reason)
	}
	return fs.Err()
}

// Validate checks the spec and returns a *ValidationError naming every bad
// field, or nil.
func (s Spec) Validate() error {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(s.ID) == "" {
		add("id", "is required")
	} else if len(s.ID) > 64 || strings.ContainsAny(s.ID, " \t\r\n/") {
		add("id", "must be at most 64 characters without spaces or slashes")
	}
	if s.TimeZone == "" {
		add("time_zone", "is required (an IANA name such as Asia/Shanghai)")
	} else if _, err := time.LoadLocation(s.TimeZone); err != nil {
		add("time_zone", "unknown time zone %q", s.TimeZone)
	}
	for d := range s.Week {
		for _, fe := range checkSlots("week."+weekdayKeys[d], s.Week[d]) {
			errs = append(errs, fe)
		}
	}
	switch {
	case s.AlwaysOpen && !s.Week.empty():
		add("week", "must be empty for a 24/7 calendar")
	case !s.AlwaysOpen && s.Week.empty():
		add("week", "no working time on any day of the week")
	}
	errs = append(errs, s.checkExceptions()...)
	seenYear := map[int]int{}
	for i, y := range s.CoveredYears {
		field := fmt.Sprintf("covered_years[%d]", i)
		if y < 1900 || y > 2200 {
			add(field, "year %d is out of range", y)
		} else if j, dup := seenYear[y]; dup {
			add(field, "year %d is already listed at covered_years[%d]", y, j)
		}
		seenYear[y] = i
	}
	if len(errs) == 0 {
		return nil
	}
	return &ValidationError{Errors: errs}
}

func (s Spec) checkExceptions() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	first := map[Date]int{}
	for i, e := range s.Exceptions {
		field := fmt.Sprintf("exceptions[%d]", i)
		if !e.Date.Valid() {
			add(field+".date", "missing or not a real day")
		}
		switch e.Kind {
		case Holiday:
			if len(e.Slots) > 0 {
				add(field+".slots", "a holiday has no working hours")
			}
		case Workday:
			if s.AlwaysOpen {
				add(field+".kind", "a 24/7 calendar needs no make-up workdays")
			} else if e.Slots == nil && len(s.Week.standardDay()) == 0 {
				add(field+".slots", "no Monday–Friday hours to copy: list the hours of this workday")
			} else if e.Slots != nil && len(e.Slots) == 0 {
				add(field+".slots", "a workday needs working hours")
			}
			errs = append(errs, checkSlots(field+".slots", e.Slots)...)
		default:
			add(field+".kind", "must be %q or %q, not %q", Holiday, Workday, e.Kind)
		}
		if !e.Date.Valid() {
			continue
		}
		j, dup := first[e.Date]
		if !dup {
			first[e.Date] = i
			continue
		}
		if s.Exceptions[j].Kind == e.Kind {
			add(field+".date", "%s is already listed at exceptions[%d]", e.Date, j)
		} else {
			add(field+".date", "%s is listed both as %s (exceptions[%d]) and as %s", e.Date, s.Exceptions[j].Kind, j, e.Kind)
		}
	}
	return errs
}

// checkSlots reports inverted, out-of-range and overlapping slots. Slots may
// be listed in any order; touching slots (12:00 end, 12:00 start) are fine.
func checkSlots(field string, slots []Slot) []FieldError {
	var errs []FieldError
	for i, s := range slots {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case s.Start < 0 || s.End > MinutesPerDay:
			errs = append(errs, FieldError{f, fmt.Sprintf("%s is outside 00:00-24:00", s)})
		case s.Start >= s.End:
			errs = append(errs, FieldError{f, fmt.Sprintf("%s ends before it starts", s)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	order := make([]int, len(slots))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return slots[a].Start - slots[b].Start })
	for k := 1; k < len(order); k++ {
		prev, cur := slots[order[k-1]], slots[order[k]]
		if cur.Start < prev.End {
			errs = append(errs, FieldError{
				fmt.Sprintf("%s[%d]", field, order[k]),
				fmt.Sprintf("%s overlaps %s[%d] %s", cur, field, order[k-1], prev),
			})
		}
	}
	return errs
}

// normalizedSlots returns the slots sorted with touching ones merged.
func normalizedSlots(slots []Slot) []Slot {
	out := append([]Slot(nil), slots...)
	slices.SortFunc(out, func(a, b Slot) int { return a.Start - b.Start })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

func (s Spec) clone() Spec {
	c := s
	c.Week = s.Week.clone()
	c.Exceptions = make([]Exception, len(s.Exceptions))
	for i, e := range s.Exceptions {
		c.Exceptions[i] = e
		if e.Slots != nil {
			c.Exceptions[i].Slots = append([]Slot{}, e.Slots...)
		}
	}
	c.CoveredYears = append([]int(nil), s.CoveredYears...)
	return c
}
