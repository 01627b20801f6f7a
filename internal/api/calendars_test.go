package api_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func deadlinePath(cal, from, arg string) string {
	return "/calendars/" + cal + "/deadline?from=" + url.QueryEscape(from) + "&" + arg
}

func TestDeadlinesFollowTheOfficialCalendar(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f := seeded(t, db)
	cl := app.API(t, f.Tokens[policy.Dispatcher])
	for _, c := range []struct{ name, from, arg, want string }{
		{"Wednesday plus two working days", "2026-11-25T15:30:00+08:00", "working_days=2", "2026-11-27T18:00:00+08:00"},
		{"late Friday night counts from Friday", "2026-11-27T23:59:00+08:00", "working_days=1", "2026-11-30T18:00:00+08:00"},
		{"across National Day 2025", "2025-09-30T10:00:00+08:00", "working_days=2", "2025-10-10T18:00:00+08:00"},
		{"a make-up Sunday is a working day", "2025-09-26T10:00:00+08:00", "working_days=1", "2025-09-28T18:00:00+08:00"},
		{"hours skip the holiday", "2025-09-30T17:00:00+08:00", "hours=2", "2025-10-09T10:00:00+08:00"},
		{"hours skip lunch", "2026-11-25T11:30:00+08:00", "hours=1", "2026-11-25T13:30:00+08:00"},
		{"UTC input answers in Shanghai time", "2026-11-25T01:00:00Z", "hours=1.5", "2026-11-25T10:30:00+08:00"},
		{"round the clock", "2025-10-01T23:00:00+08:00", "hours=4", "2025-10-02T03:00:00+08:00"},
		// Before 1901 Shanghai kept local mean time (+08:05:43), which RFC 3339 cannot state.
		{"round the clock before standard time", "1900-06-01T00:00:00Z", "hours=1", "1900-06-01T01:00:00Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cal := "cn"
			if strings.HasPrefix(c.name, "round") {
				cal = "24x7"
			}
			res := cl.Do("GET", deadlinePath(cal, c.from, c.arg), nil)
			var out struct{ Deadline string }
			res.JSON(t, &out)
			if res.Status != 200 || out.Deadline != c.want {
				t.Fatalf("%s %s: %d %s, want %s", c.from, c.arg, res.Status, res.Body, c.want)
			}
		})
	}
	for _, c := range []struct{ name, path, location string }{
		{"no from", "/calendars/cn/deadline?working_days=1", "query.from"},
		{"bad from", deadlinePath("cn", "2026-11-25 10:00", "working_days=1"), "query.from"},
		{"both", deadlinePath("cn", "2026-11-25T10:00:00+08:00", "working_days=1&hours=2"), "query.working_days"},
		{"neither", deadlinePath("cn", "2026-11-25T10:00:00+08:00", ""), "query.working_days"},
		{"negative", deadlinePath("cn", "2026-11-25T10:00:00+08:00", "working_days=-1"), "query.working_days"},
		{"not a number", deadlinePath("cn", "2026-11-25T10:00:00+08:00", "hours=NaN"), "query.hours"},
		{"the zero time", deadlinePath("cn", "0001-01-01T00:00:00Z", "hours=0"), "query.from"},
		{"past the calendars", deadlinePath("cn", "2200-01-01T00:00:00Z", "working_days=1"), "query.from"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := problemOf(t, cl.Do("GET", c.path, nil), 422, "validation")
			if !strings.Contains(strings.Join(locations(p), " "), c.location) {
				t.Fatalf("errors %v lack %s", locations(p), c.location)
			}
		})
	}
	problemOf(t, cl.Do("GET", deadlinePath("mars", "2026-11-25T10:00:00+08:00", "hours=1"), nil), 404, "not-found")
}

func TestImportingANewYear(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		admin := app.API(t, f.Tokens[policy.VendorAdmin])
		ny := testutil.UncoveredYear()
		due := func() string {
			var out struct{ Deadline string }
			admin.Do("GET", deadlinePath("cn", ny.Eve+"T10:00:00+08:00", "working_days=1"), nil).JSON(t, &out)
			return out.Deadline
		}
		// Without the year's data, its first weekday counts as a working day.
		if got := due(); got != ny.FirstWeekday+"T18:00:00+08:00" {
			t.Fatalf("before import: %s", got)
		}
		var cal struct{ Warnings []string }
		admin.Do("GET", "/calendars/cn", nil).JSON(t, &cal)

		// A GBK CSV as saved by Chinese Excel, sent base64.
		sat, _ := time.Parse(time.DateOnly, ny.Saturday)
		csv := "date,kind,name\r\n" + ny.FirstWeekday + ",holiday,元旦\r\n" + sat.Format("2006/1/2") + ",workday,春节调休\r\n"
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(csv)
		if err != nil {
			t.Fatal(err)
		}
		res := admin.Do("POST", "/calendars/cn/imports", map[string]any{"filename": fmt.Sprint(ny.Year, ".csv"),
			"content": base64.StdEncoding.EncodeToString([]byte(gbk)), "content_encoding": "base64"})
		if res.Status != 201 {
			t.Fatalf("preview: %d %s", res.Status, res.Body)
		}
		var imp struct {
			ID      int64
			State   string
			Preview struct {
				Exceptions []struct{ Date, Kind, Name string }
				Changes    int
			}
		}
		res.JSON(t, &imp)
		if imp.State != "pending" || len(imp.Preview.Exceptions) != 2 || imp.Preview.Exceptions[0].Name != "元旦" {
			t.Fatalf("preview: %s", res.Body)
		}
		// Nothing changes before the import is applied.
		if got := due(); got != ny.FirstWeekday+"T18:00:00+08:00" {
			t.Fatalf("after preview: %s", got)
		}
		res = admin.Do("POST", "/calendars/cn/imports/"+itoa(imp.ID)+"/apply", nil)
		if res.Status != 200 {
			t.Fatalf("apply: %d %s", res.Status, res.Body)
		}
		if got := due(); got != ny.SecondWeekday+"T18:00:00+08:00" {
			t.Fatalf("after import: %s, want %s", got, ny.SecondWeekday)
		}
		problemOf(t, admin.Do("POST", "/calendars/cn/imports/"+itoa(imp.ID)+"/apply", nil), 409, "conflict")

		// A file with errors is refused, every bad line named, nothing stored.
		res = admin.Do("POST", "/calendars/cn/imports", map[string]any{"filename": "bad.csv",
			"content": "2027-13-01,holiday,x\n2027-02-01,vacation,y\n2027-03-01,holiday,z\n2027-03-01,workday,z\n"})
		p := problemOf(t, res, 422, "validation")
		locs := strings.Join(locations(p), " ")
		for _, want := range []string{"line[1]", "line[2]"} {
			if !strings.Contains(locs, want) {
				t.Errorf("errors %s lack %s", locs, want)
			}
		}
		var list struct{ Items []struct{ ID int64 } }
		admin.Do("GET", "/calendars/cn/imports", nil).JSON(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("imports after a refused file: %d", len(list.Items))
		}
	})
}

func TestCustomCalendar(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f := seeded(t, db)
	admin := app.API(t, f.Tokens[policy.ProviderAdmin])
	res := admin.Do("POST", "/calendars", map[string]any{"id": "suzhou-ext", "name": "苏州延时服务", "base_id": "cn",
		"week": map[string]any{"mon": []string{"08:00-20:00"}, "tue": []string{"08:00-20:00"}, "wed": []string{"08:00-20:00"},
			"thu": []string{"08:00-20:00"}, "fri": []string{"08:00-20:00"}, "sat": []string{"09:00-17:00"}},
		"exceptions": []map[string]any{{"date": "2026-11-26", "kind": "holiday", "name": "Local holiday"}}})
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var out struct{ Deadline string }
	admin.Do("GET", deadlinePath("suzhou-ext", "2026-11-25T19:30:00+08:00", "hours=1"), nil).JSON(t, &out)
	// 30 minutes on Wednesday, Thursday is the local holiday, 30 more on Friday from 08:00.
	if out.Deadline != "2026-11-27T08:30:00+08:00" {
		t.Fatalf("custom deadline %s", out.Deadline)
	}
	// Another tenant cannot see it.
	problemOf(t, app.API(t, f.OtherToken).Do("GET", "/calendars/suzhou-ext", nil), 404, "not-found")
	// Bad specs name the field.
	for _, c := range []struct {
		body     map[string]any
		location string
	}{
		{map[string]any{"id": "x1", "name": "No zone"}, "time_zone"},
		{map[string]any{"id": "cn", "name": "Shadow", "base_id": "cn"}, "id"},
		{map[string]any{"id": "x2", "name": "Bad zone", "time_zone": "Mars/Olympus"}, "time_zone"},
		{map[string]any{"id": "x3", "name": "Overlap", "base_id": "cn", "week": map[string]any{"mon": []string{"09:00-12:00", "11:00-13:00"}}}, "week.mon"},
		{map[string]any{"id": "x4", "name": "Unknown base", "base_id": "atlantis"}, "base_id"},
	} {
		p := problemOf(t, admin.Do("POST", "/calendars", c.body), 422, "validation")
		if !strings.Contains(strings.Join(locations(p), " "), c.location) {
			t.Errorf("%v: errors %v lack %s", c.body, locations(p), c.location)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
