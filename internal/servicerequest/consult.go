package servicerequest

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// Answer resolves a consultation (技术咨询, DOMAIN 3.1.3) without a visit:
// the answer is the response, the request is resolved, and the answer is
// sealed as the service record.
func (s *Service) Answer(ctx context.Context, actor policy.Actor, id int64, answer string, expectedVersion int64) (View, error) {
	now := s.Now().UTC()
	return s.handle(ctx, actor, id, expectedVersion, func(tx *sqlx.Tx, r Request, out *View) error {
		switch {
		case r.ServiceItem != "consultation":
			return problem.New(problem.Conflict, "only a consultation is answered without a visit; %s is %s", r.Number, problem.Enum("item.", r.ServiceItem))
		case !r.Status.Open():
			return problem.New(problem.Conflict, "service request %s is %s", r.Number, problem.Enum("status.", r.Status))
		}
		var fs problem.Fields
		answer = strings.TrimSpace(answer)
		problem.CheckText(&fs, "answer", answer, true, 8000)
		if err := fs.Err(); err != nil {
			return err
		}
		events, err := Events(ctx, tx, id)
		if err != nil {
			return err
		}
		if !hasEvent(events, string(sla.Responded)) {
			ev, err := appendEvent(ctx, tx, RequestEvent{RequestID: id, Kind: string(sla.Responded), At: now, ActorID: &actor.UserID, Actor: actor.Label()})
			if err != nil {
				return err
			}
			events = append(events, ev)
		}
		ev, err := appendEvent(ctx, tx, RequestEvent{RequestID: id, Kind: string(sla.Resolved), At: now, ActorID: &actor.UserID, Actor: actor.Label(), Note: answer})
		if err != nil {
			return err
		}
		events = append(events, ev)
		before := r
		if r, err = updateStatus(ctx, tx, r, Resolved, r.Priority, now); err != nil {
			return err
		}
		at, err := s.Resolve.Agreement(ctx, tx, r.AgreementID, r.ReceivedAt)
		if err != nil {
			return err
		}
		*out = View{Request: r, Events: events}
		if out.Clocks, err = s.clocksOn(ctx, at.Terms, r.Priority, events, now); err != nil {
			return err
		}
		customer, err := org.Get(ctx, tx, r.CustomerOrgID)
		if err != nil {
			return err
		}
		if _, err := record.Seal(ctx, tx, now, record.New{AgreementID: r.AgreementID, VendorID: r.VendorID, ProviderID: r.ProviderID,
			RequestID: &r.ID, RetentionMonths: at.RetentionMonths, Content: record.Content{Kind: record.KindConsultation,
				Consultation: &record.Consultation{Request: r.Number, Agreement: at.Number, ServiceItem: r.ServiceItem,
					ReceivedAt: r.ReceivedAt.UTC(), CustomerOrg: r.CustomerOrgID, Customer: customer.Name,
					Product:  record.Product{SerialNumber: r.SerialNumber, Model: r.Model},
					Question: r.Description, Answer: answer, AnsweredBy: record.Person{ID: actor.UserID, Name: actor.Label()},
					AnsweredAt: now, Clocks: record.ClockOutcomes(out.Clocks, now)}}}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, actor, r.ProviderID, "request.answered", "service_request", id, before, r); err != nil {
			return err
		}
		return saveProjection(ctx, tx, r, out.Clocks)
	})
}

// GrantScopeException lets one unit be served once outside its agreement's
// scope (DOMAIN 1.2: "routed to the vendor for an explicit exception that is
// recorded"). It is valid for the given number of days.
func (s *Service) GrantScopeException(ctx context.Context, actor policy.Actor, serial, reason string, days int) (int64, error) {
	now := s.Now().UTC()
	var id int64
	if len(policy.Granted(actor.Role, policy.ScopeExceptionGrant)) == 0 && !actor.Operator {
		return 0, problem.New(problem.Forbidden, "only the vendor grants exceptions to an agreement's scope")
	}
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var fs problem.Fields
		problem.CheckText(&fs, "reason", strings.TrimSpace(reason), true, 2000)
		if days < 1 || days > 90 {
			fs.Add("valid_days", "must be 1 to 90 days")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		t, err := s.Resolve.UnitBySerial(ctx, tx, serial, now)
		if err != nil {
			return err
		}
		scope := policy.PartyScope(actor, t.VendorID, t.ProviderID)
		if !policy.Allowed(actor, policy.ScopeExceptionGrant, scope) {
			if scope == policy.Unrelated {
				return problem.Field("serial_number", "no product with this serial number under your agreements")
			}
			return policy.Allow(actor, policy.ScopeExceptionGrant, scope)
		}
		id, err = store.InsertID(ctx, tx, `INSERT INTO scope_exceptions (vendor_id, unit_id, reason, granted_by, granted_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.VendorID, t.ID, strings.TrimSpace(reason), store.NullID(actor.UserID), now, now.AddDate(0, 0, days))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, t.VendorID, "request.scope_exception", "unit", t.ID, nil,
			map[string]any{"serial_number": t.Serial, "reason": reason, "expires_at": now.AddDate(0, 0, days)})
	})
	return id, err
}
