package stock

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// Refusal reasons of a consumption beside the part's own (parts.Reason*).
const (
	ReasonWrongLocation  = "wrong_location"
	ReasonNotOnSite      = "work_order_not_on_site"
	ReasonWorkOrderClose = "work_order_closed"
)

// ConsumeInput fits a part on a work order.
type ConsumeInput struct {
	WorkOrderID int64
	LocationID  int64
	PartID      int64
	Qty         int64
	// SerialRemoved and SerialInstalled are required for a serialized part
	// (and then Qty is 1: one serial pair per piece).
	SerialRemoved, SerialInstalled string
}

// Consumption is what fitting a part produced.
type Consumption struct {
	Movement Movement      `json:"movement"`
	Return   *ReturnRecord `json:"return,omitempty" doc:"The defective part owed back to the vendor, if the part requires it."`
}

func refuse(reason, format string, args ...any) error {
	e := problem.New(problem.PartRefused, format, args...)
	e.Reason = reason
	return e
}

// consumeScope: the technician assigned to the visit is Self; the
// provider's dispatchers and admins are Own.
func consumeScope(a policy.Actor, w workorder.WorkOrder, r workorder.Subject) policy.Scope {
	switch {
	case a.Operator:
		return policy.Own
	case a.OrgID != r.ProviderID:
		return policy.Unrelated
	case a.Role == policy.Technician:
		if w.TechnicianID == a.UserID {
			return policy.Self
		}
		return policy.Unrelated
	}
	return policy.Own
}

// Consume fits a part on a work order from the technician's van or a store
// of the work order's provider. It is refused, changing nothing, when the
// visit is not in progress, the location is not one the visit may draw
// from, the part is not genuine or currently approved (dates in China), it
// does not fit the unit's model, or the location holds too little. A part
// to be returned to the vendor opens a return, due as many days later as the
// request's agreement gives (agreement.Terms.ReturnDays).
func (s *Service) Consume(ctx context.Context, a policy.Actor, in ConsumeInput) (Consumption, error) {
	now := s.Now().UTC()
	var out Consumption
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		w, r, err := visit(ctx, tx, in.WorkOrderID)
		if err != nil {
			return err
		}
		sc := consumeScope(a, w, r)
		if !policy.Allowed(a, policy.PartConsume, sc) {
			if sc == policy.Unrelated {
				return problem.New(problem.NotFound, "work order %d not found", w.ID)
			}
			return policy.Allow(a, policy.PartConsume, sc)
		}
		var fs problem.Fields
		in.SerialRemoved, in.SerialInstalled = strings.ToUpper(strings.TrimSpace(in.SerialRemoved)), strings.ToUpper(strings.TrimSpace(in.SerialInstalled))
		problem.CheckText(&fs, "serial_removed", in.SerialRemoved, false, 64)
		problem.CheckText(&fs, "serial_installed", in.SerialInstalled, false, 64)
		if in.Qty <= 0 || in.Qty > 1000 {
			fs.Add("qty", "must be from 1 to 1000")
		}
		if in.LocationID <= 0 {
			fs.Add("location_id", "is required")
		}
		part, err := s.visiblePart(ctx, tx, a, in.PartID, &fs)
		if err != nil {
			return err
		}
		if part.ID != 0 && part.Serialized {
			if in.SerialRemoved == "" {
				fs.Add("serial_removed", "part %s is serialized: give the serial number of the part taken out", part.PartNumber)
			}
			if in.SerialInstalled == "" {
				fs.Add("serial_installed", "part %s is serialized: give the serial number of the part fitted", part.PartNumber)
			}
			if in.Qty > 1 {
				fs.Add("qty", "a serialized part is fitted one piece at a time")
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		switch w.Status {
		case workorder.WOAssigned:
			return refuse(ReasonNotOnSite, "check in on site before fitting parts on work order %d", w.ID)
		case workorder.WOCompleted, workorder.WOCancelled:
			return refuse(ReasonWorkOrderClose, "work order %d is %s; parts are fitted during the visit", w.ID, w.Status)
		}
		// The visit's row lock: a check-out running now either waits for
		// this consumption (and seals it) or has closed the visit.
		onSite, err := lockOnSite(ctx, tx, w.ID)
		if err != nil {
			return err
		}
		if !onSite {
			return refuse(ReasonWorkOrderClose, "work order %d was closed meanwhile", w.ID)
		}
		modelID, err := modelOfUnit(ctx, tx, r.UnitID)
		if err != nil {
			return err
		}
		if err := part.CheckUse(r.VendorID, modelID, calendar.LocalDate(now)); err != nil {
			return err
		}
		l, err := getLocation(ctx, tx, in.LocationID)
		if problem.Is(err, problem.NotFound) {
			return problem.Field("location_id", "no such stock location")
		}
		if err != nil {
			return err
		}
		if !mayDrawFrom(l, w, r) {
			return refuse(ReasonWrongLocation, "work order %d draws from the assigned technician's van or a store of %s's provider, not from %s", w.ID, r.Reference, l.Name)
		}
		m := Movement{Kind: Consume, PartID: part.ID, Qty: in.Qty, FromLocationID: &l.ID, WorkOrderID: &w.ID,
			SerialRemoved: in.SerialRemoved, SerialInstalled: in.SerialInstalled, Reference: r.Reference,
			ActorID: store.NullID(a.UserID), Actor: a.Label(), At: now}
		m, lv, err := post(ctx, tx, m, &l)
		if err != nil {
			return err
		}
		out.Movement = m
		if part.ReturnRequired {
			ret, err := openReturn(ctx, tx, m, part, r, l, now)
			if err != nil {
				return err
			}
			out.Return = &ret
		}
		if err := audit.Record(ctx, tx, now, a, r.ProviderID, "stock.consume", "work_order", w.ID, nil, out); err != nil {
			return err
		}
		return s.alert(ctx, tx, lv, part, now)
	})
	return out, err
}

// mayDrawFrom: the visit draws from the assigned technician's van, or from
// a store of the request's provider.
func mayDrawFrom(l Location, w workorder.WorkOrder, r workorder.Subject) bool {
	if !l.Active || l.OrgID != r.ProviderID {
		return false
	}
	switch l.Kind {
	case Van:
		return l.TechnicianID != nil && *l.TechnicianID == w.TechnicianID
	case Store:
		return true
	}
	return false
}

// UsedParts lists the parts fitted on a work order, in the order fitted
// (workorder.PartsLedger, for the sealed record).
func (s *Service) UsedParts(ctx context.Context, q store.Queryer, workOrderID int64) ([]parts.UsedPart, error) {
	return consumed(ctx, q, workOrderID)
}

// ForWorkOrder lists the parts fitted on a work order the actor may see.
func (s *Service) ForWorkOrder(ctx context.Context, a policy.Actor, workOrderID int64) ([]parts.UsedPart, error) {
	w, r, err := visit(ctx, s.DB, workOrderID)
	if err != nil {
		return nil, err
	}
	assigned := w.TechnicianID == a.UserID
	if !a.Operator && a.OrgID != r.ProviderID && a.OrgID != r.VendorID && !(assigned && a.OrgID == r.ProviderID) {
		return nil, problem.New(problem.NotFound, "work order %d not found", workOrderID)
	}
	if a.Role == policy.Technician && !assigned {
		return nil, problem.New(problem.NotFound, "work order %d not found", workOrderID)
	}
	if a.Role == policy.Customer {
		return nil, problem.New(problem.NotFound, "work order %d not found", workOrderID)
	}
	return s.UsedParts(ctx, s.DB, workOrderID)
}

// visit loads a work order and what it is for.
func visit(ctx context.Context, q store.Queryer, id int64) (workorder.WorkOrder, workorder.Subject, error) {
	w, err := workorder.Get(ctx, q, id)
	if err != nil {
		return w, workorder.Subject{}, err
	}
	r, err := workorder.SubjectOf(ctx, q, w)
	return w, r, err
}

// SourcesFor lists the locations a work order may draw parts from, for the
// form on the technician's page.
func (s *Service) SourcesFor(ctx context.Context, a policy.Actor, workOrderID int64) ([]Location, error) {
	w, r, err := visit(ctx, s.DB, workOrderID)
	if err != nil {
		return nil, err
	}
	if !policy.Allowed(a, policy.PartConsume, consumeScope(a, w, r)) {
		return []Location{}, nil
	}
	return sources(ctx, s.DB, r.ProviderID, w.TechnicianID)
}

var _ workorder.PartsLedger = (*Service)(nil)

// ReturnDue is the due date of a return for a part fitted at t: days China
// calendar days later (the agreement's part_return_days).
func ReturnDue(t time.Time, days int) string {
	d, _ := calendar.LocalMidnight(calendar.LocalDate(t))
	return d.AddDate(0, 0, days).Format(time.DateOnly)
}
