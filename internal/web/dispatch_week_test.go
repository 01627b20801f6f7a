package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
)

// The board's week: a row per technician, Monday to Sunday, the visits of
// each day linking to the visit, each day to its board; in both
// languages; not for technicians.
func TestDispatchWeekView(t *testing.T) {
	t.Parallel()
	app, f, sf := servingSQLite(t)
	tech := f.Users[policy.Technician]
	// A Thursday well ahead: its week runs from Monday 2030-01-07.
	thursday := calendar.MustParseDate("2030-01-10")
	at := func(d calendar.Date, h int) time.Time {
		return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, calendar.Shanghai)
	}
	var numbers []string
	var visits []int64
	for i, d := range []calendar.Date{thursday, thursday, thursday.AddDays(4)} {
		r := fileRepair(t, app, f, sf, fmt.Sprintf("主轴异响 %d", i))
		wo := bookVisit(t, app, f, r.ID, at(d, 9+3*i), at(d, 11+3*i))
		numbers, visits = append(numbers, r.Number), append(visits, wo.ID)
	}

	c := signIn(t, app, f.Users[policy.Dispatcher].Email)
	for lang, words := range map[string][]string{
		"zh-CN": {"派工看板：本周", "周一", "2 次上门", "上一周"},
		"en":    {"Dispatch board: the week", "Mon", "Visits: 2", "Previous week"},
	} {
		get(t, c, app.URL+"/lang/"+lang+"?next=/dispatch").Body.Close()
		res := get(t, c, app.URL+"/dispatch?view=week&day="+thursday.String())
		html := body(t, res)
		if res.StatusCode != 200 {
			t.Fatalf("%s week: %d", lang, res.StatusCode)
		}
		row := html[strings.Index(html, fmt.Sprintf(`data-technician="%d"`, tech.ID)):]
		for _, want := range append(words,
			`href="/dispatch?day=2030-01-07"`, `href="/dispatch?day=2030-01-13"`, // Monday to Sunday, each to its day
			`data-day="2030-01-10"`, "09:00 "+numbers[0], "12:00 "+numbers[1], // Thursday: two visits in order
			fmt.Sprintf(`href="/work-orders/%d"`, visits[0]),
		) {
			if !strings.Contains(row, want) && !strings.Contains(html, want) {
				t.Errorf("%s: the week misses %q", lang, want)
			}
		}
		// The third visit, on Monday the 14th, belongs to the next week.
		if strings.Contains(html, numbers[2]) {
			t.Errorf("%s: the next week's visit shows", lang)
		}
		if strings.Contains(html, ">dispatch.") {
			t.Errorf("%s: an untranslated message", lang)
		}
	}
	// The next week holds the Monday visit.
	next := body(t, get(t, c, app.URL+"/dispatch?view=week&day=2030-01-14"))
	if !strings.Contains(next, "15:00 "+numbers[2]) || strings.Contains(next, numbers[0]) {
		t.Error("the next week does not hold its Monday visit alone")
	}
	// The day board links to its week.
	if day := body(t, get(t, c, app.URL+"/dispatch?day="+thursday.String())); !strings.Contains(day, `href="/dispatch?view=week&amp;day=2030-01-10"`) {
		t.Error("the day board has no link to its week")
	}
	// A bad day names the field; a technician has no board.
	if res := get(t, c, app.URL+"/dispatch?view=week&day=10.1.2030"); res.StatusCode != 422 && res.StatusCode != 400 {
		t.Errorf("a bad day: %d", res.StatusCode)
	}
	tc := signIn(t, app, tech.Email)
	if res := get(t, tc, app.URL+"/dispatch?view=week&day="+thursday.String()); res.StatusCode != 403 && res.StatusCode != 404 {
		t.Errorf("a technician reads the week: %d", res.StatusCode)
	}
}
