package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validSpec() Spec {
	return Spec{ID: "office", Name: "Office", TimeZone: "Asia/Shanghai", Week: OfficeWeek(Hours(9, 12), Hours(13, 18))}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Spec)
		fields []string // every field the error must name; nil = valid
	}{
		{"valid", func(*Spec) {}, nil},
		{"missing id", func(s *Spec) { s.ID = "" }, []string{"id"}},
		{"unknown time zone", func(s *Spec) { s.TimeZone = "Mars/Olympus" }, []string{"time_zone"}},
		{"missing time zone", func(s *Spec) { s.TimeZone = "" }, []string{"time_zone"}},
		{"inverted slot", func(s *Spec) { s.Week[time.Monday] = []Slot{Hours(9, 12), Hours(18, 13)} }, []string{"week.mon[1]"}},
		{"overlapping slots", func(s *Spec) { s.Week[time.Tuesday] = []Slot{Hours(9, 12), {11 * 60, 14 * 60}} }, []string{"week.tue[1]"}},
		{"overlap listed out of order", func(s *Spec) { s.Week[time.Friday] = []Slot{{11 * 60, 14 * 60}, Hours(9, 12)} }, []string{"week.fri[0]"}},
		{"slot past midnight", func(s *Spec) { s.Week[time.Saturday] = []Slot{{20 * 60, 25 * 60}} }, []string{"week.sat[0]"}},
		{"touching slots are fine", func(s *Spec) { s.Week[time.Monday] = []Slot{Hours(9, 12), Hours(12, 24)} }, nil},
		{"no working time at all", func(s *Spec) { s.Week = Week{} }, []string{"week"}},
		{"24/7 with hours", func(s *Spec) { s.AlwaysOpen = true }, []string{"week"}},
		{"holiday and workday on one date", func(s *Spec) {
			s.Exceptions = []Exception{{Date: MustParseDate("2025-10-01"), Kind: Holiday}, {Date: MustParseDate("2025-10-01"), Kind: Workday}}
		}, []string{"exceptions[1].date"}},
		{"same date twice", func(s *Spec) {
			s.Exceptions = []Exception{{Date: MustParseDate("2025-10-01"), Kind: Holiday}, {Date: MustParseDate("2025-10-01"), Kind: Holiday}}
		}, []string{"exceptions[1].date"}},
		{"unknown kind", func(s *Spec) { s.Exceptions = []Exception{{Date: MustParseDate("2025-10-01"), Kind: "vacation"}} }, []string{"exceptions[0].kind"}},
		{"missing date", func(s *Spec) { s.Exceptions = []Exception{{Kind: Holiday}} }, []string{"exceptions[0].date"}},
		{"holiday with hours", func(s *Spec) {
			s.Exceptions = []Exception{{Date: MustParseDate("2025-10-01"), Kind: Holiday, Slots: []Slot{Hours(9, 10)}}}
		}, []string{"exceptions[0].slots"}},
		{"workday with a bad slot", func(s *Spec) {
			s.Exceptions = []Exception{{Date: MustParseDate("2025-10-11"), Kind: Workday, Slots: []Slot{Hours(10, 9)}}}
		}, []string{"exceptions[0].slots[0]"}},
		{"covered year out of range", func(s *Spec) { s.CoveredYears = []int{2025, 99} }, []string{"covered_years[1]"}},
		{"every problem at once", func(s *Spec) {
			s.ID, s.TimeZone = "", "Nowhere/Place"
			s.Week[time.Monday] = []Slot{Hours(12, 9)}
		}, []string{"id", "time_zone", "week.mon[0]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := validSpec()
			tc.change(&s)
			err := s.Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *ValidationError, got %v", err)
			}
			got := map[string]bool{}
			for _, fe := range ve.Errors {
				got[fe.Field] = true
				if fe.Reason == "" {
					t.Errorf("%s has no reason", fe.Field)
				}
			}
			for _, f := range tc.fields {
				if !got[f] {
					t.Errorf("error does not name %s: %v", f, err)
				}
			}
			if _, err := New(s); err == nil {
				t.Error("New accepted an invalid spec")
			}
		})
	}
}

func TestDateAndSlotText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2025-13-01", "2025-02-29", "2025-1-1", "abcd-ef-gh", ""} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	if d := MustParseDate("2024-02-29"); d.Weekday() != time.Thursday || d.AddDays(1).String() != "2024-03-01" {
		t.Errorf("2024-02-29 arithmetic wrong: %s %s", d.Weekday(), d.AddDays(1))
	}
	for n := int64(-800000); n < 800000; n += 997 {
		d := dateFromDayNumber(n)
		if d.dayNumber() != n {
			t.Fatalf("day number round trip failed at %d (%s)", n, d)
		}
		if want := time.Unix(n*86400, 0).UTC(); d.Year != want.Year() || d.Month != want.Month() || d.Day != want.Day() {
			t.Fatalf("day %d: got %s, want %s", n, d, want.Format(time.DateOnly))
		}
	}
	s, err := ParseSlot("13:00-24:00")
	if err != nil || s != (Slot{780, 1440}) || s.String() != "13:00-24:00" {
		t.Errorf("ParseSlot = %v %v", s, err)
	}
	if _, err := ParseSlot("25:00-26:00"); err == nil {
		t.Error("ParseSlot accepted 25:00")
	}
}

func TestDerive(t *testing.T) {
	t.Parallel()
	cn := CN()
	regional, err := Derive(cn, Derivation{
		ID:   "cn-regional",
		Name: "Regional",
		Exceptions: []Exception{
			{Date: MustParseDate("2025-03-12"), Kind: Holiday, Name: "Local day off"},
			{Date: MustParseDate("2025-09-28"), Kind: Holiday, Name: "No make-up day here"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if regional.IsWorkingDay(MustParseDate("2025-03-12")) || regional.IsWorkingDay(MustParseDate("2025-09-28")) {
		t.Error("regional holidays not applied")
	}
	if !cn.IsWorkingDay(MustParseDate("2025-03-12")) {
		t.Error("base calendar changed")
	}
	if !slicesEqualInts(regional.CoveredYears(), cn.CoveredYears()) {
		t.Error("covered years not inherited")
	}
	// Same holidays, longer hours: a make-up workday takes the new weekday hours.
	long := OfficeWeek(Hours(8, 20))
	shifted, err := Derive(cn, Derivation{ID: "cn-long", Name: "Long", Week: &long})
	if err != nil {
		t.Fatal(err)
	}
	if got := shifted.WorkingHours(MustParseDate("2025-10-11")); len(got) != 1 || got[0] != Hours(8, 20) {
		t.Errorf("make-up day hours = %v", got)
	}
	if _, err := Derive(cn, Derivation{ID: "", Name: "x"}); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("Derive without id: %v", err)
	}
}

func slicesEqualInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
