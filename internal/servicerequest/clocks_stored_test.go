package servicerequest_test

import (
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Filing stores each clock beside the request; each action stores where
// they stand; a clock left running on a cancelled request is stored as
// cancelled; the clock job writes the clocks of a closed request that has
// none (those closed before clocks were stored).
func TestClocksAreStoredWithTheProjection(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		dispatcher := f.Users[policy.Dispatcher].Actor()
		stored := func(id int64) map[string]string {
			t.Helper()
			var rows []struct {
				Kind   string `db:"kind"`
				State  string `db:"state"`
				Period string `db:"period"`
			}
			if err := store.Select(ctx, db, &rows, `SELECT kind, state, period FROM request_clocks WHERE request_id = ?`, id); err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, r := range rows {
				if r.Period != "2026-11" {
					t.Fatalf("period %s", r.Period)
				}
				out[r.Kind] = r.State
			}
			return out
		}
		v := fileDispatched(t, svc, f, "emergency", "主轴异响")
		var err error
		if got := stored(v.ID); len(got) != len(v.Clocks) || got["response"] != "running" || got["onsite"] != "running" {
			t.Fatalf("filed: %v", got)
		}
		c.now = c.now.Add(30 * time.Minute)
		if v, err = svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "responded"}, v.Version); err != nil {
			t.Fatal(err)
		}
		if got := stored(v.ID); got["response"] != "met" || got["onsite"] != "running" {
			t.Fatalf("responded: %v", got)
		}
		if v, err = svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "cancelled", Note: "客户已自行处理"}, v.Version); err != nil {
			t.Fatal(err)
		}
		if got := stored(v.ID); got["response"] != "met" || got["onsite"] != servicerequest.ClockCancelled {
			t.Fatalf("cancelled: %v", got)
		}
		// As if cancelled before clocks were stored: the job writes them.
		if _, err := store.Exec(ctx, db, `DELETE FROM request_clocks WHERE request_id = ?`, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(ctx, db, `UPDATE service_requests SET next_check_at = ? WHERE id = ?`, c.now, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Watch(ctx, nil, c.now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := stored(v.ID); got["response"] != "met" || got["onsite"] != servicerequest.ClockCancelled {
			t.Fatalf("after the job: %v", got)
		}
	})
}
