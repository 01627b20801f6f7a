package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/testutil"
)

// A customer naming another organization's request on the complaint form
// is told it is not found, as for one that does not exist, in the page's
// language, and nothing is filed.
func TestComplaintOnAnotherCustomersRequest(t *testing.T) {
	demoEngines(t, func(t *testing.T, app *testutil.App) {
		const email = "service@sz-jinggong.example"
		others := testutil.SelectOne[int64](t, app.DB, `SELECT MIN(id) FROM service_requests
			WHERE customer_org_id <> (SELECT org_id FROM users WHERE email = ?)`, email)
		c := signInDemo(t, app, email)
		before := testutil.SelectOne[int](t, app.DB, `SELECT COUNT(*) FROM complaints`)
		for lang, want := range map[string]string{"zh-CN": "未找到服务请求 " + itoa(others), "en": "service request " + itoa(others) + " not found"} {
			get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			for _, id := range []int64{others, 999999} {
				res := postFiles(t, c, app.URL+"/complaints", url.Values{"kind": {"complaint"}, "request_id": {itoa(id)},
					"category": {"attitude"}, "description": {"态度不好"}}, "attachments", nil)
				html := body(t, res)
				if res.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("%s: request %d: %d", lang, id, res.StatusCode)
				}
				if id == others && !strings.Contains(html, want) {
					t.Errorf("%s: another customer's request is not refused as not found, in the page's language:\n%.3000s", lang, html)
				}
			}
		}
		if n := testutil.SelectOne[int](t, app.DB, `SELECT COUNT(*) FROM complaints`); n != before {
			t.Errorf("%d complaints filed by refused forms", n-before)
		}
	})
}
