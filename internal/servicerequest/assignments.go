package servicerequest

import (
	"context"

	"aftersales/internal/store"
)

// Assignments tells whether a user works on a request: such a technician
// reads the request and acts on its visits. The composition root chooses
// the answer; BookedVisit is today's.
type Assignments func(ctx context.Context, q store.Queryer, requestID, userID int64) (bool, error)

// BookedVisit answers Assignments from the work orders: a user works on a
// request while a visit on it that is not cancelled is booked for them.
func BookedVisit(ctx context.Context, q store.Queryer, requestID, userID int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM work_orders WHERE request_id = ? AND technician_id = ? AND status <> 'cancelled'`, requestID, userID)
	return n > 0, err
}
