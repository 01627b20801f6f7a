package calendar

import (
	"fmt"
	"strings"
	"time"
)

// MinutesPerDay is the end of the last possible slot (24:00).
const MinutesPerDay = 24 * 60

// Slot is a stretch of business hours within one local day, in minutes from
// local midnight. Start is inclusive, End exclusive; End may be 1440 (24:00).
type Slot struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Hours builds a slot from whole hours, e.g. Hours(9, 12) is 09:00–12:00.
func Hours(start, end int) Slot { return Slot{Start: start * 60, End: end * 60} }

// String formats the slot as "09:00-12:00".
func (s Slot) String() string { return formatMinute(s.Start) + "-" + formatMinute(s.End) }

// MarshalText implements encoding.TextMarshaler ("09:00-12:00").
func (s Slot) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Slot) UnmarshalText(b []byte) error {
	v, err := ParseSlot(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSlot reads "HH:MM-HH:MM" (24:00 allowed as an end). It does not check
// that start is before end: Validate reports that with the field's name.
func ParseSlot(text string) (Slot, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(text), "-")
	if !ok {
		return Slot{}, fmt.Errorf("slot %q: want HH:MM-HH:MM", text)
	}
	start, err := parseMinute(strings.TrimSpace(a))
	if err != nil {
		return Slot{}, fmt.Errorf("slot %q: %w", text, err)
	}
	end, err := parseMinute(strings.TrimSpace(b))
	if err != nil {
		return Slot{}, fmt.Errorf("slot %q: %w", text, err)
	}
	return Slot{Start: start, End: end}, nil
}

func parseMinute(s string) (int, error) {
	var h, m int
	if len(s) < 4 || len(s) > 5 || s[len(s)-3] != ':' {
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time %q: want HH:MM between 00:00 and 24:00", s)
	}
	return h*60 + m, nil
}

func formatMinute(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// Week holds the business hours of each day of the week, indexed by
// time.Weekday (Sunday = 0). A day may have several slots, e.g. a lunch break
// is two slots 09:00–12:00 and 13:00–18:00.
type Week [7][]Slot

// OfficeWeek returns the same slots Monday to Friday and nothing at weekends.
func OfficeWeek(slots ...Slot) Week {
	var w Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = append([]Slot(nil), slots...)
	}
	return w
}

var weekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// WeekdayKey is the short name used for a weekday in field names ("mon").
func WeekdayKey(d time.Weekday) string { return weekdayKeys[d] }

// standardDay is the schedule a make-up workday borrows when it gives no hours
// of its own: Monday's, or else the first of Tuesday..Friday that has any.
func (w Week) standardDay() []Slot {
	for d := time.Monday; d <= time.Friday; d++ {
		if len(w[d]) > 0 {
			return w[d]
		}
	}
	return nil
}

func (w Week) empty() bool {
	for _, s := range w {
		if len(s) > 0 {
			return false
		}
	}
	return true
}

func (w Week) clone() Week {
	var c Week
	for i, s := range w {
		if s != nil {
			c[i] = append([]Slot(nil), s...)
		}
	}
	return c
}
