package demo_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The demo's stories hold together in time: no visit opens or is checked
// into before its request was received, and no return of a replaced part
// falls due before the request it came from.
func TestDemoStoriesAreConsistentInTime(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	ctx := context.Background()
	if _, err := demo.Load(ctx, testutil.Services(t, db)); err != nil {
		t.Fatal(err)
	}
	var visits []struct {
		Number    string     `db:"number"`
		Received  time.Time  `db:"received_at"`
		Window    time.Time  `db:"window_start"`
		CheckedIn *time.Time `db:"checked_in_at"`
	}
	if err := store.Select(ctx, db, &visits, `SELECT r.number, r.received_at, w.window_start, w.checked_in_at
		FROM work_orders w JOIN service_requests r ON r.id = w.request_id`); err != nil {
		t.Fatal(err)
	}
	if len(visits) == 0 {
		t.Fatal("the demo has no visits")
	}
	for _, v := range visits {
		if v.Window.Before(v.Received) || v.CheckedIn != nil && v.CheckedIn.Before(v.Received) {
			t.Errorf("%s: received %s, visit window %s, checked in %v", v.Number, v.Received, v.Window, v.CheckedIn)
		}
	}
	var returns []struct {
		Number   string    `db:"number"`
		Received time.Time `db:"received_at"`
		Due      string    `db:"due_date"`
	}
	if err := store.Select(ctx, db, &returns, `SELECT r.number, r.received_at, p.due_date
		FROM part_returns p JOIN work_orders w ON w.id = p.work_order_id JOIN service_requests r ON r.id = w.request_id`); err != nil {
		t.Fatal(err)
	}
	if len(returns) == 0 {
		t.Fatal("the demo has no part returns")
	}
	overdue := false
	for _, p := range returns {
		if p.Due < calendar.LocalDate(p.Received) {
			t.Errorf("%s: a return due %s, before the request was received %s", p.Number, p.Due, p.Received)
		}
		overdue = overdue || p.Due < calendar.LocalDate(time.Now())
	}
	if !overdue {
		t.Error("the demo lost its overdue return")
	}
}
