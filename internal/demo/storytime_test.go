package demo_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/store"
)

// The demo's stories hold together in time: no visit opens or is checked
// into before its request was received, and no return of a replaced part
// falls due before the request it came from.
func TestDemoStoriesAreConsistentInTime(t *testing.T) {
	t.Parallel()
	db := loaded(t)
	ctx := context.Background()
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

// No technician of the demo is booked into two visits at once, whatever
// their state (the overlapping-visit rule skips visits done, so the
// stories must space them themselves), and the demo agreements plan their
// visits' time on site.
func TestDemoVisitsDoNotOverlap(t *testing.T) {
	t.Parallel()
	db := loaded(t)
	ctx := context.Background()
	var pairs []struct {
		A    int64  `db:"a"`
		B    int64  `db:"b"`
		Tech string `db:"tech"`
	}
	if err := store.Select(ctx, db, &pairs, `SELECT x.id AS a, y.id AS b, u.name AS tech FROM work_orders x
		JOIN work_orders y ON y.technician_id = x.technician_id AND y.id > x.id AND y.window_start < x.window_end AND y.window_end > x.window_start
		JOIN users u ON u.id = x.technician_id
		WHERE x.status <> 'cancelled' AND y.status <> 'cancelled'`); err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		t.Errorf("%s has visits %d and %d at once", p.Tech, p.A, p.B)
	}
	var n int
	if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM agreement_versions WHERE terms_json NOT LIKE '%"visit_minutes"%'`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d demo agreement versions plan no visit_minutes", n)
	}
}
