package servicerequest

import (
	"context"
	"strings"
	"time"

	"aftersales/internal/calendar"
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
	return saveProjection(ctx, q, r, clocks)
}

func saveProjection(ctx context.Context, q store.Queryer, r Request, clocks []sla.Clock) error {
	next, breached := Projection(clocks)
	if _, err := store.Exec(ctx, q, `UPDATE service_requests SET next_due_at = ?, breached = ?, next_check_at = ? WHERE id = ?`,
		next, breached, NextCheck(clocks), r.ID); err != nil {
		return err
	}
	return saveClocks(ctx, q, r, clocks)
}

// ClockCancelled is the stored state of a clock still running or paused
// when its request was cancelled: it counts as neither met nor breached.
const ClockCancelled = "cancelled"

// MonthOf is the month a request received at t belongs to on the homes
// (China time, YYYY-MM).
func MonthOf(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01") }

// ClockColumns are the columns of request_clocks, in the order ClockRows
// gives their values.
const ClockColumns = "request_id, kind, agreement_id, vendor_id, provider_id, period, state, due_at"

// ClockRows are the rows of request_clocks for a request's clocks: one per
// kind (a request escalated twice has two escalation clocks; the latest
// counts), a clock left running on a cancelled request stored as cancelled.
func ClockRows(r Request, clocks []sla.Clock) [][]any {
	var rows [][]any
	seen := map[sla.ClockKind]bool{}
	for i := len(clocks) - 1; i >= 0; i-- {
		c := clocks[i]
		if seen[c.Kind] {
			continue
		}
		seen[c.Kind] = true
		state := string(c.State)
		if r.Status == Cancelled && (c.State == sla.StateRunning || c.State == sla.StatePaused) {
			state = ClockCancelled
		}
		rows = append(rows, []any{r.ID, string(c.Kind), r.AgreementID, r.VendorID, r.ProviderID, MonthOf(r.ReceivedAt), state, c.DueAt.UTC()})
	}
	return rows
}

// saveClocks stores each clock's state beside the request (request_clocks),
// in one statement, for the homes' counts and the list filtered the same way.
func saveClocks(ctx context.Context, q store.Queryer, r Request, clocks []sla.Clock) error {
	rows := ClockRows(r, clocks)
	if len(rows) == 0 {
		return nil
	}
	values := make([]string, len(rows))
	var args []any
	for i, row := range rows {
		values[i] = "(?, ?, ?, ?, ?, ?, ?, ?)"
		args = append(args, row...)
	}
	_, err := store.Exec(ctx, q, `INSERT INTO request_clocks (`+ClockColumns+`) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (request_id, kind) DO UPDATE SET state = excluded.state, due_at = excluded.due_at`, args...)
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
