package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/jobs"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func TestJobsRunRetryAndFail(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		r := jobs.NewRunner(db, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
		var got []string
		r.Handle("echo", func(ctx context.Context, p json.RawMessage) error {
			var s string
			if err := json.Unmarshal(p, &s); err != nil {
				return err
			}
			got = append(got, s)
			return nil
		})
		var flaky int
		r.Handle("flaky", func(context.Context, json.RawMessage) error {
			flaky++
			if flaky < 2 {
				return errors.New("transient")
			}
			return nil
		})
		r.Handle("broken", func(context.Context, json.RawMessage) error { panic("boom") })

		// A job enqueued in a rolled-back transaction never exists.
		_ = db.Tx(ctx, func(tx *sqlx.Tx) error {
			if err := jobs.Enqueue(ctx, tx, now, "echo", "rolled back", jobs.Options{}); err != nil {
				t.Fatal(err)
			}
			return errors.New("rollback")
		})
		for _, k := range []string{"echo", "flaky"} {
			if err := jobs.Enqueue(ctx, db, now, k, "hello", jobs.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := jobs.Enqueue(ctx, db, now, "broken", nil, jobs.Options{MaxAttempts: 1}); err != nil {
			t.Fatal(err)
		}
		// Unique keys dedupe.
		for range 2 {
			if err := jobs.Enqueue(ctx, db, now, "echo", "once", jobs.Options{UniqueKey: "k1"}); err != nil {
				t.Fatal(err)
			}
		}
		drain := func() {
			for {
				ran, err := r.RunOne(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !ran {
					return
				}
			}
		}
		drain()
		if flaky != 1 {
			t.Fatalf("flaky ran %d times before backoff, want 1", flaky)
		}
		now = now.Add(time.Hour) // past the first backoff
		drain()
		if flaky != 2 {
			t.Fatalf("flaky ran %d times, want 2", flaky)
		}
		if len(got) != 2 || got[0] != "hello" || got[1] != "once" {
			t.Fatalf("echo got %v", got)
		}
		counts, err := jobs.Counts(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if counts["done"] != 3 || counts["failed"] != 1 || counts["queued"] != 0 {
			t.Fatalf("counts %v", counts)
		}
	})
}

func TestRunnerRunsInBackground(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		r := jobs.NewRunner(db, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
		r.Poll = 10 * time.Millisecond
		var n atomic.Int32
		done := make(chan struct{}, 5)
		r.Handle("tick", func(context.Context, json.RawMessage) error { n.Add(1); done <- struct{}{}; return nil })
		go r.Run(ctx)
		defer cancel()
		for range 5 {
			if err := jobs.Enqueue(ctx, db, time.Now(), "tick", nil, jobs.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		r.Wake()
		for range 5 {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("only %d of 5 jobs ran", n.Load())
			}
		}
	})
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	t.Parallel()
	prev := time.Duration(0)
	for a := 1; a <= 20; a++ {
		d := jobs.Backoff(a)
		base := min(time.Second<<min(a, 12), time.Hour)
		if d < base || d > base+base/5 {
			t.Fatalf("attempt %d: backoff %v outside [%v, %v]", a, d, base, base+base/5)
		}
		if base < prev {
			t.Fatalf("attempt %d: base shrank", a)
		}
		prev = base
	}
}
