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
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		app, f, sf := serving(t, db)
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

		res, err := tech.PostForm(app.URL+page+"/steps", url.Values{"kind": {"check_in"}, "version": {fmt.Sprint(wo.Version)}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("check in: %d", res.StatusCode)
		}
		var status string
		if err := store.Get(ctx, db, &status, `SELECT status FROM work_orders WHERE id = ?`, wo.ID); err != nil || status != workorder.WOOnSite {
			t.Fatalf("after checking in the visit is %q (%v)", status, err)
		}
	})
}
