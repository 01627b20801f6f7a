// Package home answers, for each role, what needs them now: the
// technician's visits of today and the days ahead and the work they
// completed; the customer's open requests with the times promised and its
// products; the dispatcher's requests without a visit and those about to
// miss a deadline; what admins must decide or chase. It reads; it changes
// nothing, and it knows nothing of pages.
package home

import (
	"context"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// Service reads the work of a role.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// DueSoon is how far ahead a deadline counts as about to be missed.
const DueSoon = 4 * time.Hour

// Visit is a visit of the technician.
type Visit struct {
	WorkOrderID  int64      `db:"id"`
	RequestID    int64      `db:"request_id"`
	Number       string     `db:"number"`
	Model        string     `db:"model"`
	Serial       string     `db:"serial_number"`
	Address      string     `db:"site_address"`
	Priority     string     `db:"priority"`
	WindowStart  time.Time  `db:"window_start"`
	WindowEnd    time.Time  `db:"window_end"`
	Status       string     `db:"status"`
	CheckedOutAt *time.Time `db:"checked_out_at"`
	Result       string     `db:"result"`
}

// Request is an open request as a home lists it.
type Request struct {
	ID         int64      `db:"id"`
	Number     string     `db:"number"`
	Model      string     `db:"model"`
	Serial     string     `db:"serial_number"`
	Status     string     `db:"status"`
	Priority   string     `db:"priority"`
	ReceivedAt time.Time  `db:"received_at"`
	NextDueAt  *time.Time `db:"next_due_at"`
	Breached   bool       `db:"breached"`
}

// Work is what a role's home shows; only the parts of the role are filled.
type Work struct {
	Role policy.Role
	// Technician.
	Today, Upcoming, Done []Visit
	// Customer.
	Open     []Request
	Products int
	// Dispatcher and provider admin.
	Unassigned, AtRisk []Request
	// Admins: adjustments proposed to them, returns of replaced parts
	// overdue, scope exceptions granted and not yet used.
	Adjustments, OverdueReturns, WaitingExceptions int
	// Office roles of the vendor and the provider: this month's clocks and
	// the open requests by age.
	Standing *Standing
	// Dispatcher and provider admin: the provider's visits booked today.
	TodayVisits []Visit
}

const requestColumns = `r.id, r.number, r.model, r.serial_number, r.status, r.priority, r.received_at, r.next_due_at, r.breached`

const openRequest = `r.status NOT IN ('resolved', 'cancelled')`

// customerOpen is a customer's open requests, newest first: read through
// the index of open requests by customer (migration 00058), whatever the
// number of requests the customer filed before.
const customerOpen = `SELECT ` + requestColumns + ` FROM service_requests r
	WHERE r.customer_org_id = ? AND ` + openRequest + ` ORDER BY r.received_at DESC, r.id DESC LIMIT 20`

// For is the work of the actor's role now.
func (s *Service) For(ctx context.Context, a policy.Actor) (Work, error) {
	w := Work{Role: a.Role}
	now := s.Now().UTC()
	var err error
	switch a.Role {
	case policy.Technician:
		err = s.technician(ctx, a, now, &w)
	case policy.Customer:
		err = s.customer(ctx, a, &w)
	case policy.Dispatcher:
		err = s.dispatcher(ctx, a, now, &w)
	case policy.ProviderAdmin:
		if err = s.dispatcher(ctx, a, now, &w); err == nil {
			err = s.admin(ctx, a, now, &w)
		}
	case policy.VendorAdmin:
		err = s.admin(ctx, a, now, &w)
	}
	if err != nil {
		return w, err
	}
	switch a.Role {
	case policy.Dispatcher, policy.ProviderAdmin:
		if err = s.providerToday(ctx, a, now, &w); err != nil {
			return w, err
		}
		fallthrough
	case policy.VendorAdmin, policy.VendorAuditor:
		w.Standing, err = s.standing(ctx, a, now)
	}
	return w, err
}

func (s *Service) technician(ctx context.Context, a policy.Actor, now time.Time, w *Work) error {
	const visit = `SELECT w.id, w.request_id, r.number, r.model, r.serial_number, r.site_address, r.priority, w.window_start, w.window_end,
		w.status, w.checked_out_at, w.result FROM work_orders w JOIN service_requests r ON r.id = w.request_id WHERE w.technician_id = ?`
	var open []Visit
	if err := store.Select(ctx, s.DB, &open, visit+` AND w.status IN ('assigned', 'on_site') ORDER BY w.window_start, w.id`, a.UserID); err != nil {
		return err
	}
	today := calendar.LocalDate(now)
	for _, v := range open {
		if calendar.LocalDate(v.WindowStart) <= today || v.Status == "on_site" {
			w.Today = append(w.Today, v)
		} else {
			w.Upcoming = append(w.Upcoming, v)
		}
	}
	return store.Select(ctx, s.DB, &w.Done, visit+` AND w.status = 'completed' ORDER BY w.checked_out_at DESC, w.id DESC LIMIT 10`, a.UserID)
}

func (s *Service) customer(ctx context.Context, a policy.Actor, w *Work) error {
	if err := store.Select(ctx, s.DB, &w.Open, customerOpen, a.OrgID); err != nil {
		return err
	}
	return store.Get(ctx, s.DB, &w.Products, `SELECT COUNT(*) FROM units u JOIN sites s ON s.id = u.site_id WHERE s.customer_org_id = ?`, a.OrgID)
}

func (s *Service) dispatcher(ctx context.Context, a policy.Actor, now time.Time, w *Work) error {
	if err := store.Select(ctx, s.DB, &w.Unassigned, `SELECT `+requestColumns+` FROM service_requests r
		WHERE r.provider_id = ? AND r.status IN ('received', 'responded')
		AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.request_id = r.id AND w.status IN ('assigned', 'on_site'))
		ORDER BY CASE WHEN r.priority = 'emergency' THEN 0 ELSE 1 END, r.next_due_at, r.id LIMIT 20`, a.OrgID); err != nil {
		return err
	}
	return store.Select(ctx, s.DB, &w.AtRisk, `SELECT `+requestColumns+` FROM service_requests r
		WHERE r.provider_id = ? AND `+openRequest+` AND r.next_due_at IS NOT NULL AND r.next_due_at <= ?
		ORDER BY r.next_due_at, r.id LIMIT 20`, a.OrgID, now.Add(DueSoon))
}

func (s *Service) admin(ctx context.Context, a policy.Actor, now time.Time, w *Work) error {
	party := "a.provider_id"
	if a.Role == policy.VendorAdmin {
		party = "a.vendor_id"
	}
	if err := store.Get(ctx, s.DB, &w.Adjustments, `SELECT COUNT(*) FROM adjustment_requests x JOIN agreements a ON a.id = x.agreement_id
		WHERE x.state = 'pending' AND `+party+` = ? AND x.proposer_org_id <> ?`, a.OrgID, a.OrgID); err != nil {
		return err
	}
	side := "provider_id"
	if a.Role == policy.VendorAdmin {
		side = "vendor_id"
	}
	if err := store.Get(ctx, s.DB, &w.OverdueReturns, `SELECT COUNT(*) FROM part_returns
		WHERE `+side+` = ? AND status IN ('awaiting_shipment', 'shipped') AND due_date < ?`, a.OrgID, calendar.LocalDate(now)); err != nil {
		return err
	}
	if a.Role != policy.VendorAdmin {
		return nil
	}
	return store.Get(ctx, s.DB, &w.WaitingExceptions, `SELECT COUNT(*) FROM scope_exceptions
		WHERE vendor_id = ? AND used_by IS NULL AND expires_at > ?`, a.OrgID, now)
}
