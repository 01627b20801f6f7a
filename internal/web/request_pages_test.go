package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func TestRequestPages(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		c := signIn(t, app, f.Users[policy.Dispatcher].Email)
		post := func(path string, form url.Values) *http.Response {
			res, err := c.PostForm(app.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		// Bad input is shown beside the field and nothing is filed.
		res := post("/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"repair"}, "priority": {"general"}, "description": {""}, "contact_phone": {"call me"}})
		if html := body(t, res); res.StatusCode != 422 || strings.Count(html, `class="err"`) < 2 {
			t.Fatalf("bad form: %d", res.StatusCode)
		}
		// Out of scope: the reason in words.
		res = post("/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"part_replacement"}, "priority": {"general"}, "description": {"x"}})
		if html := body(t, res); res.StatusCode != 422 || !strings.Contains(html, "does not cover this service item") || strings.Contains(html, "协议不包含此服务项目") {
			t.Fatalf("out of scope: %d", res.StatusCode)
		}
		var n int
		_ = store.Get(t.Context(), app.DB, &n, `SELECT COUNT(*) FROM service_requests`)
		if n != 0 {
			t.Fatalf("%d requests after refused forms", n)
		}
		res = post("/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"consultation"}, "priority": {"general"}, "description": {"How do I zero the axes?"}})
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/requests/") {
			t.Fatalf("file: %d %s", res.StatusCode, loc)
		}
		html := body(t, get(t, c, app.URL+loc))
		if !strings.Contains(html, `action="`+loc+`/answer"`) {
			t.Fatal("a consultation has no answer form")
		}
		// The history says in the page's language (the dispatcher's English)
		// what the product noted itself.
		if !strings.Contains(html, "by Phone (dispatcher)") || strings.Contains(html, "来自电话（调度员）") || strings.Contains(html, "— dispatcher<") {
			t.Fatal("the received event's channel is not shown in words")
		}
		res = post(loc+"/answer", url.Values{"version": {"1"}, "answer": {"Menu > Axes > Zero, then confirm."}})
		res.Body.Close()
		if html := body(t, get(t, c, app.URL+loc, "Accept-Language", "en")); !strings.Contains(html, "Resolved") || strings.Contains(html, "已解决") {
			t.Fatal("answered consultation not resolved")
		}
		// A description a spreadsheet would run as a formula is exported as text.
		res = post("/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"consultation"}, "priority": {"general"}, "description": {`=HYPERLINK("http://evil.example","open")`}})
		res.Body.Close()
		csv := body(t, get(t, c, app.URL+"/requests.csv"))
		if !strings.HasPrefix(csv, "\xef\xbb\xbfnumber,") || !strings.Contains(csv, sf.Serial) {
			t.Fatalf("csv: %.200q", csv)
		}
		if !strings.Contains(csv, `"'=HYPERLINK(""http://evil.example"",""open"")"`) || strings.Contains(csv, `,"=HYPERLINK`) {
			t.Fatalf("the formula is not guarded: %q", csv)
		}
		// The export holds what the page lists: the open requests by
		// default, the closed ones in the closed view; the page's link
		// carries its filters.
		if strings.Contains(csv, "How do I zero the axes?") {
			t.Fatal("the export of the open requests holds the resolved consultation")
		}
		if closed := body(t, get(t, c, app.URL+"/requests.csv?view=closed")); !strings.Contains(closed, "How do I zero the axes?") || strings.Contains(closed, "HYPERLINK") {
			t.Fatalf("the export of the closed view: %.300q", closed)
		}
		if html := body(t, get(t, c, app.URL+"/requests?view=closed&q=zero")); !strings.Contains(html, `href="/requests.csv?q=zero&amp;view=closed"`) {
			t.Fatal("the page's export link does not carry its view and search")
		}
		// Another vendor's admin sees none of it.
		other := signIn(t, app, f.OtherAdmin.Email)
		if csv := body(t, get(t, other, app.URL+"/requests.csv")); strings.Contains(csv, sf.Serial) {
			t.Fatal("another tenant exports our requests")
		}
		if res := get(t, other, app.URL+loc); res.StatusCode != 404 {
			t.Fatalf("another tenant reads a request: %d", res.StatusCode)
		}
	})
}
