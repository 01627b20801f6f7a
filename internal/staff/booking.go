package staff

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/store"
)

// unitLine is what the rules need of a unit: its vendor and product line.
type unitLine struct {
	VendorID    int64  `db:"vendor_id"`
	ProductLine string `db:"product_line"`
}

func unitLineOf(ctx context.Context, q store.Queryer, unitID int64) (unitLine, error) {
	var u unitLine
	err := store.Get(ctx, q, &u, `SELECT u.vendor_id, m.product_line FROM units u JOIN product_models m ON m.id = u.model_id WHERE u.id = ?`, unitID)
	if errors.Is(err, store.ErrNotFound) {
		return u, problem.New(problem.NotFound, "unit %d not found", unitID)
	}
	return u, err
}

// visitOf is the visit the rules look at.
func visitOf(u unitLine, serviceItem string, start, end time.Time) Visit {
	return Visit{VendorID: u.VendorID, ProductLine: u.ProductLine, ServiceItem: serviceItem, From: localDate(start), To: localDate(end)}
}

// Refuse turns a refusal into the problem booking answers: invalid (422),
// with the refusal's reason.
func Refuse(ref *Refusal) error {
	return ref.err
}

// MayWork is the rule at booking: whether the technician may be booked for
// a visit to the unit for serviceItem between start and end (workOrderID 0
// when booking, the visit's id when reassigning). It runs in the booking's
// transaction q. A refusal is an invalid problem whose Reason is one of
// not_certified, certification_expired, review_overdue, level_too_low,
// permit_missing (and on_leave when the visit overlaps the technician's
// leave, overlapping_visit when it overlaps another of their visits, which
// no exception lifts); a vendor's exception for the technician on one visit of
// the unit lets the booking through once, and is marked used by it.
func (s *Service) MayWork(ctx context.Context, q store.Queryer, technicianID, unitID int64, serviceItem string, start, end time.Time, workOrderID int64) error {
	if err := leaveRefusal(ctx, q, technicianID, start, end); err != nil {
		return err
	}
	if err := overlapRefusal(ctx, q, technicianID, start, end, workOrderID); err != nil {
		return err
	}
	ref, err := s.check(ctx, q, technicianID, unitID, serviceItem, start, end)
	if err != nil || ref == nil {
		return err
	}
	ok, err := s.useException(ctx, q, technicianID, unitID, workOrderID)
	if err != nil || ok {
		return err
	}
	return Refuse(ref)
}

// useException finds the vendor's exception that lets this booking
// through: the one already used by the visit being reassigned, else an
// unused one for the technician on an open request of the unit, which the
// booking uses up.
func (s *Service) useException(ctx context.Context, q store.Queryer, technicianID, unitID, workOrderID int64) (bool, error) {
	var n int
	if workOrderID != 0 {
		if err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM qualification_exceptions e WHERE `+exceptionVisit+` = ? AND e.technician_id = ?`, workOrderID, technicianID); err != nil || n > 0 {
			return n > 0, err
		}
	}
	var id int64
	err := store.Get(ctx, q, &id, `SELECT e.id FROM qualification_exceptions e JOIN service_requests r ON r.id = e.request_id
		WHERE e.unit_id = ? AND e.technician_id = ? AND e.used_at IS NULL AND r.status NOT IN ('resolved', 'closed', 'cancelled') ORDER BY e.id LIMIT 1`, unitID, technicianID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var wo *int64
	if workOrderID != 0 {
		wo = &workOrderID
	}
	// A booking's visit is inserted after this check: the exception
	// remembers the last visit id so far, and its visit is the first of the
	// technician on the request after it (exceptionVisit).
	var last int64
	if err := store.Get(ctx, q, &last, `SELECT COALESCE(MAX(id), 0) FROM work_orders`); err != nil {
		return false, err
	}
	_, err = store.Exec(ctx, q, `UPDATE qualification_exceptions SET used_at = ?, work_order_id = ?, after_work_order_id = ? WHERE id = ?`, s.Now().UTC(), wo, last, id)
	return err == nil, err
}

// QualificationException is a vendor's recorded one-off exception to its rules.
type QualificationException struct {
	ID           int64  `db:"id" json:"id"`
	VendorID     int64  `db:"vendor_id" json:"vendor_id"`
	RequestID    int64  `db:"request_id" json:"request_id"`
	UnitID       int64  `db:"unit_id" json:"unit_id"`
	TechnicianID int64  `db:"technician_id" json:"technician_id"`
	Technician   string `db:"technician" json:"technician"`
	Reason       string `db:"reason" json:"reason"`
	GrantedBy    string `db:"granted_by_name" json:"granted_by"`
	// Refused is what the rules said when the exception was granted.
	Refused     string     `db:"refused" json:"refused,omitempty"`
	GrantedAt   time.Time  `db:"granted_at" json:"granted_at"`
	UsedAt      *time.Time `db:"used_at" json:"used_at,omitempty"`
	WorkOrderID *int64     `db:"work_order_id" json:"work_order_id,omitempty"`
}

// exceptionVisit is the visit an exception let through: the one it was
// reassigned with, else the first visit of its technician on its request
// booked after it was used.
const exceptionVisit = `COALESCE(e.work_order_id, CASE WHEN e.used_at IS NULL THEN NULL ELSE (SELECT MIN(w.id) FROM work_orders w
	WHERE w.request_id = e.request_id AND w.technician_id = e.technician_id AND w.id > e.after_work_order_id) END)`

const exceptionSelect = `SELECT e.id, e.vendor_id, e.request_id, e.unit_id, e.technician_id, t.name AS technician, e.reason,
	COALESCE(g.name, '') AS granted_by_name, e.refused, e.granted_at, e.used_at, ` + exceptionVisit + ` AS work_order_id
	FROM qualification_exceptions e JOIN users t ON t.id = e.technician_id LEFT JOIN users g ON g.id = e.granted_by`

// requestParties is what granting an exception needs of a request.
type requestParties struct {
	VendorID    int64     `db:"vendor_id"`
	ProviderID  int64     `db:"provider_id"`
	CustomerID  int64     `db:"customer_org_id"`
	UnitID      int64     `db:"unit_id"`
	ServiceItem string    `db:"service_item"`
	Status      string    `db:"status"`
	ReceivedAt  time.Time `db:"received_at"`
}

func requestNotFound(id int64) error {
	return problem.New(problem.NotFound, "service request %d not found", id)
}

func loadRequest(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (requestParties, error) {
	r, err := store.ByID[requestParties](ctx, q, `SELECT vendor_id, provider_id, customer_org_id, unit_id, service_item, status, received_at FROM service_requests WHERE id = ?`, id, requestNotFound)
	if err != nil {
		return r, err
	}
	// The request's scope, as the requests' own rules tell it: its parties
	// are Own to it; a technician is Self to a request they have a visit on.
	sc := policy.Unrelated
	switch {
	case a.Operator:
		sc = policy.Own
	case a.Role == policy.Technician:
		var n int
		if err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM work_orders WHERE request_id = ? AND technician_id = ?`, id, a.UserID); err != nil {
			return r, err
		}
		if n > 0 && a.OrgID == r.ProviderID {
			sc = policy.Self
		}
	case a.OrgID == r.VendorID || a.OrgID == r.ProviderID || a.OrgID == r.CustomerID:
		sc = policy.Own
	}
	if err := policy.Check(a, policy.RequestRead, action, sc, requestNotFound(id)); err != nil {
		return r, err
	}
	return r, nil
}

// GrantException lets one visit of a request be booked with a technician
// the vendor's rules refuse, for a reason that the request keeps.
func (s *Service) GrantException(ctx context.Context, a policy.Actor, requestID, technicianID int64, reason string) (QualificationException, error) {
	now := s.Now().UTC()
	reason = strings.TrimSpace(reason)
	var out QualificationException
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		r, err := loadRequest(ctx, tx, a, requestID, policy.QualificationExceptionGrant)
		if err != nil {
			return err
		}
		var fs problem.Fields
		problem.CheckText(&fs, "reason", reason, true, 1000)
		if err := fs.Err(); err != nil {
			return err
		}
		switch r.Status {
		case "resolved", "closed", "cancelled":
			return problem.New(problem.Conflict, "service request %d is %s", requestID, problem.Enum("status.", r.Status))
		}
		var tech struct {
			OrgID  int64  `db:"org_id"`
			Role   string `db:"role"`
			Active bool   `db:"active"`
		}
		err = store.Get(ctx, tx, &tech, `SELECT org_id, role, active FROM users WHERE id = ?`, technicianID)
		if errors.Is(err, store.ErrNotFound) || err == nil && (tech.OrgID != r.ProviderID || tech.Role != string(policy.Technician) || !tech.Active) {
			return problem.Field("technician_id", "must be an active technician of the request's provider")
		}
		if err != nil {
			return err
		}
		var n int
		if err := store.Get(ctx, tx, &n, `SELECT COUNT(*) FROM qualification_exceptions WHERE request_id = ? AND technician_id = ? AND used_at IS NULL`, requestID, technicianID); err != nil {
			return err
		}
		if n > 0 {
			return problem.New(problem.Conflict, "an exception for this technician on request %d is waiting to be used", requestID)
		}
		refused := ""
		if ref, err := s.check(ctx, tx, technicianID, r.UnitID, r.ServiceItem, now, now); err != nil {
			return err
		} else if ref != nil {
			refused = ref.Reason
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO qualification_exceptions (vendor_id, request_id, unit_id, technician_id, reason, granted_by, granted_at, refused)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.VendorID, requestID, r.UnitID, technicianID, reason, store.NullID(a.UserID), now, refused)
		if err != nil {
			return err
		}
		if err := store.Get(ctx, tx, &out, exceptionSelect+` WHERE e.id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, r.VendorID, "staff.exception.grant", "qualification_exception", id, nil, out)
	})
	return out, err
}

// Exceptions lists the exceptions granted on a request, for its parties.
func (s *Service) Exceptions(ctx context.Context, a policy.Actor, requestID int64) ([]QualificationException, error) {
	if _, err := loadRequest(ctx, s.DB, a, requestID, policy.RequestRead); err != nil {
		return nil, err
	}
	out := []QualificationException{}
	return out, store.Select(ctx, s.DB, &out, exceptionSelect+` WHERE e.request_id = ? ORDER BY e.id`, requestID)
}

// check evaluates the rules for a technician and a unit, without exceptions.
func (s *Service) check(ctx context.Context, q store.Queryer, technicianID, unitID int64, serviceItem string, start, end time.Time) (*Refusal, error) {
	u, err := unitLineOf(ctx, q, unitID)
	if err != nil {
		return nil, err
	}
	rules, err := rulesOf(ctx, q, u.VendorID)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	certs, err := certsOf(ctx, q, technicianID)
	if err != nil {
		return nil, err
	}
	return Qualify(rules, certs, visitOf(u, serviceItem, start, end)), nil
}

// TechnicianName is a technician as a choice on a form.
type TechnicianName struct {
	ID   int64  `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
}

// RequestTechnicians lists the active technicians of a request's provider,
// for the vendor's admin choosing whom an exception is for.
func (s *Service) RequestTechnicians(ctx context.Context, a policy.Actor, requestID int64) ([]TechnicianName, error) {
	r, err := loadRequest(ctx, s.DB, a, requestID, policy.QualificationExceptionGrant)
	if err != nil {
		return nil, err
	}
	out := []TechnicianName{}
	return out, store.Select(ctx, s.DB, &out, `SELECT id, name FROM users WHERE org_id = ? AND role = 'technician' AND active ORDER BY name, id`, r.ProviderID)
}

// VisitException is the vendor's exception that let a visit through, as
// the visit's sealed record keeps it; nil when no exception did.
func (s *Service) VisitException(ctx context.Context, q store.Queryer, workOrderID int64) (*record.VisitException, error) {
	var e struct {
		Reason    string    `db:"reason"`
		Refused   string    `db:"refused"`
		GrantedBy *int64    `db:"granted_by"`
		Name      string    `db:"granted_by_name"`
		GrantedAt time.Time `db:"granted_at"`
	}
	err := store.Get(ctx, q, &e, `SELECT e.reason, e.refused, e.granted_by, COALESCE(g.name, '') AS granted_by_name, e.granted_at
		FROM qualification_exceptions e LEFT JOIN users g ON g.id = e.granted_by WHERE `+exceptionVisit+` = ? ORDER BY e.id LIMIT 1`, workOrderID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := &record.VisitException{Reason: e.Reason, Refused: e.Refused, GrantedBy: record.Person{Name: e.Name}, GrantedAt: e.GrantedAt.UTC()}
	if e.GrantedBy != nil {
		out.GrantedBy.ID = *e.GrantedBy
	}
	return out, nil
}
