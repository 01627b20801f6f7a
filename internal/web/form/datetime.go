package form

import (
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/width"
)

var (
	dateShape     = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$`)
	clockShape    = regexp.MustCompile(`^(\d{1,2})[:点時时](\d{0,2})分?$`)
	dateTimeSplit = regexp.MustCompile(`^(\S+?)(?:T|\s+)(\S+)$`)
)

// NormalizeDateTime reads a typed date ("2026/12/7" → "2026-12-07"), time
// of day ("9点" → "09:00") or both ("2026/12/7 9:30" → "2026-12-07T09:30")
// into the form the handlers parse. ok is false when s is none of them;
// s is then left to the handler, which names the field.
func NormalizeDateTime(s string) (out string, ok bool) {
	s = strings.Join(strings.Fields(width.Narrow.String(s)), " ")
	s = strings.ReplaceAll(strings.ReplaceAll(s, " :", ":"), ": ", ":")
	if d, ok := normalizeDate(s); ok {
		return d, true
	}
	if c, ok := normalizeClock(s); ok {
		return c, true
	}
	if m := dateTimeSplit.FindStringSubmatch(s); m != nil {
		d, ok1 := normalizeDate(m[1])
		c, ok2 := normalizeClock(m[2])
		if ok1 && ok2 {
			return d + "T" + c, true
		}
	}
	return s, false
}

func normalizeDate(s string) (string, bool) {
	m := dateShape.FindStringSubmatch(strings.ReplaceAll(s, " ", ""))
	if m == nil {
		return "", false
	}
	t, err := time.Parse("2006-1-2", m[1]+"-"+m[2]+"-"+m[3])
	if err != nil {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

func normalizeClock(s string) (string, bool) {
	m := clockShape.FindStringSubmatch(strings.ReplaceAll(s, " ", ""))
	if m == nil {
		return "", false
	}
	minutes := m[2]
	if minutes == "" {
		minutes = "0"
	}
	t, err := time.Parse("15:4", m[1]+":"+minutes)
	if err != nil || len(m[2]) == 1 {
		return "", false
	}
	return t.Format("15:04"), true
}
