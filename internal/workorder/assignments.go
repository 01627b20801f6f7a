package workorder

import (
	"context"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
)

var _ servicerequest.Visits = RequestVisits{}

// RequestVisits answers servicerequest.Visits from the work orders: what a
// request reads of its visits.
type RequestVisits struct{}

// Works tells whether a user works on a request: a visit on it that is not
// cancelled is booked for them.
func (RequestVisits) Works(ctx context.Context, q store.Queryer, requestID, userID int64) (bool, error) {
	return bookedFor(ctx, q, requestID, userID)
}

// Technicians lists the technicians of a request's visits booked or under
// way.
func (RequestVisits) Technicians(ctx context.Context, q store.Queryer, requestID int64) ([]int64, error) {
	return techniciansOn(ctx, q, requestID)
}

// OfRequests lists the visits of requests, oldest first.
func (RequestVisits) OfRequests(ctx context.Context, q store.Queryer, requestIDs []int64) ([]servicerequest.HistoryVisit, error) {
	return historyOf(ctx, q, requestIDs)
}

// Visit reads one visit.
func (RequestVisits) Visit(ctx context.Context, q store.Queryer, id int64) (servicerequest.VisitRef, error) {
	return visitRef(ctx, q, id)
}

// WorkedBy is an SQL condition on service_requests r: the requests with a
// visit of the technician (not cancelled, unless withCancelled).
func (RequestVisits) WorkedBy(technicianID int64, withCancelled bool) (string, []any) {
	return workedBy(technicianID, withCancelled)
}

// Qualifier tells whether a technician may work on a unit for a service
// item in the window from start to end; workOrderID is 0 when a visit is
// booked and the visit's id when it is reassigned. A refusal is a problem
// error saying why (a field error on technician_id, or a problem with its
// reason). The composition root chooses the answer; ActiveTechnician is
// today's. Whatever the answer, booking first checks that the technician is
// one of the visit's provider's people: a provider's visits are done by its
// own staff, whoever may qualify them.
type Qualifier func(ctx context.Context, q store.Queryer, technicianID, unitID int64, serviceItem string, start, end time.Time, workOrderID int64) error

// ActiveTechnician answers Qualifier: any active technician (of the visit's
// provider, which booking has checked) may do any visit at any time.
func ActiveTechnician(ctx context.Context, q store.Queryer, technicianID, _ int64, _ string, _, _ time.Time, _ int64) error {
	tech, err := account.GetUser(ctx, q, technicianID)
	switch {
	case problem.Is(err, problem.NotFound):
		return problem.Field("technician_id", "no such user")
	case err != nil:
		return err
	case tech.Role != policy.Technician || !tech.Active:
		return problem.Field("technician_id", "must be an active technician of the request's provider")
	}
	return nil
}

// AllOf answers Qualifier with the first refusal of qs, in order: the
// composition root asks for an active technician first, then for what the
// staff register requires.
func AllOf(qs ...Qualifier) Qualifier {
	return func(ctx context.Context, q store.Queryer, technicianID, unitID int64, serviceItem string, start, end time.Time, workOrderID int64) error {
		for _, qualify := range qs {
			if err := qualify(ctx, q, technicianID, unitID, serviceItem, start, end, workOrderID); err != nil {
				return err
			}
		}
		return nil
	}
}
