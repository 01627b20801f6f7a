package servicerequest_test

import (
	"fmt"
	"testing"
	"time"

	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A request stores when the clock job must next look at it: its response
// clock's warning (75 % of 2 hours), then its due time, then nothing once
// it is breached; a closed request is never looked at again.
func TestNextCheckFollowsWarningThenDueTime(t *testing.T) {
	onWatched(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture, pub *notify.Service) {
		ctx := t.Context()
		v := fileEmergency(t, svc, f, "down")
		next := func() *time.Time {
			t.Helper()
			var at *time.Time
			if err := store.Get(ctx, db, &at, `SELECT next_check_at FROM service_requests WHERE id = ?`, v.ID); err != nil {
				t.Fatal(err)
			}
			return at
		}
		if at := next(); at == nil || !at.Equal(c.now.Add(90*time.Minute)) {
			t.Fatalf("after filing: next check %v, want the warning at 90 minutes", at)
		}
		if n, err := svc.Watch(ctx, pub, c.now.Add(91*time.Minute)); err != nil || n != 1 {
			t.Fatalf("at the warning: %d alerts, %v", n, err)
		}
		// The on-site clock (8 hours) warns at 6 hours, after the response clock's due time.
		if at := next(); at == nil || !at.Equal(c.now.Add(2*time.Hour)) {
			t.Fatalf("after the warning: next check %v, want the due time", at)
		}
		if n, err := svc.Watch(ctx, pub, c.now.Add(2*time.Hour+time.Minute)); err != nil || n != 1 {
			t.Fatalf("at the due time: %d alerts, %v", n, err)
		}
		if at := next(); at == nil || !at.Equal(c.now.Add(6*time.Hour)) {
			t.Fatalf("after the breach: next check %v, want the on-site warning at 6 hours", at)
		}
		if _, err := svc.Act(ctx, f.Users[policy.Dispatcher].Actor(), v.ID, servicerequest.Action{Kind: "cancelled", Note: "duplicate"}, v.Version); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Watch(ctx, pub, c.now.Add(7*time.Hour)); err != nil || n != 0 {
			t.Fatalf("a cancelled request: %d alerts, %v", n, err)
		}
		if at := next(); at != nil {
			t.Fatalf("a cancelled request is still looked at from %v", at)
		}
	})
}

// While one run holds the clock job's lease (here another instance's, on
// the same database), a second run does nothing; once the lease is let go
// or has expired, a run does the work.
func TestWatchRunsNeverOverlap(t *testing.T) {
	onWatched(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture, pub *notify.Service) {
		ctx := t.Context()
		fileEmergency(t, svc, f, "down")
		// The first run creates the lease's row and lets it go.
		if n, err := svc.Watch(ctx, pub, c.now.Add(time.Minute)); err != nil || n != 0 {
			t.Fatalf("first run: %d, %v", n, err)
		}
		other, err := store.Open(ctx, db.Source)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := store.Exec(ctx, other, `UPDATE run_leases SET holder = 'another-instance', expires_at = ? WHERE name = 'clocks.watch'`,
			time.Now().UTC().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Watch(ctx, pub, c.now.Add(95*time.Minute)); err != nil || n != 0 {
			t.Fatalf("while another run holds the lease: %d alerts, %v", n, err)
		}
		// The other instance died: its lease expires.
		if _, err := store.Exec(ctx, other, `UPDATE run_leases SET expires_at = ? WHERE name = 'clocks.watch'`, time.Now().UTC().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Watch(ctx, pub, c.now.Add(95*time.Minute)); err != nil || n != 1 {
			t.Fatalf("after the lease expired: %d alerts, %v", n, err)
		}
		var holder string
		var until time.Time
		if err := store.Get(ctx, db, &holder, `SELECT holder FROM run_leases WHERE name = 'clocks.watch'`); err != nil || holder == "another-instance" {
			t.Fatalf("lease holder %q, %v", holder, err)
		}
		if err := store.Get(ctx, db, &until, `SELECT expires_at FROM run_leases WHERE name = 'clocks.watch'`); err != nil || until.After(time.Now()) {
			t.Fatalf("a finished run still holds the lease until %v (%v)", until, err)
		}
	})
}

// A run over more due requests than one transaction holds (WatchBatch)
// alerts each once and moves each one's next check past the run; a second
// run at the same time finds nothing to say.
func TestWatchCoversEveryBatch(t *testing.T) {
	onWatched(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture, pub *notify.Service) {
		ctx := t.Context()
		n := 2*servicerequest.WatchBatch + 7
		for i := range n {
			fileEmergency(t, svc, f, fmt.Sprintf("down %d", i))
		}
		at := c.now.Add(95 * time.Minute)
		if alerts, err := svc.Watch(ctx, pub, at); err != nil || alerts != n {
			t.Fatalf("first run: %d alerts, %v; want %d", alerts, err, n)
		}
		var left int
		if err := store.Get(ctx, db, &left, `SELECT COUNT(*) FROM service_requests WHERE next_check_at <= ?`, at); err != nil || left != 0 {
			t.Fatalf("%d requests still due after the run (%v)", left, err)
		}
		if alerts, err := svc.Watch(ctx, pub, at); err != nil || alerts != 0 {
			t.Fatalf("second run: %d alerts, %v", alerts, err)
		}
	})
}
