package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"aftersales/internal/demo"
	"aftersales/internal/testutil"
)

// The movement form offers only the kinds its reader may book: a kind
// they may not is neither a tab nor a form, asking for it by its address
// answers 403 as its post does, and the post still books nothing.
func TestStockMoveOffersOnlyWhatTheReaderMayBook(t *testing.T) {
	demoEngines(t, func(t *testing.T, app *testutil.App) {
		part := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM parts WHERE part_number = ?`, demo.PartBearing)
		store1 := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM stock_locations WHERE name = ?`, demo.DemoStoreSuzhou)
		van := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM stock_locations WHERE name = ?`, demo.DemoVanLi)
		movements := map[string]url.Values{
			"receive":  {"kind": {"receive"}, "part_id": {fmt.Sprint(part)}, "to_location_id": {fmt.Sprint(store1)}, "qty": {"1"}},
			"transfer": {"kind": {"transfer"}, "part_id": {fmt.Sprint(part)}, "from_location_id": {fmt.Sprint(store1)}, "to_location_id": {fmt.Sprint(van)}, "qty": {"1"}},
			"adjust":   {"kind": {"adjust"}, "part_id": {fmt.Sprint(part)}, "location_id": {fmt.Sprint(store1)}, "qty": {"-1"}, "reason": {"盘点"}},
		}
		kinds := []string{"receive", "transfer", "adjust"}
		// may is what each role of the demo may book (internal/policy).
		for email, may := range map[string][]string{
			"admin@haichuan.example":      kinds, // vendor admin
			"auditor@haichuan.example":    nil,   // vendor auditor
			"admin@hengxin.example":       kinds, // provider admin
			"dispatch@hengxin.example":    {"receive", "transfer"},
			"tech.li@hengxin.example":     nil,
			"service@sz-jinggong.example": nil, // customer
		} {
			c := signInDemo(t, app, email)
			if len(may) > 0 {
				// The form opens on the first kind they may book, its
				// tabs those they may book.
				html := body(t, get(t, c, app.URL+"/stock/move"))
				if !strings.Contains(html, `<input type="hidden" name="kind" value="`+may[0]+`">`) {
					t.Errorf("%s: the form does not open on %s", email, may[0])
				}
				for _, k := range kinds {
					if tab := strings.Contains(html, `href="/stock/move?kind=`+k+`"`); tab != slices.Contains(may, k) {
						t.Errorf("%s: tab %s shown %v", email, k, tab)
					}
				}
				// Opened from a location, its tabs keep the location.
				from := fmt.Sprint(store1)
				html = body(t, get(t, c, app.URL+"/stock/move?location="+from))
				for _, k := range may {
					if !strings.Contains(html, `href="/stock/move?kind=`+k+`&location=`+from+`"`) {
						t.Errorf("%s: the tab %s does not keep the location %s", email, k, from)
					}
				}
			}
			for _, k := range kinds {
				res := get(t, c, app.URL+"/stock/move?kind="+k)
				html := body(t, res)
				form := strings.Contains(html, `<input type="hidden" name="kind" value="`+k+`">`)
				if slices.Contains(may, k) {
					if res.StatusCode != http.StatusOK || !form {
						t.Errorf("%s GET kind=%s: %d, form %v; want 200 with the form", email, k, res.StatusCode, form)
					}
					continue
				}
				if res.StatusCode != http.StatusForbidden || form || strings.Contains(html, `action="/stock/move"`) {
					t.Errorf("%s GET kind=%s: %d, form %v; want 403 without it", email, k, res.StatusCode, form)
				}
				// The post is refused, whole or with a field to correct,
				// and books nothing.
				before := countRows(t, app.DB, "stock_movements")
				bad := url.Values{}
				for key, v := range movements[k] {
					bad[key] = v
				}
				bad.Set("qty", "zwei")
				for _, f := range []url.Values{movements[k], bad} {
					res, html := post(t, c, app.URL+"/stock/move", f)
					if res.StatusCode != http.StatusForbidden || strings.Contains(html, `action="/stock/move"`) {
						t.Errorf("%s POST %s qty %s: %d, want 403 without the form", email, k, f.Get("qty"), res.StatusCode)
					}
				}
				if after := countRows(t, app.DB, "stock_movements"); after != before {
					t.Errorf("%s POST %s: %d movements, before %d", email, k, after, before)
				}
			}
		}
	})
}
