package demo_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The demo loads when midnight in Shanghai falls during the load: the date
// its first steps read is then the day before the date of its last ones.
// A load is first counted in clock readings, then made again with the date
// turning after a quarter, a half and three quarters of them.
func TestDemoLoadsAcrossMidnight(t *testing.T) {
	t.Parallel()
	before := time.Date(2026, 12, 7, 23, 59, 59, 0, calendar.Shanghai)
	after := before.Add(2 * time.Second)
	load := func(t *testing.T, turnAt int64) int64 {
		t.Helper()
		var reads atomic.Int64
		now := func() time.Time {
			if reads.Add(1) > turnAt {
				return after
			}
			return before
		}
		a, err := app.New(testutil.NewDB(t, store.SQLite), app.Config{Secrets: testutil.SecretBox(t)}, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(context.Background(), a); err != nil {
			t.Fatalf("the date turning after %d clock readings: %v", turnAt, err)
		}
		return reads.Load()
	}
	total := load(t, 1<<62)
	for _, turnAt := range []int64{total / 4, total / 2, total * 3 / 4} {
		load(t, turnAt)
	}
}
