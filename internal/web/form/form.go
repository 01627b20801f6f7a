// Package form reads a posted page form into the values domain input is
// made of. A value that is not what its field holds (a number that is not a
// number, a date that is no day) is named as a field problem, as domain
// validation names its own, so that the page shows it under the input
// instead of reading it as zero. A value left empty is read as the zero
// value and left to the domain (or the handler) to judge, as before: the
// reader knows the shape of a value, not whether the page needs it.
//
// It must not know any page or domain: it turns strings into Go values.
package form

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

// Form is a posted form being read; its problems are collected, one per
// field, and returned together by Err.
type Form struct {
	values url.Values
	fields problem.Fields
	bad    map[string]bool
}

// Of reads r's posted form; the edge has already parsed it (ParseForm,
// ParseMultipartForm or the upload reader).
func Of(r *http.Request) *Form { return Values(r.PostForm) }

// Values reads vs as a posted form.
func Values(vs url.Values) *Form { return &Form{values: vs} }

// String is the field's first value as posted ("" when absent).
func (f *Form) String(name string) string { return f.values.Get(name) }

// Strings is every value of the field (a list of checkboxes).
func (f *Form) Strings(name string) []string { return f.values[name] }

// Has reports whether the form holds the field at all, even empty.
func (f *Form) Has(name string) bool { return f.values.Has(name) }

// Int64 reads a whole number (spaces around it allowed); empty reads as 0.
func (f *Form) Int64(name string) int64 {
	n, _ := f.int64(name, f.values.Get(name))
	return n
}

// Int is Int64 for the counts and amounts domain input holds as int; it
// refuses numbers beyond ±2³¹, which no count on a page reaches and which
// could overflow when multiplied (minutes into a duration).
func (f *Form) Int(name string) int { return f.IntValue(name, f.values.Get(name)) }

// Int64Value reads s, one value of a repeated field (a row of a table
// form), as a whole number, naming field (parts[2].qty) when it is bad.
func (f *Form) Int64Value(field, s string) int64 {
	n, _ := f.int64(field, s)
	return n
}

// IntValue is Int64Value for an int.
func (f *Form) IntValue(field, s string) int {
	n, ok := f.int64(field, s)
	if ok && (n < math.MinInt32 || n > math.MaxInt32) {
		f.Add(field, "must be a whole number")
		return 0
	}
	return int(n)
}

// OptionalInt64 reads a whole number that may be left out: nil when empty.
func (f *Form) OptionalInt64(name string) *int64 {
	s := strings.TrimSpace(f.values.Get(name))
	if s == "" {
		return nil
	}
	n, ok := f.int64(name, s)
	if !ok {
		return nil
	}
	return &n
}

// Int64s reads every value of the field as a whole number, leaving out the
// empty ones (the blank rows of a list).
func (f *Form) Int64s(name string) []int64 {
	var out []int64
	for _, s := range f.values[name] {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if n, ok := f.int64(name, s); ok {
			out = append(out, n)
		}
	}
	return out
}

func (f *Form) int64(name, s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.Add(name, "must be a whole number")
		return 0, false
	}
	return n, true
}

// Float reads a decimal number, with a point or a comma before the
// decimals ("12,5" as typed on some keyboards); empty reads as 0.
func (f *Form) Float(name string) float64 {
	s := strings.TrimSpace(f.values.Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		f.Add(name, "must be a number such as 12.5")
		return 0
	}
	return n
}

// OptionalFloat reads a decimal number that may be left out: nil when empty.
func (f *Form) OptionalFloat(name string) *float64 {
	if strings.TrimSpace(f.values.Get(name)) == "" {
		return nil
	}
	n := f.Float(name)
	if f.bad[name] {
		return nil
	}
	return &n
}

// Bool reads a checkbox: absent or empty is false, checked is what a
// browser sends for it ("on", or the box's value "1" or "true").
func (f *Form) Bool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(f.values.Get(name))) {
	case "", "off", "0", "false":
		return false
	case "on", "1", "true":
		return true
	}
	f.Add(name, "must be checked or not")
	return false
}

// Date reads a day as people type it in China (2026-12-07, 2026/12/7,
// 2026年12月7日); empty reads as the zero Date.
func (f *Form) Date(name string) calendar.Date {
	s := strings.TrimSpace(f.values.Get(name))
	if s == "" {
		return calendar.Date{}
	}
	if n, ok := NormalizeDateTime(s); ok && len(n) == len(time.DateOnly) {
		if d, err := calendar.ParseDate(n); err == nil {
			return d
		}
	}
	f.Add(name, "must be a date like 2026-12-01")
	return calendar.Date{}
}

// Clock reads a time of day on the 24-hour clock (9:30, 9点30) as minutes
// after midnight; ok is false when the field is empty or bad.
func (f *Form) Clock(name string) (minutes int, ok bool) {
	s := strings.TrimSpace(f.values.Get(name))
	if s == "" {
		return 0, false
	}
	if n, ok := NormalizeDateTime(s); ok && len(n) == len("15:04") {
		t, err := time.Parse("15:04", n)
		if err == nil {
			return t.Hour()*60 + t.Minute(), true
		}
	}
	f.Add(name, "must be a time HH:MM")
	return 0, false
}

// DateTime reads a day and a time of day in loc (2026-12-07 09:30);
// empty reads as the zero time.
func (f *Form) DateTime(name string, loc *time.Location) time.Time {
	s := strings.TrimSpace(f.values.Get(name))
	if s == "" {
		return time.Time{}
	}
	if n, ok := NormalizeDateTime(s); ok {
		if t, err := time.ParseInLocation("2006-01-02T15:04", n, loc); err == nil {
			return t
		}
	}
	f.Add(name, "must be a date and time like 2026-12-01 09:30")
	return time.Time{}
}

// Instant reads an instant written with its offset (RFC 3339), as the
// pages put in the value of a choice; empty reads as the zero time.
func (f *Form) Instant(name string) time.Time {
	s := strings.TrimSpace(f.values.Get(name))
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		f.Add(name, "must be an RFC 3339 time, e.g. 2026-12-07T09:00:00+08:00")
		return time.Time{}
	}
	return t
}

// Add names a problem with a field found by the handler (a value the page
// needs, left empty); a field keeps the first problem found with it.
func (f *Form) Add(name, format string, args ...any) {
	if f.bad[name] {
		return
	}
	if f.bad == nil {
		f.bad = map[string]bool{}
	}
	f.bad[name] = true
	f.fields.Add(name, format, args...)
}

// Failed reports whether the field's value was refused.
func (f *Form) Failed(name string) bool { return f.bad[name] }

// Problems are the bad fields found so far, to join a handler's own.
func (f *Form) Problems() problem.Fields { return f.fields }

// Err is nil when every field read well, else one validation problem
// naming each bad field.
func (f *Form) Err() error { return f.fields.Err() }
