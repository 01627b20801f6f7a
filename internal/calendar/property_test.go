package calendar

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Zones with and without daylight saving time, including ones that move
// their clocks at midnight (Havana, Santiago) or by 30 minutes (Lord Howe).
var propertyZones = []string{
	"UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
	"America/Santiago", "America/Havana", "Asia/Kolkata", "Pacific/Chatham", "Europe/London",
}

type world struct {
	spec   Spec
	cal    *Calendar
	ref    reference
	origin Date // the random instants fall in the 40 days from here
}

func genSlots(t *rapid.T, label string, maxSlots int) []Slot {
	k := rapid.IntRange(0, maxSlots).Draw(t, label+".count")
	if k == 0 {
		return nil
	}
	points := map[int]bool{}
	for len(points) < 2*k {
		points[rapid.IntRange(0, MinutesPerDay).Draw(t, label+".point")] = true
	}
	sorted := make([]int, 0, len(points))
	for p := range points {
		sorted = append(sorted, p)
	}
	slices.Sort(sorted)
	slots := make([]Slot, k)
	for i := range slots {
		slots[i] = Slot{sorted[2*i], sorted[2*i+1]}
	}
	return slots
}

func genWorld(t *rapid.T) world {
	spec := Spec{ID: "random", TimeZone: rapid.SampledFrom(propertyZones).Draw(t, "zone")}
	spec.AlwaysOpen = rapid.IntRange(0, 9).Draw(t, "alwaysOpen") == 0
	if !spec.AlwaysOpen {
		for d := range spec.Week {
			spec.Week[d] = genSlots(t, "week."+weekdayKeys[d], 3)
		}
		if spec.Week.empty() {
			spec.Week[time.Monday] = []Slot{Hours(9, 17)}
		}
	}
	// Mostly inside the indexed years, sometimes before or after them.
	origin := Date{1996, time.January, 1}.AddDays(rapid.IntRange(0, 54*365).Draw(t, "origin"))
	used := map[Date]bool{}
	for range rapid.IntRange(0, 25).Draw(t, "exceptions") {
		d := origin.AddDays(rapid.IntRange(-5, 70).Draw(t, "exception.day"))
		if used[d] {
			continue
		}
		used[d] = true
		e := Exception{Date: d, Kind: Holiday}
		if !spec.AlwaysOpen && rapid.Bool().Draw(t, "exception.workday") {
			e.Kind = Workday
			if rapid.Bool().Draw(t, "exception.ownHours") {
				e.Slots = genSlots(t, "exception.slots", 2)
				if e.Slots == nil {
					e.Slots = []Slot{Hours(10, 12)}
				}
			} else if spec.Week.standardDay() == nil {
				e.Slots = []Slot{Hours(8, 9)}
			}
		}
		spec.Exceptions = append(spec.Exceptions, e)
	}
	cal, err := New(spec)
	if err != nil {
		t.Fatalf("generated spec is invalid: %v", err)
	}
	return world{spec: spec, cal: cal, ref: newReference(spec), origin: origin}
}

func (w world) instant(t *rapid.T, label string) time.Time {
	day := w.origin.AddDays(rapid.IntRange(0, 40).Draw(t, label+".day"))
	sec := rapid.IntRange(0, 24*3600-1).Draw(t, label+".second")
	base := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, w.ref.loc)
	return base.Add(time.Duration(sec) * time.Second).Add(time.Duration(rapid.IntRange(0, 999).Draw(t, label+".ms")) * time.Millisecond)
}

func genDuration(t *rapid.T, label string) time.Duration {
	return time.Duration(rapid.Int64Range(1, int64(60*time.Hour/time.Second)).Draw(t, label)) * time.Second
}

func TestPropertyAgreesWithReference(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		from := w.instant(t, "from")
		d := genDuration(t, "d")
		if got, want := w.cal.AddWorkingDuration(from, d), w.ref.add(from, d); !got.Equal(want) {
			t.Fatalf("AddWorkingDuration(%s, %s) = %s, reference %s", from.In(w.ref.loc), d, got.In(w.ref.loc), want.In(w.ref.loc))
		}
		n := rapid.IntRange(0, 12).Draw(t, "n")
		if got, want := w.cal.WorkingDaysDeadline(from, n), w.ref.deadline(from, n); !got.Equal(want) {
			t.Fatalf("WorkingDaysDeadline(%s, %d) = %s, reference %s", from.In(w.ref.loc), n, got.In(w.ref.loc), want.In(w.ref.loc))
		}
		to := w.instant(t, "to")
		if got, want := w.cal.WorkingTimeBetween(from, to), w.ref.between(from, to); to.After(from) && got != want {
			t.Fatalf("WorkingTimeBetween(%s, %s) = %s, reference %s", from.In(w.ref.loc), to.In(w.ref.loc), got, want)
		}
		if got, want := w.cal.NextWorkingInstant(from), w.ref.next(from); !got.Equal(want) {
			t.Fatalf("NextWorkingInstant(%s) = %s, reference %s", from.In(w.ref.loc), got.In(w.ref.loc), want.In(w.ref.loc))
		}
		day := w.origin.AddDays(rapid.IntRange(0, 40).Draw(t, "day"))
		if got, want := w.cal.IsWorkingDay(day), len(w.ref.spans(day)) > 0; got != want {
			t.Fatalf("IsWorkingDay(%s) = %v, reference %v", day, got, want)
		}
	})
}

func TestPropertyMonotonic(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		from := w.instant(t, "from")
		d1, d2 := genDuration(t, "d1"), genDuration(t, "d2")
		if d1 > d2 {
			d1, d2 = d2, d1
		}
		if a, b := w.cal.AddWorkingDuration(from, d1), w.cal.AddWorkingDuration(from, d2); a.After(b) {
			t.Fatalf("AddWorkingDuration not monotonic in d: %s -> %s, %s -> %s", d1, a, d2, b)
		}
		n1, n2 := rapid.IntRange(0, 30).Draw(t, "n1"), rapid.IntRange(0, 30).Draw(t, "n2")
		if n1 > n2 {
			n1, n2 = n2, n1
		}
		if a, b := w.cal.WorkingDaysDeadline(from, n1), w.cal.WorkingDaysDeadline(from, n2); a.After(b) || (1 <= n1 && n1 < n2 && !a.Before(b)) {
			// n = 0 and n = 1 coincide when the receipt day is not a working day.
			t.Fatalf("WorkingDaysDeadline not increasing in n: %d -> %s, %d -> %s", n1, a, n2, b)
		}
		later := w.instant(t, "later")
		if later.Before(from) {
			from, later = later, from
		}
		if a, b := w.cal.AddWorkingDuration(from, d1), w.cal.AddWorkingDuration(later, d1); a.After(b) {
			t.Fatalf("AddWorkingDuration not monotonic in from: %s -> %s, %s -> %s", from, a, later, b)
		}
	})
}

func TestPropertyRoundTrip(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		from := w.instant(t, "from")
		d := genDuration(t, "d")
		due := w.cal.AddWorkingDuration(from, d)
		if got := w.cal.WorkingTimeBetween(from, due); got != d {
			t.Fatalf("WorkingTimeBetween(from, AddWorkingDuration(from, %s)) = %s", d, got)
		}
		if !w.ref.inWorkingTimeOrAtEnd(due) {
			t.Fatalf("AddWorkingDuration result %s is outside working time", due.In(w.ref.loc))
		}
		deadline := w.cal.WorkingDaysDeadline(from, rapid.IntRange(0, 10).Draw(t, "n"))
		if !w.ref.inWorkingTimeOrAtEnd(deadline) {
			t.Fatalf("WorkingDaysDeadline result %s is not a close of business", deadline.In(w.ref.loc))
		}
	})
}
