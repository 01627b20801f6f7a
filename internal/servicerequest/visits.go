package servicerequest

import (
	"context"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// What a visit (internal/workorder) does to the request it comes from. The
// visit package calls these inside its own transaction; a request never
// calls back into visits, it only reads who works on it (Assignments).

// ScopeOf tells how a request relates to an actor; assigned says the actor
// works on one of its visits.
func ScopeOf(a policy.Actor, r Request, assigned bool) policy.Scope { return scopeOf(a, r, assigned) }

// ForVisit loads request id for actor to do action on, as booking a visit
// needs it: not found to those who may not read it, forbidden to those who
// may read it but not do action.
func (s *Service) ForVisit(ctx context.Context, q store.Queryer, actor policy.Actor, id int64, action policy.Action) (Request, error) {
	return s.load(ctx, q, actor, id, action, false)
}

// VisitBooked records that a visit of r was booked (kind EventAssigned) or
// reassigned (kind "reassigned"), with note naming who and when. Booking a
// visit with the customer is the provider's response if none was recorded
// before, and an open request not yet under way is then scheduled.
func (s *Service) VisitBooked(ctx context.Context, q store.Queryer, actor policy.Actor, r Request, kind, note string, now time.Time) error {
	events, err := Events(ctx, q, r.ID)
	if err != nil {
		return err
	}
	if !hasEvent(events, string(sla.Responded)) {
		if _, err := appendEvent(ctx, q, RequestEvent{RequestID: r.ID, Kind: string(sla.Responded), At: now, ActorID: store.NullID(actor.UserID),
			Actor: actor.Label(), Note: noteVisitBooked}); err != nil {
			return err
		}
	}
	if _, err := appendEvent(ctx, q, RequestEvent{RequestID: r.ID, Kind: kind, At: now, ActorID: store.NullID(actor.UserID), Actor: actor.Label(), Note: note}); err != nil {
		return err
	}
	if r.Status == Received || r.Status == Responded {
		if _, err := updateStatus(ctx, q, r, Scheduled, r.Priority, now); err != nil {
			return err
		}
	}
	return nil
}

// VisitCheckedIn records the technician's arrival on site: the on-site
// clock stops and the request is on site.
func (s *Service) VisitCheckedIn(ctx context.Context, q store.Queryer, actor policy.Actor, r Request, now time.Time) error {
	if _, err := appendEvent(ctx, q, RequestEvent{RequestID: r.ID, Kind: string(sla.CheckedIn), At: now, ActorID: &actor.UserID, Actor: actor.Label()}); err != nil {
		return err
	}
	if r.Status != OnSite {
		_, err := updateStatus(ctx, q, r, OnSite, r.Priority, now)
		return err
	}
	return nil
}

// VisitCheckedOut records the end of a visit: a fixed fault resolves the
// request; otherwise it goes back to responded, waiting for another visit.
func (s *Service) VisitCheckedOut(ctx context.Context, q store.Queryer, actor policy.Actor, r Request, fixed bool, now time.Time) error {
	status := Responded
	if fixed {
		if _, err := appendEvent(ctx, q, RequestEvent{RequestID: r.ID, Kind: string(sla.Resolved), At: now, ActorID: &actor.UserID, Actor: actor.Label()}); err != nil {
			return err
		}
		status = Resolved
	}
	_, err := updateStatus(ctx, q, r, status, r.Priority, now)
	return err
}

// Reopen sends resolved request r back to work for a redo of one of its
// visits, for reason: a "reopened" event resumes its resolution clock (a
// redo is the provider's fault), and the request waits for the redo's
// visit.
func (s *Service) Reopen(ctx context.Context, q store.Queryer, actor policy.Actor, r Request, reason string, now time.Time) (Request, error) {
	if _, err := appendEvent(ctx, q, RequestEvent{RequestID: r.ID, Kind: string(sla.Reopened), At: now, ActorID: store.NullID(actor.UserID),
		Actor: actor.Label(), Note: reason}); err != nil {
		return r, err
	}
	return updateStatus(ctx, q, r, Responded, r.Priority, now)
}

// SignoffCodeSent notes on the request whom a visit's sign-off code went to.
func (s *Service) SignoffCodeSent(ctx context.Context, q store.Queryer, actor policy.Actor, r Request, sentTo string, now time.Time) error {
	_, err := appendEvent(ctx, q, RequestEvent{RequestID: r.ID, Kind: EventNote, At: now, ActorID: &actor.UserID, Actor: actor.Label(),
		Note: signoffCodeNote(sentTo)})
	return err
}

// Refresh recomputes a request's clocks from its events and stores what
// lists sort and filter on.
func (s *Service) Refresh(ctx context.Context, q store.Queryer, requestID int64, now time.Time) error {
	return s.refresh(ctx, q, requestID, now)
}

// Sealing is what a visit's sealed record takes from its request: the
// agreement's number and retention, the clocks as they stand, and the
// photos of the fault and of that visit.
type Sealing struct {
	Agreement       string
	RetentionMonths int
	Clocks          []sla.Clock
	Photos          []record.PhotoDigest
}

// SealingOf reads what a record sealed now for visit workOrderID of r
// carries of the request: the clocks are computed from every event so far,
// so a check-out's own events are in them.
func (s *Service) SealingOf(ctx context.Context, q store.Queryer, r Request, workOrderID int64, now time.Time) (Sealing, error) {
	at, err := s.Resolve.Agreement(ctx, q, r.AgreementID, r.ReceivedAt)
	if err != nil {
		return Sealing{}, err
	}
	shots, err := photoHashes(ctx, q, r.ID, workOrderID)
	if err != nil {
		return Sealing{}, err
	}
	events, err := Events(ctx, q, r.ID)
	if err != nil {
		return Sealing{}, err
	}
	clocks, err := s.clocksOn(ctx, at.Terms, r.Priority, events, now)
	if err != nil {
		return Sealing{}, err
	}
	return Sealing{Agreement: at.Number, RetentionMonths: at.RetentionMonths, Clocks: clocks, Photos: shots}, nil
}
