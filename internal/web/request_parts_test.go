package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

// The dispatcher sets a request's needed parts on its page: a bad
// quantity is shown beside it and saves nothing; a good list is saved and
// shown chosen, and on the board beside the waiting request; a
// technician cannot set them.
func TestRequestNeededPartsForm(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		a := testutil.Services(t, app.DB)
		bearing, err := a.Parts.Create(t.Context(), f.Users[policy.VendorAdmin].Actor(), parts.Input{PartNumber: "SP-100", Name: "主轴轴承", Kind: parts.Genuine, UnitCostFen: 128000})
		if err != nil {
			t.Fatal(err)
		}
		c := signIn(t, app, f.Users[policy.Dispatcher].Email)
		res, err := c.PostForm(app.URL+"/requests", url.Values{"serial_number": {sf.Serial}, "service_item": {"repair"}, "priority": {"general"}, "description": {"主轴异响"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc := res.Header.Get("Location")
		html := body(t, get(t, c, app.URL+loc))
		if !strings.Contains(html, "Needed parts") || !strings.Contains(html, `action="`+loc+`/parts"`) || !strings.Contains(html, "SP-100 主轴轴承") {
			t.Fatalf("no needed parts form on the request page: %s", html)
		}
		id := itoa(bearing.ID)
		res, err = c.PostForm(app.URL+loc+"/parts", url.Values{"part_id": {id, ""}, "qty": {"0", "1"}})
		if err != nil {
			t.Fatal(err)
		}
		if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "must be 1 to 999") || countRows(t, app.DB, "request_parts") != 0 {
			t.Fatalf("a bad quantity: %d, %d saved", res.StatusCode, countRows(t, app.DB, "request_parts"))
		}
		res, err = c.PostForm(app.URL+loc+"/parts", url.Values{"part_id": {id, ""}, "qty": {"2", "1"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || countRows(t, app.DB, "request_parts") != 1 {
			t.Fatalf("saving: %d, %d saved", res.StatusCode, countRows(t, app.DB, "request_parts"))
		}
		if html := body(t, get(t, c, app.URL+loc)); !strings.Contains(html, `value="`+id+`" selected`) || !strings.Contains(html, `name="qty" inputmode="numeric" value="2"`) {
			t.Fatal("the saved part is not shown")
		}
		if html := body(t, get(t, c, app.URL+"/dispatch")); !strings.Contains(html, "Needed parts: SP-100 × 2") {
			t.Fatal("the board does not show the waiting request's needed parts")
		}
		tech := signIn(t, app, f.Users[policy.Technician].Email)
		res, err = tech.PostForm(app.URL+loc+"/parts", url.Values{"part_id": {id}, "qty": {"5"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode < 400 || countRows(t, app.DB, "request_parts") != 1 {
			t.Fatalf("a technician sets the parts: %d", res.StatusCode)
		}
	})
}
