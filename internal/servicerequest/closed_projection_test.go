package servicerequest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/sla"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A closed request has no next deadline and no next check, whatever its
// clocks still say, and keeps whether a clock was breached: it leaves the
// run of the urgency order with a deadline for the run without, newest
// first, and the open list. (A redo that reopens a resolved request gives
// it its deadline back: TestARedoReopensTheRequestAndItsResolutionClock.)
func TestClosedRequestsHaveNoNextDeadline(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := testutil.NewWorld(t, db, app.Config{})
		dispatcher := w.F.Users[policy.Dispatcher].Actor()
		file := func(priority string) servicerequest.View {
			t.Helper()
			v, err := w.App.Requests.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: w.SF.Serial, ServiceItem: "repair",
				Priority: priority, Description: "主轴异响", Channel: servicerequest.Dispatcher})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		type stored struct {
			Status   string     `db:"status"`
			Due      *time.Time `db:"next_due_at"`
			Check    *time.Time `db:"next_check_at"`
			Breached bool       `db:"breached"`
		}
		row := func(id int64) stored {
			t.Helper()
			var s stored
			if err := store.Get(ctx, db, &s, `SELECT status, next_due_at, next_check_at, breached FROM service_requests WHERE id = ?`, id); err != nil {
				t.Fatal(err)
			}
			return s
		}
		cancel := func(v servicerequest.View) {
			t.Helper()
			if _, err := w.App.Requests.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "cancelled", Note: "客户已自行处理"}, v.Version); err != nil {
				t.Fatal(err)
			}
		}

		// Worked to check-out: resolved, its record sealed.
		visit := w.Visit(t, "")
		open := file("general")
		cancelled := file("general")
		late := file("emergency")
		for _, v := range []servicerequest.View{open, cancelled, late} {
			if s := row(v.ID); s.Due == nil || s.Check == nil {
				t.Fatalf("request %d filed: %+v, want a next deadline and a next check", v.ID, s)
			}
		}
		cancel(cancelled)
		// Past the emergency's response deadline, then cancelled: breached,
		// its clocks left running (stored as cancelled).
		w.Clock.Advance(3 * time.Hour)
		late, err := w.App.Requests.Get(ctx, dispatcher, late.ID)
		if err != nil {
			t.Fatal(err)
		}
		cancel(late)
		after, err := w.App.Requests.Get(ctx, dispatcher, late.ID)
		if err != nil {
			t.Fatal(err)
		}
		if running := slices.ContainsFunc(after.Clocks, func(c sla.Clock) bool { return c.State == sla.StateRunning }); !running {
			t.Fatalf("the cancelled emergency's clocks: %v, want one still running", after.Clocks)
		}
		for _, c := range []struct {
			id       int64
			breached bool
		}{{visit.RequestID, false}, {cancelled.ID, false}, {late.ID, true}} {
			if s := row(c.id); s.Due != nil || s.Check != nil || s.Breached != c.breached {
				t.Errorf("closed request %d: %+v, want no next deadline, no next check, breached %t", c.id, s, c.breached)
			}
		}

		list := func(f servicerequest.Filter) []int64 {
			t.Helper()
			f.Limit = 1 // a page boundary after every request
			return idsOf(listed(t, w.App.Requests, dispatcher, f))
		}
		openStatuses := []servicerequest.Status{servicerequest.Received, servicerequest.Responded, servicerequest.Scheduled, servicerequest.OnSite}
		every := append(slices.Clone(openStatuses), servicerequest.Resolved, servicerequest.Cancelled)
		if got := list(servicerequest.Filter{Status: openStatuses}); !slices.Equal(got, []int64{open.ID}) {
			t.Errorf("the open requests: %v, want %v", got, []int64{open.ID})
		}
		// The closed ones follow the one with a deadline, newest first.
		want := []int64{open.ID, late.ID, cancelled.ID, visit.RequestID}
		if got := list(servicerequest.Filter{Status: every}); !slices.Equal(got, want) {
			t.Errorf("every request in urgency order: %v, want %v", got, want)
		}
		if got := list(servicerequest.Filter{Priority: "emergency", Status: openStatuses}); len(got) != 0 {
			t.Errorf("the open emergencies: %v, want none", got)
		}
	})
}
