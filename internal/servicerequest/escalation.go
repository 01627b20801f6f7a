package servicerequest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// Escalation targets (DOMAIN 3.1.1: complex faults need deeper
// investigation). A senior technician is a technician of the provider the
// dispatcher names; the second line is the vendor's admins.
const (
	EscalateSenior     = "senior"
	EscalateSecondLine = "second_line"
)

// EventEscalationAnswered ends an escalation's clock.
const EventEscalationAnswered = "escalation_answered"

// Escalation is a complex fault sent for deeper investigation.
type Escalation struct {
	ID         int64      `db:"id" json:"id"`
	RequestID  int64      `db:"request_id" json:"request_id"`
	Number     string     `db:"number" json:"number"`
	VendorID   int64      `db:"vendor_id" json:"-"`
	Target     string     `db:"target" json:"target"`
	AssigneeID *int64     `db:"assignee_id" json:"assignee_id,omitempty"`
	Reason     string     `db:"reason" json:"reason"`
	RaisedBy   *int64     `db:"raised_by" json:"-"`
	RaisedAt   time.Time  `db:"raised_at" json:"raised_at"`
	DueAt      time.Time  `db:"due_at" json:"due_at"`
	AnsweredAt *time.Time `db:"answered_at" json:"answered_at,omitempty"`
	AnsweredBy *int64     `db:"answered_by" json:"-"`
	Answer     string     `db:"answer" json:"answer,omitempty"`
	// RequestClosed: the request was resolved or cancelled, which settled
	// the escalation whether or not it was answered.
	RequestClosed bool `db:"request_closed" json:"request_closed"`
}

// NewEscalation asks for deeper investigation of a fault.
type NewEscalation struct {
	Target     string
	AssigneeID int64 // the senior technician, for target senior
	Reason     string
}

const escColumns = `e.id, e.request_id, r.number, e.vendor_id, e.target, e.assignee_id, e.reason, e.raised_by, e.raised_at, e.due_at,
	e.answered_at, e.answered_by, e.answer, ` + requestClosed + ` AS request_closed`

// requestClosed is true when the escalation's request is resolved or
// cancelled: that settles an unanswered escalation's clock too, and it is
// no longer waiting for an answer.
const requestClosed = `CASE WHEN r.status IN ('resolved', 'cancelled') THEN 1 ELSE 0 END`

// EscalationsOf lists a request's escalations, oldest first.
func EscalationsOf(ctx context.Context, q store.Queryer, requestID int64) ([]Escalation, error) {
	out := []Escalation{}
	err := store.Select(ctx, q, &out, `SELECT `+escColumns+` FROM escalations e JOIN service_requests r ON r.id = e.request_id
		WHERE e.request_id = ? ORDER BY e.id`, requestID)
	return out, err
}

// escalationCalendar is the calendar an escalation's clock runs on: that
// of the request's first deadline at its priority, else cn.
func escalationCalendar(t sla.Terms, priority string) string {
	for _, tg := range t.Targets(sla.Priority(priority)) {
		if tg.CalendarID != "" {
			return tg.CalendarID
		}
	}
	return "cn"
}

// escalationClocks computes one clock per escalation from the history:
// an escalated event starts one, the next answer (or the request's
// resolution or cancellation) stops it.
func escalationClocks(events []RequestEvent, calID string, cal *calendar.Calendar, priority string, within time.Duration, now time.Time) []sla.Clock {
	var out []sla.Clock
	var open *time.Time
	for _, e := range events {
		switch e.Kind {
		case EventEscalated:
			at := e.At
			open = &at
		case EventEscalationAnswered, string(sla.Resolved), EventCancelled:
			// Resolving or cancelling the request settles an open
			// escalation too, as it stops every other clock.
			if open != nil {
				at := e.At
				out = append(out, sla.EscalationClock(cal, calID, sla.Priority(priority), *open, &at, within, now))
				open = nil
			}
		}
	}
	if open != nil {
		out = append(out, sla.EscalationClock(cal, calID, sla.Priority(priority), *open, nil, within, now))
	}
	return out
}

// Escalate sends a request's fault to a senior technician or to the
// vendor's second line. One escalation is open at a time; its clock is
// among the request's clocks until it is answered.
func (s *Service) Escalate(ctx context.Context, actor policy.Actor, requestID int64, n NewEscalation) (Escalation, error) {
	now := s.Now().UTC()
	var out Escalation
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.load(ctx, tx, actor, requestID, policy.RequestEscalate, true)
		if err != nil {
			return err
		}
		if !r.Status.Open() {
			return problem.New(problem.Conflict, "service request %s is %s", r.Number, problem.Enum("status.", r.Status))
		}
		var fs problem.Fields
		n.Reason = strings.TrimSpace(n.Reason)
		problem.CheckText(&fs, "reason", n.Reason, true, 2000)
		var assignee *int64
		switch n.Target {
		case EscalateSenior:
			tech, err := account.GetUser(ctx, tx, n.AssigneeID)
			switch {
			case n.AssigneeID == 0:
				fs.Add("assignee_id", "name the senior technician")
			case problem.Is(err, problem.NotFound):
				fs.Add("assignee_id", "no such user")
			case err != nil:
				return err
			case tech.OrgID != r.ProviderID || tech.Role != policy.Technician || !tech.Active:
				fs.Add("assignee_id", "must be an active technician of the request's provider")
			case tech.ID == actor.UserID:
				fs.Add("assignee_id", "escalate to someone else")
			default:
				assignee = &tech.ID
			}
		case EscalateSecondLine:
			if n.AssigneeID != 0 {
				fs.Add("assignee_id", "the vendor's second line answers as a team; leave it empty")
			}
		default:
			fs.Add("target", "must be senior or second_line")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		var openCount int
		if err := store.Get(ctx, tx, &openCount, `SELECT COUNT(*) FROM escalations WHERE request_id = ? AND answered_at IS NULL`, r.ID); err != nil {
			return err
		}
		if openCount > 0 {
			return problem.New(problem.Conflict, "service request %s already has an open escalation; wait for its answer", r.Number)
		}
		at, err := s.Resolve.Agreement(ctx, tx, r.AgreementID, r.ReceivedAt)
		if err != nil {
			return err
		}
		calID := escalationCalendar(at.Terms, r.Priority)
		cal, err := s.Calendars(ctx, calID)
		if err != nil {
			return err
		}
		out = Escalation{RequestID: r.ID, Number: r.Number, VendorID: r.VendorID, Target: n.Target, AssigneeID: assignee, Reason: n.Reason,
			RaisedBy: store.NullID(actor.UserID), RaisedAt: now, DueAt: cal.AddWorkingDuration(now, at.Terms.EscalationTime()).UTC()}
		if out.ID, err = store.InsertID(ctx, tx, `INSERT INTO escalations (request_id, vendor_id, target, assignee_id, reason, raised_by, raised_at, due_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, out.RequestID, out.VendorID, out.Target, out.AssigneeID, out.Reason, out.RaisedBy,
			out.RaisedAt, out.DueAt); err != nil {
			return err
		}
		if _, err := appendEvent(ctx, tx, RequestEvent{RequestID: r.ID, Kind: EventEscalated, At: now, ActorID: store.NullID(actor.UserID), Actor: actor.Label(),
			Reason: n.Target, Note: n.Reason}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, actor, r.ProviderID, "request.escalate", "escalation", out.ID, nil, out); err != nil {
			return err
		}
		if s.Notify != nil {
			var to []int64
			orgs := []int64{r.ProviderID}
			if assignee != nil {
				to = []int64{*assignee}
			} else {
				orgs = append(orgs, r.VendorID)
				if err := store.Select(ctx, tx, &to, `SELECT id FROM users WHERE org_id = ? AND role = ? AND active ORDER BY id`, r.VendorID, policy.VendorAdmin); err != nil {
					return err
				}
			}
			due := out.DueAt.In(calendar.Shanghai).Format("01-02 15:04")
			if _, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "request.escalated", OrgIDs: orgs, UserIDs: to,
				Link: fmt.Sprintf("/requests/%d", r.ID), DedupeKey: fmt.Sprintf("request.escalated:%d", out.ID),
				Subject: notify.Msg("notify.escalated.subject", "Number", r.Number, "Due", due),
				Body:    notify.Msg("notify.escalated.body", "Model", r.Model, "Serial", r.SerialNumber, "Reason", n.Reason),
				Data:    map[string]any{"request_id": r.ID, "escalation_id": out.ID, "target": out.Target, "due_at": out.DueAt}}); err != nil {
				return err
			}
		}
		return s.refresh(ctx, tx, r.ID, now)
	})
	return out, err
}

// AnswerEscalation records the answer to an open escalation, which stops
// its clock: the vendor's admins answer the second line; the senior
// technician named, or the provider's dispatchers, answer a senior one.
func (s *Service) AnswerEscalation(ctx context.Context, actor policy.Actor, escalationID int64, answer string) (Escalation, error) {
	now := s.Now().UTC()
	var out Escalation
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		e, err := getEscalation(ctx, tx, escalationID)
		if err != nil {
			return err
		}
		r, err := GetRequest(ctx, tx, e.RequestID)
		if err != nil {
			return err
		}
		isAssignee := e.AssigneeID != nil && *e.AssigneeID == actor.UserID
		if !policy.Allowed(actor, policy.RequestRead, scopeOf(actor, r, isAssignee)) && !isAssignee {
			return escalationNotFound(escalationID)
		}
		scope := policy.Unrelated
		switch {
		case isAssignee:
			scope = policy.Self
		case e.Target == EscalateSecondLine && actor.OrgID == r.VendorID:
			scope = policy.Own
		case e.Target == EscalateSenior && actor.OrgID == r.ProviderID && actor.Role != policy.Technician:
			scope = policy.Own
		}
		if actor.Operator {
			scope = policy.Own
		}
		if !policy.Allowed(actor, policy.EscalationAnswer, scope) {
			return problem.New(problem.Forbidden, "escalation %d is answered by %s", e.ID, map[string]string{
				EscalateSecondLine: "the vendor's second line", EscalateSenior: "the senior technician named or the provider's dispatchers"}[e.Target])
		}
		answer = strings.TrimSpace(answer)
		var fs problem.Fields
		problem.CheckText(&fs, "answer", answer, true, 4000)
		if err := fs.Err(); err != nil {
			return err
		}
		if e.AnsweredAt != nil {
			return problem.New(problem.Conflict, "escalation %d was already answered", e.ID)
		}
		res, err := store.Exec(ctx, tx, `UPDATE escalations SET answered_at = ?, answered_by = ?, answer = ? WHERE id = ? AND answered_at IS NULL`,
			now, store.NullID(actor.UserID), answer, e.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "escalation %d was already answered", e.ID)
		}
		if _, err := appendEvent(ctx, tx, RequestEvent{RequestID: r.ID, Kind: EventEscalationAnswered, At: now, ActorID: store.NullID(actor.UserID),
			Actor: actor.Label(), Reason: e.Target, Note: answer}); err != nil {
			return err
		}
		before := e
		if out, err = getEscalation(ctx, tx, e.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, actor, r.ProviderID, "request.escalation_answer", "escalation", e.ID, before, out); err != nil {
			return err
		}
		if s.Notify != nil && e.RaisedBy != nil {
			if _, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "request.escalation_answered", OrgIDs: []int64{r.ProviderID},
				UserIDs: []int64{*e.RaisedBy}, Link: fmt.Sprintf("/requests/%d", r.ID), DedupeKey: fmt.Sprintf("request.escalation_answered:%d", e.ID),
				Subject: notify.Msg("notify.escalation_answered.subject", "Number", r.Number),
				Body:    notify.Localized{"zh-CN": answer}, // the answer as written
				Data:    map[string]any{"request_id": r.ID, "escalation_id": e.ID}}); err != nil {
				return err
			}
		}
		return s.refresh(ctx, tx, r.ID, now)
	})
	return out, err
}

func getEscalation(ctx context.Context, q store.Queryer, id int64) (Escalation, error) {
	return store.ByID[Escalation](ctx, q, `SELECT `+escColumns+` FROM escalations e JOIN service_requests r ON r.id = e.request_id WHERE e.id = ?`, id, escalationNotFound)
}

func escalationNotFound(id int64) error {
	return problem.New(problem.NotFound, "escalation %d not found", id)
}

// Escalations lists the escalations the actor answers or follows, open ones
// first by due time: the vendor's second line sees those sent to it under
// its agreements, a provider those of its requests, a technician those
// named to them. Customers have none.
func (s *Service) Escalations(ctx context.Context, actor policy.Actor, openOnly bool) ([]Escalation, error) {
	out := []Escalation{}
	where := ""
	var args []any
	switch {
	case actor.Operator:
		where = "1 = 1"
	case actor.Role == policy.Technician:
		where, args = "e.assignee_id = ?", []any{actor.UserID}
	case actor.Role == policy.VendorAdmin || actor.Role == policy.VendorAuditor:
		where, args = "e.vendor_id = ? AND e.target = 'second_line'", []any{actor.OrgID}
	case actor.Role == policy.ProviderAdmin || actor.Role == policy.Dispatcher:
		where, args = "r.provider_id = ?", []any{actor.OrgID}
	default:
		return nil, problem.New(problem.Forbidden, "role %s has no escalations", problem.Enum("role.", actor.Role))
	}
	if openOnly {
		where += " AND e.answered_at IS NULL AND " + requestClosed + " = 0"
	}
	err := store.Select(ctx, s.DB, &out, `SELECT `+escColumns+` FROM escalations e JOIN service_requests r ON r.id = e.request_id
		WHERE `+where+` ORDER BY CASE WHEN e.answered_at IS NULL THEN 0 ELSE 1 END, e.due_at, e.id LIMIT 200`, args...)
	return out, err
}

// Technician is a technician of a provider, as forms list them.
type Technician struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// ProviderTechnicians lists a provider's active technicians by name.
func ProviderTechnicians(ctx context.Context, q store.Queryer, providerID int64) ([]Technician, error) {
	var out []Technician
	err := store.Select(ctx, q, &out, `SELECT id, name FROM users WHERE org_id = ? AND role = ? AND active ORDER BY name, id`, providerID, policy.Technician)
	return out, err
}
