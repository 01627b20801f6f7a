package servicerequest

import (
	"context"
	"time"

	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// SuspendClocks pauses the clocks of every open request under agreementID
// from at, with the reason provider_suspended (§2.2.1: the provider
// suspends service when the vendor does not pay), in the caller's
// transaction. A request already suspended is left as it is; a pause of its
// own (waiting for the customer) runs on beside the suspension. It returns
// how many requests it paused.
func (s *Service) SuspendClocks(ctx context.Context, q store.Queryer, agreementID int64, at time.Time, actor, note string) (int, error) {
	return s.markSuspension(ctx, q, agreementID, at, string(sla.Paused), actor, note, false)
}

// ResumeClocks ends the suspension of every open request under agreementID
// at at: each clock runs again unless a pause of the request's own still
// holds it. It returns how many requests it resumed.
func (s *Service) ResumeClocks(ctx context.Context, q store.Queryer, agreementID int64, at time.Time, actor, note string) (int, error) {
	return s.markSuspension(ctx, q, agreementID, at, string(sla.Resumed), actor, note, true)
}

func (s *Service) markSuspension(ctx context.Context, q store.Queryer, agreementID int64, at time.Time, kind, actor, note string, want bool) (int, error) {
	var ids []int64
	if err := store.Select(ctx, q, &ids, `SELECT id FROM service_requests
		WHERE agreement_id = ? AND status NOT IN (?, ?) ORDER BY id`, agreementID, Resolved, Cancelled); err != nil {
		return 0, err
	}
	now := s.Now().UTC()
	n := 0
	for _, id := range ids {
		events, err := Events(ctx, q, id)
		if err != nil {
			return n, err
		}
		if isSuspended(events) != want {
			continue
		}
		when := at.UTC()
		if len(events) > 0 && events[0].At.After(when) {
			when = events[0].At // filed after the suspension took effect (an exception the vendor granted)
		}
		if _, err := appendEvent(ctx, q, RequestEvent{RequestID: id, Kind: kind, At: when, Actor: actor,
			Reason: string(sla.ProviderSuspended), Note: note}); err != nil {
			return n, err
		}
		if _, err := store.Exec(ctx, q, `UPDATE service_requests SET version = version + 1, updated_at = ? WHERE id = ?`, now, id); err != nil {
			return n, err
		}
		if err := s.refresh(ctx, q, id, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// isSuspended tells whether the provider's suspension holds the request's
// clocks at the end of its history.
func isSuspended(events []RequestEvent) bool { return pausedAtEnd(events, true) }
