package servicerequest

import (
	"context"
	"time"

	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// refresh recomputes a request's clocks from its events and stores the
// projection lists sort and filter on: the next deadline still running and
// whether any clock is breached.
func (s *Service) refresh(ctx context.Context, q store.Queryer, requestID int64, now time.Time) error {
	r, err := GetRequest(ctx, q, requestID)
	if err != nil {
		return err
	}
	events, err := Events(ctx, q, requestID)
	if err != nil {
		return err
	}
	clocks, err := s.clocks(ctx, q, r, events, now)
	if err != nil {
		return err
	}
	return saveProjection(ctx, q, requestID, clocks)
}

func saveProjection(ctx context.Context, q store.Queryer, requestID int64, clocks []sla.Clock) error {
	next, breached := Projection(clocks)
	_, err := store.Exec(ctx, q, `UPDATE service_requests SET next_due_at = ?, breached = ?, next_check_at = ? WHERE id = ?`,
		next, breached, NextCheck(clocks), requestID)
	return err
}

// Projection is the earliest deadline of a clock still running or paused,
// and whether any clock is breached.
func Projection(clocks []sla.Clock) (*time.Time, bool) {
	var next *time.Time
	breached := false
	for _, c := range clocks {
		if c.State == sla.StateBreached {
			breached = true
		}
		if c.State == sla.StateRunning || c.State == sla.StatePaused {
			if next == nil || c.DueAt.Before(*next) {
				d := c.DueAt.UTC()
				next = &d
			}
		}
	}
	return next, breached
}
