package staff

import (
	"context"
	"errors"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// OverlappingVisit is the reason a booking onto a window in which the
// technician already has a visit is refused.
const OverlappingVisit = "overlapping_visit"

// overlapRefusal refuses a visit [start, end) that overlaps another visit
// of the technician not yet done or cancelled (the visit being reassigned,
// workOrderID, aside), naming that visit; nil when none does. Windows that
// only touch (one ends when the next starts) do not overlap. No exception
// lifts it.
func overlapRefusal(ctx context.Context, q store.Queryer, technicianID int64, start, end time.Time, workOrderID int64) error {
	var v struct {
		ID     int64     `db:"id"`
		Number string    `db:"number"`
		Start  time.Time `db:"window_start"`
		End    time.Time `db:"window_end"`
	}
	err := store.Get(ctx, q, &v, `SELECT w.id, COALESCE(r.number, '') AS number, w.window_start, w.window_end FROM work_orders w
		LEFT JOIN service_requests r ON r.id = w.request_id
		WHERE w.technician_id = ? AND w.status IN ('assigned', 'on_site') AND w.id <> ? AND w.window_start < ? AND w.window_end > ?
		ORDER BY w.window_start, w.id LIMIT 1`, technicianID, workOrderID, end.UTC(), start.UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	p := problem.Field("technician_id", "already has visit %d (%s) from %s to %s", v.ID, v.Number,
		calendar.LocalMinute(v.Start), calendar.LocalMinute(v.End))
	p.Reason = OverlappingVisit
	return p
}
