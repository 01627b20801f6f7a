// Package workorder owns visits (工单): booking a technician and an
// appointment window, reassigning a visit not started, the steps on site
// (check-in, the work, the customer's sign-off by drawn signature or by
// code, check-out), the parts fitted through the stock ledger, sealing the
// service record on check-out, and a technician's lists. A visit has an
// origin (origin.go): a service request's fault, or a unit's maintenance
// (booked by maintenance plans, with no request behind it); a request's
// visit may redo an earlier one (Redo). For a request, the visit tells the
// request what it did (servicerequest's Visit* calls); requests never call
// visits, they read them through the servicerequest.Visits port, which
// RequestVisits answers. The package's SQL is in storage.go.
package workorder

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
)

// Publisher records notifications inside a transaction (notify.Service).
type Publisher interface {
	Publish(ctx context.Context, tx store.Queryer, now time.Time, ev notify.Event) (notify.Published, error)
}

// Service holds the use cases on visits.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Requests is the request side of visits that come from a request: who
	// may book them, and what a visit's steps do to the request.
	Requests *servicerequest.Service
	// Notify, when set, tells technicians of visits assigned to them and
	// sends sign-off codes.
	Notify Publisher
	// Parts, when set, lists the parts a visit used, for its sealed record.
	Parts PartsLedger
	// Qualify tells who may work on a unit at a time (ActiveTechnician by
	// default).
	Qualify Qualifier
	// Sealed, when set, hears of each visit's record inside the transaction
	// that seals it (the record is priced and the satisfaction survey and
	// callback are queued there; OnSealed joins several).
	Sealed SealedHook
	// Exception, when set, tells the vendor's one-off qualification
	// exception that let a visit through (nil when none did), for its
	// sealed record.
	Exception func(ctx context.Context, q store.Queryer, workOrderID int64) (*record.VisitException, error)
	// Departed, when set, hears inside the step's transaction that the
	// technician set off to a visit (the customer is told).
	Departed func(ctx context.Context, tx *sqlx.Tx, w WorkOrder, now time.Time) error
}

// SealedHook hears of a visit's record inside the transaction that seals it.
type SealedHook func(ctx context.Context, tx *sqlx.Tx, rec record.Record, now time.Time) error

// OnSealed runs hooks in order in the sealing transaction; the first
// error stops the check-out and nothing is sealed.
func OnSealed(hooks ...SealedHook) SealedHook {
	return func(ctx context.Context, tx *sqlx.Tx, rec record.Record, now time.Time) error {
		for _, h := range hooks {
			if err := h(ctx, tx, rec, now); err != nil {
				return err
			}
		}
		return nil
	}
}

// WorkOrder is one visit (工单).
type WorkOrder struct {
	ID int64 `db:"id" json:"id"`
	// Origin is what the visit is for (OriginRequest, OriginMaintenance).
	Origin string `db:"origin" json:"origin" enum:"request,maintenance" doc:"What the visit is for: a service request's fault, or a unit's maintenance."`
	// RequestID is the request of a visit from a request, 0 otherwise.
	RequestID int64 `db:"request_id" json:"request_id,omitempty" doc:"The service request of a request's visit."`
	// UnitID and AgreementID name what a maintenance visit serves.
	UnitID      *int64 `db:"unit_id" json:"unit_id,omitempty" doc:"The unit a maintenance visit serves."`
	AgreementID *int64 `db:"agreement_id" json:"agreement_id,omitempty" doc:"The agreement a maintenance visit is done under."`
	// RedoOf is the visit of the same request this one redoes.
	RedoOf       *int64    `db:"redo_of" json:"redo_of,omitempty" doc:"The earlier visit of the same request that this visit redoes."`
	TechnicianID int64     `db:"technician_id" json:"technician_id"`
	AssignedBy   *int64    `db:"assigned_by" json:"-"`
	WindowStart  time.Time `db:"window_start" json:"window_start"`
	WindowEnd    time.Time `db:"window_end" json:"window_end"`
	Status       string    `db:"status" json:"status"`
	// DepartedAt is when the technician set off to the visit.
	DepartedAt   *time.Time `db:"departed_at" json:"departed_at,omitempty" doc:"When the technician set off to the visit (on the way)."`
	CheckedInAt  *time.Time `db:"checked_in_at" json:"checked_in_at,omitempty"`
	CheckInLat   *float64   `db:"check_in_lat" json:"check_in_lat,omitempty"`
	CheckInLng   *float64   `db:"check_in_lng" json:"check_in_lng,omitempty"`
	CheckedOutAt *time.Time `db:"checked_out_at" json:"checked_out_at,omitempty"`
	Diagnosis    string     `db:"diagnosis" json:"diagnosis"`
	FaultCodes   string     `db:"fault_codes" json:"fault_codes"`
	ActionsTaken string     `db:"actions_taken" json:"actions_taken"`
	Result       string     `db:"result" json:"result,omitempty"`
	SignoffKind  string     `db:"signoff_kind" json:"signoff_kind,omitempty"`
	SignoffName  string     `db:"signoff_name" json:"signoff_name,omitempty"`
	SignaturePNG []byte     `db:"signature_png" json:"-"`
	// SignoffSentTo names who received the confirmation code, for a
	// sign-off by code.
	SignoffSentTo string    `db:"signoff_sent_to" json:"signoff_sent_to,omitempty"`
	RecordID      *int64    `db:"record_id" json:"record_id,omitempty"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	UpdatedAt     time.Time `db:"updated_at" json:"updated_at"`
	Version       int64     `db:"version" json:"version"`
	// travelMetres is the distance entered at check-out, on its way into
	// the sealed record (which keeps it; the work order does not).
	travelMetres *int64
}

// Work order states.
const (
	WOAssigned  = "assigned"
	WOOnSite    = "on_site"
	WOCompleted = "completed"
	WOCancelled = "cancelled"
)

// Results of a visit.
var Results = record.Results

// Assignment books a technician for a visit.
type Assignment struct {
	TechnicianID int64
	WindowStart  time.Time
	WindowEnd    time.Time
	Note         string
}

// Book creates a work order for origin: a technician and an appointment
// window. For a request, the first booking is the provider's response; the
// clocks are untouched otherwise: they belong to the request. A
// maintenance visit is booked for a unit whose agreement covers its
// maintenance.
func (s *Service) Book(ctx context.Context, actor policy.Actor, origin Origin, a Assignment) (WorkOrder, error) {
	return s.assign(ctx, actor, origin, a, 0)
}

// Reassign moves a visit of origin that has not started to another
// technician or window; the technician who had it is told.
func (s *Service) Reassign(ctx context.Context, actor policy.Actor, origin Origin, workOrderID int64, a Assignment) (WorkOrder, error) {
	if workOrderID <= 0 {
		return WorkOrder{}, workOrderNotFound(workOrderID)
	}
	return s.assign(ctx, actor, origin, a, workOrderID)
}

// assign books a visit (workOrderID 0) or reassigns one.
func (s *Service) assign(ctx context.Context, actor policy.Actor, origin Origin, a Assignment, workOrderID int64) (WorkOrder, error) {
	if err := origin.check(); err != nil {
		return WorkOrder{}, err
	}
	now := s.Now().UTC()
	var out WorkOrder
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		sub, err := s.forBooking(ctx, tx, actor, origin, a.WindowStart)
		if err != nil {
			return err
		}
		out, err = s.book(ctx, tx, actor, sub, origin, a, workOrderID, now)
		return err
	})
	return out, err
}

// Move is one booking (WorkOrderID 0) or reassignment of a plan.
type Move struct {
	Origin      Origin
	WorkOrderID int64
	Assignment  Assignment
}

// BookAll books and reassigns the moves in one transaction: all of them, or
// none when one is refused (the error names the move by its index).
//
// guard, when set, runs first in the transaction: its error refuses all.
func (s *Service) BookAll(ctx context.Context, actor policy.Actor, moves []Move, guard func(tx *sqlx.Tx) error) ([]WorkOrder, error) {
	for _, m := range moves {
		if err := m.Origin.check(); err != nil {
			return nil, err
		}
	}
	now := s.Now().UTC()
	out := make([]WorkOrder, len(moves))
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if guard != nil {
			if err := guard(tx); err != nil {
				return err
			}
		}
		for i, m := range moves {
			sub, err := s.forBooking(ctx, tx, actor, m.Origin, m.Assignment.WindowStart)
			if err == nil {
				out[i], err = s.book(ctx, tx, actor, sub, m.Origin, m.Assignment, m.WorkOrderID, now)
			}
			if err != nil {
				return &MoveError{Index: i, Err: err}
			}
		}
		return nil
	})
	return out, err
}

// MoveError is the refusal of one move of BookAll.
type MoveError struct {
	Index int
	Err   error
}

func (e *MoveError) Error() string { return fmt.Sprintf("move %d: %v", e.Index, e.Err) }
func (e *MoveError) Unwrap() error { return e.Err }

// Redo books, inside the caller's transaction, a visit that redoes visit
// of (退回重办): a visit of the same request, with the same technician, in
// the window from start to end, marked as the redo of the first. A
// resolved request is reopened: a redo is the provider's fault, so its
// resolution clock resumes. The caller decided the redo and answers for
// who may order it; the technician is still asked for (Qualify).
func (s *Service) Redo(ctx context.Context, tx *sqlx.Tx, actor policy.Actor, of int64, start, end time.Time, reason string) (WorkOrder, error) {
	now := s.Now().UTC()
	w, err := Get(ctx, tx, of)
	if err != nil {
		return w, err
	}
	if w.Origin != OriginRequest {
		return WorkOrder{}, problem.New(problem.Conflict, "work order %d is not a visit of a service request; only those are redone", w.ID)
	}
	r, err := servicerequest.GetRequest(ctx, tx, w.RequestID)
	if err != nil {
		return WorkOrder{}, err
	}
	switch r.Status {
	case servicerequest.Cancelled:
		return WorkOrder{}, problem.New(problem.Conflict, "service request %s is cancelled; its visit cannot be redone", r.Number)
	case servicerequest.Resolved:
		if r, err = s.Requests.Reopen(ctx, tx, actor, r, reason, now); err != nil {
			return WorkOrder{}, err
		}
	}
	origin := Origin{Kind: OriginRequest, RequestID: r.ID, RedoOf: w.ID}
	return s.book(ctx, tx, actor, requestSubject(r), origin,
		Assignment{TechnicianID: w.TechnicianID, WindowStart: start, WindowEnd: end, Note: reason}, 0, now)
}

// book books a visit of sub (workOrderID 0) or reassigns one, in tx.
func (s *Service) book(ctx context.Context, tx *sqlx.Tx, actor policy.Actor, sub subject, origin Origin, a Assignment, workOrderID int64, now time.Time) (WorkOrder, error) {
	var fs problem.Fields
	tech, err := account.GetUser(ctx, tx, a.TechnicianID)
	switch {
	case problem.Is(err, problem.NotFound):
		fs.Add("technician_id", "no such user")
	case err != nil:
		return WorkOrder{}, err
	case tech.OrgID != sub.ProviderID:
		fs.Add("technician_id", "must be an active technician of the visit's provider")
	}
	switch {
	case a.WindowStart.IsZero() || a.WindowEnd.IsZero():
		fs.Add("window_start", "give the appointment window agreed with the customer")
	case !a.WindowEnd.After(a.WindowStart):
		fs.Add("window_end", "must be after window_start")
	case a.WindowEnd.Sub(a.WindowStart) > 24*time.Hour:
		fs.Add("window_end", "an appointment window is at most 24 hours")
	}
	problem.CheckText(&fs, "note", a.Note, false, 2000)
	if len(fs) == 0 {
		if err := s.qualify(ctx, tx, a, sub.UnitID, sub.ServiceItem, workOrderID); err != nil {
			return WorkOrder{}, err
		}
	}
	if err := fs.Err(); err != nil {
		return WorkOrder{}, err
	}
	kind := servicerequest.EventAssigned
	if origin.RedoOf != 0 {
		kind = EventRedo
	}
	var oldTech int64
	if workOrderID == 0 {
		id, err := insertWorkOrder(ctx, tx, actor, origin, sub, a, now)
		if err != nil {
			return WorkOrder{}, err
		}
		workOrderID = id
	} else {
		w, err := Get(ctx, tx, workOrderID)
		if err != nil || w.Origin != origin.Kind || w.RequestID != origin.RequestID || (w.UnitID != nil && *w.UnitID != origin.UnitID) {
			return WorkOrder{}, problem.New(problem.NotFound, "work order %d not found on %s", workOrderID, sub.Reference)
		}
		if w.Status != WOAssigned {
			return WorkOrder{}, problem.New(problem.Conflict, "work order %d is %s; only a visit not started can be reassigned", w.ID, problem.Enum("wo.", w.Status))
		}
		if err := moveWorkOrder(ctx, tx, w.ID, a, now); err != nil {
			return WorkOrder{}, err
		}
		kind, oldTech = "reassigned", w.TechnicianID
	}
	if r := sub.request; r != nil {
		note := strings.TrimSpace(tech.Name + " " + a.WindowStart.In(calendar.Shanghai).Format("01-02 15:04") + "–" + a.WindowEnd.In(calendar.Shanghai).Format("15:04") + " " + a.Note)
		if err := s.Requests.VisitBooked(ctx, tx, actor, *r, kind, note, now); err != nil {
			return WorkOrder{}, err
		}
	}
	out, err := Get(ctx, tx, workOrderID)
	if err != nil {
		return out, err
	}
	if err := audit.Record(ctx, tx, now, actor, sub.ProviderID, "workorder."+kind, "work_order", out.ID, nil, out); err != nil {
		return out, err
	}
	if s.Notify != nil {
		when := a.WindowStart.In(calendar.Shanghai).Format("01-02 15:04")
		if _, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "request.assigned", OrgIDs: []int64{sub.ProviderID},
			UserIDs: []int64{a.TechnicianID}, Link: fmt.Sprintf("/work-orders/%d", out.ID),
			DedupeKey: fmt.Sprintf("request.assigned:%d:%d:%d", out.ID, a.TechnicianID, a.WindowStart.Unix()),
			Subject:   notify.Msg("notify.assigned.subject", "Number", sub.Reference, "When", when),
			Body:      notify.Msg("notify.assigned.body", "Model", sub.Model, "Serial", sub.Serial, "Address", sub.Address, "When", when),
			Data:      sub.data(out, "window_start", a.WindowStart)}); err != nil {
			return out, err
		}
		if err := s.noticeBooked(ctx, tx, sub, out, tech.Name, a.WindowStart, a.WindowEnd, now); err != nil {
			return out, err
		}
		if oldTech != 0 && oldTech != a.TechnicianID {
			// The technician who had the visit is told it is no longer theirs.
			if _, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "request.unassigned", OrgIDs: []int64{sub.ProviderID},
				UserIDs: []int64{oldTech}, Link: "/work-orders",
				DedupeKey: fmt.Sprintf("request.unassigned:%d:%d:%d", out.ID, oldTech, now.UnixNano()),
				Subject:   notify.Msg("notify.unassigned.subject", "Number", sub.Reference),
				Body:      notify.Msg("notify.unassigned.body", "Address", sub.Address, "Technician", tech.Name),
				Data:      sub.data(out)}); err != nil {
				return out, err
			}
		}
	}
	return out, s.refresh(ctx, tx, sub, now)
}

// EventRedo is the request's event of a visit booked to redo an earlier one.
const EventRedo = "redo"

// refresh recomputes the clocks of the request a visit comes from, if any.
func (s *Service) refresh(ctx context.Context, tx *sqlx.Tx, sub subject, now time.Time) error {
	if sub.request == nil {
		return nil
	}
	return s.Requests.Refresh(ctx, tx, sub.request.ID, now)
}

// qualify asks the Qualifier whether the technician may do the visit.
func (s *Service) qualify(ctx context.Context, q store.Queryer, a Assignment, unitID int64, item string, workOrderID int64) error {
	qualify := s.Qualify
	if qualify == nil {
		qualify = ActiveTechnician
	}
	return qualify(ctx, q, a.TechnicianID, unitID, item, a.WindowStart.UTC(), a.WindowEnd.UTC(), workOrderID)
}

// Step is something a technician does on site, one step of the visit.
type Step struct {
	Kind string // depart, check_in, record, sign_off, check_out
	// check_in
	Lat, Lng *float64
	// record
	Diagnosis, FaultCodes, ActionsTaken string
	// sign_off
	SignoffName  string
	SignaturePNG []byte
	// SignoffCode is the code the customer reads out, instead of a signature.
	SignoffCode string
	codeSentTo  string // set once the code is verified
	// check_out
	Result string
	// TravelKM is the road distance from the service point to the site
	// the technician drove, in kilometres (nil: not entered, travel is
	// priced on the straight line times the road factor).
	TravelKM *float64
}

// MaxTravelKM bounds the kilometres a technician enters at check-out.
const MaxTravelKM = 5000

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// MaxSignatureBytes bounds a drawn signature.
const MaxSignatureBytes = 256 << 10

// Step records a step of the assigned technician's visit. Checking out
// needs a check-in and the customer's sign-off; it seals the service record
// and, when the fault is fixed, resolves the request.
func (s *Service) Step(ctx context.Context, actor policy.Actor, workOrderID int64, st Step, expectedVersion int64) (WorkOrder, error) {
	now := s.Now().UTC()
	var out WorkOrder
	if st.Kind == "sign_off" && st.SignoffCode != "" {
		// Checked in a transaction of its own: a wrong code counts as an
		// attempt even though the step is refused.
		sentTo, err := s.verifyCode(ctx, actor, workOrderID, st.SignoffCode, now)
		if err != nil {
			return out, err
		}
		st.codeSentTo = sentTo
	}
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		w, sub, err := fieldWorkOrder(ctx, tx, actor, workOrderID)
		if err != nil {
			return err
		}
		if w.Version != expectedVersion {
			return problem.New(problem.PreconditionFailed, "work order %d was changed by someone else", w.ID)
		}
		before := w
		if err := s.applyStep(ctx, tx, actor, &w, sub, st, now); err != nil {
			return err
		}
		if err := saveStep(ctx, tx, w, now); err != nil {
			return err
		}
		before.SignaturePNG = nil
		if out, err = Get(ctx, tx, w.ID); err != nil {
			return err
		}
		logged := out
		logged.SignaturePNG = nil
		if err := audit.Record(ctx, tx, now, actor, sub.ProviderID, "workorder."+st.Kind, "work_order", w.ID, before, logged); err != nil {
			return err
		}
		return s.refresh(ctx, tx, sub, now)
	})
	return out, err
}

func (s *Service) applyStep(ctx context.Context, tx *sqlx.Tx, actor policy.Actor, w *WorkOrder, sub subject, st Step, now time.Time) error {
	var fs problem.Fields
	switch st.Kind {
	case "depart":
		if w.Status != WOAssigned || w.DepartedAt != nil {
			return problem.New(problem.Conflict, "work order %d is %s; set off once, before checking in", w.ID, problem.Enum("wo.", w.Status))
		}
		w.DepartedAt = &now
		if s.Departed != nil {
			return s.Departed(ctx, tx, *w, now)
		}
		return nil
	case "check_in":
		if w.Status != WOAssigned {
			return problem.New(problem.Conflict, "work order %d is %s; check in once, before the work", w.ID, problem.Enum("wo.", w.Status))
		}
		if (st.Lat == nil) != (st.Lng == nil) {
			fs.Add("lat", "give both lat and lng, or neither")
		} else if st.Lat != nil && (math.IsNaN(*st.Lat) || *st.Lat < -90 || *st.Lat > 90 || math.IsNaN(*st.Lng) || *st.Lng < -180 || *st.Lng > 180) {
			fs.Add("lat", "coordinates out of range")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		w.Status, w.CheckedInAt, w.CheckInLat, w.CheckInLng = WOOnSite, &now, st.Lat, st.Lng
		if sub.request == nil {
			return nil
		}
		return s.Requests.VisitCheckedIn(ctx, tx, actor, *sub.request, now)
	case "record":
		if w.Status != WOOnSite {
			return problem.New(problem.Conflict, "check in on site before recording the work")
		}
		problem.CheckText(&fs, "diagnosis", st.Diagnosis, false, 4000)
		problem.CheckText(&fs, "fault_codes", st.FaultCodes, false, 500)
		problem.CheckText(&fs, "actions_taken", st.ActionsTaken, false, 4000)
		if err := fs.Err(); err != nil {
			return err
		}
		w.Diagnosis, w.FaultCodes, w.ActionsTaken = strings.TrimSpace(st.Diagnosis), strings.TrimSpace(st.FaultCodes), strings.TrimSpace(st.ActionsTaken)
		return nil
	case "sign_off":
		if w.Status != WOOnSite {
			return problem.New(problem.Conflict, "the customer signs off a visit in progress")
		}
		problem.CheckText(&fs, "signoff_name", st.SignoffName, true, 100)
		if st.codeSentTo != "" {
			if err := fs.Err(); err != nil {
				return err
			}
			// The code is used up with the sign-off it confirms.
			if err := deleteCode(ctx, tx, w.ID); err != nil {
				return err
			}
			w.SignoffKind, w.SignoffName, w.SignoffSentTo, w.SignaturePNG = SignoffCode, strings.TrimSpace(st.SignoffName), st.codeSentTo, nil
			return nil
		}
		switch {
		case len(st.SignaturePNG) == 0:
			fs.Add("signature_png", "the customer's signature is required")
		case len(st.SignaturePNG) > MaxSignatureBytes:
			fs.Add("signature_png", "is larger than %d KiB", MaxSignatureBytes>>10)
		case !bytes.HasPrefix(st.SignaturePNG, pngMagic):
			fs.Add("signature_png", "is not a PNG image")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		w.SignoffKind, w.SignoffName, w.SignaturePNG, w.SignoffSentTo = "signature", strings.TrimSpace(st.SignoffName), st.SignaturePNG, ""
		return nil
	case "check_out":
		switch {
		case w.Status != WOOnSite:
			return problem.New(problem.Conflict, "check in before checking out")
		case w.SignoffKind == "":
			return problem.New(problem.Conflict, "the customer must sign off before check-out")
		case strings.TrimSpace(w.ActionsTaken) == "":
			return problem.Field("actions_taken", "record the actions taken before check-out")
		}
		if !contains(Results, st.Result) {
			return problem.Field("result", "must be fixed, not_fixed or needs_parts")
		}
		if km := st.TravelKM; km != nil {
			if math.IsNaN(*km) || *km <= 0 || *km > MaxTravelKM {
				return problem.Field("travel_km", "must be more than 0 and at most 5000 kilometres")
			}
			m := int64(math.Round(*km * 1000))
			w.travelMetres = &m
		}
		w.Status, w.CheckedOutAt, w.Result = WOCompleted, &now, st.Result
		if sub.request != nil {
			if err := s.Requests.VisitCheckedOut(ctx, tx, actor, *sub.request, st.Result == "fixed", now); err != nil {
				return err
			}
		}
		// The record is sealed after the check-out's events, so that the
		// clocks it carries are where the check-out left them.
		rec, err := s.seal(ctx, tx, sub, *w, now)
		if err != nil {
			return err
		}
		w.RecordID = &rec.ID
		if err := s.noticeDone(ctx, tx, sub, *w, now); err != nil {
			return err
		}
		if s.Sealed != nil {
			return s.Sealed(ctx, tx, rec, now)
		}
		return nil
	}
	return problem.Field("kind", "must be depart, check_in, record, sign_off or check_out")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Get returns a work order the actor may see.
func (s *Service) Get(ctx context.Context, actor policy.Actor, id int64) (WorkOrder, error) {
	w, sub, err := withSubject(ctx, s.DB, id)
	if err != nil {
		return w, err
	}
	if err := policy.Check(actor, policy.RequestRead, policy.RequestRead, sub.scope(actor, w.TechnicianID == actor.UserID), workOrderNotFound(id)); err != nil {
		return WorkOrder{}, err
	}
	return w, nil
}

// Mine lists the open visits assigned to the actor, by appointment.
func (s *Service) Mine(ctx context.Context, actor policy.Actor, out *[]WorkOrder) error {
	return openVisitsOf(ctx, s.DB, actor.UserID, out)
}

func workOrderNotFound(id int64) error {
	return problem.New(problem.NotFound, "work order %d not found", id)
}
