package stock

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// ReturnStatus is where a defective part return stands.
type ReturnStatus string

const (
	AwaitingShipment ReturnStatus = "awaiting_shipment" // the provider holds it
	Shipped          ReturnStatus = "shipped"           // on its way (carrier, tracking number)
	Received         ReturnStatus = "received"          // the vendor has it
	Credited         ReturnStatus = "credited"          // the vendor credited the provider
)

// ReturnRecord is a defective part owed back to the vendor (旧件返还).
type ReturnRecord struct {
	ID             int64        `db:"id" json:"id"`
	MovementID     int64        `db:"movement_id" json:"movement_id"`
	PartID         int64        `db:"part_id" json:"part_id"`
	VendorID       int64        `db:"vendor_id" json:"vendor_id"`
	ProviderID     int64        `db:"provider_id" json:"provider_id"`
	WorkOrderID    int64        `db:"work_order_id" json:"work_order_id"`
	LocationID     int64        `db:"location_id" json:"location_id"`
	Qty            int64        `db:"qty" json:"qty"`
	SerialRemoved  string       `db:"serial_removed" json:"serial_removed,omitempty"`
	Status         ReturnStatus `db:"status" json:"status" enum:"awaiting_shipment,shipped,received,credited"`
	DueDate        string       `db:"due_date" json:"due_date" doc:"Last China date to ship it."`
	Carrier        string       `db:"carrier" json:"carrier,omitempty"`
	TrackingNumber string       `db:"tracking_number" json:"tracking_number,omitempty"`
	ShippedAt      *time.Time   `db:"shipped_at" json:"shipped_at,omitempty"`
	ReceivedAt     *time.Time   `db:"received_at" json:"received_at,omitempty"`
	CreditedAt     *time.Time   `db:"credited_at" json:"credited_at,omitempty"`
	CreditFen      *int64       `db:"credit_fen" json:"credit_fen,omitempty"`
	Version        int64        `db:"version" json:"version"`
	CreatedAt      time.Time    `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time    `db:"updated_at" json:"updated_at"`
	// Shown beside it.
	PartNumber    string `db:"part_number" json:"part_number"`
	PartName      string `db:"part_name" json:"part_name"`
	RequestNumber string `db:"request_number" json:"request_number"`
	ProviderName  string `db:"provider_name" json:"provider_name"`
	Overdue       bool   `db:"-" json:"overdue" doc:"Still not shipped after its due date."`
}

// IsOverdue: a return not shipped by the end of its due date (China).
func IsOverdue(status ReturnStatus, due, today string) bool {
	return status == AwaitingShipment && due < today
}

func openReturn(ctx context.Context, tx *sqlx.Tx, m Movement, p parts.Part, r workorder.Subject, l Location, now time.Time) (ReturnRecord, error) {
	days := agreement.DefaultPartReturnDays
	if v, err := agreement.TermsAt(ctx, tx, r.AgreementID, now); err == nil {
		days = v.Terms.ReturnDays()
	} else if !problem.Is(err, problem.NotFound) {
		return ReturnRecord{}, err
	}
	id, err := insertReturn(ctx, tx, m, p.VendorID, r.ProviderID, l.ID, ReturnDue(now, days), now)
	if err != nil {
		return ReturnRecord{}, err
	}
	return getReturn(ctx, tx, id, calendar.LocalDate(now))
}

func returnNotFound(id int64) error {
	return problem.New(problem.NotFound, "part return %d not found", id)
}

// returnScope: Own to its vendor and to its provider.
func returnScope(a policy.Actor, r ReturnRecord) policy.Scope {
	return policy.PartyScope(a, r.VendorID, r.ProviderID)
}

// ReturnFilter narrows a listing of returns.
type ReturnFilter struct {
	Status      ReturnStatus
	OverdueOnly bool
	Limit       int
}

// Returns lists the returns of the actor's organization (as vendor or as
// provider), overdue first, then by due date.
func (s *Service) Returns(ctx context.Context, a policy.Actor, f ReturnFilter) ([]ReturnRecord, error) {
	if err := policy.Allow(a, policy.ReturnRead, policy.Own); err != nil {
		return nil, err
	}
	today := calendar.LocalDate(s.Now())
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	orgID := a.OrgID
	if a.Operator {
		orgID = 0
	}
	out, err := listReturns(ctx, s.DB, orgID, f, today)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Overdue = IsOverdue(out[i].Status, out[i].DueDate, today)
	}
	return out, nil
}

// GetReturn returns a return the actor may read.
func (s *Service) GetReturn(ctx context.Context, a policy.Actor, id int64) (ReturnRecord, error) {
	r, err := getReturn(ctx, s.DB, id, calendar.LocalDate(s.Now()))
	if err != nil {
		return r, err
	}
	if err := policy.Check(a, policy.ReturnRead, policy.ReturnRead, returnScope(a, r), returnNotFound(id)); err != nil {
		return ReturnRecord{}, err
	}
	return r, nil
}

// ReturnStep moves a return on: ship (provider: carrier and tracking
// number), receive (vendor), credit (vendor: amount in fen).
type ReturnStep struct {
	Kind           string // ship, receive, credit
	Carrier        string
	TrackingNumber string
	CreditFen      int64
}

// next is the state a step leads to, the state it starts from, and who may take it.
var steps = map[string]struct {
	from, to ReturnStatus
	need     policy.Action
	vendor   bool
}{
	"ship":    {AwaitingShipment, Shipped, policy.ReturnShip, false},
	"receive": {Shipped, Received, policy.ReturnSettle, true},
	"credit":  {Received, Credited, policy.ReturnSettle, true},
}

// AdvanceReturn takes a step of a return, audited; shipping also books the
// defective part's movement in the ledger.
func (s *Service) AdvanceReturn(ctx context.Context, a policy.Actor, id int64, st ReturnStep, expectedVersion int64) (ReturnRecord, error) {
	now := s.Now().UTC()
	today := calendar.LocalDate(now)
	var out ReturnRecord
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := getReturn(ctx, tx, id, today)
		if err != nil {
			return err
		}
		sc := returnScope(a, before)
		if err := policy.Check(a, policy.ReturnRead, policy.ReturnRead, sc, returnNotFound(id)); err != nil {
			return err
		}
		step, ok := steps[st.Kind]
		if !ok {
			return problem.Field("kind", "must be ship, receive or credit")
		}
		if err := policy.Allow(a, step.need, sc); err != nil {
			return err
		}
		if !a.Operator && (step.vendor && a.OrgID != before.VendorID || !step.vendor && a.OrgID != before.ProviderID) {
			return problem.New(problem.Forbidden, "the %s of a return is recorded by the %s", problem.Enum("returns.", st.Kind), problem.Enum("orgkind.", map[bool]string{true: "vendor", false: "provider"}[step.vendor]))
		}
		if before.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "part return %d was changed by someone else", id)
		}
		if before.Status != step.from {
			return problem.New(problem.Conflict, "part return %d is %s; %s needs %s", id, problem.Enum("returns.st_", before.Status), problem.Enum("returns.", st.Kind), problem.Enum("returns.st_", step.from))
		}
		var fs problem.Fields
		switch st.Kind {
		case "ship":
			st.Carrier, st.TrackingNumber = strings.TrimSpace(st.Carrier), strings.TrimSpace(st.TrackingNumber)
			problem.CheckText(&fs, "carrier", st.Carrier, true, 100)
			problem.CheckText(&fs, "tracking_number", st.TrackingNumber, true, 64)
		case "credit":
			unitCost, err := unitCostOf(ctx, tx, before.PartID)
			if err != nil {
				return err
			}
			if max := unitCost * before.Qty; st.CreditFen < 0 || st.CreditFen > max {
				fs.Add("credit_fen", "must be from ¥0.00 to %s (the parts' cost)", parts.FormatYuan(max))
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		switch st.Kind {
		case "ship":
			err = markShipped(ctx, tx, id, expectedVersion, st.Carrier, st.TrackingNumber, now)
			if err == nil {
				_, _, err = post(ctx, tx, Movement{Kind: Return, PartID: before.PartID, Qty: before.Qty, FromLocationID: &before.LocationID,
					Defective: true, WorkOrderID: &before.WorkOrderID, SerialRemoved: before.SerialRemoved,
					Reference: st.Carrier + " " + st.TrackingNumber, ActorID: store.NullID(a.UserID), Actor: a.Label(), At: now}, nil)
			}
		case "receive":
			err = markReceived(ctx, tx, id, expectedVersion, now)
		case "credit":
			err = markCredited(ctx, tx, id, expectedVersion, st.CreditFen, now)
		}
		if err != nil {
			return err
		}
		if out, err = getReturn(ctx, tx, id, today); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, a, before.VendorID, "part_return."+st.Kind, "part_return", id, before, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.ProviderID, "part_return."+st.Kind, "part_return", id, before, out)
	})
	return out, err
}
