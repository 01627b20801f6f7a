package servicerequest

import (
	"context"

	"aftersales/internal/store"
)

// escalatedTo reports whether the request has an escalation addressed to
// the user: the senior technician asked to advise reads the request the
// escalation concerns, as a technician on one of its visits does, so the
// link in the notification and on the escalations page opens it and the
// answer form is on the page.
func escalatedTo(ctx context.Context, q store.Queryer, requestID, userID int64) (bool, error) {
	if userID == 0 {
		return false, nil
	}
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM escalations WHERE request_id = ? AND assignee_id = ?`, requestID, userID)
	return n > 0, err
}
