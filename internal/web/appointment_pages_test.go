package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/workorder"
)

// A dispatcher sends the customer a link from the visit's page, which also
// ranks who could take the visit over; the customer, with no account,
// opens it, picks another free window, and the visit moves; the link then
// says it was used. The technician's "on my way" tells the customer.
func TestAppointmentLinkPages(t *testing.T) {
	t.Parallel()
	app, f, sf := servingSQLite(t)
	ctx := context.Background()
	a := app.Server.App
	dispatcher := f.Users[policy.Dispatcher]
	req, err := a.Requests.Create(ctx, dispatcher.Actor(), servicerequest.NewRequest{SerialNumber: sf.Serial, ServiceItem: "repair", Priority: "general",
		Description: "主轴异响", Channel: servicerequest.Dispatcher, ContactName: "刘先生", ContactPhone: "13812345678"})
	if err != nil {
		t.Fatal(err)
	}
	// Two days ahead, 09:00–11:00 local.
	now := time.Now().In(calendar.Shanghai)
	start := time.Date(now.Year(), now.Month(), now.Day()+2, 9, 0, 0, 0, calendar.Shanghai)
	wo := bookVisit(t, app, f, req.ID, start, start.Add(2*time.Hour))
	page := fmt.Sprintf("%s/work-orders/%d", app.URL, wo.ID)
	c := signIn(t, app, dispatcher.Email)
	html := body(t, get(t, c, page))
	if !strings.Contains(html, `id="appointment-links"`) || !strings.Contains(html, `id="reassign"`) {
		t.Fatal("the dispatcher's visit page has no appointment link form or reassignment ranking")
	}
	res, html := post(t, c, page+"/appointment-link", url.Values{"locale": {"en"}})
	path := regexp.MustCompile(`value="(/appointment/[A-Za-z0-9_-]+)"`).FindStringSubmatch(html)
	if res.StatusCode != 200 || path == nil {
		t.Fatalf("send link: %d", res.StatusCode)
	}

	customer := app.Client()
	html = body(t, get(t, customer, app.URL+path[1]))
	if !strings.Contains(html, "Your service visit") || !strings.Contains(html, `name="start"`) {
		t.Fatalf("the customer's page in English with windows:\n%.2000s", html)
	}
	zh := body(t, get(t, customer, app.URL+path[1]+"?lang=zh-CN"))
	if !strings.Contains(zh, "您的上门服务") {
		t.Fatal("the customer's page in Chinese")
	}
	// A time that is not offered is refused, naming it; nothing moves.
	res, html = post(t, customer, app.URL+path[1], url.Values{"start": {"yesterday"}})
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) {
		t.Fatalf("no time: %d", res.StatusCode)
	}
	// The last window offered: which windows there are depends on the hour
	// (a link opened just after midnight offers the whole day), and the
	// page offers at most appointment.MaxWindows.
	offered := regexp.MustCompile(`name="start" value="([^"]+)"`).FindAllStringSubmatch(body(t, get(t, customer, app.URL+path[1])), -1)
	if len(offered) < 2 {
		t.Fatalf("%d windows offered, want the booked one and others", len(offered))
	}
	pick, err := time.Parse(time.RFC3339, offered[len(offered)-1][1])
	if err != nil || pick.Equal(start) {
		t.Fatalf("the last window offered: %v (%v), want one other than the booked %v", pick, err, start)
	}
	res, html = post(t, customer, app.URL+path[1], url.Values{"start": {pick.UTC().Format(time.RFC3339)}})
	if res.StatusCode != 200 || !strings.Contains(html, `id="answer"`) {
		t.Fatalf("pick: %d\n%.1500s", res.StatusCode, html)
	}
	got, err := workorder.Get(ctx, app.DB, wo.ID)
	if err != nil || !got.WindowStart.Equal(pick) {
		t.Fatalf("visit after the pick: %v (want %v) %v", got.WindowStart, pick, err)
	}
	res, html = post(t, customer, app.URL+path[1], url.Values{"call_me": {"1"}})
	if res.StatusCode != 409 || !strings.Contains(html, "used already") {
		t.Fatalf("a used link: %d", res.StatusCode)
	}
	if res := get(t, customer, app.URL+"/appointment/nonsense"); res.StatusCode != 404 {
		t.Fatalf("unknown link: %d", res.StatusCode)
	}

	tech := signIn(t, app, f.Users[policy.Technician].Email)
	html = body(t, get(t, tech, page))
	if !strings.Contains(html, `id="depart-form"`) || strings.Contains(html, `id="appointment-links"`) {
		t.Fatal("the technician's page: a set-off button and no dispatcher's panel")
	}
	res, _ = post(t, tech, page+"/steps", url.Values{"kind": {"depart"}, "version": {fmt.Sprint(got.Version)}})
	if got, _ := workorder.Get(ctx, app.DB, wo.ID); res.StatusCode != 303 || got.DepartedAt == nil {
		t.Fatalf("set off: %d", res.StatusCode)
	}
}
