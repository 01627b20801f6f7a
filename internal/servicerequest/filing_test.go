package servicerequest_test

import (
	"strconv"
	"testing"

	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Filing writes the request, its event, its clock rows and the totals they
// move, its audit row and its dispatchers' notifications together; on
// PostgreSQL in at most seven statements, BEGIN and COMMIT included (six
// here, where the test's units are resolved without reading a table).
func TestFilingWritesEverythingInFewStatements(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		svc.Notify = &notify.Service{DB: db, Now: c.Now}
		fileDispatched(t, svc, f, "emergency", "主轴异响") // the connection's settings and the calendars are read once
		trips := db.RoundTrips()
		v := fileDispatched(t, svc, f, "emergency", "主轴异响")
		trips = db.RoundTrips() - trips
		t.Logf("%s: filing sent %d statements", db.Engine, trips)
		if db.Engine == store.Postgres && trips > 7 {
			t.Errorf("filing sent %d statements, want at most 7 (BEGIN, unit, agreement, request, event with recipients, audit and notifications, COMMIT)", trips)
		}
		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := store.Get(ctx, db, &n, query, args...); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(`SELECT COUNT(*) FROM request_clocks WHERE request_id = ?`, v.ID); n != len(servicerequest.ClockRows(v.Request, v.Clocks)) || n == 0 {
			t.Errorf("%d clock rows for %d clocks", n, len(v.Clocks))
		}
		if rows, totals := count(`SELECT COUNT(*) FROM request_clocks`), count(`SELECT COALESCE(SUM(n), 0) FROM request_clock_totals`); rows != totals {
			t.Errorf("%d clock rows, totals sum to %d", rows, totals)
		}
		if n := count(`SELECT COUNT(*) FROM request_events WHERE request_id = ?`, v.ID); n != 1 {
			t.Errorf("%d events", n)
		}
		if n := count(`SELECT COUNT(*) FROM audit_events WHERE entity = 'service_request' AND entity_id = ?`, strconv.FormatInt(v.ID, 10)); n != 1 {
			t.Errorf("%d audit rows", n)
		}
		if n := count(`SELECT COUNT(*) FROM notifications n JOIN notify_events e ON e.id = n.event_id WHERE e.dedupe_key = ?`,
			"request.received:"+strconv.FormatInt(v.ID, 10)); n == 0 || n != count(`SELECT COUNT(*) FROM users WHERE org_id = ? AND role = ? AND active = ?`,
			f.Provider.ID, string(policy.Dispatcher), true) {
			t.Errorf("%d notifications of the request to its provider's dispatchers", n)
		}
	})
}
