package api_test

import (
	"fmt"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Complaints through the API: clocks like a request's, a complaint about
// another organization's request refused naming the field, closing without
// a reply refused naming it, nothing half saved; the period's figure.
func TestComplaintsAndSatisfactionAPI(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		customer := app.API(t, f.Tokens[policy.Customer])
		reqID := fileRepair(t, dispatcher, "general", "x")

		res := customer.Do("POST", "/complaints", map[string]any{"category": "fees", "request_id": reqID, "description": "收费不清"})
		var c struct {
			ID     int64
			Status string
			Clocks []struct {
				Kind  string `json:"kind"`
				DueAt string `json:"due_at"`
				State string `json:"state"`
			}
		}
		res.JSON(t, &c)
		if res.Status != 201 || len(c.Clocks) != 2 || c.Clocks[0].Kind != "first_answer" || c.Clocks[1].State != "running" || res.Header.Get("ETag") != `"1"` {
			t.Fatalf("file: %d %s", res.Status, res.Body)
		}
		// Another vendor cannot complain about this request.
		other := app.API(t, f.OtherToken)
		if res := other.Do("POST", "/complaints", map[string]any{"category": "fees", "request_id": reqID, "description": "x"}); res.Status != 422 ||
			!strings.Contains(string(res.Body), "body.request_id") && !strings.Contains(string(res.Body), `"request_id"`) {
			t.Fatalf("other tenant: %d %s", res.Status, res.Body)
		}
		// Closing without a reply.
		if res := dispatcher.Do("POST", fmt.Sprintf("/complaints/%d/close", c.ID), map[string]any{"customer_accepted": true}, "If-Match", `"1"`); res.Status != 422 || !strings.Contains(string(res.Body), "reply") {
			t.Fatalf("close without reply: %d %s", res.Status, res.Body)
		}
		var n int
		_ = store.Get(t.Context(), db, &n, `SELECT COUNT(*) FROM complaints`)
		if n != 1 {
			t.Fatalf("%d complaints", n)
		}
		if res := dispatcher.Do("POST", fmt.Sprintf("/complaints/%d/reply", c.ID), map[string]any{"text": "明细已发"}, "If-Match", `"1"`); res.Status != 200 {
			t.Fatalf("reply: %d %s", res.Status, res.Body)
		}
		if res := customer.Do("POST", fmt.Sprintf("/complaints/%d/close", c.ID), map[string]any{}, "If-Match", `"2"`); res.Status != 200 || !strings.Contains(string(res.Body), `"accepted"`) {
			t.Fatalf("accept: %d %s", res.Status, res.Body)
		}

		// The figure: a period with nothing sent is not judged.
		res = app.API(t, f.Tokens[policy.VendorAuditor]).Do("GET", fmt.Sprintf("/satisfaction?agreement=%d&period=2026-11", sf.AgreementID), nil)
		var fig map[string]any
		res.JSON(t, &fig)
		for _, k := range []string{"answers", "sent", "response_rate", "score", "threshold", "below_threshold"} {
			if _, ok := fig[k]; !ok {
				t.Fatalf("no %s in %s", k, res.Body)
			}
		}
		if res.Status != 200 || fig["threshold"] != 90.0 || fig["judged"] != false || fig["below_threshold"] != false {
			t.Fatalf("figure %d %s", res.Status, res.Body)
		}
		if res := app.API(t, f.Tokens[policy.VendorAuditor]).Do("GET", fmt.Sprintf("/satisfaction?agreement=%d&period=2026-13", sf.AgreementID), nil); res.Status != 422 {
			t.Fatalf("bad period: %d", res.Status)
		}
	})
}
