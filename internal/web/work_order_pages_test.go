package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// A maintenance visit has no request behind it: it shows on its
// technician's list and page under the unit's serial number, with no
// clocks, photos or priority, in both languages; the dispatcher opens the
// same page; the technician checks in from it.
func TestMaintenanceVisitPages(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		ctx, db := t.Context(), app.DB
		unit, err := installedbase.BySerial(ctx, db, sf.Serial)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().UTC().Add(time.Hour).Truncate(time.Minute)
		wo, err := testutil.Services(t, db).WorkOrders.Book(ctx, f.Users[policy.Dispatcher].Actor(), workorder.ForMaintenance(unit.ID),
			workorder.Assignment{TechnicianID: f.Users[policy.Technician].ID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/work-orders/%d", wo.ID)

		tech := signIn(t, app, f.Users[policy.Technician].Email)
		for lang, lead := range map[string]string{"en": "no fault was reported", "zh-CN": "未报故障"} {
			get(t, tech, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			list := body(t, get(t, tech, app.URL+"/work-orders"))
			if !strings.Contains(list, page) || !strings.Contains(list, sf.Serial) {
				t.Fatalf("%s: the technician's list lacks the maintenance visit:\n%s", lang, list)
			}
			res := get(t, tech, app.URL+page)
			html := body(t, res)
			if res.StatusCode != 200 || !strings.Contains(html, "<h1>"+sf.Serial+"</h1>") || !strings.Contains(html, lead) ||
				strings.Contains(html, `id="photos"`) || strings.Contains(html, "work_orders.") {
				t.Fatalf("%s: the maintenance visit's page: %d\n%s", lang, res.StatusCode, html)
			}
		}
		dispatcher := signIn(t, app, f.Users[policy.Dispatcher].Email)
		if res := get(t, dispatcher, app.URL+page); res.StatusCode != 200 {
			t.Fatalf("the dispatcher opens the visit: %d\n%s", res.StatusCode, body(t, res))
		}

		postStatus(t, http.StatusSeeOther, "check in", tech, app.URL+page+"/steps", url.Values{"kind": {"check_in"}, "version": {fmt.Sprint(wo.Version)}})
		var status string
		if err := store.Get(ctx, db, &status, `SELECT status FROM work_orders WHERE id = ?`, wo.ID); err != nil || status != workorder.WOOnSite {
			t.Fatalf("after checking in the visit is %q (%v)", status, err)
		}
	})
}

// The work order pages were under /jobs: an old address answers 301 with
// the new one, path and query kept, so links in emails already sent still
// open the page. Only reading is redirected; a form posted to an old
// address is not replayed elsewhere.
func TestOldJobAddressesMovePermanentlyToWorkOrders(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app := testutil.NewApp(t, db)
	noFollow := &http.Client{Transport: app.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/jobs", "/work-orders"},
		{"GET", "/jobs/12", "/work-orders/12"},
		{"GET", "/jobs/12?lang=en", "/work-orders/12?lang=en"},
		{"HEAD", "/jobs/12", "/work-orders/12"},
		{"GET", "/jobs/12/", "/work-orders/12/"},
	} {
		req, _ := http.NewRequest(c.method, app.URL+c.path, nil)
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != c.want {
			t.Errorf("%s %s: %d Location %q, want 301 %q", c.method, c.path, res.StatusCode, res.Header.Get("Location"), c.want)
		}
	}
	res, err := noFollow.Post(app.URL+"/jobs/12/steps", "application/x-www-form-urlencoded", strings.NewReader("kind=check_in"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusMovedPermanently || res.StatusCode < 400 {
		t.Errorf("POST to an old address: %d, want an error and no redirect", res.StatusCode)
	}
}

// Booking tells the technician with a link to the work order page, and the
// same link under the old address still reaches it.
func TestAssignedLinkOpensTheWorkOrderPage(t *testing.T) {
	t.Parallel()
	app, f, _ := servingSQLite(t)
	api := app.API(t, f.Tokens[policy.Dispatcher])
	var req, wo struct{ ID int64 }
	api.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": "x"}).JSON(t, &req)
	api.Do("POST", "/service-requests/"+itoa(req.ID)+"/work-orders", map[string]any{"technician_id": f.Users[policy.Technician].ID,
		"window_start": "2026-12-01T09:00:00+08:00", "window_end": "2026-12-01T11:00:00+08:00"}).JSON(t, &wo)
	link := testutil.SelectOne[string](t, app.DB, `SELECT link FROM notifications WHERE kind = 'request.assigned' AND user_id = ?`, f.Users[policy.Technician].ID)
	if want := "/work-orders/" + itoa(wo.ID); link != want {
		t.Fatalf("assignment link %q, want %q", link, want)
	}
	c := signIn(t, app, f.Users[policy.Technician].Email)
	c.CheckRedirect = nil // follow, as a mail client's browser does
	for _, path := range []string{link, "/jobs/" + itoa(wo.ID)} {
		res := get(t, c, app.URL+path, "Accept-Language", "en")
		html := body(t, res)
		if res.StatusCode != http.StatusOK || res.Request.URL.Path != link || !strings.Contains(html, `action="`+link+`/steps"`) {
			t.Errorf("%s: %d at %s", path, res.StatusCode, res.Request.URL.Path)
		}
	}
}
