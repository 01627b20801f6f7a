package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

func TestCalendarPages(t *testing.T) {
	t.Parallel()
	app, f := seededSQLite(t)
	c := signIn(t, app, f.Users[policy.VendorAdmin].Email)

	html := body(t, get(t, c, app.URL+"/calendars/cn?year=2025&from=2025-09-30T10:00&amount=2&unit=days"))
	if !strings.Contains(html, "2025-10-10 18:00") {
		t.Fatal("calculator does not show the National Day deadline")
	}
	if html := body(t, get(t, c, app.URL+"/calendars/cn?from=garbage&amount=x&unit=weeks")); !strings.Contains(html, `class="err"`) {
		t.Fatal("calculator accepts garbage without an error")
	}
	ny := testutil.UncoveredYear()
	if html := body(t, get(t, c, app.URL+"/calendars/cn?year="+strconv.Itoa(ny.Year))); !strings.Contains(html, "alert warn") {
		t.Fatal("a year without official data shows no warning")
	}
	if html := body(t, get(t, c, app.URL+"/calendars/cn?year=2025")); strings.Contains(html, "alert warn") {
		t.Fatal("a year with official data shows a warning")
	}

	// Upload, review, apply.
	upload := func(name, content string) *http.Response {
		return postFiles(t, c, app.URL+"/calendars/cn/imports", nil, "file", map[string][]byte{name: []byte(content)})
	}
	res := upload("bad.csv", "2027-02-30,holiday,x\n")
	if html := body(t, res); res.StatusCode != 422 || !strings.Contains(html, "line[1]") {
		t.Fatalf("bad upload: %d", res.StatusCode)
	}
	// The line's problem reads in the page's language.
	get(t, c, app.URL+"/lang/zh-CN?next=/profile").Body.Close()
	res = upload("bad.csv", "2027-02-30,holiday,x\n")
	if html := body(t, res); res.StatusCode != 422 || !strings.Contains(html, "没有这一天") || strings.Contains(html, "no such day") {
		t.Fatalf("bad upload in Chinese: %d\n%s", res.StatusCode, html)
	}
	// So does a day given two kinds, its kinds named in Chinese.
	res = upload("twice.csv", "2027-05-01,holiday,劳动节\n2027-05-01,workday,补班\n")
	if errs := fmt.Sprint(errorsIn(body(t, res))); res.StatusCode != 422 || !strings.Contains(errs, "2027-05-01 在此为“调休上班”，但在第 1 行为“放假”") ||
		strings.Contains(errs, "holiday") || strings.Contains(errs, "workday") {
		t.Fatalf("a day of two kinds in Chinese: %d\n%s", res.StatusCode, errs)
	}
	get(t, c, app.URL+"/lang/en?next=/profile").Body.Close()
	res = upload(strconv.Itoa(ny.Year)+".csv", "date,kind,name\n"+ny.FirstWeekday+",holiday,元旦\n")
	res.Body.Close()
	review := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(review, "/calendars/cn/imports/") {
		t.Fatalf("upload: %d %s", res.StatusCode, review)
	}
	if html := body(t, get(t, c, app.URL+review)); !strings.Contains(html, ny.FirstWeekday) || !strings.Contains(html, "/apply") {
		t.Fatal("review page lacks the date or the apply button")
	}
	res, err := c.PostForm(app.URL+review+"/apply", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if html := body(t, get(t, c, app.URL+"/calendars/cn?year="+strconv.Itoa(ny.Year)+"&from="+ny.Eve+"T10:00&amount=1&unit=days")); !strings.Contains(html, ny.SecondWeekday+" 18:00") {
		t.Fatal("the applied import does not move the deadline")
	}

	// A custom calendar from the form; a bad field is named and nothing is stored.
	res, err = c.PostForm(app.URL+"/calendars", url.Values{"id": {"late"}, "name": {"Late shift"}, "base_id": {"cn"}, "week_mon": {"25:00-26:00"}})
	if err != nil {
		t.Fatal(err)
	}
	if html := body(t, res); res.StatusCode != 422 || !strings.Contains(html, `class="err"`) {
		t.Fatalf("bad hours: %d", res.StatusCode)
	}
	if res := get(t, c, app.URL+"/calendars/late"); res.StatusCode != 404 {
		t.Fatalf("a refused calendar exists: %d", res.StatusCode)
	}
	res, err = c.PostForm(app.URL+"/calendars", url.Values{"id": {"late"}, "name": {"Late shift"}, "base_id": {"cn"},
		"week_mon": {"12:00-21:00"}, "week_tue": {"12:00-21:00"}, "exceptions": {"2026-12-24,holiday,Closed"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	if html := body(t, get(t, c, app.URL+"/calendars/late?year=2026")); !strings.Contains(html, "12:00-21:00") || !strings.Contains(html, "Closed") {
		t.Fatal("custom calendar page lacks its hours or holiday")
	}

	// A technician reads calendars but cannot import.
	tc := signIn(t, app, f.Users[policy.Technician].Email)
	if html := body(t, get(t, tc, app.URL+"/calendars/cn")); strings.Contains(html, `name="file"`) {
		t.Fatal("a technician is offered the import form")
	}
}
