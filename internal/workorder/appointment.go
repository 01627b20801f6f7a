package workorder

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Appointment is a visit not started as its customer agrees its window:
// whose it is, what it is for, who comes, and whom to tell.
type Appointment struct {
	WorkOrder WorkOrder
	Subject
	Model          string
	Address        string
	TechnicianName string
	// ContactPhone is the phone of the request's contact ("" for a
	// maintenance visit, which has none).
	ContactPhone string
	// DueAt is the request's next deadline, if its clocks run.
	DueAt *time.Time
}

// AppointmentOf reads visit id for its appointment, without checking who
// asks (the caller has: a dispatcher through ForAppointment, a customer
// through a link's token).
func AppointmentOf(ctx context.Context, q store.Queryer, id int64) (Appointment, error) {
	w, sub, err := withSubject(ctx, q, id)
	if err != nil {
		return Appointment{}, err
	}
	tech, err := account.GetUser(ctx, q, w.TechnicianID)
	if err != nil {
		return Appointment{}, err
	}
	a := Appointment{WorkOrder: w, Subject: sub.Subject, Model: sub.Model, Address: sub.Address, TechnicianName: tech.Name}
	if r := sub.request; r != nil {
		a.ContactPhone, a.DueAt = r.ContactPhone, r.NextDueAt
	}
	return a, nil
}

// ForAppointment reads visit id for actor, who must be allowed to move it
// (policy.RequestAssign); only a visit not started has a window to agree.
func (s *Service) ForAppointment(ctx context.Context, q store.Queryer, actor policy.Actor, id int64) (Appointment, error) {
	w, sub, err := withSubject(ctx, q, id)
	if err != nil {
		return Appointment{}, err
	}
	// Who may see the visit but not move it is refused as such.
	if err := policy.Check(actor, policy.RequestRead, policy.RequestAssign, sub.scope(actor, w.TechnicianID == actor.UserID), workOrderNotFound(id)); err != nil {
		return Appointment{}, err
	}
	o := Origin{Kind: w.Origin, RequestID: w.RequestID}
	if w.UnitID != nil {
		o.UnitID = *w.UnitID
	}
	if _, err := s.forBooking(ctx, q, actor, o, w.WindowStart); err != nil {
		return Appointment{}, err
	}
	if w.Status != WOAssigned {
		return Appointment{}, problem.New(problem.Conflict, "work order %d is %s; only a visit not started has a window to agree", w.ID, problem.Enum("wo.", w.Status))
	}
	return AppointmentOf(ctx, q, id)
}

// Rebook moves visit id, not started, to the window [start, end) with
// technicianID (0: the same technician), inside tx, for actor (the customer answering a link):
// the rule at booking holds as for any move, and the request's history,
// the technician and the board hear of it as of a reassignment.
func (s *Service) Rebook(ctx context.Context, tx *sqlx.Tx, actor policy.Actor, id, technicianID int64, start, end time.Time, note string) (WorkOrder, error) {
	w, sub, err := withSubject(ctx, tx, id)
	if err != nil {
		return WorkOrder{}, err
	}
	o := Origin{Kind: w.Origin, RequestID: w.RequestID}
	if w.UnitID != nil {
		o.UnitID = *w.UnitID
	}
	if technicianID == 0 {
		technicianID = w.TechnicianID
	}
	return s.book(ctx, tx, actor, sub, o, Assignment{TechnicianID: technicianID, WindowStart: start, WindowEnd: end, Note: note}, w.ID, s.Now().UTC())
}
