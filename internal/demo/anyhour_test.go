package demo_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The demo loads whatever the hour (README's first command must work in the
// evening too); its visits are booked today, and its plan is of today while
// today's working hours last, else of the next day.
func TestDemoLoadsAtAnyHour(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		at      time.Time // Shanghai
		planDay string
	}{
		{"a Monday morning", time.Date(2026, 12, 7, 9, 10, 0, 0, calendar.Shanghai), "2026-12-07"},
		{"a Monday at dusk", time.Date(2026, 12, 7, 19, 30, 0, 0, calendar.Shanghai), "2026-12-07"},
		{"a Monday evening", time.Date(2026, 12, 7, 20, 30, 0, 0, calendar.Shanghai), "2026-12-08"},
		{"just before midnight", time.Date(2026, 12, 7, 23, 59, 0, 0, calendar.Shanghai), "2026-12-08"},
		{"a Saturday evening", time.Date(2026, 12, 12, 21, 0, 0, 0, calendar.Shanghai), "2026-12-13"},
		{"a Sunday afternoon", time.Date(2026, 12, 13, 15, 0, 0, 0, calendar.Shanghai), "2026-12-13"},
		{"the evening before New Year's Day", time.Date(2026, 12, 31, 22, 0, 0, 0, calendar.Shanghai), "2027-01-01"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := testutil.NewDB(t, store.SQLite)
			ctx := context.Background()
			now := func() time.Time { return c.at }
			a, err := app.New(db, app.Config{Secrets: testutil.SecretBox(t)}, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Load(ctx, a); err != nil {
				t.Fatalf("demo at %s: %v", c.at, err)
			}
			dispatcher, err := account.GetUserByEmail(ctx, db, "dispatch@hengxin.example")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := demo.DemoPlanDay(ctx, a, dispatcher.OrgID); err != nil || got.String() != c.planDay {
				t.Errorf("plan day at %s: %s (%v), want %s", c.at, got, err, c.planDay)
			}
			plans, err := a.Dispatch.ListPlans(ctx, dispatcher.Actor(), dispatcher.OrgID)
			if err != nil || len(plans) != 1 || plans[0].Day != c.planDay {
				t.Fatalf("plans: %+v %v", plans, err)
			}
		})
	}
}
