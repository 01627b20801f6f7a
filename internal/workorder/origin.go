package workorder

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/coverage"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
)

// Origins of a visit: a service request, or a maintenance plan's due
// service of a unit.
const (
	OriginRequest     = "request"
	OriginMaintenance = "maintenance"
)

// Origin is what a visit is for: a request's fault, or the maintenance of a
// unit (a maintenance plan books these; no fault is behind them).
type Origin struct {
	Kind      string
	RequestID int64 // for OriginRequest
	UnitID    int64 // for OriginMaintenance
	// RedoOf is, for a request's visit, the visit of the same request it
	// redoes (退回重办).
	RedoOf int64
}

// ForRequest is the origin of a visit for service request id.
func ForRequest(id int64) Origin { return Origin{Kind: OriginRequest, RequestID: id} }

// ForMaintenance is the origin of a maintenance visit to unit id.
func ForMaintenance(unitID int64) Origin { return Origin{Kind: OriginMaintenance, UnitID: unitID} }

// check refuses an origin that names nothing.
func (o Origin) check() error {
	switch {
	case o.Kind == OriginRequest && o.RequestID > 0:
	case o.Kind == OriginMaintenance && o.UnitID > 0 && o.RedoOf == 0:
	default:
		return problem.New(problem.Invalid, "a visit is booked on a service request or for a unit's maintenance")
	}
	return nil
}

// MaintenanceItem is the service item of a maintenance visit.
const MaintenanceItem = "maintenance"

// Subject is what a visit is for, as the stock ledger and others who work
// on a visit need it: whose it is, which unit and agreement, and the
// reference people know it by (a request's number, or for a maintenance
// visit the unit's serial number).
type Subject struct {
	Reference     string
	VendorID      int64
	ProviderID    int64
	CustomerOrgID int64
	AgreementID   int64
	UnitID        int64
}

// subject is a visit's Subject with what its steps, notices and record
// need: the request of a request's visit (nil otherwise), and the unit as
// the technician finds it.
type subject struct {
	Subject
	request     *servicerequest.Request
	ServiceItem string
	Model       string
	Serial      string
	Address     string
	Division    string
	// Link is the page the customer's people follow for the visit.
	Link string
}

// scope tells how the visit's subject relates to an actor; assigned says
// the actor is the visit's technician.
func (s subject) scope(a policy.Actor, assigned bool) policy.Scope {
	return policy.ServiceScope(a, assigned, s.VendorID, s.ProviderID, s.CustomerOrgID)
}

// SubjectOf reads what visit w is for, from its origin.
func SubjectOf(ctx context.Context, q store.Queryer, w WorkOrder) (Subject, error) {
	s, err := subjectOf(ctx, q, w)
	return s.Subject, err
}

// About is what a visit's pages show of what it is for: the request's
// number or the unit's serial number (Reference), the service item, the
// product and its place, and the page of the request or the unit (Link).
type About struct {
	Subject
	ServiceItem string
	Model       string
	Serial      string
	Address     string
	Link        string
}

// AboutVisit reads what visit w is for.
func AboutVisit(ctx context.Context, q store.Queryer, w WorkOrder) (About, error) {
	s, err := subjectOf(ctx, q, w)
	return About{Subject: s.Subject, ServiceItem: s.ServiceItem, Model: s.Model, Serial: s.Serial, Address: s.Address, Link: s.Link}, err
}

// withSubject reads visit id and what it is for.
func withSubject(ctx context.Context, q store.Queryer, id int64) (WorkOrder, subject, error) {
	w, err := Get(ctx, q, id)
	if err != nil {
		return w, subject{}, err
	}
	sub, err := subjectOf(ctx, q, w)
	return w, sub, err
}

func subjectOf(ctx context.Context, q store.Queryer, w WorkOrder) (subject, error) {
	switch w.Origin {
	case OriginRequest:
		r, err := servicerequest.GetRequest(ctx, q, w.RequestID)
		if err != nil {
			return subject{}, err
		}
		return requestSubject(r), nil
	case OriginMaintenance:
		if w.UnitID == nil || w.AgreementID == nil {
			return subject{}, problem.New(problem.Conflict, "work order %d names no unit and agreement to maintain", w.ID)
		}
		return maintenanceSubject(ctx, q, *w.UnitID, *w.AgreementID)
	}
	return subject{}, problem.New(problem.Conflict, "work order %d has no origin this version knows (%q)", w.ID, w.Origin)
}

func requestSubject(r servicerequest.Request) subject {
	return subject{Subject: Subject{Reference: r.Number, VendorID: r.VendorID, ProviderID: r.ProviderID, CustomerOrgID: r.CustomerOrgID,
		AgreementID: r.AgreementID, UnitID: r.UnitID}, request: &r, ServiceItem: r.ServiceItem, Model: r.Model, Serial: r.SerialNumber,
		Address: r.SiteAddress, Division: r.SiteDivision, Link: fmt.Sprintf("/requests/%d", r.ID)}
}

// maintenanceSubject reads the unit and the agreement a maintenance visit
// serves, as they are now.
func maintenanceSubject(ctx context.Context, q store.Queryer, unitID, agreementID int64) (subject, error) {
	u, err := installedbase.Get(ctx, q, unitID)
	if err != nil {
		return subject{}, err
	}
	ag, err := agreement.Get(ctx, q, agreementID)
	if err != nil {
		return subject{}, err
	}
	return subject{Subject: Subject{Reference: u.SerialNumber, VendorID: ag.VendorID, ProviderID: ag.ProviderID, CustomerOrgID: u.CustomerOrgID,
		AgreementID: ag.ID, UnitID: u.ID}, ServiceItem: MaintenanceItem, Model: u.ModelCode, Serial: u.SerialNumber,
		Address: u.Address, Division: u.Division, Link: fmt.Sprintf("/units/%d", u.ID)}, nil
}

// forBooking loads what a visit of origin o is booked for, for actor to
// book (policy.RequestAssign): a request's visit needs an open request; a
// maintenance visit a unit whose agreement's scope takes maintenance at
// the visit's start.
func (s *Service) forBooking(ctx context.Context, q store.Queryer, actor policy.Actor, o Origin, start time.Time) (subject, error) {
	if o.Kind == OriginRequest {
		r, err := s.Requests.ForVisit(ctx, q, actor, o.RequestID, policy.RequestAssign)
		if err != nil {
			return subject{}, err
		}
		if !r.Status.Open() {
			return subject{}, problem.New(problem.Conflict, "service request %s is %s", r.Number, problem.Enum("status.", r.Status))
		}
		return requestSubject(r), nil
	}
	// Who may see the unit is told that they may not book its maintenance;
	// who may not, that it does not exist.
	u, err := installedbase.ReadUnit(ctx, q, actor, o.UnitID)
	if err != nil {
		return subject{}, err
	}
	if u.AgreementID == nil {
		return subject{}, problem.New(problem.Conflict, "product %s is covered by no agreement; its maintenance cannot be booked", u.SerialNumber)
	}
	sub, err := maintenanceSubject(ctx, q, u.ID, *u.AgreementID)
	if err != nil {
		return subject{}, err
	}
	if err := policy.Allow(actor, policy.RequestAssign, sub.scope(actor, false)); err != nil {
		return subject{}, err
	}
	target, err := s.Requests.Resolve.UnitBySerial(ctx, q, u.SerialNumber, start)
	if err != nil {
		return subject{}, err
	}
	if refusal := coverageRefusal(target, MaintenanceItem); refusal != nil {
		return subject{}, refusal
	}
	return sub, nil
}

// coverageRefusal is the agreement's refusal of item on the target unit,
// or nil.
func coverageRefusal(t coverage.Target, item string) error {
	if e := coverage.CheckScope(t.Coverage, t.Unit, item); e != nil {
		return e.Problem()
	}
	return nil
}

// data is an event's data about visit w of the subject, with the pairs
// given: the request's id for a request's visit, the unit's otherwise.
func (s subject) data(w WorkOrder, pairs ...any) map[string]any {
	d := map[string]any{"work_order_id": w.ID}
	if s.request != nil {
		d["request_id"] = s.request.ID
	} else {
		d["unit_id"] = s.UnitID
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		d[pairs[i].(string)] = pairs[i+1]
	}
	return d
}
