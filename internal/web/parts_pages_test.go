package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/demo"
	"aftersales/internal/testutil"
)

// Every parts and stock page answers every role of the demo without an
// error page; forms that fail name the field and keep what was typed.
func TestPartsPages(t *testing.T) {
	t.Parallel()
	db := testutil.DemoDB(t)
	app := testutil.NewApp(t, db)
	part := testutil.SelectOne[int64](t, db, `SELECT id FROM parts WHERE part_number = ?`, demo.PartBearing)
	pages := []string{"/parts", fmt.Sprintf("/parts/%d", part), "/stock", "/stock/ledger", "/stock/move?kind=transfer", "/stock/move?kind=adjust", "/returns", "/parts/new"}
	for email, want := range map[string]map[string]int{
		"admin@haichuan.example":      {"/parts/new": 200},
		"auditor@haichuan.example":    {"/parts/new": 403, "/stock/move?kind=transfer": 403, "/stock/move?kind=adjust": 403},
		"admin@hengxin.example":       {"/parts/new": 403},
		"dispatch@hengxin.example":    {"/parts/new": 403, "/stock/move?kind=adjust": 403},
		"tech.li@hengxin.example":     {"/parts/new": 403, "/stock/move?kind=transfer": 403, "/stock/move?kind=adjust": 403, "/returns": 403},
		"service@sz-jinggong.example": {"/parts": 403, fmt.Sprintf("/parts/%d", part): 404, "/stock": 403, "/stock/ledger": 403, "/stock/move?kind=transfer": 403, "/stock/move?kind=adjust": 403, "/returns": 403, "/parts/new": 403},
	} {
		c := signInDemo(t, app, email)
		for _, p := range pages {
			status := 200
			if s, ok := want[p]; ok {
				status = s
			}
			res := get(t, c, app.URL+p)
			html := body(t, res)
			if res.StatusCode != status {
				t.Errorf("%s GET %s: %d, want %d", email, p, res.StatusCode, status)
			}
			if strings.Contains(html, "page error") {
				t.Errorf("%s GET %s: template error", email, p)
			}
			// The part's page lists the vendor's documents naming its number.
			if p == fmt.Sprintf("/parts/%d", part) && status == 200 && !strings.Contains(html, "HC-CNC-850 立式加工中心 操作手册") {
				t.Errorf("%s GET %s: the manual naming the part is not listed", email, p)
			}
		}
	}

	// A movement form with a bad quantity names the field and keeps the part.
	c := signInDemo(t, app, "admin@hengxin.example")
	res, html := post(t, c, app.URL+"/stock/move", url.Values{"kind": {"adjust"}, "part_id": {fmt.Sprint(part)}, "qty": {"zwei"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `class="err"`) || !strings.Contains(html, fmt.Sprintf(`value="%d" selected`, part)) {
		t.Errorf("bad quantity: %d", res.StatusCode)
	}
	// Taking more than the store holds is refused in place, in the reader's language.
	store1 := testutil.SelectOne[int64](t, db, `SELECT id FROM stock_locations WHERE name = ?`, demo.DemoStoreSuzhou)
	res, _ = c.PostForm(app.URL+"/stock/move", url.Values{"kind": {"adjust"}, "part_id": {fmt.Sprint(part)}, "location_id": {fmt.Sprint(store1)}, "qty": {"-999"}, "reason": {"盘点"}})
	if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "库存不足") {
		t.Errorf("over-taking: %d", res.StatusCode)
	}
}
