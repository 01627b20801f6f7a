package calendar

import (
	"testing"
	"time"
)

var shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// cst is a wall-clock reading in Beijing time.
func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, shanghai)
}

func TestWorkingDaysDeadlineCN(t *testing.T) {
	t.Parallel()
	cn := CN()
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"received Wednesday, 2 working days: Friday close", cst(2025, 3, 12, 10, 0), 2, cst(2025, 3, 14, 18, 0)},
		{"received Wednesday before opening counts the same", cst(2025, 3, 12, 0, 1), 2, cst(2025, 3, 14, 18, 0)},
		{"received Wednesday after closing counts the same", cst(2025, 3, 12, 22, 0), 2, cst(2025, 3, 14, 18, 0)},
		{"received on a Saturday, 1 day: Monday", cst(2025, 3, 15, 11, 0), 1, cst(2025, 3, 17, 18, 0)},
		{"received on a Saturday, 2 days: Tuesday", cst(2025, 3, 15, 11, 0), 2, cst(2025, 3, 18, 18, 0)},
		{"received 23:59 Friday: Monday", cst(2025, 3, 14, 23, 59), 1, cst(2025, 3, 17, 18, 0)},
		{"received 00:00 Saturday: Monday", cst(2025, 3, 15, 0, 0), 1, cst(2025, 3, 17, 18, 0)},
		{"across Spring Festival 2026: make-up Saturday then Feb 24", cst(2026, 2, 13, 10, 0), 2, cst(2026, 2, 24, 18, 0)},
		{"inside Spring Festival 2026", cst(2026, 2, 17, 10, 0), 1, cst(2026, 2, 24, 18, 0)},
		{"make-up Sunday 2025-09-28 counts", cst(2025, 9, 26, 15, 0), 1, cst(2025, 9, 28, 18, 0)},
		{"across National Day 2025", cst(2025, 9, 29, 9, 0), 2, cst(2025, 10, 9, 18, 0)},
		{"make-up Saturday 2025-10-11 counts", cst(2025, 10, 10, 9, 0), 1, cst(2025, 10, 11, 18, 0)},
		{"n=0 on a working day: same day close", cst(2025, 3, 12, 10, 0), 0, cst(2025, 3, 12, 18, 0)},
		{"n=0 on a working day after closing: still same day close", cst(2025, 3, 12, 20, 0), 0, cst(2025, 3, 12, 18, 0)},
		{"n=0 on a holiday: next working day close", cst(2025, 10, 1, 10, 0), 0, cst(2025, 10, 9, 18, 0)},
		{"negative n counts as 0", cst(2025, 3, 15, 10, 0), -3, cst(2025, 3, 17, 18, 0)},
		{"2020 extended Spring Festival: Feb 3 is the first workday", cst(2020, 1, 23, 10, 0), 1, cst(2020, 2, 3, 18, 0)},
		{"2013 corrected make-up day 04-07 counts", cst(2013, 4, 3, 10, 0), 1, cst(2013, 4, 7, 18, 0)},
		{"2027: no data, weekends only", cst(2027, 2, 5, 10, 0), 1, cst(2027, 2, 8, 18, 0)},
		{"receipt instant given in UTC", time.Date(2025, 3, 11, 16, 30, 0, 0, time.UTC), 2, cst(2025, 3, 14, 18, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cn.WorkingDaysDeadline(tc.from, tc.n)
			if !got.Equal(tc.want) {
				t.Errorf("WorkingDaysDeadline(%s, %d) = %s, want %s", tc.from.In(shanghai), tc.n, got.In(shanghai), tc.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("result not in UTC: %v", got.Location())
			}
		})
	}
}

func TestAddWorkingDurationCN(t *testing.T) {
	t.Parallel()
	cn := CN()
	tests := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within a slot", cst(2025, 3, 12, 9, 30), time.Hour, cst(2025, 3, 12, 10, 30)},
		{"across the lunch break", cst(2025, 3, 12, 11, 0), 2 * time.Hour, cst(2025, 3, 12, 14, 0)},
		{"runs out exactly at lunch: 12:00, not 13:00", cst(2025, 3, 12, 10, 0), 2 * time.Hour, cst(2025, 3, 12, 12, 0)},
		{"runs out exactly at closing: 18:00 same day", cst(2025, 3, 12, 16, 0), 2 * time.Hour, cst(2025, 3, 12, 18, 0)},
		{"received during lunch starts at 13:00", cst(2025, 3, 12, 12, 30), 30 * time.Minute, cst(2025, 3, 12, 13, 30)},
		{"received at night starts next morning", cst(2025, 3, 12, 21, 0), time.Hour, cst(2025, 3, 13, 10, 0)},
		{"received Saturday starts Monday", cst(2025, 3, 15, 10, 0), 4 * time.Hour, cst(2025, 3, 17, 14, 0)},
		{"Friday into Monday", cst(2025, 3, 14, 17, 0), 2 * time.Hour, cst(2025, 3, 17, 10, 0)},
		{"across National Day 2025", cst(2025, 9, 30, 16, 0), 4 * time.Hour, cst(2025, 10, 9, 11, 0)},
		{"make-up Sunday 2025-09-28 is worked", cst(2025, 9, 27, 10, 0), 10 * time.Hour, cst(2025, 9, 29, 11, 0)},
		{"make-up Saturday 2025-10-11 is worked", cst(2025, 10, 10, 17, 0), 2 * time.Hour, cst(2025, 10, 11, 10, 0)},
		{"one full working week", cst(2025, 3, 10, 9, 0), 40 * time.Hour, cst(2025, 3, 14, 18, 0)},
		{"seconds are kept", cst(2025, 3, 12, 9, 0).Add(1500 * time.Millisecond), time.Minute, cst(2025, 3, 12, 9, 1).Add(1500 * time.Millisecond)},
		{"zero duration returns from", cst(2025, 3, 15, 10, 0), 0, cst(2025, 3, 15, 10, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cn.AddWorkingDuration(tc.from, tc.d)
			if !got.Equal(tc.want) {
				t.Errorf("AddWorkingDuration(%s, %s) = %s, want %s", tc.from.In(shanghai), tc.d, got.In(shanghai), tc.want)
			}
			if tc.d > 0 {
				if back := cn.WorkingTimeBetween(tc.from, got); back != tc.d {
					t.Errorf("WorkingTimeBetween back = %s, want %s", back, tc.d)
				}
			}
		})
	}
}

func TestWorkingTimeBetweenCN(t *testing.T) {
	t.Parallel()
	cn := CN()
	tests := []struct {
		name string
		a, b time.Time
		want time.Duration
	}{
		{"a working day", cst(2025, 3, 12, 0, 0), cst(2025, 3, 13, 0, 0), 8 * time.Hour},
		{"over National Day 2025", cst(2025, 9, 30, 9, 0), cst(2025, 10, 9, 9, 0), 8 * time.Hour},
		{"a weekend", cst(2025, 3, 15, 0, 0), cst(2025, 3, 17, 0, 0), 0},
		{"reversed is zero", cst(2025, 3, 13, 0, 0), cst(2025, 3, 12, 0, 0), 0},
		{"lunch break does not count", cst(2025, 3, 12, 11, 30), cst(2025, 3, 12, 13, 30), time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cn.WorkingTimeBetween(tc.a, tc.b); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNextWorkingInstantCN(t *testing.T) {
	t.Parallel()
	cn := CN()
	tests := []struct {
		name     string
		at, want time.Time
	}{
		{"inside a slot", cst(2025, 3, 12, 10, 0), cst(2025, 3, 12, 10, 0)},
		{"at a slot end", cst(2025, 3, 12, 12, 0), cst(2025, 3, 12, 13, 0)},
		{"at night", cst(2025, 3, 12, 19, 0), cst(2025, 3, 13, 9, 0)},
		{"in National Day", cst(2025, 10, 3, 10, 0), cst(2025, 10, 9, 9, 0)},
		{"on a make-up Saturday", cst(2025, 10, 11, 8, 0), cst(2025, 10, 11, 9, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cn.NextWorkingInstant(tc.at); !got.Equal(tc.want) {
				t.Errorf("got %s, want %s", got.In(shanghai), tc.want)
			}
		})
	}
}

func TestIsWorkingDayCN(t *testing.T) {
	t.Parallel()
	cn := CN()
	tests := []struct {
		date string
		want bool
	}{
		{"2025-03-12", true},
		{"2025-03-15", false},
		{"2025-10-01", false},
		{"2025-09-28", true},
		{"2026-02-14", true},
		{"2026-02-23", false},
		{"2020-02-01", false}, // make-up day cancelled by the 2020 extension
		{"2020-02-02", false},
		{"2020-02-03", true},
		{"2015-09-03", false},
		{"2015-09-06", true},
		{"2004-05-07", false},
		{"2004-05-08", true},
		{"2027-01-01", true}, // no notice yet: a plain Friday
	}
	for _, tc := range tests {
		t.Run(tc.date, func(t *testing.T) {
			if got := cn.IsWorkingDay(MustParseDate(tc.date)); got != tc.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.date, got, tc.want)
			}
		})
	}
}

func TestAlwaysOpenDST(t *testing.T) {
	t.Parallel()
	berlin := mustLoad("Europe/Berlin")
	c := MustNew(Spec{ID: "24x7", TimeZone: "Europe/Berlin", AlwaysOpen: true})
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2025, m, d, h, min, 0, 0, berlin) }
	// 2025-03-30 02:00 -> 03:00 (23-hour day); 2025-10-26 03:00 -> 02:00 (25-hour day).
	if got := c.WorkingTimeBetween(at(3, 30, 0, 0), at(3, 31, 0, 0)); got != 23*time.Hour {
		t.Errorf("spring day = %s, want 23h", got)
	}
	if got := c.WorkingTimeBetween(at(10, 26, 0, 0), at(10, 27, 0, 0)); got != 25*time.Hour {
		t.Errorf("autumn day = %s, want 25h", got)
	}
	if got, want := c.AddWorkingDuration(at(3, 30, 1, 30), time.Hour), at(3, 30, 3, 30); !got.Equal(want) {
		t.Errorf("add across the gap = %s, want %s", got.In(berlin), want)
	}
	if got, want := c.WorkingDaysDeadline(at(3, 29, 15, 0), 1), at(3, 31, 0, 0); !got.Equal(want) {
		t.Errorf("24/7 one day = %s, want end of 30 March %s", got.In(berlin), want)
	}
	// From the first supported years, where the distance to the last one overflows int64 nanoseconds.
	utc := MustNew(Spec{ID: "24x7", TimeZone: "UTC", AlwaysOpen: true})
	early := time.Date(1900, 6, 1, 0, 0, 0, 0, time.UTC)
	if got, want := utc.AddWorkingDuration(early, time.Hour), early.Add(time.Hour); !got.Equal(want) {
		t.Errorf("24/7 from 1900 = %s, want %s", got, want)
	}
	if got := utc.AddWorkingDuration(time.Date(2199, 12, 31, 23, 0, 0, 0, time.UTC), 2*time.Hour); !got.Equal(maxInstant) {
		t.Errorf("24/7 past the last supported instant = %s, want %s", got, maxInstant)
	}
	// With a holiday the 24/7 calendar goes through the index.
	h := MustNew(Spec{ID: "24x7h", TimeZone: "Europe/Berlin", AlwaysOpen: true,
		Exceptions: []Exception{{Date: MustParseDate("2025-03-31"), Kind: Holiday}}})
	if got, want := h.AddWorkingDuration(at(3, 30, 1, 0), 23*time.Hour), at(4, 1, 1, 0); !got.Equal(want) {
		t.Errorf("24/7 with holiday = %s, want %s", got.In(berlin), want)
	}
}

func TestSlotSpanningDSTGap(t *testing.T) {
	t.Parallel()
	berlin := mustLoad("Europe/Berlin")
	everyDay := []Slot{{60, 240}} // 01:00-04:00
	c := MustNew(Spec{ID: "night", TimeZone: "Europe/Berlin", Week: Week{everyDay, everyDay, everyDay, everyDay, everyDay, everyDay, everyDay}})
	day := func(m time.Month, d int) time.Duration {
		return c.WorkingTimeBetween(time.Date(2025, m, d, 0, 0, 0, 0, berlin), time.Date(2025, m, d+1, 0, 0, 0, 0, berlin))
	}
	if got := day(3, 30); got != 2*time.Hour {
		t.Errorf("spring-forward night slot = %s, want 2h", got)
	}
	if got := day(10, 26); got != 4*time.Hour {
		t.Errorf("fall-back night slot = %s, want 4h", got)
	}
	if got := day(3, 29); got != 3*time.Hour {
		t.Errorf("normal night slot = %s, want 3h", got)
	}
	// 2h30 of work from 01:00 on the spring day: 01:00-02:00 (1h), clock jumps to 03:00, 03:00-04:00 (1h), then 30 min next night.
	got := c.AddWorkingDuration(time.Date(2025, 3, 30, 1, 0, 0, 0, berlin), 150*time.Minute)
	if want := time.Date(2025, 3, 31, 1, 30, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("add across the gap = %s, want %s", got.In(berlin), want)
	}
	// A slot that starts inside the gap starts at the jump.
	gap := MustNew(Spec{ID: "gap", TimeZone: "Europe/Berlin", Week: Week{{{150, 210}}, {{150, 210}}}}) // Sun, Mon 02:30-03:30
	sun := time.Date(2025, 3, 30, 0, 0, 0, 0, berlin)
	if got, want := gap.NextWorkingInstant(sun), time.Date(2025, 3, 30, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("slot start in gap = %s, want %s (03:00 CEST)", got, want)
	}
	if got := gap.WorkingTimeBetween(sun, sun.Add(24*time.Hour)); got != 30*time.Minute {
		t.Errorf("slot in gap lasts %s, want 30m (03:00-03:30)", got)
	}
}

func TestOutsideIndexedYears(t *testing.T) {
	t.Parallel()
	cn := CN()
	// 1995 and 2090 are outside the index; the slow path must agree with the rules.
	if got, want := cn.WorkingDaysDeadline(cst(1995, 6, 7, 10, 0), 2), cst(1995, 6, 9, 18, 0); !got.Equal(want) {
		t.Errorf("1995: got %s want %s", got.In(shanghai), want)
	}
	if got, want := cn.AddWorkingDuration(cst(2090, 6, 9, 17, 0), 2*time.Hour), cst(2090, 6, 12, 10, 0); !got.Equal(want) {
		t.Errorf("2090: got %s want %s", got.In(shanghai), want) // 2090-06-09 is a Friday
	}
	// A budget that runs past the end of the index continues correctly.
	from := cst(2060, 12, 31, 17, 0) // Friday; 1h, Monday 8h, Tuesday 1h
	if got, want := cn.AddWorkingDuration(from, 10*time.Hour), cst(2061, 1, 4, 10, 0); !got.Equal(want) {
		t.Errorf("past index end: got %s want %s", got.In(shanghai), want)
	}
	if got := cn.WorkingTimeBetween(cst(1999, 12, 31, 9, 0), cst(2000, 1, 3, 10, 0)); got != 9*time.Hour {
		t.Errorf("between across index start = %s, want 9h", got)
	}
}

func TestShownAtAWholeOffset(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		in   time.Time
		want string
	}{
		{"standard time", time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), "2026-11-25T10:00:00+08:00"},
		{"local mean time", time.Date(1900, 6, 1, 0, 0, 0, 0, time.UTC), "1900-06-01T00:00:00Z"},
	} {
		if got := Shown(c.in, shanghai).Format(time.RFC3339); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if !Shown(time.Time{}, shanghai).IsZero() {
		t.Error("the zero time is no longer zero")
	}
}
