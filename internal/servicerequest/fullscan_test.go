package servicerequest

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
)

// The clock job as it ran before next_check_at: every open request read
// every run, a write only where something changed. BenchmarkClockWatch
// compares it with Watch in the same run.

func (s *Service) WatchEveryOpen(ctx context.Context, pub Publisher, now time.Time) (alerts int, err error) {
	var ids []int64
	if err := store.Select(ctx, s.DB, &ids, `SELECT id FROM service_requests WHERE status NOT IN ('resolved', 'cancelled') ORDER BY id`); err != nil {
		return 0, err
	}
	for _, id := range ids {
		n, err := s.fullScanOne(ctx, pub, id, now.UTC())
		if err != nil {
			return alerts, fmt.Errorf("watch request %d: %w", id, err)
		}
		alerts += n
	}
	return alerts, nil
}

func (s *Service) fullScanOne(ctx context.Context, pub Publisher, id int64, now time.Time) (n int, err error) {
	if quiet, err := s.fullScanQuiet(ctx, id, now); quiet || err != nil {
		return 0, err
	}
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) (err error) {
		n, err = s.watchIn(ctx, tx, pub, id, now)
		return err
	})
	return n, err
}

// quiet reports, from a read, whether a request's clocks would neither
// change its projection nor raise an alert now: most open requests, most
// minutes, which then cost the clock job no write.
func (s *Service) fullScanQuiet(ctx context.Context, id int64, now time.Time) (bool, error) {
	r, err := GetRequest(ctx, s.DB, id)
	if err != nil {
		return false, err
	}
	events, err := Events(ctx, s.DB, id)
	if err != nil {
		return false, err
	}
	clocks, err := s.clocks(ctx, s.DB, r, events, now)
	if err != nil {
		return false, err
	}
	next, breached := Projection(clocks)
	if breached != r.Breached || (next == nil) != (r.NextDueAt == nil) || next != nil && !next.Equal(*r.NextDueAt) {
		return false, nil
	}
	for _, c := range clocks {
		if _, ok := Alert(r, c); ok {
			return false, nil
		}
	}
	return true, nil
}
