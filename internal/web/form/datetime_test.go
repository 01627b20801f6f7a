package form

import (
	"regexp"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNormalizeDateTime(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"2026-12-07", "2026-12-07", true},
		{"2026/12/7", "2026-12-07", true},
		{" 2026.1.5 ", "2026-01-05", true},
		{"2026年12月7日", "2026-12-07", true},
		{"２０２６－１２－０７", "2026-12-07", true},
		{"9:30", "09:30", true},
		{"09：30", "09:30", true},
		{"9点", "09:00", true},
		{"14点05分", "14:05", true},
		{"2026/12/7 9:30", "2026-12-07T09:30", true},
		{"2025-09-30T10:00", "2025-09-30T10:00", true},
		{"2026-02-30", "", false},
		{"24:00", "", false},
		{"9:5", "", false},
		{"12/07/2026", "", false},
		{"1", "", false},
		{"tomorrow", "", false},
	} {
		got, ok := NormalizeDateTime(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("NormalizeDateTime(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

var canonical = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2})$`)

// Whatever is typed, a value read is a real date or time in the form the
// handlers parse, and reading it again changes nothing.
func FuzzNormalizeDateTime(f *testing.F) {
	for _, s := range []string{"2026/12/7", "9点", "2026年1月2日 14:05", "２０２６－１２－０７", "24:00", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := NormalizeDateTime(s)
		if !ok {
			return
		}
		if !canonical.MatchString(out) || !utf8.ValidString(out) {
			t.Fatalf("%q read as %q", s, out)
		}
		layout := map[int]string{10: time.DateOnly, 5: "15:04", 16: "2006-01-02T15:04"}[len(out)]
		if _, err := time.Parse(layout, out); err != nil {
			t.Fatalf("%q read as %q, which does not parse: %v", s, out, err)
		}
		if again, ok := NormalizeDateTime(out); !ok || again != out {
			t.Fatalf("%q → %q → %q", s, out, again)
		}
	})
}
