package complaint

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// WatchJob is the job kind of Watch, run every minute.
const WatchJob = "complaints.watch"

// system is the actor of what the clocks do by themselves.
var system = policy.Actor{Email: "clocks (automatic)"}

// Step is what the clocks do to a complaint at now: alerts to send (each
// once) and whether it escalates or closes unanswered. Plain Go, no I/O.
type Step struct {
	Alerts          []string // first_answer.warning, first_answer.breached, close.warning, close.breached
	Escalate        bool
	CloseUnanswered bool
}

// Due decides a complaint's step at now.
func (c Complaint) Due(now time.Time) Step {
	var st Step
	if c.Kind != KindComplaint || c.Status == Closed {
		return st
	}
	for _, k := range c.Clocks(now) {
		if k.MetAt != nil {
			continue
		}
		if k.Warning && !c.hasAlert(k.Kind+".warning") {
			st.Alerts = append(st.Alerts, k.Kind+".warning")
		}
		if k.State == "breached" && !c.hasAlert(k.Kind+".breached") {
			st.Alerts = append(st.Alerts, k.Kind+".breached")
			if k.Kind == CloseClock && c.EscalatedAt == nil {
				st.Escalate = true
			}
		}
	}
	if c.Status == Answered && c.RepliedAt != nil && c.UnansweredDays > 0 && !now.Before(c.RepliedAt.AddDate(0, 0, c.UnansweredDays)) {
		st.CloseUnanswered = true
	}
	return st
}

// Watch applies the clocks to every complaint not closed: 75 % warnings and
// breaches to the provider, escalation to the vendor when the close clock is
// breached, and closing unanswered when the customer did not answer the
// reply within the agreement's days. It returns how many it changed.
func (s *Service) Watch(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	var open []Complaint
	if err := store.Select(ctx, s.DB, &open, `SELECT `+columns+` FROM complaints WHERE kind = 'complaint' AND status <> 'closed' ORDER BY id`); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range open {
		st := c.Due(now)
		if len(st.Alerts) == 0 && !st.Escalate && !st.CloseUnanswered {
			continue
		}
		if err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error { return s.apply(ctx, tx, c.ID, now) }); err != nil {
			return n, fmt.Errorf("watch complaint %d: %w", c.ID, err)
		}
		n++
	}
	return n, nil
}

func (s *Service) apply(ctx context.Context, tx *sqlx.Tx, id int64, now time.Time) error {
	c, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	before, st := c, c.Due(now)
	for _, a := range st.Alerts {
		c.Alerts = withAlert(c.Alerts, a)
		if err := addEvent(ctx, tx, c.ID, "alert", now, system, a); err != nil {
			return err
		}
		kind := "warning"
		if a == FirstAnswer+".breached" || a == CloseClock+".breached" {
			kind = "breached"
		}
		if err := s.tell(ctx, tx, c, now, a, providerStaff, "notify.complaint."+kind+".subject", ""); err != nil {
			return err
		}
	}
	if st.Escalate {
		c.EscalatedAt = &now
		if err := addEvent(ctx, tx, c.ID, "escalated", now, system, ""); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, c, now, "escalated", vendorStaff, "notify.complaint.escalated.subject", "notify.complaint.filed.body"); err != nil {
			return err
		}
	}
	if st.CloseUnanswered {
		c.Status, c.ClosedAt, c.CloseKind = Closed, &now, ClosedUnanswered
		if err := addEvent(ctx, tx, c.ID, "closed", now, system, ClosedUnanswered); err != nil {
			return err
		}
	}
	if err := save(ctx, tx, c, now); err != nil {
		return err
	}
	return audit.Record(ctx, tx, now, system, c.ProviderID, "complaint.watch", "complaint", c.ID, before, c)
}
