package calendar

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestLocalDateTurnsAtSixteenUTC(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 30, 15, 59, 59, 0, time.UTC), "2026-11-30"},
		{time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC), "2026-12-01"},
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-01-01"},
		{time.Date(2028, 2, 28, 16, 0, 0, 0, time.UTC), "2028-02-29"},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, Shanghai), "2026-12-01"},
	} {
		if got := LocalDate(c.at); got != c.want {
			t.Errorf("LocalDate(%s) = %s, want %s", c.at.Format(time.RFC3339), got, c.want)
		}
	}
	if got := Shanghai.String(); got != "Asia/Shanghai" {
		t.Errorf("zone %s", got)
	}
}

func TestLocalMinuteIsShanghaiTime(t *testing.T) {
	t.Parallel()
	if got := LocalMinute(time.Date(2026, 11, 30, 16, 5, 59, 0, time.UTC)); got != "2026-12-01 00:05" {
		t.Errorf("LocalMinute = %s", got)
	}
}

// Since September 1991 Shanghai keeps UTC+8: the day of an instant starts at the
// midnight LocalMidnight gives, which is 16:00 UTC the day before, and
// reading the date back gives the same date.
func TestLocalDateRoundTrip(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		at := time.Unix(rapid.Int64Range(694224000, 4102444800).Draw(t, "unix"), 0).UTC() // 1992–2100
		date := LocalDate(at)
		if want := at.Add(8 * time.Hour).Format(time.DateOnly); date != want {
			t.Fatalf("LocalDate(%s) = %s, want %s", at, date, want)
		}
		start, err := LocalMidnight(date)
		if err != nil {
			t.Fatal(err)
		}
		if at.Before(start) || !at.Before(start.Add(24*time.Hour)) {
			t.Fatalf("%s is not in the day %s starting %s", at, date, start.UTC())
		}
		if start.UTC().Hour() != 16 {
			t.Fatalf("day %s starts at %s UTC, want 16:00", date, start.UTC())
		}
		if back := LocalDate(start); back != date {
			t.Fatalf("LocalDate(LocalMidnight(%s)) = %s", date, back)
		}
	})
}

func TestLocalMidnightRefusesNonDates(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "2026-13-01", "2026-02-30", "2026/12/01", "2026-12-01T00:00:00Z"} {
		if _, err := LocalMidnight(s); err == nil {
			t.Errorf("LocalMidnight(%q) accepted", s)
		}
	}
}

// Date.At is the local time of day on the date: its local date and clock
// are the ones asked for, and minutes past the hour carry into the hours
// and past midnight into the next day.
func TestDateAtIsTheLocalTimeOfDay(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		d := DateOf(time.Unix(rapid.Int64Range(694224000, 4102444800).Draw(t, "unix"), 0), Shanghai)
		h, m := rapid.IntRange(0, 23).Draw(t, "hour"), rapid.IntRange(0, 59).Draw(t, "minute")
		at := d.At(h, m, Shanghai)
		if DateOf(at, Shanghai) != d || at.In(Shanghai).Hour() != h || at.In(Shanghai).Minute() != m {
			t.Fatalf("%s.At(%d, %d) = %s", d, h, m, at.In(Shanghai))
		}
		if carried := d.At(0, h*60+m, Shanghai); !carried.Equal(at) {
			t.Fatalf("%s.At(0, %d) = %s, want %s", d, h*60+m, carried, at)
		}
		if next := d.At(24, m, Shanghai); DateOf(next, Shanghai) != d.AddDays(1) || next.Sub(at) != time.Duration(24-h)*time.Hour {
			t.Fatalf("%s.At(24, %d) = %s", d, m, next)
		}
	})
}
